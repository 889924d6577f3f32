//! The agent events end to end in process: what agents did, through `AgentEvents::handle`, with
//! the in-memory store and a poster that records every frame.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use conversation_store::MemoryStore;
use handover::agent_events::{
    AgentAction, AgentEvent, AgentEventError, AgentEventSettings, AgentEvents, MESSAGE_LEASE,
    Outcome,
};
use handover::clock::ManualClock;
use handover::connections::{Frame, PostError};
use handover::conversation::{ConversationKey, ConversationStatus, Provider};
use handover::errors::Cause;
use handover::store::lifetime::DEFAULT_LIFETIME;
use handover::store::{Claim, HandledEvents};
use handover::store::{Conversations, Outboxes};

use test_support::conversations::store_conversation;
use test_support::fakes::{Call, RecordingPoster};

mod leaving;
mod outbox;
mod typing;

const TALKDESK_ID: &str = "td-conversation-1";
const CONNECTION: &str = "conn-1";
const ENDED: &str = "The agent has ended the chat. Press End Live Chat to go back to the bot.";

struct Rig {
    events: AgentEvents,
    store: Arc<MemoryStore>,
    clock: Arc<ManualClock>,
    poster: Arc<RecordingPoster>,
    key: ConversationKey,
}

impl Rig {
    async fn handle(&self, event: AgentEvent) -> Result<Outcome, AgentEventError> {
        self.events.handle(&event).await
    }

    async fn status(&self) -> ConversationStatus {
        self.conversation().await.status
    }

    async fn connection(&self) -> Option<String> {
        self.conversation().await.connection_id
    }

    async fn conversation(&self) -> handover::conversation::Conversation {
        self.store.conversation(&self.key).await.unwrap().unwrap()
    }

    /// The ids of the messages kept for the customer, oldest first.
    async fn kept(&self) -> Vec<String> {
        let kept = self.store.kept_messages(&self.key).await.unwrap();
        kept.into_iter().map(|message| message.id).collect()
    }
}

/// A Talkdesk conversation whose customer is connected on [`CONNECTION`].
async fn rig(settings: AgentEventSettings) -> Rig {
    let rig = unconnected_rig(settings).await;
    rig.store
        .bind_connection(&rig.key, CONNECTION)
        .await
        .unwrap();
    rig
}

/// A Talkdesk conversation whose customer has no connection.
async fn unconnected_rig(settings: AgentEventSettings) -> Rig {
    let clock = Arc::new(ManualClock::at(1_800_000_000));
    let store = Arc::new(MemoryStore::new().with_clock(clock.clone()));
    let poster = Arc::new(RecordingPoster::default());
    let key = store_conversation(&*store, Provider::Talkdesk, TALKDESK_ID)
        .await
        .key;
    Rig {
        events: AgentEvents::new(store.clone(), poster.clone(), settings).with_clock(clock.clone()),
        store,
        clock,
        poster,
        key,
    }
}

fn event(action: AgentAction) -> AgentEvent {
    AgentEvent::new(Provider::Talkdesk, TALKDESK_ID, Some("Sam"), action)
}

fn message(message_id: &str, content: &str) -> AgentEvent {
    event(AgentAction::Message {
        id: message_id.into(),
        text: content.into(),
    })
}

fn started() -> AgentEvent {
    event(AgentAction::Joined)
}

fn ended() -> AgentEvent {
    event(AgentAction::Ended)
}

/// What a throttled Management API call says.
fn throttled() -> Cause {
    Cause::new(io::Error::other("LimitExceededException: throttled"))
}

fn posted(frame: Frame) -> Call {
    Call::Post(CONNECTION.into(), frame)
}

#[tokio::test]
async fn an_agent_message_is_shown_as_an_agent_bubble() {
    let rig = rig(AgentEventSettings::default()).await;
    assert_eq!(
        rig.handle(message("m1", "Hello, I'm Sam.")).await,
        Ok(Outcome::Delivered)
    );
    assert_eq!(
        rig.poster.calls(),
        [posted(Frame::message("Hello, I'm Sam.", "Sam"))]
    );
}

