//! The ordered relay (the customer-relay function's work): a conversation's messages reach the
//! agent in the order sent, through a certain failure, a redelivery and a malformed record.

use handover::relay::ordered::{MESSAGE_LEASE, QueuedRecord};
use handover::relay::{CustomerMessage, OrderedSettings};
use handover::store::{Claim, HandledEvents};
use test_support::fakes::record;

use super::*;

fn unavailable() -> ContactCenterError {
    ContactCenterError::Unavailable {
        code: "throttled".into(),
        cause: Cause::new(io::Error::other("Talkdesk answered 429 to every attempt")),
    }
}

/// The customer on `connection_id` writes `text` in frame `message_id`.
async fn write(rig: &RelayRig, connection_id: &str, message_id: &str, text: &str) {
    let body = serde_json::json!({"action": "onMessage", "message": text}).to_string();
    rig.relay
        .message(connection_id, message_id, &body, deadline())
        .await;
}

/// What the contact center got, text only, in order.
fn texts(rig: &RelayRig) -> Vec<String> {
    let sent = rig.contact_center.sent();
    sent.into_iter().map(|(_, text)| text).collect()
}

/// `messages` delivered again, for the `receive_count`-th time.
fn again(messages: &[CustomerMessage], ids: &[String], receive_count: u32) -> Vec<QueuedRecord> {
    let again = messages
        .iter()
        .filter(|message| ids.contains(&message.message_id));
    again
        .map(|message| record(message, receive_count))
        .collect()
}

#[tokio::test]
async fn provider_data_the_contact_center_hands_back_is_kept_for_the_next_message() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    let renewed = std::collections::BTreeMap::from([(
        "connection_token".to_owned(),
        "renewed-token".to_owned(),
    )]);
    rig.contact_center.renew_provider_data(renewed.clone());
    write(&rig, "conn-A=", "a1", "hi").await;

    assert!(rig.deliver().await.is_empty());
    assert_eq!(texts(&rig), ["hi"]);
    let stored = rig.stored(&conversation.key).await;
    assert_eq!(stored.provider_data, renewed);
}

#[tokio::test]
async fn a_certain_failure_holds_back_the_rest_of_its_conversation_and_reports_them() {
    let rig = rig();
    rig.connected("conn-A=").await;
    rig.connected("conn-B=").await;
    write(&rig, "conn-A=", "a1", "hi").await;
    write(&rig, "conn-B=", "b1", "hello").await;
    write(&rig, "conn-A=", "a2", "my order").await;
    write(&rig, "conn-A=", "a3", "is late").await;
    let queued = rig.messages.queued();
    rig.contact_center.fail_next_sends([unavailable()]);

    let failed = rig.deliver().await;

    assert_eq!(
        failed,
        ["a1", "a2", "a3"],
        "the failed one and every later one of A"
    );
    assert_eq!(texts(&rig), ["hello"], "B is not held up by A");
    assert!(
        rig.poster.frames("conn-A=").is_empty(),
        "nothing is told before the last delivery"
    );

    let failed = rig.deliver_records(again(&queued, &failed, 2)).await;
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(texts(&rig), ["hello", "hi", "my order", "is late"]);
}

#[tokio::test]
async fn the_last_delivery_tells_the_customer_and_lets_the_rest_go() {
    let rig = rig();
    rig.connected("conn-A=").await;
    write(&rig, "conn-A=", "a1", "hi").await;
    write(&rig, "conn-A=", "a2", "my order").await;
    let queued = rig.messages.queued();
    let max = OrderedSettings::default().max_receives;
    rig.contact_center
        .fail_next_sends([unavailable(), unavailable()]);

    let failed = rig
        .deliver_records(again(&queued, &["a1".into(), "a2".into()], max - 1))
        .await;
    assert_eq!(failed, ["a1", "a2"]);
    let failed = rig.deliver_records(again(&queued, &failed, max)).await;

    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(texts(&rig), ["my order"]);
    assert_eq!(
        rig.poster.frames("conn-A="),
        [said(&RelaySettings::default().relay_failed_message)]
    );
    // Told once: a delivery after the last sends nothing and tells nothing more.
    rig.deliver_records(again(&queued, &["a1".into()], max + 1))
        .await;
    assert_eq!(texts(&rig), ["my order"]);
    assert_eq!(rig.poster.frames("conn-A=").len(), 1);
}

