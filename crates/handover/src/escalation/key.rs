//! The conversation key of an escalation, derived so that a retried fulfillment of the same
//! Lex turn finds the conversation it started instead of opening a second one.

use conversation_store::ConversationKey;
use sha2::{Digest, Sha256};

/// The key for the escalation in Lex request `request_id` of session `session_id`: 32 hex
/// digits of a SHA-256 over both. Without a request id (Lex V2 always sends one) every call
/// gets a fresh random key.
pub fn conversation_key(session_id: &str, request_id: Option<&str>) -> ConversationKey {
    let Some(request_id) = request_id.filter(|id| !id.is_empty()) else {
        return ConversationKey::generate();
    };
    let digest = Sha256::new()
        .chain_update(b"lex-handover conversation key v1\0")
        .chain_update(session_id.as_bytes())
        .chain_update([0])
        .chain_update(request_id.as_bytes())
        .finalize();
    let hex: String = digest[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    ConversationKey::parse(&hex).expect("32 hex digits are a valid key")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_turn_gives_the_same_key() {
        let a = conversation_key("us-east-1:abc", Some("req-1"));
        assert_eq!(a, conversation_key("us-east-1:abc", Some("req-1")));
        assert_eq!(a.as_str().len(), 32);
        assert!(a.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn other_turns_and_sessions_give_other_keys() {
        let a = conversation_key("us-east-1:abc", Some("req-1"));
        assert_ne!(a, conversation_key("us-east-1:abc", Some("req-2")));
        assert_ne!(a, conversation_key("us-east-1:abd", Some("req-1")));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(
            conversation_key("ab", Some("c")),
            conversation_key("a", Some("bc"))
        );
    }

    #[test]
    fn without_a_request_id_every_key_is_new() {
        assert_ne!(conversation_key("s", None), conversation_key("s", None));
        assert_ne!(
            conversation_key("s", Some("")),
            conversation_key("s", Some(""))
        );
    }
}
