//! `$disconnect`: 4000 ends the conversation, after the customer's queued messages; anything
//! else keeps it open for a reconnect.

// Time is paused, so that the grace the customer's end waits (`RelaySettings::end_grace`)
// passes at once.

use super::*;

#[tokio::test(start_paused = true)]
async fn close_code_4000_ends_the_conversation_at_the_contact_center() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    rig.relay
        .disconnect("conn-A=", "close-A", Some(4000), deadline())
        .await;
    assert!(rig.deliver().await.is_empty());

    assert_eq!(
        rig.contact_center.ended(),
        vec![conversation.provider_conversation_id.clone()]
    );
    let stored = rig.stored(&conversation.key).await;
    assert_eq!(stored.status, ConversationStatus::Ended);
    assert_eq!(stored.connection_id, None);
}

#[tokio::test(start_paused = true)]
async fn other_close_codes_keep_the_conversation_for_a_reconnect() {
    let rig = rig();
    let (conversation, reference) = rig.conversation().await;
    for (connection_id, code) in [
        ("conn-A=", Some(1006)),
        ("conn-B=", Some(1001)),
        ("conn-C=", None),
    ] {
        rig.relay
            .connect(connection_id, Some(&reference))
            .await
            .unwrap();
        rig.relay
            .disconnect(connection_id, "close", code, deadline())
            .await;
        let stored = rig.stored(&conversation.key).await;
        assert_eq!(stored.status, ConversationStatus::Pending, "{code:?}");
        assert_eq!(stored.connection_id, None);
    }
    assert!(rig.messages.queued().is_empty(), "no end queued");
    assert!(rig.contact_center.ended().is_empty());
    assert!(rig.relay.connect("conn-D=", Some(&reference)).await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn a_replaced_connection_closing_changes_nothing() {
    let rig = rig();
    let (conversation, reference) = rig.conversation().await;
    rig.relay
        .connect("conn-A=", Some(&reference))
        .await
        .unwrap();
    rig.relay
        .connect("conn-B=", Some(&reference))
        .await
        .unwrap();
    rig.relay
        .disconnect("conn-A=", "close-A", Some(4000), deadline())
        .await;
    assert!(rig.messages.queued().is_empty(), "no end queued");
    let stored = rig.stored(&conversation.key).await;
    assert_eq!(stored.status, ConversationStatus::Pending);
    assert_eq!(stored.connection_id.as_deref(), Some("conn-B="));
    assert!(rig.contact_center.ended().is_empty());
}

#[tokio::test(start_paused = true)]
async fn ending_after_the_agent_ended_calls_the_contact_center_no_more() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    rig.store.mark_ended(&conversation.key).await.unwrap();
    rig.relay
        .disconnect("conn-A=", "close-A", Some(4000), deadline())
        .await;
    assert!(rig.messages.queued().is_empty(), "no end queued");
    assert!(rig.contact_center.ended().is_empty());
}

#[tokio::test(start_paused = true)]
async fn the_agent_ending_while_the_customer_s_end_is_queued_is_acted_on_once() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    rig.relay
        .disconnect("conn-A=", "close-A", Some(4000), deadline())
        .await;
    rig.store.mark_ended(&conversation.key).await.unwrap();

    assert!(rig.deliver().await.is_empty());
    assert!(rig.contact_center.ended().is_empty());
}

#[tokio::test(start_paused = true)]
async fn the_conversation_ends_here_even_if_the_contact_center_fails() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    rig.contact_center
        .refuse_with(ContactCenterError::Unavailable {
            code: "server_error".into(),
            cause: Cause::new(io::Error::other("Talkdesk API answered HTTP 503")),
        });
    rig.relay
        .disconnect("conn-A=", "close-A", Some(4000), deadline())
        .await;
    assert!(rig.deliver().await.is_empty(), "nothing to retry");
    let stored = rig.stored(&conversation.key).await;
    assert_eq!(stored.status, ConversationStatus::Ended);
}