#[tokio::test]
async fn a_duplicate_delivery_sends_once() {
    let rig = rig();
    rig.connected("conn-A=").await;
    write(&rig, "conn-A=", "a1", "hi").await;
    let queued = rig.messages.queued();
    let twice = [record(&queued[0], 1), record(&queued[0], 1)];

    assert!(rig.deliver_records(twice.to_vec()).await.is_empty());
    assert!(
        rig.deliver_records(vec![record(&queued[0], 2)])
            .await
            .is_empty()
    );

    assert_eq!(texts(&rig), ["hi"]);
    assert!(rig.poster.frames("conn-A=").is_empty());
}

#[tokio::test]
async fn a_delivery_overlapping_an_attempt_that_holds_the_message_waits() {
    let rig = rig();
    rig.connected("conn-A=").await;
    write(&rig, "conn-A=", "a1", "hi").await;
    write(&rig, "conn-A=", "a2", "there").await;
    let queued = rig.messages.queued();
    let claim = rig.store.claim_event("customer", "a1", MESSAGE_LEASE);
    assert_eq!(claim.await.unwrap(), Claim::Claimed);

    let failed = rig.deliver().await;

    assert_eq!(failed, ["a1", "a2"]);
    assert!(texts(&rig).is_empty());
    // The holder died: its lease lapses before the queue's visibility timeout does.
    rig.clock.advance(MESSAGE_LEASE + Duration::from_secs(1));
    assert!(
        rig.deliver_records(again(&queued, &failed, 2))
            .await
            .is_empty()
    );
    assert_eq!(texts(&rig), ["hi", "there"]);
}

#[tokio::test]
async fn a_record_that_is_not_a_customer_message_does_not_fail_the_batch() {
    let rig = rig();
    rig.connected("conn-A=").await;
    write(&rig, "conn-A=", "a1", "hi").await;
    let mut records = vec![
        QueuedRecord {
            record_id: "garbage".into(),
            body: Some("{not json".into()),
            receive_count: 1,
        },
        QueuedRecord {
            record_id: "empty".into(),
            body: None,
            receive_count: 1,
        },
        QueuedRecord {
            record_id: "tick".into(),
            body: Some(r#"{"connection_id":"c","conversation":"k","sequence":1}"#.into()),
            receive_count: 1,
        },
    ];
    records.extend(rig.messages.drain());

    assert!(rig.deliver_records(records).await.is_empty());
    assert_eq!(texts(&rig), ["hi"]);
}

#[tokio::test]
async fn out_of_time_every_record_is_delivered_again_unclaimed() {
    let rig = rig();
    rig.connected("conn-A=").await;
    write(&rig, "conn-A=", "a1", "hi").await;
    let queued = rig.messages.queued();

    let failed = rig
        .ordered
        .relay_batch(rig.messages.drain(), Instant::now())
        .await;

    assert_eq!(failed, ["a1"]);
    assert!(texts(&rig).is_empty());
    assert!(
        rig.deliver_records(again(&queued, &failed, 2))
            .await
            .is_empty()
    );
    assert_eq!(texts(&rig), ["hi"]);
}

#[tokio::test]
async fn a_message_whose_chat_ended_while_queued_is_told_as_ended() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    write(&rig, "conn-A=", "a1", "hi").await;
    rig.store.mark_ended(&conversation.key).await.unwrap();

    assert!(rig.deliver().await.is_empty());

    assert!(texts(&rig).is_empty());
    assert_eq!(
        rig.poster.frames("conn-A="),
        [said(&RelaySettings::default().ended_message)]
    );
}

#[tokio::test]
async fn a_customer_who_reconnected_is_told_on_the_new_connection() {
    let rig = rig();
    let (_, reference) = rig.conversation().await;
    rig.connect("conn-A=", &reference).await;
    write(&rig, "conn-A=", "a1", "hi").await;
    rig.connect("conn-B=", &reference).await;
    rig.contact_center
        .fail_next_sends([ContactCenterError::Unknown {
            code: "timeout".into(),
            cause: Cause::new(io::Error::other("request to Talkdesk timed out")),
        }]);

    assert!(
        rig.deliver().await.is_empty(),
        "an uncertain message is done"
    );

    assert_eq!(
        rig.poster.frames("conn-B="),
        [said(&RelaySettings::default().relay_uncertain_message)]
    );
}
