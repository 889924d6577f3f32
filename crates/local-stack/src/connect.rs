//! A simulated Amazon Connect chat with an agent console, so the whole hand-over runs on one
//! machine with no AWS account.
//!
//! It serves, on one port, for both of the adapter's SDK clients (`AMAZON_CONNECT_ENDPOINT` and
//! `AMAZON_CONNECT_PARTICIPANT_ENDPOINT`):
//!
//! - the `connect` calls, SigV4-signed: `PUT /contact/chat` (StartChatContact, once per
//!   client token) and `POST /contact/start-streaming` (StartContactStreaming);
//! - the `connectparticipant` calls, authorised by the tokens it issued (`X-Amz-Bearer`):
//!   `POST /participant/connection`, `/participant/message` and `/participant/disconnect`,
//!   with 403 `AccessDeniedException` for a token it did not issue, an expired one, and once
//!   the chat has ended;
//! - `PUT /simulator/fault` with `{"fault": "none|no-capacity|slow|throttled|server-error"}`,
//!   which switches it into a [`ConnectFault`];
//! - the agent console at `/` (the simulated Talkdesk's page, over this simulator's chats).
//!
//! Everything said in a chat, by either side, is streamed to the stack's SNS topic and
//! delivered to the `connect-events` function as SNS does (`stream`). Kept in memory.

mod agent;
mod api;
mod console;
mod fault;
mod state;
mod stream;
#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;

pub use fault::ConnectFault;
pub use state::{EndedBy, SimChat};
pub use stream::{ACCOUNT_ID, StreamOptions, TopicSubscriber};

use state::State;
use stream::{ChatEvent, Topic};

/// The instance, flow and topic the stack's adapter is configured with, unless the
/// environment names others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectInstance {
    /// `AMAZON_CONNECT_INSTANCE_ID`.
    pub instance_id: String,
    /// `AMAZON_CONNECT_CONTACT_FLOW_ID`.
    pub contact_flow_id: String,
    /// `AMAZON_CONNECT_STREAMING_TOPIC_ARN`: the topic `connect-events` is subscribed to.
    pub topic_arn: String,
}

impl Default for ConnectInstance {
    fn default() -> Self {
        Self {
            instance_id: "local-connect-instance".into(),
            contact_flow_id: "local-chat-flow".into(),
            topic_arn: format!(
                "arn:aws:sns:{}:{ACCOUNT_ID}:local-connect-chat-stream",
                crate::REGION
            ),
        }
    }
}

/// The simulated Amazon Connect. Cheap to clone; clones share one state.
#[derive(Clone)]
pub struct SimulatedConnect {
    inner: Arc<Inner>,
}

struct Inner {
    instance: ConnectInstance,
    topic: Topic,
    state: Mutex<State>,
    /// The fault, and how many more requests it applies to (`None`: all).
    fault: Mutex<(ConnectFault, Option<usize>)>,
}

impl SimulatedConnect {
    /// An Amazon Connect instance whose chats stream to `instance.topic_arn`, delivered to
    /// `subscriber` as SNS delivers them with `options`.
    pub fn new(
        instance: ConnectInstance,
        subscriber: Arc<dyn TopicSubscriber>,
        options: StreamOptions,
    ) -> Self {
        let topic = Topic::new(
            instance.topic_arn.clone(),
            instance.instance_id.clone(),
            subscriber,
            options,
        );
        Self {
            inner: Arc::new(Inner {
                instance,
                topic,
                state: Mutex::new(State::default()),
                fault: Mutex::default(),
            }),
        }
    }

    /// The services and the agent console, to be served on their own port.
    pub fn router(&self) -> Router {
        api::routes()
            .merge(console::routes())
            .with_state(self.clone())
    }

    /// From now on the simulator misbehaves as `fault` says.
    pub fn set_fault(&self, fault: ConnectFault) {
        *self.fault_lock() = (fault, None);
    }

    /// The next `requests` requests the fault applies to misbehave, then it works.
    pub fn set_fault_for(&self, fault: ConnectFault, requests: usize) {
        *self.fault_lock() = (fault, Some(requests));
    }

    /// Whether `fault` applies to this request (and counts it if it does).
    fn fault_applies(&self, wanted: impl Fn(ConnectFault) -> bool) -> Option<ConnectFault> {
        let mut fault = self.fault_lock();
        match &mut *fault {
            (current, _) if !wanted(*current) => None,
            (_, Some(0)) => None,
            (current, Some(left)) => {
                *left -= 1;
                Some(*current)
            }
            (current, None) => Some(*current),
        }
    }

    fn fault_lock(&self) -> MutexGuard<'_, (ConnectFault, Option<usize>)> {
        self.inner
            .fault
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Every chat started so far, oldest first.
    pub fn chats(&self) -> Vec<SimChat> {
        self.state()
            .chats()
            .iter()
            .map(|chat| chat.chat.clone())
            .collect()
    }

    /// Every participant and connection token issued (for tests that check none is logged).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.state().tokens().map(str::to_owned).collect()
    }

    /// Every connection token issued so far expires now, as a day later.
    pub fn expire_connection_tokens(&self) {
        self.state().expire_connection_tokens();
    }

    /// Waits until every event streamed so far has been delivered (retries included), so that
    /// what the customer is shown can be checked.
    pub async fn settled(&self) {
        self.inner.topic.settled().await;
    }

    /// Streams `events` to the topic, if streaming was started for their chat.
    fn stream(&self, streaming: bool, events: &[ChatEvent]) {
        if streaming {
            for event in events {
                self.inner.topic.publish(event);
            }
        }
    }

    /// The state; a panic elsewhere while it was held leaves nothing half-written that matters
    /// here, so a poisoned lock is used as it is.
    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
