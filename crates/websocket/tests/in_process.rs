//! The Lambda's entry point in process, over the in-memory store and stand-ins for the
//! contact center and the `@connections` API: route dispatch and the status of every answer,
//! from the sample events in `events/`, with no emulator.

#[path = "in_process/bad_input.rs"]
mod bad_input;
#[path = "in_process/hostile.rs"]
mod hostile;

use std::time::{SystemTime, UNIX_EPOCH};

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use handover::conversation::{ConversationKey, ConversationStatus};
use handover::store::Conversations;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{Value, json};
use test_support::files::event as sample;
use test_support::relay::{RelayRig, START, reference_to};

fn rig() -> RelayRig {
    RelayRig::new()
}

fn context() -> Context {
    let mut context = Context::default();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    context.deadline = now.as_millis() as u64 + 20_000;
    context
}

/// Sends the sample `event` for `connection_id`, with `query` as its query string; returns the
/// status API Gateway gets.
async fn route(rig: &RelayRig, event: &str, connection_id: &str, query: Value) -> i64 {
    let mut payload = sample(event);
    payload["requestContext"]["connectionId"] = json!(connection_id);
    payload["queryStringParameters"] = query;
    handle(rig, payload).await
}

/// Sends the sample `event` for `connection_id` as [`route`] does, with its own request id
/// (every event's differs in API Gateway; the samples share one).
async fn route_as(rig: &RelayRig, event: &str, connection_id: &str, request_id: &str) -> i64 {
    let mut payload = sample(event);
    payload["requestContext"]["connectionId"] = json!(connection_id);
    payload["requestContext"]["requestId"] = json!(request_id);
    handle(rig, payload).await
}

async fn handle(rig: &RelayRig, payload: Value) -> i64 {
    let request: ApiGatewayWebsocketProxyRequest = serde_json::from_value(payload).unwrap();
    websocket::handle(&rig.relay, LambdaEvent::new(request, context()))
        .await
        .unwrap()
        .status_code
}

#[tokio::test]
async fn connect_answers_each_reference_with_its_status() {
    let rig = rig();
    let (conversation, reference) = rig.conversation().await;
    let key = conversation.key;
    let tampered = format!("{}x", &reference[..reference.len() - 1]);
    let unknown = reference_to(&ConversationKey::generate(), START + 60);
    let cases = [
        (json!({}), 400),
        (json!({"conversationId": "undefined"}), 400),
        (json!({"conversationId": tampered}), 403),
        (
            json!({"conversationId": conversation.provider_conversation_id}),
            403,
        ),
        (json!({"conversationId": unknown}), 404),
        (json!({"conversationId": reference}), 200),
    ];
    for (i, (query, status)) in cases.into_iter().enumerate() {
        let connection = format!("conn-{i}=");
        assert_eq!(
            route(&rig, "websocket-connect.json", &connection, query.clone()).await,
            status,
            "{query}"
        );
    }
    let bound = rig
        .store
        .conversation_by_connection("conn-5=")
        .await
        .unwrap();
    assert_eq!(bound.map(|conversation| conversation.key), Some(key));
}

#[tokio::test]
async fn each_route_reaches_its_relay_call() {
    let rig = rig();
    let (conversation, reference) = rig.conversation().await;
    let (key, id) = (conversation.key, conversation.provider_conversation_id);
    let connection = "conn-A=";
    let query = json!({"conversationId": reference});
    assert_eq!(
        route(&rig, "websocket-connect.json", connection, query.clone()).await,
        200
    );

    assert_eq!(
        route(&rig, "websocket-message.json", connection, json!({})).await,
        200
    );
    let queued = rig.messages.queued();
    assert_eq!(queued.len(), 1, "onMessage queues the message");
    assert_eq!(queued[0].conversation, key);
    assert_eq!(queued[0].message_id, "ABCD1234=", "the frame's request id");
    assert!(
        rig.contact_center.sent().is_empty(),
        "the queue's consumer sends it"
    );
    assert!(rig.deliver().await.is_empty());
    let sent = rig.contact_center.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, id);

    assert_eq!(
        route(&rig, "websocket-default.json", connection, json!({})).await,
        200
    );
    let frames = rig.poster.frames(connection);
    assert_eq!(
        frames.len(),
        1,
        "$default answers with one frame: {frames:?}"
    );
    let frame = serde_json::to_value(&frames[0]).unwrap();
    assert_eq!(frame["error"], "unknown_action");

    assert_eq!(
        route_as(&rig, "websocket-disconnect-4000.json", connection, "close=").await,
        200
    );
    let queued = rig.messages.queued();
    assert!(
        queued[0].ends_chat,
        "$disconnect queues the end: {queued:?}"
    );
    assert_eq!(queued[0].message_id, "close=", "the close's request id");
    assert!(rig.deliver().await.is_empty());
    let stored = rig.store.conversation(&key).await.unwrap().unwrap();
    assert_eq!(stored.status, ConversationStatus::Ended);
    assert_eq!(rig.contact_center.ended(), vec![id]);
    assert_eq!(
        route(&rig, "websocket-connect.json", "conn-B=", query).await,
        410,
        "an ended chat cannot be rejoined"
    );
}

#[tokio::test]
async fn an_event_without_a_connection_id_is_refused() {
    let rig = rig();
    let mut payload = sample("websocket-message.json");
    payload["requestContext"]
        .as_object_mut()
        .unwrap()
        .remove("connectionId");
    let request: ApiGatewayWebsocketProxyRequest = serde_json::from_value(payload).unwrap();
    let response = websocket::handle(&rig.relay, LambdaEvent::new(request, context()))
        .await
        .unwrap();
    assert_eq!(response.status_code, 400);
    assert!(rig.messages.queued().is_empty());
}
