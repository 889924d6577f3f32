//! The Lambda's entry point in process, over the in-memory store, a recording poster and a
//! recording queue: one bad record never fails the batch, and a failed tick is redelivered
//! alone.

#[path = "in_process/bad_input.rs"]
mod bad_input;

use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use conversation_store::MemoryStore;
use handover::connections::{Frame, PostError};
use handover::conversation::Provider;
use handover::errors::Cause;
use handover::keep_alive::{KeepAlive, KeepAliveTick};
use handover::store::Conversations;
use lambda_runtime::{Context, LambdaEvent};
use test_support::conversations::store_conversation;
use test_support::fakes::{Call, RecordingPoster, RecordingQueue};

fn record(message_id: &str, body: &str) -> SqsMessage {
    let mut record = SqsMessage::default();
    record.message_id = Some(message_id.into());
    record.body = Some(body.into());
    record
}

#[tokio::test]
async fn each_record_is_its_own_tick() {
    let store = Arc::new(MemoryStore::new());
    let poster = Arc::new(RecordingPoster::default());
    let queue = Arc::new(RecordingQueue::default());
    let keep_alive = KeepAlive::new(
        store.clone(),
        poster.clone(),
        queue.clone(),
        Duration::from_secs(240),
    );
    let mut ticks = Vec::new();
    for (id, connection) in [("td-1", "conn-A="), ("td-2", "conn-B=")] {
        let key = store_conversation(&*store, Provider::Talkdesk, id)
            .await
            .key;
        store.bind_connection(&key, connection).await.unwrap();
        let tick = KeepAliveTick {
            connection_id: connection.into(),
            conversation: key,
            sequence: 1,
            farewell: false,
        };
        ticks.push(serde_json::to_string(&tick).unwrap());
    }
    poster.fail_next([PostError::Gone]);
    poster.fail_next([PostError::Failed(Cause::new(std::io::Error::other(
        "throttled",
    )))]);
    // conn-A= is gone; conn-B= cannot be reached now; the second conn-A= record is its
    // redelivery; the rest is not a tick.
    let mut event = SqsEvent::default();
    event.records = vec![
        record("m1", &ticks[0]),
        record("m2", &ticks[1]),
        record("m3", "{\"not\":\"a tick\"}"),
        record("m4", &ticks[0]),
    ];

    let response = keep_alive::handle(&keep_alive, LambdaEvent::new(event, Context::default()))
        .await
        .unwrap();

    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|failure| failure.item_identifier.as_str())
        .collect();
    assert_eq!(
        failed,
        ["m2"],
        "only the tick that failed is delivered again"
    );
    assert_eq!(
        poster.calls(),
        [
            Call::Refused("conn-A=".into(), Frame::KeepAlive),
            Call::Refused("conn-B=".into(), Frame::KeepAlive),
        ]
    );
    assert_eq!(queue.scheduled(), [], "neither chain goes on yet");
}

#[test]
fn the_sample_event_is_a_batch_of_one_tick() {
    let event: SqsEvent = serde_json::from_value(test_support::files::event("keep-alive.json"))
        .expect("events/keep-alive.json is an SQS event");
    let [record] = event.records.as_slice() else {
        panic!("events/keep-alive.json holds one record");
    };
    let tick: KeepAliveTick =
        serde_json::from_str(record.body.as_deref().expect("a body")).expect("a tick");
    assert_eq!(tick.sequence, 1, "the first keep-alive after $connect");
    assert!(!tick.farewell);
}
