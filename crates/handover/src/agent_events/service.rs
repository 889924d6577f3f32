//! Acting on one agent event: find the conversation, tell the customer, record the change.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tracing::{Instrument, info, info_span, warn};

use super::event::{AgentAction, AgentEvent};
use super::settings::AgentEventSettings;
use crate::clock::{Clock, SystemClock};
use crate::connections::{ConnectionPoster, Frame, PostError};
use crate::contact_center::{ContactCenterError, ContactCenters};
use crate::conversation::{Conversation, ConversationKey, ConversationStatus, Provider};
use crate::errors::{Cause, chain};
use crate::metrics::{self, Direction, DuplicateSource};
use crate::outbox::{Delivery, Kept, KeptDelivery, KeptMessage};
use crate::store::lifetime::is_due_refresh;
use crate::store::{Claim, ConversationStore, StoreError};

/// How long a delivery attempt holds an agent message before another may take it over: longer
/// than the callback function's timeout (10 s in the template), so that only an attempt that
/// died loses its claim.
pub const MESSAGE_LEASE: Duration = Duration::from_secs(30);

/// How long ending the customer's side at the contact center may take, its retries included:
/// well inside the agent-events functions' 10 s timeout.
const CONTACT_CENTER_END_BUDGET: Duration = Duration::from_secs(4);

/// The source under which a conversation's end is claimed, by conversation key: one end per
/// conversation, whichever provider reports it and however often.
const END_EVENTS: &str = "end";

/// What became of an event that was handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done, and whatever the customer had to be shown reached them.
    Delivered,
    /// The customer is between connections (a reload, a dropped network): the message (for
    /// an end, the goodbye; the end itself is recorded) is kept and shown, in order, when they
    /// are back.
    Queued,
    /// A message already shown; it was not shown again.
    Duplicate,
    /// An end for a conversation that had already ended.
    AlreadyEnded,
    /// No conversation has this provider id (never started here, or its lifetime ran out).
    UnknownConversation,
    /// The customer is not connected (left, ended the chat, or has been gone longer than the
    /// reconnect grace period), so they did not see the event; the agent should end the chat.
    /// An end is still recorded.
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
    /// The customer's side could not be ended at the contact center now; the customer has
    /// been told, and a retry ends it.
    #[error("the customer's side could not be ended at the contact center")]
    ContactCenter(#[source] ContactCenterError),
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
    delivery: KeptDelivery,
    settings: AgentEventSettings,
    clock: Arc<dyn Clock>,
    contact_centers: Option<ContactCenters>,
}

impl AgentEvents {
    /// The agent events over these ports.
    pub fn new(
        store: Arc<dyn ConversationStore>,
        connections: Arc<dyn ConnectionPoster>,
        settings: AgentEventSettings,
    ) -> Self {
        Self {
            delivery: KeptDelivery::new(store.clone(), connections.clone()),
            store,
            connections,
            settings,
            clock: Arc::new(SystemClock),
            contact_centers: None,
        }
    }

