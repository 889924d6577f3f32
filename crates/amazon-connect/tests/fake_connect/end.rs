//! Ending a chat on the customer's behalf.

use super::*;

#[tokio::test]
async fn ending_disconnects_the_customer_and_an_ended_chat_ends_quietly() {
    let fake = FakeConnect::start().await;
    let (center, conversation) = start(&fake, "key-1").await;
    center
        .end_conversation(&conversation, deadline())
        .await
        .unwrap();
    let disconnect = fake.calls_of("DisconnectParticipant");
    assert_eq!(disconnect.len(), 1);
    assert_eq!(disconnect[0].bearer.as_deref(), Some("connection-token-1"));
    assert!(disconnect[0].body["ClientToken"].is_string());

    // The fake now answers 403: the chat is over, which is what ending wanted.
    center
        .end_conversation(&conversation, deadline())
        .await
        .unwrap();
    assert_eq!(fake.calls_of("DisconnectParticipant").len(), 2);
}
