//! Keep-alives in process: ticks through `KeepAlive::tick` over the in-memory store, a
//! recording poster and a recording queue.

use std::sync::Arc;
use std::time::Duration;

use conversation_store::MemoryStore;
use handover::connections::{Frame, PostError};
use handover::conversation::{ConversationKey, Provider};
use handover::errors::Cause;
use handover::keep_alive::{
    CONNECTION_CAP, DELIVERY_DELAY, KeepAlive, KeepAliveTick, MAX_INTERVAL, TickError, TickOutcome,
    interval,
};
use handover::outbox::KeptMessage;
use handover::store::{Conversations, HandledEvents, Outboxes};
use test_support::conversations::store_conversation;
use test_support::fakes::{Call, RecordingPoster, RecordingQueue};

const CONNECTION: &str = "conn-A=";
const INTERVAL: Duration = Duration::from_secs(240);

struct Rig {
    keep_alive: KeepAlive,
    store: Arc<MemoryStore>,
    poster: Arc<RecordingPoster>,
    queue: Arc<RecordingQueue>,
    key: ConversationKey,
}

/// A conversation whose customer is connected on [`CONNECTION`].
async fn rig() -> Rig {
    let store = Arc::new(MemoryStore::new());
    let poster = Arc::new(RecordingPoster::default());
    let queue = Arc::new(RecordingQueue::default());
    let key = store_conversation(&*store, Provider::Talkdesk, "td-1")
        .await
        .key;
    store.bind_connection(&key, CONNECTION).await.unwrap();
    let keep_alive = KeepAlive::new(store.clone(), poster.clone(), queue.clone(), INTERVAL);
    Rig {
        keep_alive,
        store,
        poster,
        queue,
        key,
    }
}

impl Rig {
    fn tick(&self, sequence: u64) -> KeepAliveTick {
        KeepAliveTick {
            connection_id: CONNECTION.into(),
            conversation: self.key.clone(),
            sequence,
            farewell: false,
        }
    }
}

#[tokio::test]
async fn a_chain_starts_at_connect_and_each_tick_schedules_the_next() {
    let rig = rig().await;
    rig.keep_alive.start(CONNECTION, &rig.key).await.unwrap();
    assert_eq!(rig.queue.scheduled(), [(rig.tick(1), INTERVAL)]);

    assert_eq!(
        rig.keep_alive.tick(&rig.tick(1)).await,
        Ok(TickOutcome::Sent)
    );
    assert_eq!(
        rig.poster.calls(),
        [Call::Post(CONNECTION.into(), Frame::KeepAlive)]
    );
    assert_eq!(
        rig.queue.scheduled(),
        [(rig.tick(1), INTERVAL), (rig.tick(2), INTERVAL)]
    );
}

#[tokio::test]
async fn a_redelivered_tick_never_starts_a_second_chain() {
    let rig = rig().await;
    assert_eq!(
        rig.keep_alive.tick(&rig.tick(1)).await,
        Ok(TickOutcome::Sent)
    );
    assert_eq!(
        rig.keep_alive.tick(&rig.tick(1)).await,
        Ok(TickOutcome::Duplicate)
    );
    assert_eq!(rig.poster.calls().len(), 1);
    assert_eq!(rig.queue.scheduled(), [(rig.tick(2), INTERVAL)]);
}

#[tokio::test]
async fn the_chain_stops_when_the_chat_ends_or_the_connection_changes() {
    let ended = rig().await;
    ended.store.mark_ended(&ended.key).await.unwrap();
    assert_eq!(
        ended.keep_alive.tick(&ended.tick(1)).await,
        Ok(TickOutcome::Stopped)
    );

    let replaced = rig().await;
    replaced
        .store
        .bind_connection(&replaced.key, "conn-B=")
        .await
        .unwrap();
    assert_eq!(
        replaced.keep_alive.tick(&replaced.tick(3)).await,
        Ok(TickOutcome::Stopped),
        "the new connection has its own chain"
    );

    for rig in [ended, replaced] {
        assert_eq!(rig.poster.calls(), []);
        assert_eq!(rig.queue.scheduled(), []);
    }
}