    /// Reads the time from `clock` (for the reconnect grace period).
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self }
    }

    /// Ends the customer's side at `contact_centers` when an agent leaves a chat without ending
    /// it ([`AgentAction::Left`]).
    pub fn with_contact_centers(self, contact_centers: ContactCenters) -> Self {
        Self {
            contact_centers: Some(contact_centers),
            ..self
        }
    }

    /// Acts on `event` and says what became of it.
    pub async fn handle(&self, event: &AgentEvent) -> Result<Outcome, AgentEventError> {
        // One strongly consistent read: the conversation as its last write left it.
        let found = match self
            .store
            .conversation_by_provider_id(event.provider, &event.provider_conversation_id)
            .await
        {
            Ok(found) => found,
            // Typing is stale a second later: not worth a retry.
            Err(err) if event.action == AgentAction::Typing => {
                warn!(provider = %event.provider, error = %chain(&err), "could not show that the agent is typing");
                return Ok(Outcome::CustomerDisconnected);
            }
            Err(err) => return Err(err.into()),
        };
        let Some(conversation) = found else {
            info!(
                provider = %event.provider,
                action = event.action.name(),
                provider_conversation = event.provider_conversation_id,
                "agent event for an unknown conversation"
            );
            return Ok(Outcome::UnknownConversation);
        };
        // Every line about the event names the conversation and where its customer is.
        let span = info_span!(
            "agent_event",
            provider = %event.provider,
            conversation = %conversation.key,
            connection = conversation.connection_id.as_deref(),
        );
        self.act(event, conversation).instrument(span).await
    }

    async fn act(
        &self,
        event: &AgentEvent,
        conversation: Conversation,
    ) -> Result<Outcome, AgentEventError> {
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
            AgentAction::Ended => self.ended(&conversation, author).await?,
            AgentAction::Left => {
                let outcome = self.ended(&conversation, author).await?;
                self.end_customer_side(&conversation).await?;
                outcome
            }
            AgentAction::Typing => self.typing(&conversation, author).await,
        };
        count(event, &outcome);
        info!(
            conversation = %conversation.key,
            provider = %event.provider,
            action = event.action.name(),
            ?outcome,
            "agent event handled"
        );
        Ok(outcome)
    }

    /// Shows that the agent is typing, if the customer is connected now. Stale a second later,
    /// so it is never claimed, kept or retried: a failure is logged and told as
    /// [`Outcome::CustomerDisconnected`] (the customer did not see it).
    async fn typing(&self, conversation: &Conversation, author: &str) -> Outcome {
        let Some(connection_id) = conversation
            .connection_id
            .as_ref()
            .filter(|_| conversation.status != ConversationStatus::Ended)
        else {
            return Outcome::CustomerDisconnected;
        };
        let frame = Frame::Typing {
            author_name: author.to_owned(),
        };
        match self.post(connection_id, &frame).await {
            Ok(Posted::Yes) => Outcome::Delivered,
            Ok(Posted::Gone) => Outcome::CustomerDisconnected,
            Err(err) => {
                warn!(conversation = %conversation.key, error = %chain(&err), "could not show that the agent is typing");
                Outcome::CustomerDisconnected
            }
        }
    }

    async fn joined(
        &self,
        conversation: &Conversation,
        author: &str,
    ) -> Result<Outcome, AgentEventError> {
        let waiting = conversation.status == ConversationStatus::Pending;
        let conversation = match self.store.mark_connected(&conversation.key).await {
            Ok(joined) => {
                if waiting {
                    let waited = self.clock.now().duration_since(joined.created_at);
                    metrics::agent_joined_after(joined.provider, waited.unwrap_or_default());
                }
                joined
            }
            Err(StoreError::AlreadyEnded(_)) => return Ok(Outcome::CustomerDisconnected),
            Err(StoreError::NotFound(_)) => return Ok(Outcome::UnknownConversation),
            Err(err) => return Err(err.into()),
        };
        let Some(joined) = &self.settings.joined_message else {
            return Ok(Outcome::Delivered);
        };
        let message = KeptMessage {
            id: format!("{}#joined", conversation.key),
            text: joined.clone(),
            author_name: author.to_owned(),
        };
        let capacity = self.settings.max_kept_messages;
        self.show_or_keep(&conversation, message, capacity).await
    }

    async fn message(
        &self,
        conversation: &Conversation,
        provider: Provider,
        id: &str,
        text: &str,
        author: &str,
    ) -> Result<Outcome, AgentEventError> {
        if conversation.status == ConversationStatus::Ended {
            return Ok(Outcome::CustomerDisconnected);
        }
        // Claimed before posting, so that a retry overlapping this attempt waits instead of
        // posting again; completed only once posted or kept, so that an attempt that dies in
        // between leaves a claim that lapses and the next retry delivers; released if neither,
        // so that the contact center's retry is handled at once. Message ids are the
        // provider's, so each provider has its own records.
        let source = provider.as_str();
        match self.store.claim_event(source, id, MESSAGE_LEASE).await? {
            Claim::Claimed => {}
            Claim::InProgress => return Err(AgentEventError::InProgress),
            Claim::Handled => return Ok(Outcome::Duplicate),
        }
        let message = KeptMessage {
            id: format!("{source}#{id}"),
            text: text.to_owned(),
            author_name: author.to_owned(),
        };
        let capacity = self.settings.max_kept_messages;
        let outcome = self.show_or_keep(conversation, message, capacity).await;
        let taken = matches!(outcome, Ok(Outcome::Delivered | Outcome::Queued));
        let settled = if taken {
            self.store.complete_event(source, id).await
        } else {
            self.store.release_event(source, id).await
        };
        if let Err(err) = settled {
            // Completing failed: the claim lapses and a retry shows the message again, which
            // beats losing it. Releasing failed: the retry waits for the lease.
            warn!(conversation = %conversation.key, error = %chain(&err), "could not settle a message's claim");
        }
        let due = is_due_refresh(
            conversation.updated_at,
            conversation.expires_at,
            self.clock.now(),
        );
        if taken && due {
            // An active chat lives on, whichever side writes (see `store::lifetime`).
            if let Err(err) = self.store.touch(&conversation.key).await {
                warn!(conversation = %conversation.key, error = %chain(&err), "could not refresh the conversation's lifetime");
            }
        }
        outcome
    }

    /// Shows `message` to the customer if they are connected and no kept message is waiting
    /// before it; otherwise keeps it for their return (in an outbox of `capacity`), while the
    /// reconnect grace period lasts.
    async fn show_or_keep(
        &self,
        conversation: &Conversation,
        message: KeptMessage,
        capacity: usize,
    ) -> Result<Outcome, AgentEventError> {
        let key = &conversation.key;
        let Some(connection_id) = &conversation.connection_id else {
            if self.within_grace(conversation) {
                return self.keep(key, message, capacity).await;
            }
            return Ok(Outcome::CustomerDisconnected);
        };
        if !self.store.kept_messages(key).await?.is_empty() {
            // Messages kept while the customer was away come first: this one joins them, and
            // the delivery posts them all (or the one under way, or the next keep-alive does).
            match self
                .store
                .keep_message(key, message.clone(), capacity)
                .await?
            {
                Kept::Kept | Kept::AlreadyKept => {
                    return Ok(match self.deliver_kept(key, connection_id).await? {
                        Delivery::Done => Outcome::Delivered,
                        Delivery::Busy | Delivery::Gone => Outcome::Queued,
                    });
                }
                // No room: empty it first, then show this one.
                Kept::Full => match self.deliver_kept(key, connection_id).await? {
                    Delivery::Done => {}
                    Delivery::Busy => return Err(AgentEventError::InProgress),
                    Delivery::Gone => return Ok(Outcome::CustomerDisconnected),
                },
            }
        }
        let frame = Frame::message(&message.text, &message.author_name);
        match self.post(connection_id, &frame).await? {
            Posted::Yes => Ok(Outcome::Delivered),
            // The connection went just now, so the grace period has just begun.
            Posted::Gone if !self.settings.reconnect_grace.is_zero() => {
                self.keep(key, message, capacity).await
            }
            Posted::Gone => Ok(Outcome::CustomerDisconnected),
        }
    }

    /// Delivers the kept messages; a gone connection is unbound.
    async fn deliver_kept(
        &self,
        key: &ConversationKey,
        connection_id: &str,
    ) -> Result<Delivery, AgentEventError> {
        match self.delivery.deliver(key, connection_id).await {
            Ok(Delivery::Gone) => {
                self.unbind_gone(connection_id).await;
                Ok(Delivery::Gone)
            }
            Ok(delivery) => Ok(delivery),
            // They stay kept: the next keep-alive delivers them.
            Err(err) => {
                warn!(conversation = %key, error = %chain(&err), "could not deliver kept messages");
                Ok(Delivery::Busy)
            }
        }
    }

    /// Whether a conversation without a connection is still within the reconnect grace period.
    fn within_grace(&self, conversation: &Conversation) -> bool {
        let since = conversation
            .disconnected_at
            .unwrap_or(conversation.created_at);
        let away = self.clock.now().duration_since(since).unwrap_or_default();
        away < self.settings.reconnect_grace
    }

    async fn keep(
        &self,
        key: &ConversationKey,
        message: KeptMessage,
        capacity: usize,
    ) -> Result<Outcome, AgentEventError> {
        match self.store.keep_message(key, message, capacity).await? {
            Kept::Kept | Kept::AlreadyKept => Ok(Outcome::Queued),
            Kept::Full => {
                warn!(conversation = %key, "the customer's outbox is full: the agent is told they are gone");
                Ok(Outcome::CustomerDisconnected)
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
        // Claimed as a message is, so that ends delivered at once (SNS delivers twice, and
        // Amazon Connect streams both `participant.left` and `chat.ended`) tell the customer
        // once: the others wait for a retry, by which time the conversation has ended.
        let key = conversation.key.as_str();
        match self
            .store
            .claim_event(END_EVENTS, key, MESSAGE_LEASE)
            .await?
        {
            Claim::Claimed => {}
            Claim::InProgress => return Err(AgentEventError::InProgress),
            Claim::Handled => return Ok(Outcome::AlreadyEnded),
        }
        let ended = self.end(conversation, author).await;
        let settled = match ended {
            Ok(_) => self.store.complete_event(END_EVENTS, key).await,
            Err(_) => self.store.release_event(END_EVENTS, key).await,
        };
        if let Err(err) = settled {
            warn!(conversation = %conversation.key, error = %chain(&err), "could not settle an end's claim");
        }
        ended
    }

    /// Tells the customer the chat has ended (or keeps it for their return) and ends it.
    async fn end(
        &self,
        conversation: &Conversation,
        author: &str,
    ) -> Result<Outcome, AgentEventError> {
        // The goodbye is shown or kept as any agent message is, after whatever was kept before
        // it: a customer who comes back gets them all, then the end (the keep-alive's
        // farewell). One place more than the outbox holds, so that a full outbox still
        // takes it.
        let goodbye = KeptMessage {
            id: format!("{}#ended", conversation.key),
            text: self.settings.ended_message.clone(),
            author_name: author.to_owned(),
        };
        let capacity = self.settings.max_kept_messages + 1;
        let told = self.show_or_keep(conversation, goodbye, capacity).await?;
        if let (Outcome::Delivered, Some(connection_id)) = (told, &conversation.connection_id) {
            self.close_ended(connection_id).await?;
        }
        match self.store.mark_ended(&conversation.key).await {
            Ok(_) => Ok(told),
            Err(StoreError::AlreadyEnded(_)) => Ok(Outcome::AlreadyEnded),
            Err(StoreError::NotFound(_)) => Ok(Outcome::UnknownConversation),
            Err(err) => Err(err.into()),
        }
    }

    /// An agent who left without ending the chat leaves the customer's side open at the contact
    /// center (Amazon Connect keeps it for the chat's whole duration, holding one of the
    /// instance's concurrent chats): end it, as the customer's End Live Chat would. Also on a
    /// retry of an end already recorded, since that retry may be what this is for.
    async fn end_customer_side(&self, conversation: &Conversation) -> Result<(), AgentEventError> {
        let Some(contact_centers) = &self.contact_centers else {
            return Ok(());
        };
        let deadline = Instant::now() + CONTACT_CENTER_END_BUDGET;
        let ended = match contact_centers.of(conversation.provider) {
            Ok(contact_center) => {
                contact_center
                    .end_conversation(conversation, deadline)
                    .await
            }
            Err(err) => Err(err),
        };
        match ended {
            Ok(()) => Ok(()),
            Err(
                err @ (ContactCenterError::Unavailable { .. }
                | ContactCenterError::Unknown { .. }
                | ContactCenterError::Credentials(_)),
            ) => Err(AgentEventError::ContactCenter(err)),
            // A retry would be refused the same way; the chat ends when its duration does.
            Err(err) => {
                warn!(conversation = %conversation.key, error = %chain(&err), "the contact center refused to end the customer's side");
                Ok(())
            }
        }
    }

    /// Tells the Lex Web UI that the chat it was shown the goodbye of has ended, and closes the
    /// connection.
    async fn close_ended(&self, connection_id: &str) -> Result<(), AgentEventError> {
        if let Posted::Gone = self.post(connection_id, &Frame::ConversationEnded).await? {
            return Ok(());
        }
        if let Err(err) = self.connections.close(connection_id).await {
            // The customer has been told; the connection ends when they press End Live Chat.
            warn!(error = %chain(&err), "could not close the connection of an ended chat");
        }
        Ok(())
    }

    /// Posts `frame`; a connection that has gone is unbound.
    async fn post(&self, connection_id: &str, frame: &Frame) -> Result<Posted, AgentEventError> {
        match self.connections.post(connection_id, frame).await {
            Ok(()) => Ok(Posted::Yes),
            Err(PostError::Gone) => {
                self.unbind_gone(connection_id).await;
                Ok(Posted::Gone)
            }
            Err(PostError::Failed(cause)) => Err(AgentEventError::Connection(cause)),
        }
    }

    async fn unbind_gone(&self, connection_id: &str) {
        if let Err(err) = self.store.unbind_connection(connection_id).await {
            warn!(error = %chain(&err), "could not unbind a gone connection");
        }
    }
}

/// Counts what became of an agent's message or end for the operator's metrics.
fn count(event: &AgentEvent, outcome: &Outcome) {
    match (&event.action, outcome) {
        (AgentAction::Message { .. }, Outcome::Delivered | Outcome::Queued) => {
            metrics::message_relayed(Direction::ToCustomer, event.provider);
        }
        (AgentAction::Message { .. }, Outcome::CustomerDisconnected) => {
            metrics::delivery_failed(Direction::ToCustomer);
        }
        (_, Outcome::Duplicate | Outcome::AlreadyEnded) => {
            metrics::duplicate_dropped(DuplicateSource::AgentEvent);
        }
        _ => {}
    }
}
