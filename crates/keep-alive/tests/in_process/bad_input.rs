//! Queue records the keep-alive function cannot use, one test per row of `docs/bad-input.md`
//! that no other test proves. Only this project writes the queue, so a bad record is a bug or a
//! stray producer: it is dropped with one log line and never fails the batch, since SQS would
//! only deliver it again unchanged.

use super::*;
use test_support::logs::capture;

/// The keep-alive function over an empty store: the batch's failures, and what was posted
/// and scheduled.
async fn handle(bodies: &[Option<&str>]) -> (Vec<String>, Vec<Call>, usize) {
    let store = Arc::new(MemoryStore::new());
    let poster = Arc::new(RecordingPoster::default());
    let queue = Arc::new(RecordingQueue::default());
    let keep_alive = KeepAlive::new(
        store,
        poster.clone(),
        queue.clone(),
        Duration::from_secs(240),
    );
    let mut event = SqsEvent::default();
    event.records = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let mut record = SqsMessage::default();
            record.message_id = Some(format!("m{i}"));
            record.body = body.map(str::to_owned);
            record
        })
        .collect();
    let response = keep_alive::handle(&keep_alive, LambdaEvent::new(event, Context::default()))
        .await
        .expect("a batch never fails as a whole");
    let failed = response
        .batch_item_failures
        .into_iter()
        .map(|failure| failure.item_identifier)
        .collect();
    (failed, poster.calls(), queue.scheduled().len())
}

/// Asserts that the record with `body` was dropped: not failed, nothing posted or scheduled,
/// one log line.
async fn dropped(body: Option<&str>) {
    let logs = capture();
    assert_eq!(handle(&[body]).await, (vec![], vec![], 0));
    logs.once("dropping a queue record that is not a keep-alive tick");
}

#[tokio::test]
async fn a_record_without_a_body_is_dropped() {
    dropped(None).await;
}

#[tokio::test]
async fn a_tick_with_a_malformed_conversation_key_is_dropped() {
    dropped(Some(
        r#"{"connection_id":"conn-A=","conversation":"../etc","sequence":1}"#,
    ))
    .await;
}

#[tokio::test]
async fn a_tick_with_a_sequence_of_the_wrong_type_is_dropped() {
    dropped(Some(
        r#"{"connection_id":"conn-A=","conversation":"abc","sequence":"1"}"#,
    ))
    .await;
}

#[tokio::test]
async fn a_tick_for_an_unknown_conversation_stops_its_chain() {
    let logs = capture();
    let tick = KeepAliveTick {
        connection_id: "conn-A=".into(),
        conversation: handover::conversation::ConversationKey::generate(),
        sequence: 3,
        farewell: false,
    };
    let body = serde_json::to_string(&tick).unwrap();
    assert_eq!(handle(&[Some(&body)]).await, (vec![], vec![], 0));
    logs.once("keep-alives stop");
}
