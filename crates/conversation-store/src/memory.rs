//! A store kept in the process: for unit tests and the local stack.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use handover::clock::{Clock, SystemClock};
use handover::conversation::{
    Binding, Conversation, ConversationKey, ConversationStatus, NewConversation, Provider,
};
use handover::outbox::{Kept, KeptMessage, Outbox};
use handover::store::StoreError;
use handover::store::lifetime::{DEFAULT_LIFETIME, expiry, is_expired};
use handover::store::{
    Change, Claim, Conversations, HandledEvents, Outboxes, Transcripts, new_record,
};
use handover::transcript::{Escalation, Transcript, TranscriptLimits, Turn};

/// Records in a mutex-guarded map; one lock per operation makes every operation atomic.
#[derive(Debug, Clone)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
    lifetime: Duration,
    clock: Arc<dyn Clock>,
}

#[derive(Debug, Default)]
struct State {
    conversations: HashMap<ConversationKey, Conversation>,
    connections: HashMap<String, ConversationKey>,
    /// The newest conversation created with each contact-center id.
    by_provider_id: HashMap<(Provider, String), ConversationKey>,
    events: HashMap<(String, String), EventRecord>,
    transcripts: HashMap<String, Transcript>,
    outboxes: HashMap<ConversationKey, Outbox>,
}

/// A handled event: claimed until `lease_until`, or handled when that is `None`.
#[derive(Debug, Clone, Copy)]
struct EventRecord {
    lease_until: Option<SystemTime>,
    expires_at: SystemTime,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self {
            state: Arc::default(),
            lifetime: DEFAULT_LIFETIME,
            clock: Arc::new(SystemClock),
        }
    }
}

impl MemoryStore {
    /// An empty store whose records live [`DEFAULT_LIFETIME`] after their last write.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records live `lifetime` after their last write.
    pub fn with_lifetime(self, lifetime: Duration) -> Self {
        Self { lifetime, ..self }
    }

    /// Reads the time from `clock`.
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave a half-applied change: each change is built first
        // and inserted with one call.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn change(
        &self,
        key: &ConversationKey,
        change: Change<'_>,
    ) -> Result<Conversation, StoreError> {
        let now = self.clock.now();
        let mut state = self.lock();
        let current = state
            .live_conversation(key, now)
            .ok_or_else(|| StoreError::NotFound(key.clone()))?;
        let next = change.apply(current, now, self.lifetime)?;
        state.conversations.insert(key.clone(), next.clone());
        Ok(next)
    }

    /// Binds `connection_id` to the conversation by `change` (a bind or a farewell).
    fn bind(
        &self,
        key: &ConversationKey,
        change: Change<'_>,
        connection_id: &str,
    ) -> Result<Binding, StoreError> {
        let now = self.clock.now();
        let mut state = self.lock();
        if let Some(other) = state.bound_conversation(connection_id, now)
            && other.key != *key
        {
            return Err(StoreError::ConnectionInUse {
                connection_id: connection_id.to_owned(),
            });
        }
        let current = state
            .live_conversation(key, now)
            .ok_or_else(|| StoreError::NotFound(key.clone()))?;
        let replaced = current
            .connection_id
            .clone()
            .filter(|previous| previous != connection_id);
        let conversation = change.apply(current, now, self.lifetime)?;
        if let Some(previous) = &replaced {
            state.connections.remove(previous);
        }
        state
            .connections
            .insert(connection_id.to_owned(), key.clone());
        state
            .conversations
            .insert(key.clone(), conversation.clone());
        Ok(Binding {
            conversation,
            replaced,
        })
    }

    /// Applies `change` to the session's live transcript (an empty one if none), storing what
    /// it returns; `None` leaves the transcript as it was.
    fn update_transcript(
        &self,
        lex_session_id: &str,
        change: impl FnOnce(&Transcript, SystemTime) -> Option<Transcript>,
    ) -> Transcript {
        let now = self.clock.now();
        let mut state = self.lock();
        let current = state
            .live_transcript(lex_session_id, now)
            .cloned()
            .unwrap_or_else(|| Transcript::empty(lex_session_id));
        let Some(next) = change(&current, now) else {
            return current;
        };
        state
            .transcripts
            .insert(lex_session_id.to_owned(), next.clone());
        next
    }
}

