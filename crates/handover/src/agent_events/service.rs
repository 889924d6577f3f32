//! Acting on one agent event: find the conversation, tell the customer, record the change.

use std::sync::Arc;
use std::time::Duration;

use tracing::{info, warn};

use super::event::{AgentAction, AgentEvent};
use super::settings::AgentEventSettings;
use crate::connections::{ConnectionPoster, Frame, PostError};
use crate::conversation::{Conversation, ConversationStatus, Provider};
use crate::errors::{Cause, chain};
use crate::store::{Claim, ConversationStore, StoreError};

/// How long a delivery attempt holds an agent message before another may take it over: longer
/// than the callback function's timeout (10 s in the template), so that only an attempt that
/// died loses its claim.
pub const MESSAGE_LEASE: Duration = Duration::from_secs(30);

/// What became of an event that was handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done, and whatever the customer had to be shown reached them.
    Delivered,
    /// A message already shown; it was not shown again.
    Duplicate,
    /// An end for a conversation that had already ended.
    AlreadyEnded,
    /// No conversation has this provider id (never started here, or its lifetime ran out).
    UnknownConversation,
    /// The customer is not connected (left, or ended the chat), so they did not see the
    /// event; the agent should end the chat. An end is still recorded.
    CustomerDisconnected,
}

