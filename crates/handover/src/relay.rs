//! The customer's side of the live chat, behind the WebSocket API's routes: `$connect` binds
//! the connection to the conversation its signed reference names, `onMessage` queues the
//! customer's text for the contact center (sent in order by [`ordered`]), `$disconnect` unbinds
//! (and, when the customer pressed End Live Chat, queues the end behind their messages),
//! `$default` answers unknown actions.
//!
//! The Lex Web UI shows the customer's own messages itself and understands only
//! `message_created` frames, so the relay never echoes and says every problem in plain words
//! as a `message_created`.

pub mod ordered;
mod queue;
mod settings;
mod tell;

use std::sync::Arc;
use std::time::UNIX_EPOCH;

use crate::clock::{Clock, SystemClock};
use crate::conversation::{Binding, Conversation, ConversationKey, ConversationStatus};
use crate::errors::{Cause, chain};
use crate::metrics;
use crate::store::{ConversationStore, StoreError};
use serde_json::Value;
use tokio::time::{Instant, sleep_until, timeout_at};
use tracing::{error, info, warn};

pub use queue::{CustomerMessage, EnqueueError, MessageQueue};
pub use settings::{CUSTOMER_MESSAGE_MAX_RECEIVES, OrderedSettings, RelaySettings};
use tell::Teller;

use crate::connections::{ConnectionPoster, Frame};
use crate::contact_center::ContactCenters;
use crate::keep_alive::KeepAlive;
use crate::reference::{ReferenceError, load_signer};
use crate::secrets::SecretSource;

/// The close code the Lex Web UI sends when the customer ends the chat (End Live Chat, the
/// hang-up button, or closing the tab).
pub const CUSTOMER_ENDED_CLOSE_CODE: i64 = 4000;

/// Why a connection was refused at `$connect`. Never carries the reference itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No `conversationId`, or the Lex Web UI's `undefined`.
    #[error("no conversation reference")]
    Missing,
    /// The reference is not well-formed, or its signature does not match.
    #[error("the conversation reference is invalid: {0}")]
    Invalid(ReferenceError),
    /// The reference's lifetime is over.
    #[error("the conversation reference has expired")]
    Expired,
    /// No such conversation (never stored, or its lifetime ran out).
    #[error("the conversation does not exist")]
    UnknownConversation,
    /// The conversation has ended.
    #[error("the conversation has ended")]
    Ended,
    /// The store or the signing key could not be reached.
    #[error("the relay is unavailable")]
    Unavailable(#[source] Cause),
}

/// The customer side of the relay, with everything it depends on behind ports.
pub struct CustomerRelay {
    store: Arc<dyn ConversationStore>,
    contact_centers: ContactCenters,
    connections: Arc<dyn ConnectionPoster>,
    secrets: Arc<dyn SecretSource>,
    settings: RelaySettings,
    clock: Arc<dyn Clock>,
    keep_alive: Option<Arc<KeepAlive>>,
    messages: Arc<dyn MessageQueue>,
    teller: Teller,
}

impl CustomerRelay {
    /// A relay over these ports; each conversation's calls go to the contact center of its
    /// provider among `contact_centers`, and customer messages to `messages`, in order.
    /// `secrets` should cache: it is asked for the reference signing key on every connect.
    pub fn new(
        store: Arc<dyn ConversationStore>,
        contact_centers: ContactCenters,
        connections: Arc<dyn ConnectionPoster>,
        secrets: Arc<dyn SecretSource>,
        messages: Arc<dyn MessageQueue>,
        settings: RelaySettings,
    ) -> Self {
        Self {
            teller: Teller::new(store.clone(), connections.clone(), &settings.author_name),
            messages,
            store,
            contact_centers,
            connections,
            secrets,
            settings,
            clock: Arc::new(SystemClock),
            keep_alive: None,
        }
    }

    /// Starts keep-alives for every connection it binds (see [`crate::keep_alive`]).
    pub fn with_keep_alive(self, keep_alive: Arc<KeepAlive>) -> Self {
        Self {
            keep_alive: Some(keep_alive),
            ..self
        }
    }

