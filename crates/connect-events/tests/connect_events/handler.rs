//! Whole SNS events through `connect_events::handle`, with the in-memory store and a poster
//! that records every frame.

use std::sync::Arc;

use super::*;
use aws_lambda_events::sns::SnsEvent;
use connect_events::{RetryLater, handle};
use conversation_store::MemoryStore;
use handover::agent_events::{AgentEventSettings, AgentEvents};
use handover::connections::{Frame, PostError};
use handover::conversation::{ConversationKey, ConversationStatus, Provider};
use handover::errors::Cause;
use handover::store::Conversations;
use lambda_runtime::{Context, LambdaEvent};
use test_support::conversations::store_conversation;
use test_support::fakes::{Call, RecordingPoster};
use test_support::files::event;

const CONNECTION: &str = "Jx3kPcQ0IAMCJWA=";
const GOODBYE: &str = "The agent has ended the chat. Press End Live Chat to go back to the bot.";

pub(crate) struct Rig {
    events: AgentEvents,
    pub(crate) store: Arc<MemoryStore>,
    pub(crate) poster: Arc<RecordingPoster>,
    key: ConversationKey,
}

impl Rig {
    pub(crate) async fn invoke(&self, event: SnsEvent) -> Result<(), lambda_runtime::Error> {
        handle(&self.events, LambdaEvent::new(event, Context::default())).await
    }

    async fn status(&self) -> ConversationStatus {
        let conversation = self.store.conversation(&self.key).await.unwrap().unwrap();
        conversation.status
    }
}

/// An Amazon Connect chat stored under [`INITIAL`], its customer connected on [`CONNECTION`].
pub(crate) async fn rig() -> Rig {
    let store = Arc::new(MemoryStore::new());
    let poster = Arc::new(RecordingPoster::default());
    let key = store_conversation(&*store, Provider::AmazonConnect, INITIAL)
        .await
        .key;
    store.bind_connection(&key, CONNECTION).await.unwrap();
    Rig {
        events: AgentEvents::new(store.clone(), poster.clone(), AgentEventSettings::default()),
        store,
        poster,
        key,
    }
}

fn shown(text: &str) -> Call {
    Call::Post(CONNECTION.into(), Frame::message(text, "Sam"))
}

fn sample(name: &str) -> SnsEvent {
    serde_json::from_value(event(name)).unwrap_or_else(|err| panic!("events/{name}: {err}"))
}

#[tokio::test]
async fn an_agent_message_delivered_twice_is_shown_once() {
    let rig = rig().await;
    let message = agent_text("m-1", "Hello, I'm Sam.");
    rig.invoke(sns_event([message.clone(), message.clone()]))
        .await
        .unwrap();
    rig.invoke(sns_event([message])).await.unwrap();
    assert_eq!(rig.poster.calls(), [shown("Hello, I'm Sam.")]);
}

#[tokio::test]
async fn the_customers_own_message_echoed_back_is_dropped() {
    let rig = rig().await;
    rig.invoke(sample("connect-customer-message.json"))
        .await
        .unwrap();
    assert_eq!(rig.poster.calls(), []);
}

#[tokio::test]
async fn the_sample_agent_message_reaches_the_customer() {
    let rig = rig().await;
    rig.invoke(sample("connect-agent-message.json"))
        .await
        .unwrap();
    assert_eq!(
        rig.poster.calls(),
        [shown("Hi Jane, I'm Sam. Let me look into your order.")]
    );
}

#[tokio::test]
async fn the_chat_ending_tells_the_customer_and_ends_the_conversation() {
    let rig = rig().await;
    rig.invoke(sample("connect-chat-ended.json")).await.unwrap();
    assert_eq!(
        rig.poster.calls(),
        [
            Call::Post(CONNECTION.into(), Frame::message(GOODBYE, "Agent")),
            Call::Post(CONNECTION.into(), Frame::ConversationEnded),
            Call::Close(CONNECTION.into()),
        ]
    );
    assert_eq!(rig.status().await, ConversationStatus::Ended);
}

#[tokio::test]
async fn the_agent_leaving_ends_the_chat_for_the_customer() {
    let rig = rig().await;
    rig.invoke(sns_event([connect_event(LEFT, Some("AGENT"))]))
        .await
        .unwrap();
    assert_eq!(rig.status().await, ConversationStatus::Ended);
    assert_eq!(rig.poster.closed(), [CONNECTION]);
}

#[tokio::test]
async fn a_malformed_record_among_good_ones_does_not_stop_them() {
    let rig = rig().await;
    let event = sns_event([
        agent_text("m-1", "one"),
        sns("not json at all".into(), &[]),
        agent_text_without_id(),
        agent_text("m-2", "two"),
    ]);
    rig.invoke(event).await.unwrap();
    assert_eq!(rig.poster.calls(), [shown("one"), shown("two")]);
}

fn agent_text_without_id() -> SnsMessage {
    let mut sns = agent_text("m-x", "lost");
    sns.message = sns.message.replace("\"Id\":\"m-x\",", "");
    sns
}

#[tokio::test]
async fn a_transferred_chat_is_still_found_by_its_initial_contact() {
    let rig = rig().await;
    let mut message = agent_text("m-1", "I'm Kim, taking over from Sam.");
    message.message = message.message.replace(
        &format!("\"ContactId\":\"{INITIAL}\""),
        "\"ContactId\":\"c-2\"",
    );
    rig.invoke(sns_event([message])).await.unwrap();
    assert_eq!(
        rig.poster.calls(),
        [shown("I'm Kim, taking over from Sam.")]
    );
}

#[tokio::test]
async fn typing_reaches_a_connected_customer() {
    let rig = rig().await;
    rig.invoke(sns_event([connect_event(TYPING, Some("AGENT"))]))
        .await
        .unwrap();
    assert_eq!(
        rig.poster.calls(),
        [Call::Post(
            CONNECTION.into(),
            Frame::Typing {
                author_name: "Sam".into()
            }
        )]
    );
}

#[tokio::test]
async fn a_failure_a_retry_may_mend_fails_the_invocation_and_the_retry_shows_it_once() {
    let rig = rig().await;
    let failed = Cause::new(std::io::Error::other("throttled"));
    rig.poster.fail_next([PostError::Failed(failed)]);
    let event = || sns_event([agent_text("m-1", "one"), agent_text("m-2", "two")]);

    let error = rig.invoke(event()).await.unwrap_err();
    let retry = error.downcast_ref::<RetryLater>().expect("a RetryLater");
    assert_eq!(retry.0, 1, "only the failed record counts");
    assert_eq!(
        rig.poster.frames(CONNECTION),
        [Frame::message("two", "Sam")]
    );

    // Lambda retries the whole event: the message shown already is not shown again.
    rig.invoke(event()).await.unwrap();
    assert_eq!(
        rig.poster.frames(CONNECTION),
        [Frame::message("two", "Sam"), Frame::message("one", "Sam")]
    );
}

#[tokio::test]
async fn an_event_for_a_chat_not_handed_over_here_is_not_retried() {
    let rig = rig().await;
    let mut message = agent_text("m-1", "Hello");
    message.message = message.message.replace(INITIAL, "some-other-contact");
    message.message_attributes.clear();
    rig.invoke(sns_event([message])).await.unwrap();
    assert_eq!(rig.poster.calls(), []);
}
