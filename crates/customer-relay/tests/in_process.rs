//! The Lambda's entry point in process, over the in-memory store and stand-ins for the contact
//! center and the `@connections` API: SQS records in, batch item failures out.

#[path = "in_process/bad_input.rs"]
mod bad_input;

use std::io;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use handover::contact_center::ContactCenterError;
use handover::errors::Cause;
use handover::relay::{CustomerMessage, RelaySettings};
use lambda_runtime::{Context, LambdaEvent};
use test_support::relay::RelayRig;

fn context() -> Context {
    let mut context = Context::default();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    context.deadline = now.as_millis() as u64 + 20_000;
    context
}

/// `message` as SQS hands it to Lambda, on its `receive_count`-th delivery.
fn sqs_record(message: &CustomerMessage, receive_count: u32) -> SqsMessage {
    let mut record = SqsMessage::default();
    record.message_id = Some(format!("sqs-{}", message.message_id));
    record.body = Some(serde_json::to_string(message).unwrap());
    record
        .attributes
        .insert("ApproximateReceiveCount".into(), receive_count.to_string());
    record
}

async fn handle(rig: &RelayRig, records: Vec<SqsMessage>) -> Vec<String> {
    let mut event = SqsEvent::default();
    event.records = records;
    let response = customer_relay::handle(&rig.ordered, LambdaEvent::new(event, context()))
        .await
        .unwrap();
    response
        .batch_item_failures
        .into_iter()
        .map(|failure| failure.item_identifier)
        .collect()
}

async fn write(rig: &RelayRig, message_id: &str, text: &str) {
    let body = serde_json::json!({"action": "onMessage", "message": text}).to_string();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    rig.relay
        .message("conn-A=", message_id, &body, deadline)
        .await;
}

fn unavailable() -> ContactCenterError {
    ContactCenterError::Unavailable {
        code: "throttled".into(),
        cause: Cause::new(io::Error::other("429 to every attempt")),
    }
}

#[tokio::test]
async fn a_failed_record_and_the_later_ones_of_its_conversation_are_reported_by_sqs_id() {
    let rig = RelayRig::new();
    rig.connected("conn-A=").await;
    for (id, text) in [("a1", "hi"), ("a2", "my order"), ("a3", "is late")] {
        write(&rig, id, text).await;
    }
    let queued = rig.messages.queued();
    rig.contact_center.fail_next_sends([unavailable()]);
    let mut records: Vec<_> = queued.iter().map(|m| sqs_record(m, 1)).collect();
    let mut malformed = SqsMessage::default();
    malformed.message_id = Some("sqs-garbage".into());
    malformed.body = Some("not a customer message".into());
    records.insert(1, malformed);

    let failures = handle(&rig, records).await;

    assert_eq!(failures, ["sqs-a1", "sqs-a2", "sqs-a3"]);
    assert!(rig.contact_center.sent().is_empty());
    let again = queued.iter().map(|m| sqs_record(m, 2)).collect();
    assert!(handle(&rig, again).await.is_empty());
    let texts: Vec<_> = rig
        .contact_center
        .sent()
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    assert_eq!(texts, ["hi", "my order", "is late"]);
}

#[tokio::test]
async fn the_receive_count_decides_the_last_attempt() {
    let rig = RelayRig::new();
    rig.connected("conn-A=").await;
    write(&rig, "a1", "hi").await;
    let queued = rig.messages.queued();
    rig.contact_center.fail_next_sends([unavailable()]);

    assert!(
        handle(&rig, vec![sqs_record(&queued[0], 3)])
            .await
            .is_empty()
    );

    let told = rig.poster.frames("conn-A=");
    let failed = RelaySettings::default().relay_failed_message;
    assert_eq!(
        told,
        [handover::connections::Frame::message(&failed, "System")]
    );
}

#[tokio::test]
async fn the_sample_event_parses_and_its_message_for_an_unknown_chat_is_done() {
    let rig = RelayRig::new();
    let event: SqsEvent = serde_json::from_value(test_support::files::event("customer-relay.json"))
        .expect("events/customer-relay.json is an SQS event");
    let failures = handle(&rig, event.records).await;
    assert!(failures.is_empty(), "{failures:?}");
    assert!(rig.contact_center.sent().is_empty());
    let ended = RelaySettings::default().ended_message;
    let told = rig.poster.frames("Wz9dAcC4EowCHnA=");
    assert_eq!(
        told,
        [handover::connections::Frame::message(&ended, "System")]
    );
}