#[tokio::test(start_paused = true)]
async fn messages_queued_before_the_end_reach_the_agent_before_it() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    for (id, text) in [("req-1", "hi"), ("req-2", "my order is late")] {
        let frame = serde_json::json!({"action": "onMessage", "message": text}).to_string();
        rig.relay.message("conn-A=", id, &frame, deadline()).await;
    }
    rig.relay
        .disconnect("conn-A=", "close-A", Some(4000), deadline())
        .await;
    assert!(
        rig.contact_center.ended().is_empty(),
        "not ended before the queue is relayed"
    );

    assert!(rig.deliver().await.is_empty());

    let id = conversation.provider_conversation_id;
    assert_eq!(
        rig.contact_center.sent(),
        [
            (id.clone(), "hi".to_owned()),
            (id.clone(), "my order is late".to_owned())
        ]
    );
    assert_eq!(rig.contact_center.ended(), [id]);
    assert!(
        rig.poster.calls().is_empty(),
        "the customer is gone and told nothing"
    );
}

#[tokio::test(start_paused = true)]
async fn an_end_held_back_behind_a_failed_message_comes_after_it() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    let frame = serde_json::json!({"action": "onMessage", "message": "hi"}).to_string();
    rig.relay
        .message("conn-A=", "req-1", &frame, deadline())
        .await;
    rig.relay
        .disconnect("conn-A=", "close-A", Some(4000), deadline())
        .await;
    let queued = rig.messages.drain();
    rig.contact_center
        .fail_next_sends([ContactCenterError::Unavailable {
            code: "throttled".into(),
            cause: Cause::new(io::Error::other("Talkdesk answered 429 to every attempt")),
        }]);

    assert_eq!(
        rig.deliver_records(queued.clone()).await,
        ["req-1", "close-A"]
    );
    assert!(rig.contact_center.ended().is_empty());
    let again = queued
        .into_iter()
        .map(|record| QueuedRecord {
            receive_count: 2,
            ..record
        })
        .collect();
    assert!(rig.deliver_records(again).await.is_empty());

    let id = conversation.provider_conversation_id;
    assert_eq!(rig.contact_center.sent(), [(id.clone(), "hi".to_owned())]);
    assert_eq!(rig.contact_center.ended(), [id]);
}

#[tokio::test(start_paused = true)]
async fn a_customer_back_before_their_end_came_through_is_told_it_has_ended() {
    let rig = rig();
    let (conversation, reference) = rig.conversation().await;
    rig.connect("conn-A=", &reference).await;
    rig.relay
        .disconnect("conn-A=", "close-A", Some(4000), deadline())
        .await;
    rig.connect("conn-B=", &reference).await;

    assert!(rig.deliver().await.is_empty());

    assert_eq!(
        rig.contact_center.ended(),
        [conversation.provider_conversation_id]
    );
    let ended = RelaySettings::default().ended_message;
    assert_eq!(
        rig.poster.frames("conn-B="),
        [said(&ended), Frame::ConversationEnded]
    );
    assert!(rig.poster.calls().contains(&Call::Close("conn-B=".into())));
}

#[tokio::test(start_paused = true)]
async fn the_end_is_made_at_once_when_it_cannot_be_queued() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    rig.messages.fail(true);
    rig.relay
        .disconnect("conn-A=", "close-A", Some(4000), deadline())
        .await;

    let stored = rig.stored(&conversation.key).await;
    assert_eq!(stored.status, ConversationStatus::Ended);
    assert_eq!(
        rig.contact_center.ended(),
        [conversation.provider_conversation_id]
    );
}

/// A relay and the customer-relay function over a store that fails as told, with `conn-A=`
/// connected to Talkdesk conversation `td-1`.
struct FaultyRig {
    store: Arc<FaultyStore>,
    contact_center: Arc<FakeContactCenter>,
    messages: Arc<RecordingMessageQueue>,
    relay: CustomerRelay,
    ordered: OrderedRelay,
}

