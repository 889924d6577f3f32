//! Outboxes and the disconnection time they are kept by.

use std::collections::HashSet;
use std::time::Duration;

use handover::clock::Clock;
use handover::outbox::{Kept, KeptMessage};

use super::{Harness, LIFETIME, START, at, create};

fn message(id: &str) -> KeptMessage {
    KeptMessage {
        id: format!("talkdesk#{id}"),
        text: format!("text of {id}"),
        author_name: "Sam".into(),
    }
}

fn ids(messages: &[KeptMessage]) -> Vec<&str> {
    messages.iter().map(|m| m.id.as_str()).collect()
}

pub async fn kept_messages_come_back_in_order_until_forgotten(h: Harness) {
    let key = create(&h).await.key;
    assert_eq!(h.store.kept_messages(&key).await.unwrap(), []);
    for id in ["m1", "m2", "m3"] {
        assert_eq!(
            h.store.keep_message(&key, message(id), 10).await,
            Ok(Kept::Kept)
        );
    }
    let kept = h.store.kept_messages(&key).await.unwrap();
    assert_eq!(ids(&kept), ["talkdesk#m1", "talkdesk#m2", "talkdesk#m3"]);
    assert_eq!(kept[0], message("m1"));

    h.store.forget_message(&key, "talkdesk#m2").await.unwrap();
    h.store.forget_message(&key, "talkdesk#m2").await.unwrap();
    h.store.forget_message(&key, "never-kept").await.unwrap();
    let kept = h.store.kept_messages(&key).await.unwrap();
    assert_eq!(ids(&kept), ["talkdesk#m1", "talkdesk#m3"]);

    // Another conversation's outbox is its own.
    let other = create(&h).await.key;
    assert_eq!(h.store.kept_messages(&other).await.unwrap(), []);
    h.store.forget_message(&other, "talkdesk#m1").await.unwrap();
}

pub async fn a_message_is_kept_once_and_a_full_outbox_refuses(h: Harness) {
    let key = create(&h).await.key;
    assert_eq!(
        h.store.keep_message(&key, message("m1"), 2).await,
        Ok(Kept::Kept)
    );
    assert_eq!(
        h.store.keep_message(&key, message("m1"), 2).await,
        Ok(Kept::AlreadyKept)
    );
    assert_eq!(
        h.store.keep_message(&key, message("m2"), 2).await,
        Ok(Kept::Kept)
    );
    assert_eq!(
        h.store.keep_message(&key, message("m3"), 2).await,
        Ok(Kept::Full)
    );
    h.store.forget_message(&key, "talkdesk#m1").await.unwrap();
    assert_eq!(
        h.store.keep_message(&key, message("m3"), 2).await,
        Ok(Kept::Kept)
    );
    let kept = h.store.kept_messages(&key).await.unwrap();
    assert_eq!(ids(&kept), ["talkdesk#m2", "talkdesk#m3"]);
}

pub async fn an_outbox_lives_as_long_as_its_last_change(h: Harness) {
    let key = create(&h).await.key;
    h.store.keep_message(&key, message("m1"), 10).await.unwrap();
    h.clock.advance(LIFETIME - Duration::from_secs(1));
    h.store.keep_message(&key, message("m2"), 10).await.unwrap();
    h.clock.advance(LIFETIME - Duration::from_secs(1));
    assert_eq!(h.store.kept_messages(&key).await.unwrap().len(), 2);
    h.clock.advance(Duration::from_secs(1));
    assert_eq!(h.store.kept_messages(&key).await.unwrap(), []);
    // An expired outbox is started afresh.
    assert_eq!(
        h.store.keep_message(&key, message("m1"), 1).await,
        Ok(Kept::Kept)
    );
}

pub async fn concurrent_keeps_lose_nothing(h: Harness) {
    let key = create(&h).await.key;
    let racers: Vec<_> = (0..8)
        .map(|i| {
            let store = h.store.clone();
            let key = key.clone();
            tokio::spawn(async move {
                store
                    .keep_message(&key, message(&format!("m{i}")), 20)
                    .await
            })
        })
        .collect();
    for racer in racers {
        assert_eq!(racer.await.unwrap(), Ok(Kept::Kept));
    }
    let kept: HashSet<_> = h
        .store
        .kept_messages(&key)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(kept.len(), 8);
}

pub async fn unbinding_records_when_the_connection_went(h: Harness) {
    let conversation = create(&h).await;
    assert_eq!(conversation.disconnected_at, None);
    h.store
        .bind_connection(&conversation.key, "conn-A=")
        .await
        .unwrap();
    h.clock.advance(Duration::from_secs(5));
    let unbound = h.store.unbind_connection("conn-A=").await.unwrap().unwrap();
    assert_eq!(unbound.disconnected_at, Some(at(START + 5)));
    assert_eq!(h.clock.now(), at(START + 5));
    let stored = h
        .store
        .conversation(&conversation.key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.disconnected_at, Some(at(START + 5)));

    h.clock.advance(Duration::from_secs(5));
    let bound = h
        .store
        .bind_connection(&conversation.key, "conn-B=")
        .await
        .unwrap();
    assert_eq!(bound.conversation.disconnected_at, None);
    // Unbinding a connection that is no longer the bound one changes nothing.
    h.store.unbind_connection("conn-A=").await.unwrap();
    let stored = h
        .store
        .conversation(&conversation.key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.disconnected_at, None);
}
