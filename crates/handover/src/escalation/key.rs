//! The conversation key of an escalation, derived so that a retried fulfillment of the same
//! escalation finds the conversation it started instead of opening a second one, while the
//! session's next escalation gets a key of its own.

use crate::conversation::ConversationKey;

use super::turn::fingerprint;

/// The key of the `ordinal`-th escalation of Lex session `session_id`, whose first request
/// was `originating_request_id` (a session that expired and came back gets a new one): 32 hex
/// digits. It is also the contact center's idempotency key.
pub fn conversation_key(
    session_id: &str,
    originating_request_id: Option<&str>,
    ordinal: u32,
) -> ConversationKey {
    let ordinal = ordinal.to_string();
    let parts = [
        session_id,
        originating_request_id.unwrap_or_default(),
        &ordinal,
    ];
    let hex = fingerprint("lex-handover conversation key v2", &parts);
    ConversationKey::parse(&hex).expect("32 hex digits are a valid key")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_escalation_gives_the_same_key() {
        let a = conversation_key("us-east-1:abc", Some("req-1"), 1);
        assert_eq!(a, conversation_key("us-east-1:abc", Some("req-1"), 1));
        assert_eq!(a.as_str().len(), 32);
        assert!(a.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn other_escalations_and_sessions_give_other_keys() {
        let a = conversation_key("us-east-1:abc", Some("req-1"), 1);
        assert_ne!(a, conversation_key("us-east-1:abc", Some("req-1"), 2));
        assert_ne!(a, conversation_key("us-east-1:abc", Some("req-2"), 1));
        assert_ne!(a, conversation_key("us-east-1:abd", Some("req-1"), 1));
        assert_ne!(a, conversation_key("us-east-1:abc", None, 1));
    }
}
