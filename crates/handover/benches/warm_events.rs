//! What each entry point's own work costs on a warm function, with every port an in-memory
//! fake (the store, the contact center, the poster, the queues): time and heap allocations per
//! event, p50 and p99. `cargo bench -p handover --bench warm_events`.
//!
//! Each event is timed alone ([`test_support::bench`]). Every event is built before the timing
//! starts; the fakes record what they are handed, so their own allocations are counted too.
//! The Lambda event JSON each function reads first is in the functions' own benchmarks
//! (`websocket`, `connect-events`).

use std::alloc::System;
use std::sync::Arc;
use std::time::Duration;

use handover::agent_events::{AgentAction, AgentEvent, AgentEventSettings, AgentEvents, Outcome};
use handover::conversation::{ConversationKey, Provider};
use handover::escalation::{CodeHook, EscalationSettings};
use handover::keep_alive::{KeepAlive, KeepAliveTick, TickOutcome};
use handover::lex::LexEvent;
use handover::reference::DEFAULT_KEY_SECRET;
use handover::relay::CustomerMessage;
use handover::store::Conversations;
use serde_json::json;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use test_support::bench::{EVENTS, measure, print_table};
use test_support::fakes::{FakeContactCenter, MapSecrets, RecordingPoster, RecordingQueue, record};
use test_support::relay::{KEEP_ALIVE_INTERVAL, RelayRig, SIGNING_KEY};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn frame(n: usize) -> String {
    format!(r#"{{"action":"onMessage","message":"message {n}","conversationId":"ref"}}"#)
}

/// The Lex Web UI's fulfillment of the escalation intent, in a Lex session of its own.
fn escalation(n: usize) -> LexEvent {
    let mut event = test_support::files::fixture("lex/fulfillment-from-lex-web-ui.json");
    event["sessionId"] = json!(format!("us-east-1:bench-{n}"));
    event["sessionState"]["intent"]["name"] = json!("TalkToAgent");
    event["sessionState"]["intent"]["slots"] = json!({"CustomerName": null, "Subject": null});
    let attributes = &mut event["sessionState"]["sessionAttributes"];
    attributes["customer_name"] = json!("Zoë Souza");
    attributes["subject"] = json!("Refund for order 1234");
    LexEvent::from_value(event).expect("a Lex V2 event")
}

fn deadline() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(10)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut rows = Vec::new();

    // The code hook: a customer who asks for an agent is handed over (the transcript read,
    // the contact center's conversation started, the conversation stored, a reference signed).
    let rig = RelayRig::new();
    let contact_center = Arc::new(FakeContactCenter::default());
    let hook = CodeHook::new(
        rig.store.clone(),
        contact_center.clone(),
        Arc::new(MapSecrets::with(DEFAULT_KEY_SECRET, SIGNING_KEY)),
        EscalationSettings::default(),
    )
    .with_clock(rig.clock.clone());
    let escalations: Vec<_> = (0..2 * EVENTS).map(escalation).collect();
    let code_hook = measure(GLOBAL, |n| {
        let (hook, event) = (&hook, &escalations[n]);
        async move {
            hook.handle(event, deadline()).await;
        }
    })
    .await;
    assert_eq!(
        contact_center.starts().len(),
        2 * EVENTS,
        "every one handed over"
    );
    rows.push(("code hook, a hand-over", code_hook));

    // `$connect`: a reference verified, a connection bound, keep-alives started.
    let rig = RelayRig::new();
    let mut references = Vec::with_capacity(2 * EVENTS);
    for _ in 0..2 * EVENTS {
        references.push(rig.conversation().await.1);
    }
    let connections: Vec<_> = (0..2 * EVENTS).map(|n| format!("conn-{n}=")).collect();
    let connect = measure(GLOBAL, |n| {
        let (rig, reference, connection) = (&rig, &references[n], &connections[n]);
        async move {
            rig.relay
                .connect(connection, Some(reference))
                .await
                .unwrap();
        }
    })
    .await;
    rows.push(("`$connect`", connect));

    // `onMessage`: the frame read, the connection's conversation found, the message queued.
    let rig = RelayRig::new();
    rig.connected("conn-A=").await;
    let frames: Vec<_> = (0..2 * EVENTS)
        .map(|n| (format!("req-{n}"), frame(n)))
        .collect();
    let on_message = measure(GLOBAL, |n| {
        let (rig, (id, frame)) = (&rig, &frames[n]);
        async move {
            rig.relay.message("conn-A=", id, frame, deadline()).await;
            if n % 1_000 == 999 {
                rig.messages.drain();
            }
        }
    })
    .await;
    assert!(rig.poster.calls().is_empty(), "every message was queued");
    rows.push(("`onMessage`", on_message));

    // `$default`: an error frame posted back to the connection.
    let rig = RelayRig::new();
    rig.connected("conn-A=").await;
    let before = rig.poster.calls().len();
    let default = measure(GLOBAL, |_| rig.relay.unknown_action("conn-A=")).await;
    let answered = rig.poster.calls().len() - before;
    assert_eq!(answered, 2 * EVENTS, "every frame was answered");
    rows.push(("`$default`", default));

    // `$disconnect` (the network dropped, 1006): the connection unbound, the conversation
    // kept open for a reconnect.
    let rig = RelayRig::new();
    let mut connections = Vec::with_capacity(2 * EVENTS);
    for n in 0..2 * EVENTS {
        let connection = format!("conn-{n}=");
        rig.connected(&connection).await;
        connections.push(connection);
    }
    let disconnect = measure(GLOBAL, |n| {
        rig.relay
            .disconnect(&connections[n], "close", Some(1006), deadline())
    })
    .await;
    rows.push(("`$disconnect`", disconnect));

    // customer-relay: one queued message claimed, sent to the contact center, completed.
    let rig = RelayRig::new();
    let key = rig.connected("conn-A=").await.key;
    let records: Vec<_> = (0..2 * EVENTS)
        .map(|n| {
            let message = CustomerMessage {
                conversation: key.clone(),
                connection_id: "conn-A=".into(),
                message_id: format!("req-{n}"),
                text: format!("message {n}"),
                ends_chat: false,
            };
            record(&message, 1)
        })
        .collect();
    let relay = measure(GLOBAL, |n| {
        let (rig, record) = (&rig, &records[n]);
        async move {
            let again = rig.deliver_records(vec![record.clone()]).await;
            assert!(again.is_empty());
        }
    })
    .await;
    assert_eq!(rig.contact_center.sent().len(), 2 * EVENTS);
    rows.push(("customer-relay, one message", relay));

    // An agent message: found by the contact center's id, claimed, posted, completed.
    let rig = RelayRig::new();
    let talkdesk_id = rig.connected("conn-A=").await.provider_conversation_id;
    let poster = Arc::new(RecordingPoster::default());
    let events = AgentEvents::new(rig.store.clone(), poster, AgentEventSettings::default())
        .with_clock(rig.clock.clone());
    let messages: Vec<_> = (0..2 * EVENTS)
        .map(|n| {
            let action = AgentAction::Message {
                id: format!("msg-{n}"),
                text: format!("reply {n}"),
            };
            AgentEvent::new(Provider::Talkdesk, &talkdesk_id, Some("Sam"), action)
        })
        .collect();
    let agent = measure(GLOBAL, |n| {
        let (events, event) = (&events, &messages[n]);
        async move {
            assert_eq!(events.handle(event).await, Ok(Outcome::Delivered));
        }
    })
    .await;
    rows.push(("agent message", agent));

    // A keep-alive tick: claimed, the conversation read, a frame posted, the next scheduled.
    let rig = RelayRig::new();
    let mut bound: Vec<ConversationKey> = Vec::with_capacity(2 * EVENTS);
    for n in 0..2 * EVENTS {
        let key = rig.conversation().await.0.key;
        rig.store
            .bind_connection(&key, &format!("conn-{n}="))
            .await
            .unwrap();
        bound.push(key);
    }
    let keep_alive = KeepAlive::new(
        rig.store.clone(),
        Arc::new(RecordingPoster::default()),
        Arc::new(RecordingQueue::default()),
        KEEP_ALIVE_INTERVAL,
    );
    let ticks: Vec<_> = (0..2 * EVENTS)
        .map(|n| KeepAliveTick {
            connection_id: format!("conn-{n}="),
            conversation: bound[n].clone(),
            sequence: 1,
            farewell: false,
        })
        .collect();
    let tick = measure(GLOBAL, |n| {
        let (keep_alive, tick) = (&keep_alive, &ticks[n]);
        async move {
            assert_eq!(keep_alive.tick(tick).await, Ok(TickOutcome::Sent));
        }
    })
    .await;
    rows.push(("keep-alive tick", tick));

    print_table(&rows);
}
