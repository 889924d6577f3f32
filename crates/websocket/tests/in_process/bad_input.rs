//! Every bad input a WebSocket route can get, one test per row of `docs/bad-input.md`: a 4xx
//! for `$connect`, an error frame or a plain-words message on the connection for the others,
//! never a panic or an invocation error. Rows proven elsewhere are listed in that table.

use super::*;
use handover::connections::Frame;

/// The status and the frames told to `connection_id` after `event`, edited by `edit`.
async fn invoke(
    rig: &RelayRig,
    event: &str,
    connection_id: &str,
    edit: impl FnOnce(&mut Value),
) -> (i64, Vec<Frame>) {
    let mut payload = sample(event);
    payload["requestContext"]["connectionId"] = json!(connection_id);
    edit(&mut payload);
    let request: ApiGatewayWebsocketProxyRequest = serde_json::from_value(payload).unwrap();
    let response = websocket::handle(&rig.relay, LambdaEvent::new(request, context()))
        .await
        .expect("a route never fails its invocation");
    (response.status_code, rig.poster.frames(connection_id))
}

/// `$connect` with `conversationId` set to `reference`.
async fn connect_with(reference: &str) -> i64 {
    let rig = rig();
    rig.conversation().await;
    let query = json!({ "conversationId": reference });
    route(&rig, "websocket-connect.json", "conn-X=", query).await
}

/// `onMessage` with `body` from a connected customer: the frames told, after checking that
/// nothing was queued.
async fn message_with(body: Value) -> Vec<Frame> {
    let rig = rig();
    rig.connected("conn-A=").await;
    let (status, frames) = invoke(&rig, "websocket-message.json", "conn-A=", |event| {
        event["body"] = body;
    })
    .await;
    assert_eq!(status, 200);
    assert!(
        rig.messages.queued().is_empty(),
        "a bad frame is never queued"
    );
    frames
}

fn error_code(frames: &[Frame]) -> &str {
    match frames {
        [Frame::Error { error, .. }] => error,
        other => panic!("expected one error frame, got {other:?}"),
    }
}

#[tokio::test]
async fn connect_with_an_oversized_reference_is_403() {
    assert_eq!(connect_with(&"v1.".repeat(11_000)).await, 403);
}

#[tokio::test]
async fn connect_with_a_non_ascii_reference_is_403() {
    assert_eq!(connect_with("v1.ключ.1800003600.подпись").await, 403);
}

#[tokio::test]
async fn connect_with_a_percent_encoded_reference_is_403() {
    assert_eq!(connect_with("v1%2Eabc%2E1800003600%2Etag").await, 403);
}

#[tokio::test]
async fn connect_with_an_empty_reference_is_400() {
    assert_eq!(connect_with("").await, 400);
}

#[tokio::test]
async fn message_without_a_body_gets_invalid_frame() {
    let frames = message_with(Value::Null).await;
    assert_eq!(error_code(&frames), "invalid_frame");
}

#[tokio::test]
async fn message_that_is_a_json_array_gets_invalid_frame() {
    let frames = message_with(json!(r#"["Where is my refund?"]"#)).await;
    assert_eq!(error_code(&frames), "invalid_frame");
}

#[tokio::test]
async fn message_that_is_truncated_json_gets_invalid_frame() {
    let frames = message_with(json!(r#"{"action":"onMessage","message":"Where is"#)).await;
    assert_eq!(error_code(&frames), "invalid_frame");
}

#[tokio::test]
async fn message_as_a_binary_frame_gets_invalid_frame() {
    // API Gateway hands a binary frame over base64-encoded: never the JSON text frame.
    let rig = rig();
    rig.connected("conn-A=").await;
    let (status, frames) = invoke(&rig, "websocket-message.json", "conn-A=", |event| {
        event["isBase64Encoded"] = json!(true);
        event["body"] = json!("/w==");
    })
    .await;
    assert_eq!(status, 200);
    assert_eq!(error_code(&frames), "invalid_frame");
    assert!(rig.messages.queued().is_empty());
}

#[tokio::test]
async fn message_filling_a_whole_32_kb_frame_is_told_too_long() {
    let text = "x".repeat(32 * 1024 - 40);
    let body = json!({"action": "onMessage", "message": text}).to_string();
    assert!(body.len() <= 32 * 1024);
    let frames = message_with(json!(body)).await;
    let settings = handover::relay::RelaySettings::default();
    let told = Frame::message(settings.too_long_message, settings.author_name);
    assert_eq!(frames, [told]);
}

#[tokio::test]
async fn default_route_with_a_body_that_is_not_json_gets_unknown_action() {
    let rig = rig();
    rig.connected("conn-A=").await;
    let (status, frames) = invoke(&rig, "websocket-default.json", "conn-A=", |event| {
        event["body"] = json!("not json");
    })
    .await;
    assert_eq!(status, 200);
    assert_eq!(error_code(&frames), "unknown_action");
}

#[tokio::test]
async fn an_event_without_a_route_key_is_answered_as_default() {
    let rig = rig();
    rig.connected("conn-A=").await;
    let (status, frames) = invoke(&rig, "websocket-message.json", "conn-A=", |event| {
        event["requestContext"]
            .as_object_mut()
            .unwrap()
            .remove("routeKey");
    })
    .await;
    assert_eq!(status, 200);
    assert_eq!(error_code(&frames), "unknown_action");
    assert!(rig.messages.queued().is_empty());
}

#[tokio::test]
async fn disconnect_of_an_unknown_connection_changes_nothing() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    let (status, frames) = invoke(
        &rig,
        "websocket-disconnect-4000.json",
        "never-connected=",
        |_| {},
    )
    .await;
    assert_eq!(status, 200);
    assert!(frames.is_empty());
    let stored = rig
        .store
        .conversation(&conversation.key)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(stored.status, ConversationStatus::Ended);
    assert!(rig.contact_center.ended().is_empty());
}

#[tokio::test]
async fn disconnect_without_a_close_code_keeps_the_conversation() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    let (status, _) = invoke(&rig, "websocket-disconnect-4000.json", "conn-A=", |event| {
        let context = event["requestContext"].as_object_mut().unwrap();
        context.remove("disconnectStatusCode");
        context.remove("disconnectReason");
    })
    .await;
    assert_eq!(status, 200);
    let stored = rig
        .store
        .conversation(&conversation.key)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(stored.status, ConversationStatus::Ended);
    assert!(rig.contact_center.ended().is_empty());
}
