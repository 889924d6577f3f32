//! The store's ports: what the domain asks of persistence, in four small traits, and the
//! rules every backend applies in the same way.

mod error;
pub mod lifetime;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

pub use self::error::StoreError;
use self::lifetime::expiry;
use crate::conversation::{
    Binding, Conversation, ConversationKey, ConversationStatus, NewConversation, Provider,
    ProviderDataKeys,
};
use crate::outbox::{Kept, KeptMessage};
use crate::transcript::{Escalation, Transcript, TranscriptLimits, Turn};

/// Maps conversations to contact-center ids and to the customer's WebSocket connection.
///
/// Every lookup is a single read; every write refreshes the record's expiry. Implementations
/// are safe to share between concurrent invocations: two racing writers never leave a
/// conversation bound to two connections, nor a connection bound to two conversations.
#[async_trait]
pub trait Conversations: Send + Sync {
    /// Stores a new conversation with status `pending`.
    /// Fails with [`StoreError::AlreadyExists`] if the key is taken.
    async fn create_conversation(&self, new: NewConversation) -> Result<Conversation, StoreError>;

    /// The conversation with this key, if it exists and has not expired.
    async fn conversation(&self, key: &ConversationKey)
    -> Result<Option<Conversation>, StoreError>;

    /// The newest conversation the contact center knows by this id (the agent side only
    /// knows the provider's id), read strongly consistent: a conversation is found the moment
    /// it is created, and as its last write left it.
    async fn conversation_by_provider_id(
        &self,
        provider: Provider,
        provider_conversation_id: &str,
    ) -> Result<Option<Conversation>, StoreError>;

    /// The conversation this connection is bound to, if any.
    async fn conversation_by_connection(
        &self,
        connection_id: &str,
    ) -> Result<Option<Conversation>, StoreError>;

    /// Binds the customer's connection to a conversation, replacing any connection bound
    /// before (returned, so the caller can close it). Refused if the conversation does not
    /// exist, has ended, or the connection is bound to another conversation.
    async fn bind_connection(
        &self,
        key: &ConversationKey,
        connection_id: &str,
    ) -> Result<Binding, StoreError>;

    /// Binds the customer's connection as [`Self::bind_connection`] does, even to a
    /// conversation that has ended: for its farewell, the delivery of the messages kept for
    /// a customer who was away when the agent ended it (see [`crate::keep_alive`]).
    async fn bind_farewell(
        &self,
        key: &ConversationKey,
        connection_id: &str,
    ) -> Result<Binding, StoreError>;

    /// Forgets the connection. Returns the conversation it was bound to, if any.
    async fn unbind_connection(
        &self,
        connection_id: &str,
    ) -> Result<Option<Conversation>, StoreError>;

    /// Records that an agent joined. Fails with [`StoreError::AlreadyEnded`] once ended.
    async fn mark_connected(&self, key: &ConversationKey) -> Result<Conversation, StoreError>;

    /// Records that the conversation ended. Fails with [`StoreError::AlreadyEnded`] if it
    /// had ended before, so exactly one caller acts on the end.
    async fn mark_ended(&self, key: &ConversationKey) -> Result<Conversation, StoreError>;

    /// Refreshes the conversation's expiry (and its connection's) without other change.
    async fn touch(&self, key: &ConversationKey) -> Result<Conversation, StoreError>;

    /// Stores `provider_data` in place of the conversation's (a renewed token, for instance),
    /// refreshing its expiry as [`touch`](Self::touch) does.
    async fn keep_provider_data(
        &self,
        key: &ConversationKey,
        provider_data: &BTreeMap<String, String>,
    ) -> Result<Conversation, StoreError>;
}

/// Where an inbound event stands after a caller tried to claim it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The caller holds the event until its lease ends: it acts on it, then completes or
    /// releases it.
    Claimed,
    /// Another caller holds it and its lease has not ended: try again later.
    InProgress,
    /// It was handled already.
    Handled,
}

/// Remembers which inbound events (agent callbacks, stream records) were handled, so that each
/// is acted on exactly once however often it is delivered.
///
/// An event is claimed with a lease before it is acted on, and completed only after: a caller
/// that dies in between leaves a claim that lapses, so the next delivery acts on it, and an
/// event is never recorded as handled before it was.
#[async_trait]
pub trait HandledEvents: Send + Sync {
    /// Claims `event_id` of `source` for `lease`: [`Claim::Claimed`] if it is new, was
    /// released, or its last claim's lease has ended; otherwise where it stands. Of racing
    /// claims, exactly one is [`Claim::Claimed`].
    async fn claim_event(
        &self,
        source: &str,
        event_id: &str,
        lease: Duration,
    ) -> Result<Claim, StoreError>;

    /// Records that the event was handled: every later claim within the lifetime is
    /// [`Claim::Handled`].
    async fn complete_event(&self, source: &str, event_id: &str) -> Result<(), StoreError>;

    /// Gives up a claim whose work failed, so that the next claim is [`Claim::Claimed`] at
    /// once. A handled event stays handled.
    async fn release_event(&self, source: &str, event_id: &str) -> Result<(), StoreError>;
}

