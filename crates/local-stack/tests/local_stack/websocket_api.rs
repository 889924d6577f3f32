//! The WebSocket API emulator's own behaviour: route selection by `action`, API Gateway's
//! idle limit and the keep-alives that hold a waiting customer's connection open, its
//! connection cap and the warning before it, and a dropped or capped connection that rejoins,
//! also while the store's index still has the connection before.

use std::collections::BTreeMap;
use std::time::Duration;

use handover::keep_alive::CONNECTION_CAP_MESSAGE;
use local_stack::{Options, WebSocketLimits};
use serde_json::{Value, json};

use crate::support::{
    closed, connected, conversation_where, frames_until_closed, go_away, hand_over, next_json,
    send, start, start_with, stop,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_take_the_route_their_action_selects() {
    let stack = start().await;
    let (reference, _) = hand_over(&stack, "Flo", "Delivery").await;
    let mut socket = connected(&stack, &reference).await;
    let error_of = |frame: Value| (frame["event_type"].clone(), frame["error"].clone());

    send(&mut socket, json!({"action": "typing"})).await;
    assert_eq!(
        error_of(next_json(&mut socket).await),
        (json!("error"), json!("unknown_action")),
        "an unknown action goes to $default"
    );
    send(&mut socket, json!("not an object")).await;
    assert_eq!(
        error_of(next_json(&mut socket).await),
        (json!("error"), json!("unknown_action")),
        "a body without an action goes to $default"
    );
    send(&mut socket, json!({"action": "onMessage"})).await;
    assert_eq!(
        error_of(next_json(&mut socket).await),
        (json!("error"), json!("missing_message")),
        "onMessage is routed to the relay, which wants a message"
    );
    stop(stack).await;
}

#[tokio::test]
async fn an_idle_connection_is_closed_going_away() {
    let stack = start_with(Options {
        websocket_limits: WebSocketLimits {
            idle_timeout: Duration::from_millis(300),
            ..WebSocketLimits::default()
        },
        ..Options::default()
    })
    .await;
    let (reference, _) = hand_over(&stack, "Gus", "Invoices").await;
    let mut socket = connected(&stack, &reference).await;
    assert_eq!(closed(&mut socket).await, Some(1001));
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alives_hold_a_waiting_customers_connection_open_past_the_idle_timeout() {
    let idle_timeout = Duration::from_millis(1_500);
    let stack = start_with(Options {
        websocket_limits: WebSocketLimits {
            idle_timeout,
            ..WebSocketLimits::default()
        },
        environment: BTreeMap::from([("KEEP_ALIVE_SECONDS".into(), "1".into())]),
        ..Options::default()
    })
    .await;
    let (reference, id) = hand_over(&stack, "Ivy", "Waiting in the queue").await;
    let mut socket = connected(&stack, &reference).await;
    // The customer waits, sending nothing, for three idle timeouts.
    for _ in 0..3 {
        assert_eq!(
            next_json(&mut socket).await,
            json!({"event_type": "keep_alive"})
        );
    }
    assert_eq!(
        stack
            .talkdesk()
            .reply(&id, "Thanks for waiting.", "Sam")
            .await,
        Ok(200)
    );
    loop {
        let frame = next_json(&mut socket).await;
        if frame["event_type"] != "keep_alive" {
            assert_eq!(
                frame,
                json!({"event_type": "message_created", "content": "Thanks for waiting.", "author_name": "Sam"})
            );
            break;
        }
    }
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_rejoins_the_open_chat() {
    let stack = start().await;
    let (reference, id) = hand_over(&stack, "Hal", "Login").await;
    // No close frame: API Gateway reports 1006, and the chat stays open.
    drop(connected(&stack, &reference).await);
    let mut socket = connected(&stack, &reference).await;
    assert_eq!(
        stack.talkdesk().reply(&id, "Welcome back.", "Sam").await,
        Ok(200)
    );
    assert_eq!(
        next_json(&mut socket).await,
        json!({"event_type": "message_created", "content": "Welcome back.", "author_name": "Sam"})
    );
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_is_warned_before_the_connection_cap_and_continues_the_same_chat() {
    // Keep-alives every second and a 4-second cap, warned of 2 seconds before (half the cap):
    // the 2nd tick is the warning.
    let stack = start_with(Options {
        websocket_limits: WebSocketLimits {
            max_duration: Duration::from_secs(4),
            ..WebSocketLimits::default()
        },
        environment: BTreeMap::from([("KEEP_ALIVE_SECONDS".into(), "1".into())]),
        ..Options::default()
    })
    .await;
    let (reference, id) = hand_over(&stack, "Kit", "A long wait").await;
    let mut socket = connected(&stack, &reference).await;

    let (frames, close_code) = frames_until_closed(&mut socket).await;
    let told: Vec<_> = frames
        .iter()
        .filter(|frame| frame["event_type"] != "keep_alive")
        .collect();
    let warning = json!({
        "event_type": "message_created",
        "content": CONNECTION_CAP_MESSAGE.default().unwrap(),
        "author_name": "System",
    });
    assert_eq!(told, [&warning], "told once, before the close");
    assert_eq!(
        close_code,
        Some(1001),
        "API Gateway's cap closes going away"
    );

    // End Live Chat sends nothing on the closed socket; the live-chat phrase then opens a new
    // one with the same reference, still valid.
    let mut socket = connected(&stack, &reference).await;
    assert_eq!(
        stack.talkdesk().reply(&id, "Still here.", "Sam").await,
        Ok(200)
    );
    let from_agent = loop {
        let frame = next_json(&mut socket).await;
        // The new connection's own keep-alives, and its warning 2 seconds in.
        if frame["event_type"] != "keep_alive" && frame["author_name"] != "System" {
            break frame;
        }
    };
    assert_eq!(
        from_agent,
        json!({"event_type": "message_created", "content": "Still here.", "author_name": "Sam"})
    );
    send(
        &mut socket,
        json!({"action": "onMessage", "message": "Thanks for staying.", "conversationId": reference}),
    )
    .await;
    conversation_where(&stack, "with the message sent after reconnecting", |c| {
        c.id == id && c.customer_messages == ["Thanks for staying."]
    })
    .await;
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_messages_right_after_the_escalation_and_right_after_a_reconnect_reach_the_customer()
{
    let stack = start().await;
    let (reference, id) = hand_over(&stack, "Kit", "Refund").await;
    // An agent can answer before the customer's page has connected: the conversation is found
    // the moment it exists, and the message waits for the connection.
    assert_eq!(
        stack.talkdesk().reply(&id, "Hello Kit", "Sam").await,
        Ok(200)
    );
    let mut first = connected(&stack, &reference).await;
    assert_eq!(
        next_json(&mut first).await,
        json!({"event_type": "message_created", "content": "Hello Kit", "author_name": "Sam"})
    );
    go_away(&mut first).await;
    let mut second = connected(&stack, &reference).await;
    assert_eq!(
        stack.talkdesk().reply(&id, "Still there?", "Sam").await,
        Ok(200)
    );
    assert_eq!(
        next_json(&mut second).await,
        json!({"event_type": "message_created", "content": "Still there?", "author_name": "Sam"})
    );
    stop(stack).await;
}