#[tokio::test]
async fn a_gone_connection_is_unbound_and_its_chain_stops() {
    let rig = rig().await;
    rig.poster.fail_next([PostError::Gone]);
    assert_eq!(
        rig.keep_alive.tick(&rig.tick(1)).await,
        Ok(TickOutcome::Stopped)
    );
    let conversation = rig.store.conversation(&rig.key).await.unwrap().unwrap();
    assert_eq!(conversation.connection_id, None);
    assert_eq!(rig.queue.scheduled(), []);
}

#[tokio::test]
async fn a_failed_post_is_retried_by_the_queue() {
    let rig = rig().await;
    rig.poster
        .fail_next([PostError::Failed(Cause::new(std::io::Error::other(
            "throttled",
        )))]);
    assert!(matches!(
        rig.keep_alive.tick(&rig.tick(1)).await,
        Err(TickError::Connection(_))
    ));
    assert_eq!(rig.queue.scheduled(), []);
    assert_eq!(
        rig.keep_alive.tick(&rig.tick(1)).await,
        Ok(TickOutcome::Sent),
        "the redelivery is not taken for a duplicate"
    );
    assert_eq!(rig.queue.scheduled(), [(rig.tick(2), INTERVAL)]);
}

#[tokio::test]
async fn keep_alives_come_at_least_every_five_minutes() {
    let rig = rig().await;
    let keep_alive = KeepAlive::new(
        rig.store.clone(),
        rig.poster.clone(),
        rig.queue.clone(),
        Duration::from_secs(3_600),
    );
    keep_alive.start(CONNECTION, &rig.key).await.unwrap();
    assert_eq!(rig.queue.scheduled(), [(rig.tick(1), MAX_INTERVAL)]);
}

#[tokio::test]
async fn the_customer_is_told_once_before_the_two_hour_cap() {
    let rig = rig().await;
    let keep_alive = KeepAlive::new(
        rig.store.clone(),
        rig.poster.clone(),
        rig.queue.clone(),
        INTERVAL,
    )
    .with_cap_message("Heads up.");
    // At 240 s, tick 28 is the first due at or after 110 minutes.
    for sequence in 26..=30 {
        assert_eq!(
            keep_alive.tick(&rig.tick(sequence)).await,
            Ok(TickOutcome::Sent)
        );
    }
    let keep = Call::Post(CONNECTION.into(), Frame::KeepAlive);
    let warned = Call::Post(CONNECTION.into(), Frame::message("Heads up.", "System"));
    assert_eq!(
        rig.poster.calls(),
        [keep.clone(), keep.clone(), warned, keep.clone(), keep]
    );
    assert!(INTERVAL * 28 < CONNECTION_CAP - Duration::from_secs(5 * 60));
}

#[tokio::test]
async fn a_shorter_cap_is_warned_of_at_its_own_lead() {
    let rig = rig().await;
    let keep_alive = KeepAlive::new(
        rig.store.clone(),
        rig.poster.clone(),
        rig.queue.clone(),
        Duration::from_secs(1),
    )
    .with_connection_cap(Duration::from_secs(4), Duration::from_secs(2))
    .with_cap_message("Heads up.");
    for sequence in 1..=4 {
        assert_eq!(
            keep_alive.tick(&rig.tick(sequence)).await,
            Ok(TickOutcome::Sent)
        );
    }
    let keep = Call::Post(CONNECTION.into(), Frame::KeepAlive);
    let warned = Call::Post(CONNECTION.into(), Frame::message("Heads up.", "System"));
    assert_eq!(
        rig.poster.calls(),
        [keep.clone(), warned, keep.clone(), keep],
        "the tick due 2 s before the 4-second cap"
    );
}

#[test]
fn a_tick_travels_as_json_and_a_bad_key_is_refused() {
    let tick = KeepAliveTick {
        connection_id: CONNECTION.into(),
        conversation: ConversationKey::parse("abc").unwrap(),
        sequence: 7,
        farewell: false,
    };
    let json = serde_json::to_string(&tick).unwrap();
    assert_eq!(
        json,
        r#"{"connection_id":"conn-A=","conversation":"abc","sequence":7}"#
    );
    assert_eq!(serde_json::from_str::<KeepAliveTick>(&json).unwrap(), tick);
    let forged = r#"{"connection_id":"c","conversation":"a b","sequence":1}"#;
    assert!(serde_json::from_str::<KeepAliveTick>(forged).is_err());
}