/// An event that could not be handled now; the contact center may retry it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgentEventError {
    /// The conversation store failed.
    #[error("the conversation store failed")]
    Store(#[from] StoreError),
    /// Another attempt is delivering this message right now; retry in a few seconds.
    #[error("another attempt is delivering this message")]
    InProgress,
    /// The customer's connection could not be reached (other than being gone).
    #[error("the customer's connection could not be reached")]
    Connection(#[source] Cause),
}

/// Whether the customer's connection took a frame.
enum Posted {
    Yes,
    Gone,
}

/// The agent side of the live chat, with everything it depends on behind ports.
pub struct AgentEvents {
    store: Arc<dyn ConversationStore>,
    connections: Arc<dyn ConnectionPoster>,
    settings: AgentEventSettings,
}

impl AgentEvents {
    /// The agent events over these ports.
    pub fn new(
        store: Arc<dyn ConversationStore>,
        connections: Arc<dyn ConnectionPoster>,
        settings: AgentEventSettings,
    ) -> Self {
        Self {
            store,
            connections,
            settings,
        }
    }

    /// Acts on `event` and says what became of it.
    pub async fn handle(&self, event: &AgentEvent) -> Result<Outcome, AgentEventError> {
        let Some(conversation) = self.conversation_of(event).await? else {
            info!(
                provider = %event.provider,
                action = event.action.name(),
                provider_conversation = event.provider_conversation_id,
                "agent event for an unknown conversation"
            );
            return Ok(Outcome::UnknownConversation);
        };
        let author = event
            .author_name
            .as_deref()
            .unwrap_or(&self.settings.default_author_name);
        let outcome = match &event.action {
            AgentAction::Joined => self.joined(&conversation, author).await?,
            AgentAction::Message { id, text } => {
                self.message(&conversation, event.provider, id, text, author)
                    .await?
            }
            AgentAction::Ended | AgentAction::Left => self.ended(&conversation, author).await?,
        };
        info!(
            conversation = %conversation.key,
            provider = %event.provider,
            action = event.action.name(),
            ?outcome,
            "agent event handled"
        );
        Ok(outcome)
    }

    /// The conversation the event is about, as it stands now. The provider's id is looked up
    /// in an eventually consistent index, whose copy can lag behind a `$connect` or a
    /// reconnect; the record itself is read again, strongly consistent, before acting on its
    /// connection or status.
    async fn conversation_of(
        &self,
        event: &AgentEvent,
    ) -> Result<Option<Conversation>, AgentEventError> {
        let indexed = self
            .store
            .conversation_by_provider_id(event.provider, &event.provider_conversation_id)
            .await?;
        match indexed {
            Some(indexed) => Ok(self.store.conversation(&indexed.key).await?),
            None => Ok(None),
        }
    }

    async fn joined(
        &self,
        conversation: &Conversation,
        author: &str,
    ) -> Result<Outcome, AgentEventError> {
        let conversation = match self.store.mark_connected(&conversation.key).await {
            Ok(conversation) => conversation,
            Err(StoreError::AlreadyEnded(_)) => return Ok(Outcome::CustomerDisconnected),
            Err(StoreError::NotFound(_)) => return Ok(Outcome::UnknownConversation),
            Err(err) => return Err(err.into()),
        };
        let Some(joined) = &self.settings.joined_message else {
            return Ok(Outcome::Delivered);
        };
        let Some(connection_id) = &conversation.connection_id else {
            return Ok(Outcome::CustomerDisconnected);
        };
        match self
            .post(connection_id, &Frame::message(joined, author))
            .await?
        {
            Posted::Yes => Ok(Outcome::Delivered),
            Posted::Gone => Ok(Outcome::CustomerDisconnected),
        }
    }

    async fn message(
        &self,
        conversation: &Conversation,
        provider: Provider,
        id: &str,
        text: &str,
        author: &str,
    ) -> Result<Outcome, AgentEventError> {
        let connection_id = match &conversation.connection_id {
            Some(id) if conversation.status != ConversationStatus::Ended => id,
            _ => return Ok(Outcome::CustomerDisconnected),
        };
        // Claimed before posting, so that a retry overlapping this attempt waits instead of
        // posting again; completed only once posted, so that an attempt that dies in between
        // leaves a claim that lapses and the next retry delivers; released if the post fails,
        // so that the contact center's retry is delivered at once. Message ids are the
        // provider's, so each provider has its own records.
        let source = provider.as_str();
        match self.store.claim_event(source, id, MESSAGE_LEASE).await? {
            Claim::Claimed => {}
            Claim::InProgress => return Err(AgentEventError::InProgress),
            Claim::Handled => return Ok(Outcome::Duplicate),
        }
        let frame = Frame::message(text, author);
        let posted = self.post(connection_id, &frame).await;
        let settled = match posted {
            Ok(Posted::Yes) => self.store.complete_event(source, id).await,
            _ => self.store.release_event(source, id).await,
        };
        if let Err(err) = settled {
            // Completing failed: the claim lapses and a retry shows the message again, which
            // beats losing it. Releasing failed: the retry waits for the lease.
            warn!(conversation = %conversation.key, error = %chain(&err), "could not settle a message's claim");
        }
        match posted? {
            Posted::Gone => Ok(Outcome::CustomerDisconnected),
            Posted::Yes => {
                // An active chat lives on, whichever side writes.
                if let Err(err) = self.store.touch(&conversation.key).await {
                    warn!(conversation = %conversation.key, error = %chain(&err), "could not refresh the conversation's lifetime");
                }
                Ok(Outcome::Delivered)
            }
        }
    }

    async fn ended(
        &self,
        conversation: &Conversation,
        author: &str,
    ) -> Result<Outcome, AgentEventError> {
        if conversation.status == ConversationStatus::Ended {
            return Ok(Outcome::AlreadyEnded);
        }
        let reached = match &conversation.connection_id {
            Some(connection_id) => self.say_goodbye(connection_id, author).await?,
            None => false,
        };
        match self.store.mark_ended(&conversation.key).await {
            Ok(_) if reached => Ok(Outcome::Delivered),
            Ok(_) => Ok(Outcome::CustomerDisconnected),
            Err(StoreError::AlreadyEnded(_)) => Ok(Outcome::AlreadyEnded),
            Err(StoreError::NotFound(_)) => Ok(Outcome::UnknownConversation),
            Err(err) => Err(err.into()),
        }
    }

    /// Tells the customer the agent ended the chat, then closes the connection. `false` if the
    /// connection had gone.
    async fn say_goodbye(
        &self,
        connection_id: &str,
        author: &str,
    ) -> Result<bool, AgentEventError> {
        let goodbye = Frame::message(&self.settings.ended_message, author);
        for frame in [goodbye, Frame::ConversationEnded] {
            if let Posted::Gone = self.post(connection_id, &frame).await? {
                return Ok(false);
            }
        }
        if let Err(err) = self.connections.close(connection_id).await {
            // The customer has been told; the connection ends when they press End Live Chat.
            warn!(error = %chain(&err), "could not close the connection of an ended chat");
        }
        Ok(true)
    }

    /// Posts `frame`; a connection that has gone is unbound.
    async fn post(&self, connection_id: &str, frame: &Frame) -> Result<Posted, AgentEventError> {
        match self.connections.post(connection_id, frame).await {
            Ok(()) => Ok(Posted::Yes),
            Err(PostError::Gone) => {
                if let Err(err) = self.store.unbind_connection(connection_id).await {
                    warn!(error = %chain(&err), "could not unbind a gone connection");
                }
                Ok(Posted::Gone)
            }
            Err(PostError::Failed(cause)) => Err(AgentEventError::Connection(cause)),
        }
    }
}