    /// Reads the time from `clock` (for reference expiry).
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self }
    }

    /// `$connect`: binds `connection_id` to the conversation `reference` names, or to its
    /// farewell if it has ended with messages kept for the customer. A connection it replaces
    /// is told and closed.
    pub async fn connect(
        &self,
        connection_id: &str,
        reference: Option<&str>,
    ) -> Result<ConversationKey, Refusal> {
        let key = self.verify(reference).await?;
        let binding = match self.store.bind_connection(&key, connection_id).await {
            Err(StoreError::AlreadyEnded(_)) => self.bind_farewell(&key, connection_id).await,
            bound => bound,
        };
        let binding = binding.map_err(|err| match err {
                StoreError::NotFound(_) => Refusal::UnknownConversation,
                StoreError::AlreadyEnded(_) => Refusal::Ended,
                // A refusal is logged by its summary; the cause of an outage is logged here.
                other => {
                    error!(conversation = %key, error = %chain(&other), "could not bind the connection");
                    Refusal::Unavailable(Cause::new(other))
                }
            })?;
        if binding.replaced.is_some() || binding.conversation.disconnected_at.is_some() {
            metrics::reconnected();
        }
        if let Some(replaced) = binding.replaced {
            let notice =
                Frame::message(&self.settings.replaced_message, &self.settings.author_name);
            self.tell(&replaced, &notice).await;
            if let Err(err) = self.connections.close(&replaced).await {
                warn!(conversation = %key, error = %chain(&err), "could not close the replaced connection");
            }
        }
        let ended = binding.conversation.status == ConversationStatus::Ended;
        if let Some(keep_alive) = &self.keep_alive {
            let started = if ended {
                keep_alive.farewell(connection_id, &key).await
            } else {
                keep_alive.start(connection_id, &key).await
            };
            if let Err(err) = started {
                // The chat works; it only risks API Gateway's idle timeout (or, for an ended
                // chat, the kept messages wait for the next reconnect).
                error!(conversation = %key, error = %chain(&err), "could not start the connection's keep-alives");
            }
        }
        info!(conversation = %key, ended, "customer connected");
        Ok(key)
    }

    /// Binds a connection to a conversation that has ended, for its farewell, if messages
    /// were kept for the customer (the agent's goodbye among them) and keep-alives can deliver
    /// them; refused as ended otherwise.
    async fn bind_farewell(
        &self,
        key: &ConversationKey,
        connection_id: &str,
    ) -> Result<Binding, StoreError> {
        if self.keep_alive.is_none() || self.store.kept_messages(key).await?.is_empty() {
            return Err(StoreError::AlreadyEnded(key.clone()));
        }
        self.store.bind_farewell(key, connection_id).await
    }

    async fn verify(&self, reference: Option<&str>) -> Result<ConversationKey, Refusal> {
        let reference = reference
            .filter(|reference| !reference.is_empty() && *reference != "undefined")
            .ok_or(Refusal::Missing)?;
        let signer = load_signer(&*self.secrets, &self.settings.reference_key_secret)
            .await
            .map_err(|err| {
                error!(error = %chain(&err), "cannot verify conversation references");
                Refusal::Unavailable(Cause::new(err))
            })?;
        let now = self
            .clock
            .now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let verified = signer
            .verify(reference, now.as_secs())
            .map_err(|err| match err {
                ReferenceError::Expired => Refusal::Expired,
                other => Refusal::Invalid(other),
            })?;
        Ok(verified.conversation_key)
    }

    /// `onMessage`: queues the customer's text for the agent, after the conversation's earlier
    /// messages; `message_id` is the frame's id (API Gateway's request id). Every problem is
    /// told to the customer on the connection; nothing is echoed.
    pub async fn message(
        &self,
        connection_id: &str,
        message_id: &str,
        body: &str,
        deadline: Instant,
    ) {
        // The Lex Web UI's frame is an object; its `conversationId` is ignored, as the
        // connection was bound to its conversation at `$connect`. (A struct would also read
        // the array `["text"]` as a message.)
        let frame = match serde_json::from_str::<serde_json::Map<String, Value>>(body) {
            Ok(frame) => frame,
            Err(_) => {
                let frame = Frame::error("invalid_frame", "Frames must be JSON objects.");
                return self.tell(connection_id, &frame).await;
            }
        };
        let Some(Value::String(text)) = frame.get("message") else {
            let frame = Frame::error("missing_message", "The frame has no \"message\" string.");
            return self.tell(connection_id, &frame).await;
        };
        let text = text.trim();
        if text.is_empty() {
            let frame = Frame::error("empty_message", "Empty messages are not sent.");
            return self.tell(connection_id, &frame).await;
        }
        if text.chars().count() > self.settings.max_message_chars {
            return self
                .say(connection_id, &self.settings.too_long_message)
                .await;
        }
        let queued = timeout_at(deadline, self.queue_text(connection_id, message_id, text)).await;
        if queued.is_err() {
            error!("ran out of time queueing the customer's message");
            self.say(connection_id, &self.settings.relay_failed_message)
                .await;
        }
    }

    /// Queues the customer's `text` for the agent (see [`ordered`]), and tells the customer
    /// if it cannot go.
    async fn queue_text(&self, connection_id: &str, message_id: &str, text: &str) {
        let conversation = match self.store.conversation_by_connection(connection_id).await {
            Ok(Some(conversation)) if conversation.status != ConversationStatus::Ended => {
                conversation
            }
            Ok(_) => return self.say(connection_id, &self.settings.ended_message).await,
            Err(err) => {
                error!(error = %chain(&err), "could not look up the connection's conversation");
                return self
                    .say(connection_id, &self.settings.relay_failed_message)
                    .await;
            }
        };
        let message = CustomerMessage {
            conversation: conversation.key,
            connection_id: connection_id.to_owned(),
            message_id: message_id.to_owned(),
            text: text.to_owned(),
            ends_chat: false,
        };
        if let Err(err) = self.messages.enqueue(&message).await {
            error!(conversation = %message.conversation, error = %chain(&err), "could not queue the customer's message");
            self.say(connection_id, &self.settings.relay_failed_message)
                .await;
        }
    }

    /// `$disconnect`: unbinds the connection. Close code 4000 (the customer ended the chat)
    /// also ends the conversation at the contact center, after the customer's messages still
    /// on their way (see [`RelaySettings::end_grace`] and [`ordered`]); any other code keeps it
    /// open, so the same reference can reconnect until it expires. `request_id` is the
    /// event's (API Gateway's request id).
    pub async fn disconnect(
        &self,
        connection_id: &str,
        request_id: &str,
        close_code: Option<i64>,
        deadline: Instant,
    ) {
        let customer_ended = close_code == Some(CUSTOMER_ENDED_CLOSE_CODE);
        if customer_ended {
            // A frame sent just before the close may reach `onMessage` after this started; it
            // finds its conversation through the connection, and is queued before the end.
            let grace = Instant::now() + self.settings.end_grace;
            sleep_until(grace.min(deadline)).await;
        }
        let conversation = match self.store.unbind_connection(connection_id).await {
            Ok(Some(conversation)) => conversation,
            Ok(None) => return,
            Err(err) => {
                error!(error = %chain(&err), "could not unbind the connection");
                // The customer may have ended the chat: find its conversation by reading, so
                // that the end still reaches the contact center.
                match self.store.conversation_by_connection(connection_id).await {
                    Ok(Some(conversation)) => conversation,
                    Ok(None) => return,
                    Err(err) => {
                        error!(error = %chain(&err), "could not find the connection's conversation either");
                        return;
                    }
                }
            }
        };
        let key = &conversation.key;
        if !customer_ended || conversation.status == ConversationStatus::Ended {
            info!(conversation = %key, close_code, "customer disconnected; the conversation stays open");
            return;
        }
        // Ending it here would overtake the messages the customer sent just before.
        let end = CustomerMessage::end(key.clone(), connection_id, request_id);
        match self.messages.enqueue(&end).await {
            Ok(()) => {
                info!(conversation = %key, "customer ended the chat; the end is queued behind their messages")
            }
            Err(err) => {
                error!(conversation = %key, error = %chain(&err), "could not queue the customer's end; ending the conversation now");
                self.end_now(&conversation, deadline).await;
            }
        }
    }

    /// Ends the conversation for the customer without waiting for their queued messages.
    async fn end_now(&self, conversation: &Conversation, deadline: Instant) {
        let key = &conversation.key;
        // Ended here first: whoever marks the end (this close, or the agent ending at the same
        // time) is the one who acts on it, and a reconnect is refused from this moment on.
        match self.store.mark_ended(key).await {
            Ok(_) => {}
            Err(StoreError::AlreadyEnded(_)) => {
                info!(conversation = %key, "customer closed a chat that had already ended");
                return;
            }
            // The customer asked to end it: the contact center is still told.
            Err(err) => {
                error!(conversation = %key, error = %chain(&err), "could not mark the conversation ended")
            }
        }
        end_at_contact_center(&self.contact_centers, conversation, deadline).await;
    }

    /// `$default`: a frame whose `action` is not one of ours.
    pub async fn unknown_action(&self, connection_id: &str) {
        let frame = Frame::error(
            "unknown_action",
            "Unknown action: send {\"action\":\"onMessage\",\"message\":\"...\"}.",
        );
        self.tell(connection_id, &frame).await;
    }

    async fn say(&self, connection_id: &str, text: &str) {
        self.teller.say(connection_id, text).await;
    }

    async fn tell(&self, connection_id: &str, frame: &Frame) {
        self.teller.tell(connection_id, frame).await;
    }
}

/// Ends a conversation the customer ended, and already marked ended in the store, at its
/// contact center; a failure is logged, as the customer has gone.
async fn end_at_contact_center(
    contact_centers: &ContactCenters,
    conversation: &Conversation,
    deadline: Instant,
) {
    let key = &conversation.key;
    let ended = match contact_centers.of(conversation.provider) {
        Ok(center) => center.end_conversation(conversation, deadline).await,
        Err(not_enabled) => Err(not_enabled),
    };
    if let Err(err) = ended {
        error!(conversation = %key, code = err.code(), error = %chain(&err), "could not end the conversation at the contact center");
    }
    info!(conversation = %key, "customer ended the chat");
}
