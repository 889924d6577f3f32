//! DynamoDB's global secondary index copies each write some time after it (usually well under
//! a second, with no bound), so an agent callback's lookup by the contact center's id can find
//! a conversation as it was before its last `$connect`, or not find a new one at all. This
//! store shows the local stack the same: only that lookup answers from a copy `lag` old.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use handover::conversation::{Binding, Conversation, ConversationKey, NewConversation, Provider};
use handover::outbox::{Kept, KeptMessage};
use handover::store::{
    Claim, ConversationStore, Conversations, HandledEvents, Outboxes, StoreError, Transcripts,
};
use handover::transcript::{Escalation, Transcript, TranscriptLimits, Turn};
use tokio::time::Instant;

/// Each conversation's records as writes through the store left them, oldest first.
type Written = HashMap<ConversationKey, VecDeque<(Instant, Conversation)>>;

/// A store whose [`Conversations::conversation_by_provider_id`] answers the conversation as it
/// stood `lag` ago (nothing if it is younger); every other call goes to `store` unchanged.
pub(crate) struct LaggingIndex {
    store: Arc<dyn ConversationStore>,
    lag: Duration,
    written: Mutex<Written>,
}

impl LaggingIndex {
    pub(crate) fn new(store: Arc<dyn ConversationStore>, lag: Duration) -> Self {
        Self {
            store,
            lag,
            written: Mutex::default(),
        }
    }

    fn written(&self) -> MutexGuard<'_, Written> {
        // Each change is one push or pop: a panic elsewhere cannot leave half of one.
        self.written.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps the record a write returned, as the index will copy it.
    fn record(&self, conversation: &Conversation) {
        let now = Instant::now();
        let mut written = self.written();
        let history = written.entry(conversation.key.clone()).or_default();
        // Racing writes can return out of order; the record's version says which is newer.
        if history
            .back()
            .is_some_and(|(_, last)| last.version >= conversation.version)
        {
            return;
        }
        history.push_back((now, conversation.clone()));
        // Only the newest record at least `lag` old can still be answered.
        while history
            .get(1)
            .is_some_and(|(at, _)| now.duration_since(*at) >= self.lag)
        {
            history.pop_front();
        }
    }

    /// `current` as the index's copy shows it: its newest record at least `lag` old. One
    /// written before this store was opened (a restarted stack's DynamoDB table) is as it is.
    fn indexed(&self, current: Conversation) -> Option<Conversation> {
        let written = self.written();
        let Some(history) = written.get(&current.key) else {
            return Some(current);
        };
        let now = Instant::now();
        history
            .iter()
            .rev()
            .find(|(at, _)| now.duration_since(*at) >= self.lag)
            .map(|(_, copy)| copy.clone())
    }
}

#[async_trait]
impl Conversations for LaggingIndex {
    async fn create_conversation(&self, new: NewConversation) -> Result<Conversation, StoreError> {
        self.store
            .create_conversation(new)
            .await
            .inspect(|written| self.record(written))
    }

    async fn conversation(
        &self,
        key: &ConversationKey,
    ) -> Result<Option<Conversation>, StoreError> {
        self.store.conversation(key).await
    }

    /// The conversation the store finds now, as the index's copy of it stands.
    async fn conversation_by_provider_id(
        &self,
        provider: Provider,
        provider_conversation_id: &str,
    ) -> Result<Option<Conversation>, StoreError> {
        let current = self
            .store
            .conversation_by_provider_id(provider, provider_conversation_id)
            .await?;
        Ok(current.and_then(|current| self.indexed(current)))
    }

    async fn conversation_by_connection(
        &self,
        connection_id: &str,
    ) -> Result<Option<Conversation>, StoreError> {
        self.store.conversation_by_connection(connection_id).await
    }

    async fn bind_connection(
        &self,
        key: &ConversationKey,
        connection_id: &str,
    ) -> Result<Binding, StoreError> {
        self.store
            .bind_connection(key, connection_id)
            .await
            .inspect(|binding| self.record(&binding.conversation))
    }

