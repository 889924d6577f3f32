//! `onMessage` and `$default`: queued, then relayed by the ordered relay, never echoed; every
//! problem told in plain words.

use super::*;

#[tokio::test]
async fn a_message_reaches_the_agent_and_is_not_echoed() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    let body =
        r#"{"action":"onMessage","message":"  Where is my refund?  ","conversationId":"ignored"}"#;
    rig.relay
        .message("conn-A=", "req-1", body, deadline())
        .await;

    let queued = rig.messages.queued();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].conversation, conversation.key);
    assert_eq!(queued[0].connection_id, "conn-A=");
    assert_eq!(queued[0].message_id, "req-1");
    assert!(
        rig.contact_center.sent().is_empty(),
        "onMessage only queues"
    );
    assert!(rig.deliver().await.is_empty());
    assert_eq!(
        rig.contact_center.sent(),
        vec![(
            conversation.provider_conversation_id,
            "Where is my refund?".to_owned()
        )]
    );
    assert!(rig.poster.frames("conn-A=").is_empty());
}

#[tokio::test]
async fn the_conversation_comes_from_the_connection_not_the_body() {
    let rig = rig();
    let mine = rig.connected("conn-A=").await;
    let (other, other_reference) = rig.conversation().await;
    let body =
        format!(r#"{{"action":"onMessage","message":"hi","conversationId":"{other_reference}"}}"#);
    rig.relay
        .message("conn-A=", "req-1", &body, deadline())
        .await;
    rig.deliver().await;
    let sent = rig.contact_center.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, mine.provider_conversation_id);
    assert_ne!(sent[0].0, other.provider_conversation_id);
}

