//! `$connect`: only a valid, signed, unexpired reference to a live conversation gets in.

use super::*;

#[tokio::test]
async fn a_valid_reference_binds_the_connection() {
    let rig = rig();
    let (conversation, reference) = rig.conversation().await;
    let key = rig
        .relay
        .connect("conn-A=", Some(&reference))
        .await
        .unwrap();
    assert_eq!(key, conversation.key);
    let bound = rig
        .store
        .conversation_by_connection("conn-A=")
        .await
        .unwrap();
    assert_eq!(bound.map(|c| c.key), Some(conversation.key));
    assert!(
        rig.poster.frames("conn-A=").is_empty(),
        "nothing is said on connect"
    );
}

#[tokio::test]
async fn a_newer_connection_replaces_the_older_which_is_told_and_closed() {
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

    assert_eq!(
        rig.poster.frames("conn-A="),
        vec![said("This chat continues in another window.")]
    );
    assert_eq!(rig.poster.closed(), vec!["conn-A=".to_owned()]);
    let stored = rig.stored(&conversation.key).await;
    assert_eq!(stored.connection_id.as_deref(), Some("conn-B="));
}

#[tokio::test]
async fn every_bad_reference_is_refused_with_its_reason() {
    let rig = rig();
    let (conversation, reference) = rig.conversation().await;
    let refused = |reference: Option<String>| {
        let relay = &rig.relay;
        async move {
            relay
                .connect("conn-X=", reference.as_deref())
                .await
                .unwrap_err()
        }
    };

    assert_eq!(refused(None).await, Refusal::Missing);
    assert_eq!(refused(Some("undefined".into())).await, Refusal::Missing);
    assert_eq!(refused(Some(String::new())).await, Refusal::Missing);
    assert!(matches!(
        refused(Some("not-a-reference".into())).await,
        Refusal::Invalid(_)
    ));
    assert!(matches!(
        refused(Some(conversation.provider_conversation_id.clone())).await,
        Refusal::Invalid(_)
    ));
    let tampered = reference.replacen(
        conversation.key.as_str(),
        &ConversationKey::generate().to_string(),
        1,
    );
    assert!(matches!(refused(Some(tampered)).await, Refusal::Invalid(_)));
    let truncated = reference[..reference.len() - 3].to_owned();
    assert!(matches!(
        refused(Some(truncated)).await,
        Refusal::Invalid(_)
    ));
    let forged = ReferenceSigner::new(&[7; 32])
        .unwrap()
        .sign(conversation.key.as_str(), START + 60)
        .unwrap();
    assert!(matches!(refused(Some(forged)).await, Refusal::Invalid(_)));

    let expired = reference_to(&conversation.key, START - 1);
    assert_eq!(refused(Some(expired)).await, Refusal::Expired);
    let unknown = reference_to(&ConversationKey::generate(), START + 60);
    assert_eq!(refused(Some(unknown)).await, Refusal::UnknownConversation);
    rig.store.mark_ended(&conversation.key).await.unwrap();
    assert_eq!(refused(Some(reference)).await, Refusal::Ended);

    assert_eq!(
        rig.store
            .conversation_by_connection("conn-X=")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn the_reference_stops_working_when_it_expires() {
    let rig = rig();
    let (_, reference) = rig.conversation().await;
    rig.clock.advance(Duration::from_secs(3_600));
    assert!(rig.relay.connect("conn-A=", Some(&reference)).await.is_ok());
    rig.clock.advance(Duration::from_secs(1));
    assert_eq!(
        rig.relay.connect("conn-B=", Some(&reference)).await,
        Err(Refusal::Expired)
    );
}

#[tokio::test]
async fn without_the_signing_key_connections_are_refused() {
    let store = Arc::new(MemoryStore::new());
    let relay = CustomerRelay::new(
        store,
        ContactCenters::single(Arc::new(FakeContactCenter::default())),
        Arc::new(RecordingPoster::default()),
        Arc::new(MapSecrets::default()),
        Arc::new(RecordingMessageQueue::default()),
        RelaySettings::default(),
    );
    let refusal = relay
        .connect("conn-A=", Some("v1.abc.1.tag"))
        .await
        .unwrap_err();
    assert!(matches!(refusal, Refusal::Unavailable(_)));
    assert!(
        chain(&refusal)
            .to_string()
            .contains("secret dev/handover/reference-key was not found"),
        "{refusal:?}"
    );
}

#[tokio::test]
async fn a_signing_key_too_short_to_use_is_named_but_never_shown() {
    let short_key = "too-short-a-signing-key";
    let relay = CustomerRelay::new(
        Arc::new(MemoryStore::new()),
        ContactCenters::single(Arc::new(FakeContactCenter::default())),
        Arc::new(RecordingPoster::default()),
        Arc::new(MapSecrets::with(DEFAULT_KEY_SECRET, short_key)),
        Arc::new(RecordingMessageQueue::default()),
        RelaySettings::default(),
    );
    let refusal = relay
        .connect("conn-A=", Some("v1.abc.1.tag"))
        .await
        .unwrap_err();

    let problem = refusal
        .source()
        .and_then(|cause| cause.source())
        .expect("the key's problem is kept as a cause");
    assert_eq!(
        problem.to_string(),
        ReferenceError::SecretTooShort {
            actual: short_key.len()
        }
        .to_string()
    );
    let logged = chain(&refusal).to_string();
    assert!(logged.contains(DEFAULT_KEY_SECRET), "{logged}");
    assert!(!logged.contains(short_key), "{logged}");
    assert!(!format!("{refusal:?}").contains(short_key), "{refusal:?}");
}

#[tokio::test]
async fn each_connection_gets_its_own_keep_alives() {
    let rig = rig();
    let (conversation, reference) = rig.conversation().await;
    rig.connect("conn-A=", &reference).await;
    rig.connect("conn-B=", &reference).await;
    let first = |connection_id: &str| KeepAliveTick {
        connection_id: connection_id.into(),
        conversation: conversation.key.clone(),
        sequence: 1,
        farewell: false,
    };
    assert_eq!(
        rig.keep_alives.scheduled(),
        [
            (first("conn-A="), KEEP_ALIVE_INTERVAL),
            (first("conn-B="), KEEP_ALIVE_INTERVAL)
        ]
    );
}

#[tokio::test]
async fn an_ended_chat_with_messages_kept_is_bound_for_its_farewell() {
    let rig = rig();
    let (conversation, reference) = rig.conversation().await;
    let goodbye = KeptMessage {
        id: format!("{}#ended", conversation.key),
        text: "The agent has ended the chat.".into(),
        author_name: "Sam".into(),
    };
    rig.store
        .keep_message(&conversation.key, goodbye, 20)
        .await
        .unwrap();
    rig.store.mark_ended(&conversation.key).await.unwrap();

    rig.connect("conn-A=", &reference).await;
    let bound = rig
        .store
        .conversation_by_connection("conn-A=")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bound.status, ConversationStatus::Ended);
    let farewell = KeepAliveTick {
        connection_id: "conn-A=".into(),
        conversation: conversation.key.clone(),
        sequence: 0,
        farewell: true,
    };
    assert_eq!(
        rig.keep_alives.scheduled(),
        [(farewell, DELIVERY_DELAY)],
        "a farewell and no keep-alives"
    );

    // What the customer writes meanwhile is answered as any message into an ended chat.
    say_hi(&rig.relay, deadline()).await;
    let ended = RelaySettings::default().ended_message;
    assert_eq!(rig.poster.frames("conn-A="), [said(&ended)]);
    assert_eq!(rig.contact_center.sent(), []);
}

#[tokio::test]
async fn an_ended_chat_with_nothing_kept_is_still_refused() {
    let rig = rig();
    let (conversation, reference) = rig.conversation().await;
    rig.store.mark_ended(&conversation.key).await.unwrap();
    assert_eq!(
        rig.relay.connect("conn-A=", Some(&reference)).await,
        Err(Refusal::Ended)
    );
    assert_eq!(
        rig.store
            .conversation_by_connection("conn-A=")
            .await
            .unwrap(),
        None
    );
    assert_eq!(rig.keep_alives.scheduled(), []);
}