    async fn bind_farewell(
        &self,
        key: &ConversationKey,
        connection_id: &str,
    ) -> Result<Binding, StoreError> {
        self.store
            .bind_farewell(key, connection_id)
            .await
            .inspect(|binding| self.record(&binding.conversation))
    }

    async fn unbind_connection(
        &self,
        connection_id: &str,
    ) -> Result<Option<Conversation>, StoreError> {
        self.store
            .unbind_connection(connection_id)
            .await
            .inspect(|unbound| unbound.iter().for_each(|written| self.record(written)))
    }

    async fn mark_connected(&self, key: &ConversationKey) -> Result<Conversation, StoreError> {
        self.store
            .mark_connected(key)
            .await
            .inspect(|written| self.record(written))
    }

    async fn mark_ended(&self, key: &ConversationKey) -> Result<Conversation, StoreError> {
        self.store
            .mark_ended(key)
            .await
            .inspect(|written| self.record(written))
    }

    async fn touch(&self, key: &ConversationKey) -> Result<Conversation, StoreError> {
        self.store
            .touch(key)
            .await
            .inspect(|written| self.record(written))
    }
}

#[async_trait]
impl HandledEvents for LaggingIndex {
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
impl Transcripts for LaggingIndex {
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
impl Outboxes for LaggingIndex {
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
        self.store.forget_message(key, id).await
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use conversation_store::MemoryStore;
    use handover::conversation::ConversationStatus;
    use tokio::time::advance;

    use super::*;

    const LAG: Duration = Duration::from_secs(2);
    const TALKDESK_ID: &str = "td-conversation-1";

    /// A lagging store and a conversation just created in it.
    async fn created() -> (LaggingIndex, Conversation) {
        let store = LaggingIndex::new(Arc::new(MemoryStore::new()), LAG);
        let new = NewConversation {
            key: ConversationKey::generate(),
            provider: Provider::Talkdesk,
            provider_conversation_id: TALKDESK_ID.to_owned(),
            provider_data: BTreeMap::new(),
            lex_session_id: "us-east-1:session".to_owned(),
        };
        let conversation = store.create_conversation(new).await.expect("created");
        (store, conversation)
    }

    async fn indexed(store: &LaggingIndex) -> Option<Conversation> {
        store
            .conversation_by_provider_id(Provider::Talkdesk, TALKDESK_ID)
            .await
            .expect("the index answers")
    }

    async fn bind(
        store: &LaggingIndex,
        key: &ConversationKey,
        connection_id: &str,
    ) -> Conversation {
        let binding = store.bind_connection(key, connection_id).await;
        binding.expect("bound").conversation
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_conversation_is_missing_from_the_index_until_the_lag_has_passed() {
        let (store, conversation) = created().await;
        assert_eq!(indexed(&store).await, None);
        assert_eq!(
            store.conversation(&conversation.key).await.expect("read"),
            Some(conversation.clone()),
            "the record itself is read as it stands"
        );
        advance(LAG - Duration::from_millis(1)).await;
        assert_eq!(indexed(&store).await, None);
        advance(Duration::from_millis(1)).await;
        assert_eq!(indexed(&store).await, Some(conversation));
    }

    #[tokio::test(start_paused = true)]
    async fn right_after_a_bind_the_index_has_the_old_connection_then_the_new_one() {
        let (store, conversation) = created().await;
        let first = bind(&store, &conversation.key, "connection-1").await;
        advance(LAG).await;
        assert_eq!(indexed(&store).await, Some(first.clone()));

        bind(&store, &conversation.key, "connection-2").await;
        let connected = store
            .mark_connected(&conversation.key)
            .await
            .expect("joined");
        let copy = indexed(&store).await.expect("indexed");
        assert_eq!(copy.connection_id.as_deref(), Some("connection-1"));
        assert_eq!(copy.status, ConversationStatus::Pending);
        assert_eq!(
            store.conversation(&conversation.key).await.expect("read"),
            Some(connected.clone()),
            "the record itself is read as it stands"
        );

        advance(LAG).await;
        let copy = indexed(&store).await.expect("indexed");
        assert_eq!(copy.connection_id.as_deref(), Some("connection-2"));
        assert_eq!(copy, connected);
    }
}
