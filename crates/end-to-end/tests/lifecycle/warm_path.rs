//! The remote calls a message costs once the functions are warm, counted where they leave the
//! SDK clients and at the fake Talkdesk: the floor the performance work holds the relay to.

use super::*;

/// What one customer message costs in DynamoDB, across `onMessage` and customer-relay.
const CUSTOMER_MESSAGE: [&str; 4] = [
    // onMessage: the connection's conversation, for the queue's message group.
    "GetItem",
    // customer-relay: the claim that keeps a redelivered message from going twice,
    "PutItem", // the conversation as it is now (ended? a renewed token?),
    "GetItem", // and the claim completed once Talkdesk took the message.
    "PutItem",
];

/// What one agent message costs in DynamoDB, in the callback.
const AGENT_MESSAGE: [&str; 4] = [
    // The conversation, by Talkdesk's id.
    "GetItem",
    // The claim that keeps Talkdesk's retry from showing the message twice,
    "PutItem", // the messages kept for the customer, which go first,
    "GetItem", // and the claim completed once the message was posted.
    "PutItem",
];

#[tokio::test]
async fn a_warm_message_each_way_costs_its_floor_and_no_secret_or_token() {
    let stack = stack().await;
    let connection = unique("conn-") + "=";
    let reference = stack.escalate().await;
    let connected = stack
        .websocket("websocket-connect.json", &connection, Some(&reference))
        .await;
    assert_eq!(connected, 200);
    let id = &stack.talkdesk_id;
    let started =
        json!({"conversation_id": id, "event_type": "conversation_started", "author_name": "Sam"});
    assert_eq!(
        stack.agent("conversation_started", started).await.0,
        StatusCode::OK
    );
    // A first message each way reads the secrets and fetches the OAuth token.
    let agent_message = || {
        json!({
            "conversation_id": id, "event_type": "message_created", "message_id": unique("msg-"),
            "content": "Let me look.", "author_name": "Sam"
        })
    };
    let sent = stack
        .websocket("websocket-message.json", &connection, None)
        .await;
    assert_eq!(sent, 200);
    let answered = stack.agent("message_created", agent_message()).await;
    assert_eq!(answered, (StatusCode::OK, json!({"status": "delivered"})));
    stack.dynamodb_calls.take();
    assert!(
        !stack.secrets_calls.take().is_empty(),
        "cold calls read secrets"
    );
    let tokens = stack.talkdesk_requests("POST", "/oauth/token").await.len();
    let messages = format!("{id}/messages");
    let relayed = stack.talkdesk_requests("POST", &messages).await.len();
    let posted = stack.recorder.posted(&connection).await.len();

    let sent = stack
        .websocket("websocket-message.json", &connection, None)
        .await;
    assert_eq!(sent, 200);
    assert_eq!(stack.dynamodb_calls.take(), CUSTOMER_MESSAGE);
    assert_eq!(
        stack.talkdesk_requests("POST", &messages).await.len(),
        relayed + 1,
        "one call to Talkdesk"
    );

    let answered = stack.agent("message_created", agent_message()).await;
    assert_eq!(answered, (StatusCode::OK, json!({"status": "delivered"})));
    assert_eq!(stack.dynamodb_calls.take(), AGENT_MESSAGE);
    assert_eq!(
        stack.recorder.posted(&connection).await.len(),
        posted + 1,
        "one post to the customer"
    );

    assert_eq!(stack.secrets_calls.take(), Vec::<String>::new());
    assert_eq!(
        stack.talkdesk_requests("POST", "/oauth/token").await.len(),
        tokens,
        "no OAuth call warm"
    );
}
