//! A store that misbehaves as DynamoDB can in a brownout: chosen operations fail, or hang as a
//! call without a timeout can.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use conversation_store::MemoryStore;
use handover::conversation::{Binding, Conversation, ConversationKey, NewConversation, Provider};
use handover::errors::Cause;
use handover::outbox::{Kept, KeptMessage};
use handover::store::{Claim, Conversations, HandledEvents, Outboxes, StoreError, Transcripts};
use handover::transcript::{Escalation, Transcript, TranscriptLimits, Turn};

/// A [`MemoryStore`] whose chosen operations fail or hang.
#[derive(Default)]
pub struct FaultyStore {
    store: MemoryStore,
    failing: Mutex<HashSet<Operation>>,
    hanging: Mutex<HashSet<Operation>>,
}

/// An operation that can be made to fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// [`Conversations::create_conversation`].
    CreateConversation,
    /// [`Conversations::unbind_connection`].
    UnbindConnection,
    /// [`Conversations::mark_ended`].
    MarkEnded,
    /// [`Conversations::conversation_by_connection`].
    ConversationByConnection,
    /// [`Conversations::conversation_by_provider_id`].
    ConversationByProviderId,
    /// [`Outboxes::forget_message`].
    ForgetMessage,
}

impl FaultyStore {
    /// An empty store whose operations all work.
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// From now on every call of `operation` fails as an unreachable DynamoDB does.
    pub fn fail(&self, operation: Operation) {
        self.failing.lock().unwrap().insert(operation);
    }

    /// From now on `operation` works again (when it failed; a hang stays).
    pub fn recover(&self, operation: Operation) {
        self.failing.lock().unwrap().remove(&operation);
    }

    /// From now on every call of `operation` waits for ever, as a call without a timeout
    /// can in a brownout.
    pub fn hang(&self, operation: Operation) {
        self.hanging.lock().unwrap().insert(operation);
    }

    async fn check(&self, operation: Operation) -> Result<(), StoreError> {
        let hangs = self.hanging.lock().unwrap().contains(&operation);
        if hangs {
            std::future::pending::<()>().await;
        }
        if self.failing.lock().unwrap().contains(&operation) {
            let cause = std::io::Error::other(format!("{operation:?} failed: connection reset"));
            return Err(StoreError::Unavailable(Cause::new(cause)));
        }
        Ok(())
    }
}

#[async_trait]
impl Conversations for FaultyStore {
    async fn create_conversation(&self, new: NewConversation) -> Result<Conversation, StoreError> {
        self.check(Operation::CreateConversation).await?;
        self.store.create_conversation(new).await
    }

    async fn conversation(
        &self,
        key: &ConversationKey,
    ) -> Result<Option<Conversation>, StoreError> {
        self.store.conversation(key).await
    }

    async fn conversation_by_provider_id(
        &self,
        provider: Provider,
        provider_conversation_id: &str,
    ) -> Result<Option<Conversation>, StoreError> {
        self.check(Operation::ConversationByProviderId).await?;
        self.store
            .conversation_by_provider_id(provider, provider_conversation_id)
            .await
    }

    async fn conversation_by_connection(
        &self,
        connection_id: &str,
    ) -> Result<Option<Conversation>, StoreError> {
        self.check(Operation::ConversationByConnection).await?;
        self.store.conversation_by_connection(connection_id).await
    }

    async fn bind_connection(
        &self,
        key: &ConversationKey,
        connection_id: &str,
    ) -> Result<Binding, StoreError> {
        self.store.bind_connection(key, connection_id).await
    }

    async fn bind_farewell(
        &self,
        key: &ConversationKey,
        connection_id: &str,
    ) -> Result<Binding, StoreError> {
        self.store.bind_farewell(key, connection_id).await
    }

    async fn unbind_connection(
        &self,
        connection_id: &str,
    ) -> Result<Option<Conversation>, StoreError> {
        self.check(Operation::UnbindConnection).await?;
        self.store.unbind_connection(connection_id).await
    }

    async fn mark_connected(&self, key: &ConversationKey) -> Result<Conversation, StoreError> {
        self.store.mark_connected(key).await
    }

    async fn mark_ended(&self, key: &ConversationKey) -> Result<Conversation, StoreError> {
        self.check(Operation::MarkEnded).await?;
        self.store.mark_ended(key).await
    }

    async fn touch(&self, key: &ConversationKey) -> Result<Conversation, StoreError> {
        self.store.touch(key).await
    }

    async fn keep_provider_data(
        &self,
        key: &ConversationKey,
        provider_data: &BTreeMap<String, String>,
    ) -> Result<Conversation, StoreError> {
        self.store.keep_provider_data(key, provider_data).await
    }
}

#[async_trait]
impl HandledEvents for FaultyStore {
    async fn claim_event(
        &self,
        source: &str,
        event_id: &str,
        lease: Duration,
    ) -> Result<Claim, StoreError> {
        self.store.claim_event(source, event_id, lease).await
    }

    async fn complete_event(&self, source: &str, event_id: &str) -> Result<(), StoreError> {
        self.store.complete_event(source, event_id).await
    }

    async fn release_event(&self, source: &str, event_id: &str) -> Result<(), StoreError> {
        self.store.release_event(source, event_id).await
    }
}

#[async_trait]
impl Transcripts for FaultyStore {
    async fn record_turn(
        &self,
        lex_session_id: &str,
        turn: Turn,
        limits: TranscriptLimits,
    ) -> Result<Transcript, StoreError> {
        self.store.record_turn(lex_session_id, turn, limits).await
    }

    async fn record_escalation(
        &self,
        lex_session_id: &str,
        escalation: Escalation,
    ) -> Result<Transcript, StoreError> {
        self.store
            .record_escalation(lex_session_id, escalation)
            .await
    }

    async fn transcript(&self, lex_session_id: &str) -> Result<Option<Transcript>, StoreError> {
        self.store.transcript(lex_session_id).await
    }
}

#[async_trait]
impl Outboxes for FaultyStore {
    async fn keep_message(
        &self,
        key: &ConversationKey,
        message: KeptMessage,
        capacity: usize,
    ) -> Result<Kept, StoreError> {
        self.store.keep_message(key, message, capacity).await
    }

    async fn kept_messages(&self, key: &ConversationKey) -> Result<Vec<KeptMessage>, StoreError> {
        self.store.kept_messages(key).await
    }

    async fn forget_message(&self, key: &ConversationKey, id: &str) -> Result<(), StoreError> {
        self.check(Operation::ForgetMessage).await?;
        self.store.forget_message(key, id).await
    }
}