#[tokio::test]
async fn a_message_without_an_author_is_signed_with_the_default_name() {
    let rig = rig(AgentEventSettings::default()).await;
    let anonymous = AgentEvent {
        author_name: None,
        ..message("m1", "Hi")
    };
    rig.handle(anonymous).await.unwrap();
    assert_eq!(rig.poster.calls(), [posted(Frame::message("Hi", "Agent"))]);
}

#[tokio::test]
async fn a_repeated_message_is_shown_once() {
    let rig = rig(AgentEventSettings::default()).await;
    assert_eq!(
        rig.handle(message("m1", "Hi")).await,
        Ok(Outcome::Delivered)
    );
    assert_eq!(
        rig.handle(message("m1", "Hi")).await,
        Ok(Outcome::Duplicate)
    );
    assert_eq!(
        rig.handle(message("m1", "Hi")).await,
        Ok(Outcome::Duplicate)
    );
    assert_eq!(
        rig.handle(message("m2", "Still there?")).await,
        Ok(Outcome::Delivered)
    );
    assert_eq!(
        rig.poster.calls(),
        [
            posted(Frame::message("Hi", "Sam")),
            posted(Frame::message("Still there?", "Sam"))
        ]
    );
}

#[tokio::test]
async fn the_retry_of_a_failed_message_is_shown_and_only_once() {
    let rig = rig(AgentEventSettings::default()).await;
    rig.poster.fail_next([PostError::Failed(throttled())]);
    assert_eq!(
        rig.handle(message("m1", "Hi")).await,
        Err(AgentEventError::Connection(throttled()))
    );
    assert_eq!(
        rig.handle(message("m1", "Hi")).await,
        Ok(Outcome::Delivered)
    );
    assert_eq!(
        rig.handle(message("m1", "Hi")).await,
        Ok(Outcome::Duplicate)
    );
    assert_eq!(
        rig.poster.calls(),
        [
            Call::Refused(CONNECTION.into(), Frame::message("Hi", "Sam")),
            posted(Frame::message("Hi", "Sam"))
        ]
    );
}

#[tokio::test]
async fn a_retry_overlapping_a_delivery_waits_and_the_message_is_shown_once() {
    let rig = Arc::new(rig(AgentEventSettings::default()).await);
    let hold = rig.poster.hold_next_post();
    let first = tokio::spawn({
        let rig = rig.clone();
        async move { rig.handle(message("m1", "Hi")).await }
    });
    hold.entered().await;
    assert_eq!(
        rig.handle(message("m1", "Hi")).await,
        Err(AgentEventError::InProgress),
        "a retry while the first attempt posts is asked to try again, not told duplicate"
    );
    hold.release();
    assert_eq!(first.await.unwrap(), Ok(Outcome::Delivered));
    assert_eq!(
        rig.handle(message("m1", "Hi")).await,
        Ok(Outcome::Duplicate)
    );
    assert_eq!(rig.poster.calls(), [posted(Frame::message("Hi", "Sam"))]);
}

#[tokio::test]
async fn a_message_whose_delivery_died_half_way_is_delivered_by_a_retry() {
    let rig = rig(AgentEventSettings::default()).await;
    // An attempt claimed the message, then its Lambda died before posting.
    let claim = rig
        .store
        .claim_event("talkdesk", "m1", MESSAGE_LEASE)
        .await
        .unwrap();
    assert_eq!(claim, Claim::Claimed);
    assert_eq!(
        rig.handle(message("m1", "Hi")).await,
        Err(AgentEventError::InProgress)
    );
    rig.clock.advance(MESSAGE_LEASE);
    assert_eq!(
        rig.handle(message("m1", "Hi")).await,
        Ok(Outcome::Delivered)
    );
    assert_eq!(
        rig.handle(message("m1", "Hi")).await,
        Ok(Outcome::Duplicate)
    );
    assert_eq!(rig.poster.calls(), [posted(Frame::message("Hi", "Sam"))]);
}