#[test]
fn the_interval_is_read_once_and_bounded() {
    let read = |value: Option<&'static str>| interval(&move |_: &str| value.map(str::to_owned));
    assert_eq!(read(None), Ok(Duration::from_secs(240)));
    assert_eq!(read(Some(" ")), Ok(Duration::from_secs(240)));
    assert_eq!(read(Some("60")), Ok(Duration::from_secs(60)));
    let too_long = read(Some("301")).unwrap_err();
    assert_eq!(too_long.variable, "KEEP_ALIVE_SECONDS");
}

impl Rig {
    async fn keep(&self, id: &str, text: &str) {
        let message = KeptMessage {
            id: id.into(),
            text: text.into(),
            author_name: "Sam".into(),
        };
        self.store
            .keep_message(&self.key, message, 10)
            .await
            .unwrap();
    }

    async fn kept(&self) -> usize {
        self.store.kept_messages(&self.key).await.unwrap().len()
    }
}

#[tokio::test]
async fn a_connect_with_kept_messages_has_them_delivered_at_once() {
    let rig = rig().await;
    rig.keep("talkdesk#m1", "one").await;
    rig.keep("talkdesk#m2", "two").await;
    rig.keep_alive.start(CONNECTION, &rig.key).await.unwrap();
    assert_eq!(
        rig.queue.scheduled(),
        [(rig.tick(0), DELIVERY_DELAY), (rig.tick(1), INTERVAL)]
    );

    assert_eq!(
        rig.keep_alive.tick(&rig.tick(0)).await,
        Ok(TickOutcome::Sent)
    );
    assert_eq!(
        rig.poster.calls(),
        [
            Call::Post(CONNECTION.into(), Frame::message("one", "Sam")),
            Call::Post(CONNECTION.into(), Frame::message("two", "Sam")),
        ]
    );
    assert_eq!(rig.kept().await, 0);
    // The delivery tick starts no chain of its own.
    assert_eq!(rig.queue.scheduled().len(), 2);
}

#[tokio::test]
async fn a_connect_without_kept_messages_schedules_only_the_chain() {
    let rig = rig().await;
    rig.keep_alive.start(CONNECTION, &rig.key).await.unwrap();
    assert_eq!(rig.queue.scheduled(), [(rig.tick(1), INTERVAL)]);
}

#[tokio::test]
async fn a_keep_alive_delivers_kept_messages_before_itself() {
    let rig = rig().await;
    rig.keep("talkdesk#m1", "one").await;
    assert_eq!(
        rig.keep_alive.tick(&rig.tick(3)).await,
        Ok(TickOutcome::Sent)
    );
    assert_eq!(
        rig.poster.calls(),
        [
            Call::Post(CONNECTION.into(), Frame::message("one", "Sam")),
            Call::Post(CONNECTION.into(), Frame::KeepAlive),
        ]
    );
    assert_eq!(rig.kept().await, 0);
}

#[tokio::test]
async fn a_delivery_refused_right_after_connect_keeps_the_messages_and_the_connection() {
    let rig = rig().await;
    rig.keep("talkdesk#m1", "one").await;
    rig.poster.fail_next([PostError::Gone]);
    assert_eq!(
        rig.keep_alive.tick(&rig.tick(0)).await,
        Ok(TickOutcome::Stopped)
    );
    assert_eq!(rig.kept().await, 1);
    let conversation = rig.store.conversation(&rig.key).await.unwrap().unwrap();
    assert_eq!(conversation.connection_id.as_deref(), Some(CONNECTION));
    // The first keep-alive delivers it.
    assert_eq!(
        rig.keep_alive.tick(&rig.tick(1)).await,
        Ok(TickOutcome::Sent)
    );
    assert_eq!(rig.kept().await, 0);
}

impl Rig {
    /// The chat ended while the customer was away, with `kept` (id, text) kept for them, and
    /// their connection came back for its farewell.
    async fn ended_away(&self, kept: &[(&str, &str)]) {
        self.store.unbind_connection(CONNECTION).await.unwrap();
        for (id, text) in kept {
            self.keep(id, text).await;
        }
        self.store.mark_ended(&self.key).await.unwrap();
        self.store
            .bind_farewell(&self.key, CONNECTION)
            .await
            .unwrap();
    }

