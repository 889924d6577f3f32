//! Which Lex turn an invocation belongs to, told from what the client sent.
//!
//! Lex V2 gives a code hook no per-turn id: `originatingRequestId` names the first request of
//! the session and repeats on every turn. What the client sent (the text and every session
//! attribute) is the same for both invocations of one turn (dialog hook, then fulfillment
//! hook: Lex passes on the attributes the dialog hook echoed) and for a client's resend of the
//! turn, and it changes from one turn to the next with the Lex Web UI, whose
//! `previousUtterance` and `previousLexResponse` move on every turn. So it identifies the turn.

use crate::transcript::{PreviousExchange, Turn};
use sha2::{Digest, Sha256};

use crate::lex::{LexEvent, PREVIOUS_LEX_RESPONSE, PREVIOUS_UTTERANCE};

/// The turn `event` belongs to, asking for the customer detail in slot `prompt` if given.
pub(crate) fn turn(event: &LexEvent, prompt: Option<&str>) -> Turn {
    Turn {
        request: request_fingerprint(event),
        intent: event.intent_name().to_owned(),
        customer_text: Some(event.input_transcript.clone()),
        utterance: Some(utterance_fingerprint(&event.input_transcript)),
        previous_exchange: previous_exchange(event),
        prompt: prompt.map(str::to_owned),
    }
}

/// Identifies what the client sent: the text and every session attribute.
pub(crate) fn request_fingerprint(event: &LexEvent) -> String {
    let attributes = &event.session_state.session_attributes;
    let mut parts = vec![event.input_transcript.as_str()];
    // A BTreeMap iterates in key order, so the same attributes always digest alike.
    for (name, value) in attributes {
        parts.extend([name.as_str(), value.as_str()]);
    }
    fingerprint("lex-handover request v1", &parts)
}

/// The client's account of the previous exchange, if it names the customer's utterance:
/// without it, the reply cannot be tied to a turn.
fn previous_exchange(event: &LexEvent) -> Option<PreviousExchange> {
    let utterance = event.previous_utterance()?;
    let reply = event.session_attribute(PREVIOUS_LEX_RESPONSE).unwrap_or("");
    let raw_utterance = event.session_attribute(PREVIOUS_UTTERANCE).unwrap_or("");
    Some(PreviousExchange {
        utterance: utterance_fingerprint(utterance),
        fingerprint: fingerprint("lex-handover exchange v1", &[raw_utterance, reply]),
        bot_reply: event.previous_bot_message(),
    })
}

/// Identifies a customer utterance, however the client pads it.
fn utterance_fingerprint(text: &str) -> String {
    fingerprint("lex-handover utterance v1", &[text.trim()])
}

/// 32 hex digits of a SHA-256 over `domain` and `parts`, each length-prefixed so that no two
/// lists of parts digest alike.
pub(crate) fn fingerprint(domain: &str, parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in std::iter::once(domain).chain(parts.iter().copied()) {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize()[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(text: &str, source: &str, attributes: serde_json::Value) -> LexEvent {
        LexEvent::from_value(json!({
            "sessionId": "us-east-1:abc",
            "invocationSource": source,
            "inputTranscript": text,
            "sessionState": {
                "originatingRequestId": "first-request-of-the-session",
                "sessionAttributes": attributes,
                "intent": {"name": "TalkToAgent", "slots": {}}
            }
        }))
        .unwrap()
    }

    #[test]
    fn both_invocations_of_a_turn_are_the_same_request() {
        let attributes = json!({"previousUtterance": "hi", "previousLexResponse": "Hello!"});
        let dialog = turn(&event("agent", "DialogCodeHook", attributes.clone()), None);
        let fulfillment = turn(&event("agent", "FulfillmentCodeHook", attributes), None);
        assert_eq!(dialog.request, fulfillment.request);
    }

    #[test]
    fn the_same_text_on_another_turn_is_another_request() {
        let first = event("yes", "DialogCodeHook", json!({"previousUtterance": "a"}));
        let second = event("yes", "DialogCodeHook", json!({"previousUtterance": "yes"}));
        assert_ne!(request_fingerprint(&first), request_fingerprint(&second));
        let with_reference = event(
            "yes",
            "DialogCodeHook",
            json!({"previousUtterance": "a", "talkdesk_conversation_id": "v1.x"}),
        );
        assert_ne!(
            request_fingerprint(&first),
            request_fingerprint(&with_reference)
        );
    }

    #[test]
    fn the_account_names_the_utterance_as_the_turn_did() {
        let before = turn(
            &event(" Where is my order? ", "DialogCodeHook", json!({})),
            None,
        );
        let after = turn(
            &event(
                "thanks",
                "DialogCodeHook",
                json!({
                    "previousUtterance": "Where is my order?",
                    "previousLexResponse": r#"{"messages":[{"type":"PlainText","value":"Shipped."}]}"#
                }),
            ),
            Some("Subject"),
        );
        let exchange = after.previous_exchange.unwrap();
        assert_eq!(
            before.utterance.as_deref(),
            Some(exchange.utterance.as_str())
        );
        assert_eq!(exchange.bot_reply.as_deref(), Some("Shipped."));
        assert_eq!(after.prompt.as_deref(), Some("Subject"));
        assert_eq!(after.customer_text.as_deref(), Some("thanks"));
    }

    #[test]
    fn without_a_previous_utterance_there_is_no_account() {
        let event = event(
            "hi",
            "DialogCodeHook",
            json!({"previousLexResponse": "Hello!"}),
        );
        assert_eq!(turn(&event, None).previous_exchange, None);
    }

    #[test]
    fn parts_are_kept_apart() {
        assert_ne!(
            fingerprint("d", &["ab", "c"]),
            fingerprint("d", &["a", "bc"])
        );
        assert_ne!(fingerprint("d", &["a"]), fingerprint("e", &["a"]));
        assert_eq!(fingerprint("d", &["a"]).len(), 32);
    }
}