impl State {
    fn live_conversation(&self, key: &ConversationKey, now: SystemTime) -> Option<&Conversation> {
        self.conversations
            .get(key)
            .filter(|conversation| !is_expired(conversation.expires_at, now))
    }

    fn live_transcript(&self, lex_session_id: &str, now: SystemTime) -> Option<&Transcript> {
        self.transcripts
            .get(lex_session_id)
            .filter(|transcript| !is_expired(transcript.expires_at, now))
    }

    fn live_outbox(&self, key: &ConversationKey, now: SystemTime) -> Option<&Outbox> {
        self.outboxes
            .get(key)
            .filter(|outbox| !is_expired(outbox.expires_at, now))
    }

    fn bound_conversation(&self, connection_id: &str, now: SystemTime) -> Option<&Conversation> {
        let key = self.connections.get(connection_id)?;
        self.live_conversation(key, now)
            .filter(|conversation| conversation.connection_id.as_deref() == Some(connection_id))
    }
}

#[async_trait]
impl Conversations for MemoryStore {
    async fn create_conversation(&self, new: NewConversation) -> Result<Conversation, StoreError> {
        let now = self.clock.now();
        let mut state = self.lock();
        if state.live_conversation(&new.key, now).is_some() {
            return Err(StoreError::AlreadyExists(new.key));
        }
        let conversation = new_record(new, now, self.lifetime);
        state.by_provider_id.insert(
            (
                conversation.provider,
                conversation.provider_conversation_id.clone(),
            ),
            conversation.key.clone(),
        );
        state
            .conversations
            .insert(conversation.key.clone(), conversation.clone());
        Ok(conversation)
    }

    async fn conversation(
        &self,
        key: &ConversationKey,
    ) -> Result<Option<Conversation>, StoreError> {
        Ok(self
            .lock()
            .live_conversation(key, self.clock.now())
            .cloned())
    }

    async fn conversation_by_provider_id(
        &self,
        provider: Provider,
        provider_conversation_id: &str,
    ) -> Result<Option<Conversation>, StoreError> {
        let state = self.lock();
        let newest = state
            .by_provider_id
            .get(&(provider, provider_conversation_id.to_owned()))
            .and_then(|key| state.live_conversation(key, self.clock.now()));
        Ok(newest.cloned())
    }

    async fn conversation_by_connection(
        &self,
        connection_id: &str,
    ) -> Result<Option<Conversation>, StoreError> {
        Ok(self
            .lock()
            .bound_conversation(connection_id, self.clock.now())
            .cloned())
    }

    async fn bind_connection(
        &self,
        key: &ConversationKey,
        connection_id: &str,
    ) -> Result<Binding, StoreError> {
        self.bind(key, Change::Bind(connection_id), connection_id)
    }

    async fn bind_farewell(
        &self,
        key: &ConversationKey,
        connection_id: &str,
    ) -> Result<Binding, StoreError> {
        self.bind(key, Change::Farewell(connection_id), connection_id)
    }

    async fn unbind_connection(
        &self,
        connection_id: &str,
    ) -> Result<Option<Conversation>, StoreError> {
        let now = self.clock.now();
        let mut state = self.lock();
        let Some(key) = state.connections.remove(connection_id) else {
            return Ok(None);
        };
        let Some(current) = state.live_conversation(&key, now) else {
            return Ok(None);
        };
        let conversation = Change::Unbind(connection_id).apply(current, now, self.lifetime)?;
        state.conversations.insert(key, conversation.clone());
        Ok(Some(conversation))
    }

    async fn mark_connected(&self, key: &ConversationKey) -> Result<Conversation, StoreError> {
        self.change(key, Change::Status(ConversationStatus::Connected))
    }

    async fn mark_ended(&self, key: &ConversationKey) -> Result<Conversation, StoreError> {
        self.change(key, Change::Status(ConversationStatus::Ended))
    }