    fn farewell(&self, sequence: u64) -> KeepAliveTick {
        KeepAliveTick {
            farewell: true,
            ..self.tick(sequence)
        }
    }
}

#[tokio::test]
async fn a_farewell_delivers_the_kept_messages_then_the_end_and_closes() {
    let rig = rig().await;
    rig.ended_away(&[
        ("talkdesk#m1", "one"),
        ("k#ended", "The agent has ended the chat."),
    ])
    .await;
    rig.keep_alive.farewell(CONNECTION, &rig.key).await.unwrap();
    assert_eq!(rig.queue.scheduled(), [(rig.farewell(0), DELIVERY_DELAY)]);

    assert_eq!(
        rig.keep_alive.tick(&rig.farewell(0)).await,
        Ok(TickOutcome::Sent)
    );
    assert_eq!(
        rig.poster.calls(),
        [
            Call::Post(CONNECTION.into(), Frame::message("one", "Sam")),
            Call::Post(
                CONNECTION.into(),
                Frame::message("The agent has ended the chat.", "Sam")
            ),
            Call::Post(CONNECTION.into(), Frame::ConversationEnded),
            Call::Close(CONNECTION.into()),
        ]
    );
    assert_eq!(rig.kept().await, 0);
    assert_eq!(rig.queue.scheduled().len(), 1, "no further tick");
    assert_eq!(
        rig.keep_alive.tick(&rig.farewell(0)).await,
        Ok(TickOutcome::Duplicate)
    );
}

#[tokio::test]
async fn a_farewell_refused_right_after_connect_is_tried_once_more() {
    let rig = rig().await;
    rig.ended_away(&[("talkdesk#m1", "one")]).await;
    rig.poster.fail_next([PostError::Gone]);
    assert_eq!(
        rig.keep_alive.tick(&rig.farewell(0)).await,
        Ok(TickOutcome::Stopped)
    );
    assert_eq!(rig.kept().await, 1);
    assert_eq!(rig.queue.scheduled(), [(rig.farewell(1), INTERVAL)]);

    rig.poster.fail_next([PostError::Gone]);
    assert_eq!(
        rig.keep_alive.tick(&rig.farewell(1)).await,
        Ok(TickOutcome::Stopped)
    );
    assert_eq!(rig.kept().await, 1, "kept for the next reconnect");
    let conversation = rig.store.conversation(&rig.key).await.unwrap().unwrap();
    assert_eq!(conversation.connection_id, None);
    assert_eq!(rig.queue.scheduled().len(), 1);
}

#[tokio::test]
async fn a_farewell_waits_for_a_delivery_under_way() {
    let rig = rig().await;
    rig.ended_away(&[("talkdesk#m1", "one")]).await;
    let lease = Duration::from_secs(30);
    rig.store
        .claim_event("outbox", "talkdesk#m1", lease)
        .await
        .unwrap();
    assert_eq!(
        rig.keep_alive.tick(&rig.farewell(0)).await,
        Err(TickError::InProgress)
    );
    assert_eq!(rig.poster.calls(), [], "the end does not overtake it");
}

#[tokio::test]
async fn a_keep_alive_of_an_ended_chat_is_no_farewell() {
    let rig = rig().await;
    rig.ended_away(&[("talkdesk#m1", "one")]).await;
    assert_eq!(
        rig.keep_alive.tick(&rig.tick(0)).await,
        Ok(TickOutcome::Stopped)
    );
    assert_eq!(rig.poster.calls(), []);
}

#[test]
fn ticks_queued_before_farewells_still_parse() {
    let old = r#"{"connection_id":"conn-A=","conversation":"abc","sequence":0}"#;
    let tick = serde_json::from_str::<KeepAliveTick>(old).unwrap();
    assert!(!tick.farewell);
    let farewell = KeepAliveTick {
        farewell: true,
        ..tick
    };
    let json = serde_json::to_string(&farewell).unwrap();
    assert_eq!(
        json,
        r#"{"connection_id":"conn-A=","conversation":"abc","sequence":0,"farewell":true}"#
    );
    assert_eq!(
        serde_json::from_str::<KeepAliveTick>(&json).unwrap(),
        farewell
    );
}
