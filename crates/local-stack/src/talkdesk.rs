//! A simulated Talkdesk Digital Connect with an agent console, so the whole hand-over runs on
//! one machine with no Talkdesk account.
//!
//! It serves, on one port:
//!
//! - the API our Talkdesk client calls: `POST /oauth/token`,
//!   `POST /digital-connect/conversations`, `POST /digital-connect/conversations/{id}/messages`
//!   and `DELETE /digital-connect/conversations/{id}`, with Talkdesk's answers and error bodies;
//! - `PUT /simulator/fault` with `{"fault": "none|slow|throttled|server-error|closed"}`, which
//!   switches Send a Message into a [`Fault`];
//! - the agent console at `/`, where a person (or the browser test) sees each conversation with
//!   its subject, contact, context parameters and bot transcript, reads the customer's messages
//!   as they arrive, and accepts, replies and ends.
//!
//! The agent's actions reach the project's callback API as Talkdesk Connections actions would:
//! `POST {callback_url}/conversation_started`, `/message_created`, `/conversation_ended` with
//! `x-api-key` and the bodies of `schemas/talkdesk/*.input.json`. Everything is kept in memory.

mod agent;
mod api;
mod callback;
mod console;
mod fault;
mod oauth;
mod state;
#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;

use callback::CallbackClient;
pub use fault::Fault;
pub use state::SimConversation;
use state::State;

/// The simulated Talkdesk. Cheap to clone; clones share one state.
#[derive(Clone)]
pub struct SimulatedTalkdesk {
    inner: Arc<Inner>,
}

struct Inner {
    client_id: String,
    client_secret: String,
    touchpoint_id: String,
    callback: CallbackClient,
    state: Mutex<State>,
    /// The fault, and how many more Send a Message requests it applies to (`None`: all).
    fault: Mutex<(Fault, Option<usize>)>,
}

impl SimulatedTalkdesk {
    /// A Talkdesk that issues tokens to `client_id`/`client_secret`, takes conversations for
    /// `touchpoint_id`, and delivers the agent's events under `callback_url` (the callback API's
    /// base, e.g. `http://127.0.0.1:P/local/talkdesk`) with `api_key` in `x-api-key`.
    pub fn new(
        callback_url: String,
        api_key: String,
        client_id: String,
        client_secret: String,
        touchpoint_id: String,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                client_id,
                client_secret,
                touchpoint_id,
                callback: CallbackClient::new(callback_url, api_key),
                state: Mutex::new(State::default()),
                fault: Mutex::default(),
            }),
        }
    }

    /// The API and the agent console, to be served on their own port.
    pub fn router(&self) -> Router {
        api::routes()
            .merge(console::routes())
            .with_state(self.clone())
    }

    /// From now on Send a Message misbehaves as `fault` says.
    pub fn set_fault(&self, fault: Fault) {
        *self.fault_lock() = (fault, None);
    }

    /// The next `requests` Send a Message requests misbehave as `fault` says, then it works.
    pub fn set_fault_for(&self, fault: Fault, requests: usize) {
        *self.fault_lock() = (fault, Some(requests));
    }

    /// The fault of one Send a Message request.
    fn fault(&self) -> Fault {
        let mut fault = self.fault_lock();
        match &mut *fault {
            (_, Some(0)) => Fault::None,
            (current, Some(left)) => {
                *left -= 1;
                *current
            }
            (current, None) => *current,
        }
    }

    fn fault_lock(&self) -> MutexGuard<'_, (Fault, Option<usize>)> {
        self.inner
            .fault
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Every conversation started so far, oldest first.
    pub async fn conversations(&self) -> Vec<SimConversation> {
        self.state()
            .records()
            .iter()
            .map(|record| record.conversation.clone())
            .collect()
    }

    /// The access tokens issued and not yet expired (for tests that check none is logged).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.state().tokens().map(str::to_owned).collect()
    }

    /// The agent accepts the conversation: `conversation_started` is delivered. Answers the
    /// callback's HTTP status, or why nothing was delivered.
    pub async fn accept(&self, conversation_id: &str, author: &str) -> Result<u16, String> {
        status_of(self.agent_accept(conversation_id, author).await)
    }

    /// The agent writes `text` as `author`: `message_created` is delivered, after
    /// `conversation_started` the first time. Answers the callback's HTTP status (e.g. 410 when
    /// the customer has left), or why nothing was delivered.
    pub async fn reply(
        &self,
        conversation_id: &str,
        text: &str,
        author: &str,
    ) -> Result<u16, String> {
        status_of(self.agent_reply(conversation_id, text, author).await)
    }

    /// The agent ends the conversation: `conversation_ended` is delivered. Answers the
    /// callback's HTTP status, or why nothing was delivered.
    pub async fn end(&self, conversation_id: &str, author: &str) -> Result<u16, String> {
        status_of(self.agent_end(conversation_id, author).await)
    }

    /// Whether a token request came with this simulator's client id and secret.
    fn client_matches(&self, credentials: Option<(String, String)>) -> bool {
        credentials.is_some_and(|(id, secret)| {
            id == self.inner.client_id && secret == self.inner.client_secret
        })
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

fn status_of(result: Result<state::CallbackAnswer, agent::AgentError>) -> Result<u16, String> {
    result
        .map(|answer| answer.status)
        .map_err(|err| err.to_string())
}