#[tokio::test]
async fn agent_messages_within_a_quarter_of_the_lifetime_write_nothing_to_the_conversation() {
    let rig = rig(AgentEventSettings::default()).await;
    let before = rig.conversation().await;
    rig.clock
        .advance(DEFAULT_LIFETIME / 4 - Duration::from_secs(1));
    for (id, text) in [("m1", "Hi"), ("m2", "How can I help?")] {
        assert_eq!(rig.handle(message(id, text)).await, Ok(Outcome::Delivered));
    }
    assert_eq!(rig.conversation().await.version, before.version);
}

#[tokio::test]
async fn an_agent_message_refreshes_the_conversations_lifetime() {
    let rig = rig(AgentEventSettings::default()).await;
    let lifetime = DEFAULT_LIFETIME;
    rig.clock.advance(lifetime - Duration::from_secs(60));
    assert_eq!(
        rig.handle(message("m1", "Hi")).await,
        Ok(Outcome::Delivered)
    );
    rig.clock.advance(Duration::from_secs(120));
    assert_eq!(
        rig.connection().await.as_deref(),
        Some(CONNECTION),
        "the chat outlives its first lifetime because the agent wrote"
    );
}

#[tokio::test]
async fn a_gone_connection_is_unbound_and_its_message_kept() {
    let rig = rig(AgentEventSettings::default()).await;
    rig.poster.fail_next([PostError::Gone]);
    assert_eq!(rig.handle(message("m1", "Hi")).await, Ok(Outcome::Queued));
    assert_eq!(rig.kept().await, ["talkdesk#m1"]);
    assert_eq!(rig.connection().await, None);
    assert_eq!(
        rig.store
            .conversation_by_connection(CONNECTION)
            .await
            .unwrap(),
        None
    );
    assert_eq!(rig.status().await, ConversationStatus::Pending);
}

#[tokio::test]
async fn a_message_for_a_customer_gone_longer_than_the_grace_period_is_reported() {
    let rig = unconnected_rig(AgentEventSettings::default()).await;
    rig.clock
        .advance(AgentEventSettings::default().reconnect_grace);
    assert_eq!(
        rig.handle(message("m1", "Hi")).await,
        Ok(Outcome::CustomerDisconnected)
    );
    assert_eq!(rig.poster.calls(), []);
    assert_eq!(rig.kept().await, Vec::<String>::new());
    // Nothing was claimed: once the customer is back, the retry is shown.
    rig.store
        .bind_connection(&rig.key, CONNECTION)
        .await
        .unwrap();
    assert_eq!(
        rig.handle(message("m1", "Hi")).await,
        Ok(Outcome::Delivered)
    );
}

#[tokio::test]
async fn a_message_into_an_ended_chat_is_not_shown() {
    let rig = rig(AgentEventSettings::default()).await;
    rig.store.mark_ended(&rig.key).await.unwrap();
    assert_eq!(
        rig.handle(message("m1", "Hi")).await,
        Ok(Outcome::CustomerDisconnected)
    );
    assert_eq!(rig.poster.calls(), []);
}

#[tokio::test]
async fn an_unknown_conversation_is_reported_and_nothing_is_sent() {
    let rig = rig(AgentEventSettings::default()).await;
    let stranger = AgentEvent {
        provider_conversation_id: "td-other".into(),
        ..message("m1", "Hi")
    };
    assert_eq!(rig.handle(stranger).await, Ok(Outcome::UnknownConversation));
    assert_eq!(rig.poster.calls(), []);
}

#[tokio::test]
async fn another_providers_event_with_the_same_id_is_not_this_conversation() {
    let rig = rig(AgentEventSettings::default()).await;
    let elsewhere = AgentEvent {
        provider: Provider::AmazonConnect,
        ..message("m1", "Hi")
    };
    assert_eq!(
        rig.handle(elsewhere).await,
        Ok(Outcome::UnknownConversation)
    );
    assert_eq!(rig.poster.calls(), []);
}