#[tokio::test]
async fn bad_frames_get_error_frames() {
    let rig = rig();
    rig.connected("conn-A=").await;
    for (body, error) in [
        ("not json", "invalid_frame"),
        (r#"{"action":"onMessage"}"#, "missing_message"),
        (r#"{"action":"onMessage","message":42}"#, "missing_message"),
        (r#"{"action":"onMessage","message":"   "}"#, "empty_message"),
    ] {
        rig.relay
            .message("conn-A=", "req-1", body, deadline())
            .await;
        let frames = rig.poster.frames("conn-A=");
        assert!(
            matches!(frames.last(), Some(Frame::Error { error: e, .. }) if e == error),
            "{body}: {frames:?}"
        );
    }
    assert!(rig.messages.queued().is_empty());
}

#[tokio::test]
async fn a_message_over_the_limit_is_refused_in_plain_words() {
    let rig = rig();
    rig.connected("conn-A=").await;
    let body = serde_json::json!({"action": "onMessage", "message": "é".repeat(1025)}).to_string();
    rig.relay
        .message("conn-A=", "req-1", &body, deadline())
        .await;
    assert_eq!(
        rig.poster.frames("conn-A="),
        vec![said(
            "Your message is too long and was not sent. Please shorten it."
        )]
    );
    let at_limit =
        serde_json::json!({"action": "onMessage", "message": "é".repeat(1024)}).to_string();
    rig.relay
        .message("conn-A=", "req-2", &at_limit, deadline())
        .await;
    rig.deliver().await;
    assert_eq!(rig.contact_center.sent().len(), 1);
}

#[tokio::test]
async fn writing_into_an_ended_or_unknown_chat_is_told() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    rig.store.mark_ended(&conversation.key).await.unwrap();
    let body = r#"{"action":"onMessage","message":"hello?"}"#;
    rig.relay
        .message("conn-A=", "req-1", body, deadline())
        .await;
    rig.relay
        .message("never-connected=", "req-2", body, deadline())
        .await;

    let ended = said("This chat has ended. Press End Live Chat to go back to the bot.");
    assert_eq!(rig.poster.frames("conn-A="), vec![ended.clone()]);
    assert_eq!(rig.poster.frames("never-connected="), vec![ended]);
    assert!(rig.messages.queued().is_empty());
}

#[tokio::test]
async fn a_message_that_cannot_be_queued_is_told_as_not_delivered() {
    let rig = rig();
    rig.connected("conn-A=").await;
    rig.messages.fail(true);
    say_hi(&rig.relay, deadline()).await;
    assert_eq!(
        rig.poster.frames("conn-A="),
        vec![said(
            "Sorry, your last message could not be delivered to the agent. Please send it again."
        )]
    );
}

#[tokio::test]
async fn a_message_the_contact_center_may_have_taken_is_told_as_uncertain() {
    let rig = rig();
    rig.connected("conn-A=").await;
    rig.contact_center.refuse_with(ContactCenterError::Unknown {
        code: "timeout".into(),
        cause: Cause::new(io::Error::other("request to Talkdesk timed out")),
    });
    say_hi(&rig.relay, deadline()).await;
    rig.deliver().await;
    assert_eq!(
        rig.poster.frames("conn-A="),
        [said(&RelaySettings::default().relay_uncertain_message)],
        "the customer is not told it failed when it may have arrived"
    );
}

#[tokio::test]
async fn a_message_the_contact_center_refuses_for_good_ends_the_chat() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    rig.contact_center.refuse_with(ContactCenterError::Refused {
        code: "0001".into(),
        cause: Cause::new(io::Error::other("Conversation is closed")),
    });
    say_hi(&rig.relay, deadline()).await;
    rig.deliver().await;

    let ended = RelaySettings::default().ended_message;
    assert_eq!(
        rig.poster.calls(),
        [
            Call::Post("conn-A=".into(), said(&ended)),
            Call::Post("conn-A=".into(), Frame::ConversationEnded),
            Call::Close("conn-A=".into()),
        ],
        "the customer is told the chat has ended, not asked to send it again"
    );
    let stored = rig.stored(&conversation.key).await;
    assert_eq!(stored.status, ConversationStatus::Ended);
}

#[tokio::test(start_paused = true)]
async fn a_store_too_slow_to_answer_is_told_by_the_deadline() {
    let store = FaultyStore::new();
    let poster = Arc::new(RecordingPoster::default());
    let relay = CustomerRelay::new(
        store.clone(),
        ContactCenters::single(Arc::new(FakeContactCenter::default())),
        poster.clone(),
        Arc::new(MapSecrets::with(DEFAULT_KEY_SECRET, SIGNING_KEY)),
        Arc::new(RecordingMessageQueue::default()),
        RelaySettings::default(),
    );
    store.hang(Operation::ConversationByConnection);
    let deadline = Instant::now() + Duration::from_secs(10);
    say_hi(&relay, deadline).await;

    assert!(Instant::now() >= deadline);
    assert_eq!(
        poster.frames("conn-A="),
        [said(&RelaySettings::default().relay_failed_message)]
    );
}

#[tokio::test]
async fn a_relayed_message_refreshes_the_lifetime_once_a_quarter_of_it_has_passed() {
    let rig = rig();
    let key = rig.connected("conn-A=").await.key;
    let conversation = rig.stored(&key).await;
    let quarter = DEFAULT_LIFETIME / 4;
    rig.clock.advance(quarter - Duration::from_secs(1));
    say_hi(&rig.relay, deadline()).await;
    rig.deliver().await;
    let stored = rig.store.conversation(&key).await.unwrap();
    assert_eq!(
        stored.map(|stored| stored.version),
        Some(conversation.version),
        "a message within a quarter of the lifetime writes nothing to the conversation"
    );
    rig.clock.advance(Duration::from_secs(1));
    let frame = r#"{"action":"onMessage","message":"still there?"}"#;
    rig.relay
        .message("conn-A=", "req-2", frame, deadline())
        .await;
    rig.deliver().await;
    let stored = rig.stored(&key).await;
    assert!(stored.expires_at >= conversation.expires_at + quarter);
    assert_eq!(rig.contact_center.sent().len(), 2, "both messages went");
}

#[tokio::test]
async fn an_unknown_action_gets_an_error_frame() {
    let rig = rig();
    rig.relay.unknown_action("conn-A=").await;
    let frames = rig.poster.frames("conn-A=");
    assert!(matches!(&frames[..], [Frame::Error { error, .. }] if error == "unknown_action"));
}

#[tokio::test]
async fn a_gone_connection_is_unbound() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    rig.store.mark_ended(&conversation.key).await.unwrap();
    rig.poster.fail_next([PostError::Gone]);
    say_hi(&rig.relay, deadline()).await;
    assert_eq!(
        rig.store
            .conversation_by_connection("conn-A=")
            .await
            .unwrap(),
        None
    );
}