/// Keeps each Lex session's transcript, recorded turn by turn for the agent who takes over.
/// Racing writers never lose a turn.
#[async_trait]
pub trait Transcripts: Send + Sync {
    /// Records one Lex turn in the session's transcript (created on first use) and refreshes
    /// its lifetime, returning the transcript as it now stands. A turn whose `request` equals
    /// the last recorded one changes nothing (the second code hook invocation of a turn, or a
    /// client's resend). Appends the bot's reply to the last turn where the client's account
    /// of it is about that turn (see [`Turn`]), then the customer's text (if non-blank), each
    /// cut to `limits.max_entry_chars` characters (on a char boundary), keeps only the last
    /// `limits.max_entries` lines, appends the intent name (if non-blank) unless it equals the
    /// last one recorded, keeping the last `limits.max_intents`, and counts the turn's prompt.
    async fn record_turn(
        &self,
        lex_session_id: &str,
        turn: Turn,
        limits: TranscriptLimits,
    ) -> Result<Transcript, StoreError>;

    /// Records that the session's `escalation.ordinal`-th escalation started: the lines,
    /// intents and prompt counts so far are handed over and cleared, so that the next
    /// escalation gets only what follows. Recording the same (or an earlier) escalation again
    /// changes nothing. Returns the transcript as it now stands.
    async fn record_escalation(
        &self,
        lex_session_id: &str,
        escalation: Escalation,
    ) -> Result<Transcript, StoreError>;

    /// The session's transcript, if one is recorded and has not expired.
    async fn transcript(&self, lex_session_id: &str) -> Result<Option<Transcript>, StoreError>;
}

/// Keeps agent messages for a customer who is not connected (see [`crate::outbox`]), one
/// outbox per conversation, living as long as the conversation. Racing writers never lose a
/// message.
#[async_trait]
pub trait Outboxes: Send + Sync {
    /// Appends `message` to the conversation's outbox (created on first use) as
    /// [`crate::outbox::Outbox::keep`] does, refreshing its lifetime when it changes.
    async fn keep_message(
        &self,
        key: &ConversationKey,
        message: KeptMessage,
        capacity: usize,
    ) -> Result<Kept, StoreError>;

    /// The conversation's kept messages, oldest first, read strongly consistent.
    async fn kept_messages(&self, key: &ConversationKey) -> Result<Vec<KeptMessage>, StoreError>;

    /// Removes the kept message `id` (delivered); a message not kept changes nothing.
    async fn forget_message(&self, key: &ConversationKey, id: &str) -> Result<(), StoreError>;
}

/// Everything a Lambda of the handover asks of one store: each backend implements the four
/// ports, and gets this for free.
pub trait ConversationStore: Conversations + HandledEvents + Transcripts + Outboxes {}

impl<T: Conversations + HandledEvents + Transcripts + Outboxes + ?Sized> ConversationStore for T {}

/// A change to one conversation, applied by both backends in the same way.
#[derive(Clone, Copy)]
pub enum Change<'a> {
    /// Bind this connection (refused once ended).
    Bind(&'a str),
    /// Bind this connection, even once ended: for the farewell.
    Farewell(&'a str),
    /// Forget this connection, if it is the one bound.
    Unbind(&'a str),
    /// Move to this status (refused once ended).
    Status(ConversationStatus),
    /// Refresh the expiry only.
    Touch,
    /// Replace the provider data.
    ProviderData(&'a BTreeMap<String, String>),
}

// Provider data holds tokens: only its keys are shown.
impl std::fmt::Debug for Change<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Bind(connection) => f.debug_tuple("Bind").field(connection).finish(),
            Change::Farewell(connection) => f.debug_tuple("Farewell").field(connection).finish(),
            Change::Unbind(connection) => f.debug_tuple("Unbind").field(connection).finish(),
            Change::Status(status) => f.debug_tuple("Status").field(status).finish(),
            Change::Touch => f.write_str("Touch"),
            Change::ProviderData(data) => f
                .debug_tuple("ProviderData")
                .field(&ProviderDataKeys(data))
                .finish(),
        }
    }
}

impl Change<'_> {
    /// The conversation after the change at `now`, or why the change is refused.
    pub fn apply(
        self,
        current: &Conversation,
        now: SystemTime,
        lifetime: Duration,
    ) -> Result<Conversation, StoreError> {
        let ended = current.status == ConversationStatus::Ended;
        let mut next = current.clone();
        match self {
            Change::Bind(_) | Change::Status(_) if ended => {
                return Err(StoreError::AlreadyEnded(current.key.clone()));
            }
            Change::Bind(connection_id) | Change::Farewell(connection_id) => {
                next.connection_id = Some(connection_id.to_owned());
                next.disconnected_at = None;
            }
            Change::Unbind(connection_id) => {
                if current.connection_id.as_deref() == Some(connection_id) {
                    next.connection_id = None;
                    next.disconnected_at = Some(now);
                }
            }
            Change::Status(status) => next.status = status,
            Change::Touch => {}
            Change::ProviderData(provider_data) => next.provider_data = provider_data.clone(),
        }
        next.updated_at = now;
        next.expires_at = expiry(now, lifetime);
        next.version += 1;
        Ok(next)
    }
}

/// The record for a conversation created at `now`, with status `pending`.
pub fn new_record(new: NewConversation, now: SystemTime, lifetime: Duration) -> Conversation {
    Conversation {
        key: new.key,
        provider: new.provider,
        provider_conversation_id: new.provider_conversation_id,
        provider_data: new.provider_data,
        lex_session_id: new.lex_session_id,
        status: ConversationStatus::Pending,
        connection_id: None,
        disconnected_at: None,
        created_at: now,
        updated_at: now,
        expires_at: expiry(now, lifetime),
        version: 1,
    }
}