#[tokio::test]
async fn message_ids_are_deduplicated_per_provider() {
    let rig = rig(AgentEventSettings::default()).await;
    let connect_key = store_conversation(&*rig.store, Provider::AmazonConnect, "connect-contact-1")
        .await
        .key;
    rig.store
        .bind_connection(&connect_key, "conn-2")
        .await
        .unwrap();
    let from_connect = AgentEvent::new(
        Provider::AmazonConnect,
        "connect-contact-1",
        Some("Ana"),
        AgentAction::Message {
            id: "m1".into(),
            text: "Hello from Connect".into(),
        },
    );
    assert_eq!(
        rig.handle(message("m1", "Hi")).await,
        Ok(Outcome::Delivered)
    );
    assert_eq!(
        rig.handle(from_connect.clone()).await,
        Ok(Outcome::Delivered)
    );
    assert_eq!(rig.handle(from_connect).await, Ok(Outcome::Duplicate));
    assert_eq!(
        rig.poster.calls(),
        [
            posted(Frame::message("Hi", "Sam")),
            Call::Post("conn-2".into(), Frame::message("Hello from Connect", "Ana")),
        ]
    );
}

#[tokio::test]
async fn the_agent_leaving_ends_the_chat_as_an_end_does() {
    let left = rig(AgentEventSettings::default()).await;
    let ended_rig = rig(AgentEventSettings::default()).await;
    assert_eq!(
        left.handle(event(AgentAction::Left)).await,
        Ok(Outcome::Delivered)
    );
    assert_eq!(ended_rig.handle(ended()).await, Ok(Outcome::Delivered));
    assert_eq!(left.status().await, ConversationStatus::Ended);
    assert_eq!(left.poster.calls(), ended_rig.poster.calls());
    assert_eq!(
        left.handle(event(AgentAction::Left)).await,
        Ok(Outcome::AlreadyEnded)
    );
}

#[tokio::test]
async fn the_agent_joining_says_nothing_by_default() {
    let rig = rig(AgentEventSettings::default()).await;
    assert_eq!(rig.handle(started()).await, Ok(Outcome::Delivered));
    assert_eq!(rig.status().await, ConversationStatus::Connected);
    assert_eq!(rig.poster.calls(), []);
}

#[tokio::test]
async fn the_agent_joining_says_the_configured_message() {
    let settings = AgentEventSettings {
        joined_message: Some("Sam has joined the chat.".into()),
        ..AgentEventSettings::default()
    };
    let rig = rig(settings).await;
    assert_eq!(rig.handle(started()).await, Ok(Outcome::Delivered));
    assert_eq!(rig.status().await, ConversationStatus::Connected);
    assert_eq!(
        rig.poster.calls(),
        [posted(Frame::message("Sam has joined the chat.", "Sam"))]
    );
}

#[tokio::test]
async fn the_agent_joining_a_chat_without_its_customer_is_recorded_and_kept() {
    let settings = AgentEventSettings {
        joined_message: Some("Sam has joined the chat.".into()),
        ..AgentEventSettings::default()
    };
    let rig = unconnected_rig(settings.clone()).await;
    assert_eq!(rig.handle(started()).await, Ok(Outcome::Queued));
    assert_eq!(rig.status().await, ConversationStatus::Connected);
    assert_eq!(rig.poster.calls(), []);
    assert_eq!(rig.kept().await, [format!("{}#joined", rig.key)]);

    let late = unconnected_rig(settings).await;
    late.clock.advance(Duration::from_secs(300));
    assert_eq!(
        late.handle(started()).await,
        Ok(Outcome::CustomerDisconnected)
    );
    assert_eq!(late.status().await, ConversationStatus::Connected);
}

#[tokio::test]
async fn the_agent_joining_a_chat_the_customer_ended_is_reported() {
    let rig = rig(AgentEventSettings::default()).await;
    rig.store.mark_ended(&rig.key).await.unwrap();
    assert_eq!(
        rig.handle(started()).await,
        Ok(Outcome::CustomerDisconnected)
    );
    assert_eq!(rig.status().await, ConversationStatus::Ended);
}