    async fn touch(&self, key: &ConversationKey) -> Result<Conversation, StoreError> {
        self.change(key, Change::Touch)
    }

    async fn keep_provider_data(
        &self,
        key: &ConversationKey,
        provider_data: &BTreeMap<String, String>,
    ) -> Result<Conversation, StoreError> {
        self.change(key, Change::ProviderData(provider_data))
    }
}

#[async_trait]
impl HandledEvents for MemoryStore {
    async fn claim_event(
        &self,
        source: &str,
        event_id: &str,
        lease: Duration,
    ) -> Result<Claim, StoreError> {
        let now = self.clock.now();
        let mut state = self.lock();
        let id = (source.to_owned(), event_id.to_owned());
        let live = state
            .events
            .get(&id)
            .filter(|record| !is_expired(record.expires_at, now));
        match live.map(|record| record.lease_until) {
            Some(None) => return Ok(Claim::Handled),
            Some(Some(lease_until)) if lease_until > now => return Ok(Claim::InProgress),
            _ => {}
        }
        let record = EventRecord {
            lease_until: Some(now + lease),
            expires_at: expiry(now, self.lifetime),
        };
        state.events.insert(id, record);
        Ok(Claim::Claimed)
    }

    async fn complete_event(&self, source: &str, event_id: &str) -> Result<(), StoreError> {
        let now = self.clock.now();
        let record = EventRecord {
            lease_until: None,
            expires_at: expiry(now, self.lifetime),
        };
        let id = (source.to_owned(), event_id.to_owned());
        self.lock().events.insert(id, record);
        Ok(())
    }

    async fn release_event(&self, source: &str, event_id: &str) -> Result<(), StoreError> {
        let id = (source.to_owned(), event_id.to_owned());
        let mut state = self.lock();
        if state
            .events
            .get(&id)
            .is_some_and(|record| record.lease_until.is_some())
        {
            state.events.remove(&id);
        }
        Ok(())
    }
}

#[async_trait]
impl Transcripts for MemoryStore {
    async fn record_turn(
        &self,
        lex_session_id: &str,
        turn: Turn,
        limits: TranscriptLimits,
    ) -> Result<Transcript, StoreError> {
        Ok(self.update_transcript(lex_session_id, |current, now| {
            current.record(&turn, now, self.lifetime, limits)
        }))
    }

    async fn record_escalation(
        &self,
        lex_session_id: &str,
        escalation: Escalation,
    ) -> Result<Transcript, StoreError> {
        Ok(self.update_transcript(lex_session_id, |current, now| {
            current.escalate(&escalation, now, self.lifetime)
        }))
    }

    async fn transcript(&self, lex_session_id: &str) -> Result<Option<Transcript>, StoreError> {
        Ok(self
            .lock()
            .live_transcript(lex_session_id, self.clock.now())
            .cloned())
    }
}

#[async_trait]
impl Outboxes for MemoryStore {
    async fn keep_message(
        &self,
        key: &ConversationKey,
        message: KeptMessage,
        capacity: usize,
    ) -> Result<Kept, StoreError> {
        let now = self.clock.now();
        let mut state = self.lock();
        let current = state
            .live_outbox(key, now)
            .cloned()
            .unwrap_or_else(|| Outbox::empty(key));
        let (kept, next) = current.keep(message, capacity, now, self.lifetime);
        if let Some(next) = next {
            state.outboxes.insert(key.clone(), next);
        }
        Ok(kept)
    }

    async fn kept_messages(&self, key: &ConversationKey) -> Result<Vec<KeptMessage>, StoreError> {
        Ok(self
            .lock()
            .live_outbox(key, self.clock.now())
            .map(|outbox| outbox.messages.clone())
            .unwrap_or_default())
    }

    async fn forget_message(&self, key: &ConversationKey, id: &str) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut state = self.lock();
        let next = state
            .live_outbox(key, now)
            .and_then(|outbox| outbox.forget(id, now, self.lifetime));
        if let Some(next) = next {
            state.outboxes.insert(key.clone(), next);
        }
        Ok(())
    }
}
