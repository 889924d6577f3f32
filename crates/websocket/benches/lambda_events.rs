//! The WebSocket function warm, from the bytes Lambda hands it to the bytes it answers: the API
//! Gateway event's JSON read, the route handled over in-memory fakes, the answer written. Time
//! and heap allocations per event, p50 and p99 (`test_support::bench`).
//! `cargo bench -p websocket --bench lambda_events`.

use std::alloc::System;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{Value, json};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use test_support::bench::{EVENTS, measure, print_table};
use test_support::files::event as sample;
use test_support::relay::RelayRig;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The sample `event` for `connection_id`, as the bytes Lambda hands over.
fn bytes(event: &str, connection_id: &str, change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut payload = sample(event);
    payload["requestContext"]["connectionId"] = json!(connection_id);
    change(&mut payload);
    serde_json::to_vec(&payload).expect("JSON")
}

/// What the runtime does with one event: read it, hand it over, write the answer.
async fn invoke(rig: &RelayRig, event: &[u8]) -> u16 {
    let request: ApiGatewayWebsocketProxyRequest =
        serde_json::from_slice(event).expect("an API Gateway WebSocket event");
    let mut context = Context::default();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    context.deadline = now.as_millis() as u64 + 20_000;
    let answer = websocket::handle(&rig.relay, LambdaEvent::new(request, context))
        .await
        .expect("an answer");
    let written = serde_json::to_vec(&answer).expect("JSON");
    assert!(!written.is_empty());
    u16::try_from(answer.status_code).expect("an HTTP status")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut rows = Vec::new();

    // `$connect`: each event a customer's connection joining its own conversation.
    let rig = RelayRig::new();
    let mut events = Vec::with_capacity(2 * EVENTS);
    for n in 0..2 * EVENTS {
        let reference = rig.conversation().await.1;
        events.push(bytes(
            "websocket-connect.json",
            &format!("conn-{n}="),
            |event| {
                event["queryStringParameters"] = json!({ "conversationId": reference });
            },
        ));
    }
    let connect = measure(GLOBAL, |n| {
        let (rig, event) = (&rig, &events[n]);
        async move { assert_eq!(invoke(rig, event).await, 200) }
    })
    .await;
    rows.push(("`$connect`", connect));

    // `onMessage`: the frame read, the connection's conversation found, the message queued.
    let rig = RelayRig::new();
    let reference = rig.conversation().await.1;
    rig.connect("conn-A=", &reference).await;
    let events: Vec<_> = (0..2 * EVENTS)
        .map(|n| {
            bytes("websocket-message.json", "conn-A=", |event| {
                event["requestContext"]["requestId"] = json!(format!("req-{n}="));
                let frame = json!({"action": "onMessage", "message": format!("message {n}"), "conversationId": reference});
                event["body"] = json!(frame.to_string());
            })
        })
        .collect();
    let on_message = measure(GLOBAL, |n| {
        let (rig, event) = (&rig, &events[n]);
        async move {
            assert_eq!(invoke(rig, event).await, 200);
            if n % 1_000 == 999 {
                rig.messages.drain();
            }
        }
    })
    .await;
    rows.push(("`onMessage`", on_message));

    // `$default`: a frame of an action not ours, answered with an error frame.
    let rig = RelayRig::new();
    rig.connected("conn-A=").await;
    let event = bytes("websocket-default.json", "conn-A=", |_| {});
    let default = measure(GLOBAL, |_| {
        let (rig, event) = (&rig, &event);
        async move { assert_eq!(invoke(rig, event).await, 200) }
    })
    .await;
    rows.push(("`$default`", default));

    // `$disconnect` (1006, the network dropped): the connection unbound, the conversation kept.
    let rig = RelayRig::new();
    let mut events = Vec::with_capacity(2 * EVENTS);
    for n in 0..2 * EVENTS {
        let connection = format!("conn-{n}=");
        rig.connected(&connection).await;
        events.push(bytes("websocket-disconnect-1006.json", &connection, |_| {}));
    }
    let disconnect = measure(GLOBAL, |n| {
        let (rig, event) = (&rig, &events[n]);
        async move { assert_eq!(invoke(rig, event).await, 200) }
    })
    .await;
    rows.push(("`$disconnect`", disconnect));

    print_table(&rows);
}
