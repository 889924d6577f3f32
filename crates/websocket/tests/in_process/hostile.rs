//! Someone trying to join a conversation that is not theirs: with the contact center's bare id,
//! a forged, truncated, expired or other-key reference. Each is refused with its status,
//! binds nothing, and is logged exactly once without what was presented.

use super::*;
use test_support::logs::capture;
use test_support::relay::SIGNING_KEY;

/// `$connect` to someone else's conversation with what `presented` makes of its reference:
/// asserts the status, that nothing was bound, and the one log line without the credential.
async fn refused(
    status: i64,
    presented: impl FnOnce(&handover::conversation::Conversation, &str) -> String,
) {
    let logs = capture();
    let rig = rig();
    let (conversation, reference) = rig.conversation().await;
    let presented = presented(&conversation, &reference);
    let query = json!({ "conversationId": presented });
    assert_eq!(
        route(&rig, "websocket-connect.json", "conn-X=", query).await,
        status
    );
    assert_eq!(
        rig.store
            .conversation_by_connection("conn-X=")
            .await
            .unwrap(),
        None
    );
    assert!(rig.poster.calls().is_empty(), "nothing is told to anyone");
    logs.once("refused a WebSocket connection");
    logs.never_contain(&presented, "presented reference");
    logs.never_contain(&reference, "real reference");
}

#[tokio::test]
async fn a_bare_provider_id_cannot_join() {
    refused(403, |conversation, _| {
        conversation.provider_conversation_id.clone()
    })
    .await;
}

#[tokio::test]
async fn a_bare_conversation_key_cannot_join() {
    refused(403, |conversation, _| conversation.key.to_string()).await;
}

#[tokio::test]
async fn a_forged_signature_cannot_join() {
    refused(403, |conversation, _| {
        format!(
            "v1.{}.{}.{}",
            conversation.key,
            START + 3_600,
            "A".repeat(43)
        )
    })
    .await;
}

#[tokio::test]
async fn a_reference_with_its_expiry_pushed_back_cannot_join() {
    refused(403, |_, reference| {
        let (signed, tag) = reference.rsplit_once('.').unwrap();
        let (key, _) = signed.rsplit_once('.').unwrap();
        format!("{key}.{}.{tag}", START + 86_400)
    })
    .await;
}

#[tokio::test]
async fn a_truncated_reference_cannot_join() {
    refused(403, |_, reference| {
        reference[..reference.len() - 1].to_owned()
    })
    .await;
}

#[tokio::test]
async fn an_expired_reference_cannot_join() {
    refused(403, |conversation, _| {
        reference_to(&conversation.key, START - 1)
    })
    .await;
}

#[tokio::test]
async fn a_reference_signed_with_another_key_cannot_join() {
    refused(403, |conversation, _| {
        let other_key = format!("{SIGNING_KEY}-of-another-deployment");
        handover::reference::ReferenceSigner::new(other_key.as_bytes())
            .unwrap()
            .sign(conversation.key.as_str(), START + 3_600)
            .unwrap()
    })
    .await;
}

#[tokio::test]
async fn a_reference_to_an_ended_chat_cannot_rejoin() {
    let logs = capture();
    let rig = rig();
    let (conversation, reference) = rig.conversation().await;
    rig.store.mark_ended(&conversation.key).await.unwrap();
    let query = json!({ "conversationId": reference });
    assert_eq!(
        route(&rig, "websocket-connect.json", "conn-X=", query).await,
        410
    );
    assert_eq!(
        rig.store
            .conversation_by_connection("conn-X=")
            .await
            .unwrap(),
        None
    );
    logs.once("refused a WebSocket connection");
    logs.never_contain(&reference, "reference");
}
