//! Conversations put straight into a store, as an escalation would have left them.

use std::collections::BTreeMap;

use handover::conversation::{Conversation, ConversationKey, NewConversation, Provider};
use handover::store::Conversations;

/// Stores a new conversation that `provider` knows as `provider_conversation_id`, under a fresh
/// key, escalated from the Lex session `session-<provider_conversation_id>`.
///
/// # Panics
/// When the store refuses it.
pub async fn store_conversation(
    store: &dyn Conversations,
    provider: Provider,
    provider_conversation_id: &str,
) -> Conversation {
    let new = NewConversation {
        key: ConversationKey::generate(),
        provider,
        provider_conversation_id: provider_conversation_id.into(),
        provider_data: BTreeMap::new(),
        lex_session_id: format!("session-{provider_conversation_id}"),
    };
    match store.create_conversation(new).await {
        Ok(conversation) => conversation,
        Err(err) => panic!("could not store a test conversation: {err}"),
    }
}
