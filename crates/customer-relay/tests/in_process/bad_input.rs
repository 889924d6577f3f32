//! Queue records the relay cannot use, one test per row of `docs/bad-input.md` that no other
//! test proves. Only `onMessage` writes this queue, so a bad record is a bug or a stray
//! producer: it is dropped with one log line and never fails the batch, since SQS would only
//! deliver it again unchanged.

use super::*;
use serde_json::json;
use test_support::logs::capture;

/// A record of the FIFO queue with `body`, on its first delivery.
fn raw_record(body: Option<&str>) -> SqsMessage {
    let mut record = SqsMessage::default();
    record.message_id = Some("sqs-raw".into());
    record.body = body.map(str::to_owned);
    record
        .attributes
        .insert("ApproximateReceiveCount".into(), "1".into());
    record
}

/// Handles `record` alone: asserts the batch succeeded and that nothing was sent or told, and
/// that the record was logged once as dropped.
async fn dropped(record: SqsMessage) {
    let logs = capture();
    let rig = RelayRig::new();
    rig.connected("conn-A=").await;
    assert_eq!(handle(&rig, vec![record]).await, Vec::<String>::new());
    assert!(rig.contact_center.sent().is_empty());
    assert!(rig.poster.calls().is_empty());
    logs.once("dropping a queue record that is not a customer message");
}

#[tokio::test]
async fn a_record_without_a_body_is_dropped() {
    dropped(raw_record(None)).await;
}

#[tokio::test]
async fn a_record_with_a_malformed_conversation_key_is_dropped() {
    let body = json!({
        "conversation": "not a key!", "connection_id": "conn-A=", "message_id": "m1", "text": "hi"
    });
    dropped(raw_record(Some(&body.to_string()))).await;
}

#[tokio::test]
async fn a_record_with_fields_of_the_wrong_type_is_dropped() {
    let body = json!({
        "conversation": "abc", "connection_id": 7, "message_id": ["m1"], "text": {"t": "hi"}
    });
    dropped(raw_record(Some(&body.to_string()))).await;
}

/// The one message `onMessage` queued, as a record whose receive count attribute is `count`.
async fn relayed_with_receive_count(count: Option<&str>) {
    let logs = capture();
    let rig = RelayRig::new();
    rig.connected("conn-A=").await;
    write(&rig, "a1", "hi").await;
    let mut record = sqs_record(&rig.messages.queued()[0], 1);
    match count {
        Some(count) => record
            .attributes
            .insert("ApproximateReceiveCount".into(), count.into()),
        None => record.attributes.remove("ApproximateReceiveCount"),
    };
    assert_eq!(handle(&rig, vec![record]).await, Vec::<String>::new());
    assert_eq!(
        rig.contact_center.sent().len(),
        1,
        "sent as a first delivery"
    );
    logs.once("a queue record without its receive count");
}

#[tokio::test]
async fn a_record_without_a_receive_count_counts_as_the_first_delivery() {
    relayed_with_receive_count(None).await;
}

#[tokio::test]
async fn a_record_with_an_unreadable_receive_count_counts_as_the_first_delivery() {
    relayed_with_receive_count(Some("many")).await;
}