#[tokio::test]
async fn the_agent_ending_tells_the_customer_then_ends_and_closes() {
    let rig = rig(AgentEventSettings::default()).await;
    assert_eq!(rig.handle(ended()).await, Ok(Outcome::Delivered));
    assert_eq!(
        rig.poster.calls(),
        [
            posted(Frame::message(ENDED, "Sam")),
            posted(Frame::ConversationEnded),
            Call::Close(CONNECTION.into()),
        ]
    );
    assert_eq!(rig.status().await, ConversationStatus::Ended);
}

#[tokio::test]
async fn ending_twice_tells_the_customer_once() {
    let rig = rig(AgentEventSettings::default()).await;
    assert_eq!(rig.handle(ended()).await, Ok(Outcome::Delivered));
    assert_eq!(rig.handle(ended()).await, Ok(Outcome::AlreadyEnded));
    assert_eq!(rig.poster.calls().len(), 3, "{:?}", rig.poster.calls());
}

#[tokio::test]
async fn ends_delivered_at_once_tell_the_customer_once() {
    let rig = Arc::new(rig(AgentEventSettings::default()).await);
    let hold = rig.poster.hold_next_post();
    let first = tokio::spawn({
        let rig = rig.clone();
        async move { rig.handle(ended()).await }
    });
    hold.entered().await;
    // The agent leaving, or the same end delivered again, while the first posts the goodbye.
    assert_eq!(
        rig.handle(event(AgentAction::Left)).await,
        Err(AgentEventError::InProgress),
        "an end overlapping another is asked to try again"
    );
    hold.release();
    assert_eq!(first.await.unwrap(), Ok(Outcome::Delivered));
    assert_eq!(rig.handle(ended()).await, Ok(Outcome::AlreadyEnded));
    assert_eq!(
        rig.poster.calls(),
        [
            posted(Frame::message(ENDED, "Sam")),
            posted(Frame::ConversationEnded),
            Call::Close(CONNECTION.into()),
        ]
    );
}

#[tokio::test]
async fn ending_with_a_gone_connection_keeps_the_goodbye() {
    let rig = rig(AgentEventSettings::default()).await;
    rig.poster.fail_next([PostError::Gone]);
    assert_eq!(rig.handle(ended()).await, Ok(Outcome::Queued));
    assert_eq!(rig.status().await, ConversationStatus::Ended);
    assert_eq!(rig.connection().await, None);
    assert_eq!(
        rig.poster.calls(),
        [Call::Refused(
            CONNECTION.into(),
            Frame::message(ENDED, "Sam")
        )]
    );
    assert_eq!(rig.kept().await, [format!("{}#ended", rig.key)]);
}

#[tokio::test]
async fn ending_long_after_the_customer_went_still_ends_the_conversation() {
    let rig = unconnected_rig(AgentEventSettings::default()).await;
    rig.clock
        .advance(AgentEventSettings::default().reconnect_grace);
    assert_eq!(rig.handle(ended()).await, Ok(Outcome::CustomerDisconnected));
    assert_eq!(rig.status().await, ConversationStatus::Ended);
    assert_eq!(rig.poster.calls(), []);
    assert_eq!(rig.kept().await, Vec::<String>::new());
}

#[tokio::test]
async fn an_ending_that_could_not_be_told_is_not_recorded_so_its_retry_tells_it() {
    let rig = rig(AgentEventSettings::default()).await;
    rig.poster
        .fail_next([PostError::Failed(Cause::new(io::Error::other(
            "internal error",
        )))]);
    assert!(matches!(
        rig.handle(ended()).await,
        Err(AgentEventError::Connection(_))
    ));
    assert_eq!(rig.status().await, ConversationStatus::Pending);
    assert_eq!(rig.handle(ended()).await, Ok(Outcome::Delivered));
    assert_eq!(rig.status().await, ConversationStatus::Ended);
}
