//! `$disconnect`: 4000 ends the conversation; anything else keeps it open for a reconnect.

use super::*;

#[tokio::test]
async fn close_code_4000_ends_the_conversation_at_the_contact_center() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    rig.relay
        .disconnect("conn-A=", Some(4000), deadline())
        .await;

    assert_eq!(
        rig.contact_center.ended(),
        vec![conversation.provider_conversation_id.clone()]
    );
    let stored = rig
        .store
        .conversation(&conversation.key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, ConversationStatus::Ended);
    assert_eq!(stored.connection_id, None);
}

#[tokio::test]
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
        rig.relay.disconnect(connection_id, code, deadline()).await;
        let stored = rig
            .store
            .conversation(&conversation.key)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.status, ConversationStatus::Pending, "{code:?}");
        assert_eq!(stored.connection_id, None);
    }
    assert!(rig.contact_center.ended().is_empty());
    assert!(rig.relay.connect("conn-D=", Some(&reference)).await.is_ok());
}

#[tokio::test]
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
        .disconnect("conn-A=", Some(4000), deadline())
        .await;
    let stored = rig
        .store
        .conversation(&conversation.key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, ConversationStatus::Pending);
    assert_eq!(stored.connection_id.as_deref(), Some("conn-B="));
    assert!(rig.contact_center.ended().is_empty());
}

#[tokio::test]
async fn ending_after_the_agent_ended_calls_the_contact_center_no_more() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    rig.store.mark_ended(&conversation.key).await.unwrap();
    rig.relay
        .disconnect("conn-A=", Some(4000), deadline())
        .await;
    assert!(rig.contact_center.ended().is_empty());
}

#[tokio::test]
async fn the_conversation_ends_here_even_if_the_contact_center_fails() {
    let rig = rig();
    let conversation = rig.connected("conn-A=").await;
    rig.contact_center
        .refuse_with(ContactCenterError::Unavailable {
            code: "server_error".into(),
            cause: Cause::new(io::Error::other("Talkdesk API answered HTTP 503")),
        });
    rig.relay
        .disconnect("conn-A=", Some(4000), deadline())
        .await;
    let stored = rig
        .store
        .conversation(&conversation.key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, ConversationStatus::Ended);
}

#[tokio::test]
async fn the_customers_end_reaches_the_contact_center_when_the_store_cannot_unbind() {
    let store = FaultyStore::new();
    let contact_center = Arc::new(FakeContactCenter::default());
    let relay = CustomerRelay::new(
        store.clone(),
        ContactCenters::single(contact_center.clone()),
        Arc::new(RecordingPoster::default()),
        Arc::new(MapSecrets::with(DEFAULT_KEY_SECRET, SIGNING_KEY)),
        Arc::new(RecordingMessageQueue::default()),
        RelaySettings::default(),
    )
    .with_clock(Arc::new(ManualClock::at(START)));
    let conversation = store_conversation(&*store, Provider::Talkdesk, "td-1").await;
    let reference = reference_to(&conversation.key, START + 3_600);
    relay.connect("conn-A=", Some(&reference)).await.unwrap();
    store.fail(Operation::UnbindConnection);
    store.fail(Operation::MarkEnded);

    relay.disconnect("conn-A=", Some(4000), deadline()).await;

    assert_eq!(contact_center.ended(), ["td-1".to_owned()]);
}