async fn faulty_rig() -> FaultyRig {
    let store = FaultyStore::new();
    let contact_center = Arc::new(FakeContactCenter::default());
    let messages = Arc::new(RecordingMessageQueue::default());
    let poster = Arc::new(RecordingPoster::default());
    let relay = CustomerRelay::new(
        store.clone(),
        ContactCenters::single(contact_center.clone()),
        poster.clone(),
        Arc::new(MapSecrets::with(DEFAULT_KEY_SECRET, SIGNING_KEY)),
        messages.clone(),
        RelaySettings::default(),
    )
    .with_clock(Arc::new(ManualClock::at(START)));
    let ordered = OrderedRelay::new(
        store.clone(),
        ContactCenters::single(contact_center.clone()),
        poster,
        OrderedSettings::default(),
    );
    let conversation = store_conversation(&*store, Provider::Talkdesk, "td-1").await;
    let reference = reference_to(&conversation.key, START + 3_600);
    relay.connect("conn-A=", Some(&reference)).await.unwrap();
    FaultyRig {
        store,
        contact_center,
        messages,
        relay,
        ordered,
    }
}

#[tokio::test(start_paused = true)]
async fn the_customers_end_reaches_the_contact_center_when_the_store_cannot_unbind() {
    let rig = faulty_rig().await;
    rig.store.fail(Operation::UnbindConnection);

    rig.relay
        .disconnect("conn-A=", "close-A", Some(4000), deadline())
        .await;
    let queued = rig.messages.drain();
    assert!(rig.ordered.relay_batch(queued, deadline()).await.is_empty());

    assert_eq!(rig.contact_center.ended(), ["td-1".to_owned()]);
}

#[tokio::test(start_paused = true)]
async fn the_end_is_made_at_once_when_neither_the_queue_nor_the_store_works() {
    let rig = faulty_rig().await;
    rig.store.fail(Operation::UnbindConnection);
    rig.store.fail(Operation::MarkEnded);
    rig.messages.fail(true);

    rig.relay
        .disconnect("conn-A=", "close-A", Some(4000), deadline())
        .await;

    assert_eq!(rig.contact_center.ended(), ["td-1".to_owned()]);
}

#[tokio::test(start_paused = true)]
async fn an_end_the_store_cannot_mark_is_delivered_again() {
    let rig = faulty_rig().await;
    rig.relay
        .disconnect("conn-A=", "close-A", Some(4000), deadline())
        .await;
    let queued = rig.messages.drain();
    rig.store.fail(Operation::MarkEnded);

    assert_eq!(
        rig.ordered.relay_batch(queued.clone(), deadline()).await,
        ["close-A"]
    );
    assert!(rig.contact_center.ended().is_empty());

    rig.store.recover(Operation::MarkEnded);
    assert!(rig.ordered.relay_batch(queued, deadline()).await.is_empty());
    assert_eq!(rig.contact_center.ended(), ["td-1".to_owned()]);
}

#[tokio::test(start_paused = true)]
async fn a_frame_that_reaches_on_message_after_the_close_is_queued_before_the_end() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    let grace = RelaySettings::default().end_grace;
    let late_frame = async {
        // API Gateway started `$disconnect` first; the frame's `onMessage` runs a moment later.
        tokio::time::sleep(grace / 10).await;
        let frame = r#"{"action":"onMessage","message":"thanks, bye"}"#;
        rig.relay
            .message("conn-A=", "req-1", frame, deadline())
            .await;
    };
    tokio::join!(
        rig.relay
            .disconnect("conn-A=", "close-A", Some(4000), deadline()),
        late_frame
    );

    let queued = rig.messages.queued();
    let order: Vec<_> = queued
        .iter()
        .map(|m| (m.message_id.as_str(), m.ends_chat))
        .collect();
    assert_eq!(order, [("req-1", false), ("close-A", true)]);
    assert!(rig.deliver().await.is_empty());
    let id = conversation.provider_conversation_id;
    assert_eq!(
        rig.contact_center.sent(),
        [(id.clone(), "thanks, bye".to_owned())]
    );
    assert_eq!(rig.contact_center.ended(), [id]);
}
