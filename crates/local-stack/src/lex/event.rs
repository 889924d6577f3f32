//! The Lex V2 wire shapes on the code hook's side: the event Lex sends the Lambda each time it
//! calls it, and what Lex reads back from the Lambda's answer. Built and read as JSON, as they
//! cross the wire, so that the handler sees what Lex would send and the emulator reads only
//! what Lex would read.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::bot::{BotDefinition, IntentDefinition};

/// `invocationSource` of a dialog code hook call.
pub(crate) const DIALOG_CODE_HOOK: &str = "DialogCodeHook";
/// `invocationSource` of a fulfillment code hook call.
pub(crate) const FULFILLMENT_CODE_HOOK: &str = "FulfillmentCodeHook";

/// The intent state while slots are being elicited.
pub(crate) const IN_PROGRESS: &str = "InProgress";
/// The intent state when fulfillment is called.
pub(crate) const READY_FOR_FULFILLMENT: &str = "ReadyForFulfillment";
/// The intent state once fulfilled.
pub(crate) const FULFILLED: &str = "Fulfilled";

/// An intent as Lex tracks it during a conversation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct IntentState {
    /// The intent's name.
    pub name: String,
    /// Every slot of the intent: a Lex slot object, or `null` while unfilled.
    pub slots: Map<String, Value>,
    /// `InProgress`, `ReadyForFulfillment`, `Fulfilled`, `Failed`, ...
    pub state: String,
    /// `None`, `Confirmed` or `Denied`.
    pub confirmation_state: String,
}

impl IntentState {
    /// A new intent, with every slot unfilled.
    pub(crate) fn new(definition: &IntentDefinition) -> Self {
        Self {
            name: definition.name.clone(),
            slots: definition
                .slots
                .iter()
                .map(|slot| (slot.clone(), Value::Null))
                .collect(),
            state: IN_PROGRESS.into(),
            confirmation_state: "None".into(),
        }
    }

    /// Fills `slot` with the customer's words, as Lex does for a free-form slot type.
    pub(crate) fn fill(&mut self, slot: &str, text: &str) {
        let value = json!({
            "shape": "Scalar",
            "value": {"originalValue": text, "interpretedValue": text, "resolvedValues": [text]}
        });
        self.slots.insert(slot.to_owned(), value);
    }

    /// Takes what a code hook answered for the intent: Lex continues with its slots and state.
    pub(crate) fn update(&mut self, answered: AnsweredIntent) {
        self.name = answered.name;
        self.slots.extend(answered.slots);
        if let Some(state) = answered.state {
            self.state = state;
        }
        if let Some(confirmation_state) = answered.confirmation_state {
            self.confirmation_state = confirmation_state;
        }
    }

    /// The intent in a code hook event, unfilled slots as `null`.
    pub(crate) fn to_event_json(&self) -> Value {
        json!({
            "name": self.name,
            "slots": self.slots,
            "state": self.state,
            "confirmationState": self.confirmation_state,
        })
    }

    /// The intent in a RecognizeText response. Unfilled slots are left out: the SDKs model
    /// slots as a map without null values, and the Rust SDK refuses a `null` there.
    pub(crate) fn to_runtime_json(&self) -> Value {
        let filled: Map<String, Value> = self
            .slots
            .iter()
            .filter(|(_, value)| !value.is_null())
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        json!({
            "name": self.name,
            "slots": filled,
            "state": self.state,
            "confirmationState": self.confirmation_state,
        })
    }
}

/// One RecognizeText turn, as the code hook events of the turn describe it.
pub(crate) struct Turn<'a> {
    /// The bot.
    pub bot: &'a BotDefinition,
    /// The Lex session.
    pub session_id: &'a str,
    /// What the customer typed.
    pub text: &'a str,
    /// The id of the session's first request: the same in every invocation of every turn of
    /// the session.
    pub originating_request_id: &'a str,
    /// The request's attributes, for this turn only.
    pub request_attributes: Option<&'a BTreeMap<String, String>>,
    /// Whether an intent of the bot (rather than the fallback) was recognised this turn.
    pub recognised: bool,
}

/// The event of one code hook invocation (`source` is [`DIALOG_CODE_HOOK`] or
/// [`FULFILLMENT_CODE_HOOK`]), with the session's attributes as they are now.
pub(crate) fn code_hook_event(
    turn: &Turn<'_>,
    source: &str,
    intent: &IntentState,
    session_attributes: &BTreeMap<String, String>,
) -> Value {
    let bot = turn.bot;
    let mut event = json!({
        "messageVersion": "1.0",
        "invocationSource": source,
        "inputMode": "Text",
        "responseContentType": "text/plain; charset=utf-8",
        "sessionId": turn.session_id,
        "inputTranscript": turn.text,
        "bot": {
            "id": bot.bot_id,
            "name": bot.bot_name,
            "aliasId": bot.alias_id,
            "aliasName": bot.alias_name,
            "localeId": bot.locale_id,
            "version": bot.version,
        },
        "interpretations": interpretations(turn, intent, true),
        "sessionState": {
            "sessionAttributes": session_attributes,
            "intent": intent.to_event_json(),
            "originatingRequestId": turn.originating_request_id,
        },
        "transcriptions": [{
            "transcription": turn.text,
            "transcriptionConfidence": 1.0,
            "resolvedContext": {"intent": intent.name},
            "resolvedSlots": {},
        }],
    });
    if let Some(attributes) = turn.request_attributes {
        event["requestAttributes"] = json!(attributes);
    }
    event
}

/// The intents considered for the utterance, best first: the intent, then the fallback
/// intent as the alternative Lex always lists. Code hook events carry the confidence as a bare
/// number, RecognizeText responses as `{"score": n}`.
pub(crate) fn interpretations(turn: &Turn<'_>, intent: &IntentState, for_event: bool) -> Value {
    let as_json = |intent: &IntentState| {
        if for_event {
            intent.to_event_json()
        } else {
            intent.to_runtime_json()
        }
    };
    let fallback = IntentState::new(&turn.bot.fallback());
    if !turn.recognised {
        return json!([{"intent": as_json(intent), "interpretationSource": "Lex"}]);
    }
    let confidence = if for_event {
        json!(1.0)
    } else {
        json!({"score": 1.0})
    };
    json!([
        {"intent": as_json(intent), "nluConfidence": confidence, "interpretationSource": "Lex"},
        {"intent": as_json(&fallback), "interpretationSource": "Lex"},
    ])
}

/// What Lex reads from a code hook's answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HookAnswer {
    /// The conversation's new state.
    pub session_state: AnsweredState,
    /// What to tell the customer; none lets the bot's own responses play.
    #[serde(default)]
    pub messages: Vec<AnsweredMessage>,
}

/// The session state of an answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AnsweredState {
    /// What Lex does next.
    pub dialog_action: AnsweredAction,
    /// The intent, which Lex continues with.
    pub intent: Option<AnsweredIntent>,
    /// The session attributes, which replace the session's.
    #[serde(default)]
    pub session_attributes: Option<BTreeMap<String, String>>,
}

/// The dialog action of an answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AnsweredAction {
    /// `Close`, `ConfirmIntent`, `Delegate`, `ElicitIntent` or `ElicitSlot`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The slot to ask for, with `ElicitSlot`.
    pub slot_to_elicit: Option<String>,
}

/// The intent of an answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AnsweredIntent {
    /// The intent's name.
    pub name: String,
    /// Its slots; `null` for an unfilled one.
    #[serde(default)]
    pub slots: Map<String, Value>,
    /// Its state.
    pub state: Option<String>,
    /// Its confirmation state.
    pub confirmation_state: Option<String>,
}

/// A message of an answer.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AnsweredMessage {
    /// `PlainText`, `CustomPayload`, `SSML` or `ImageResponseCard`.
    pub content_type: String,
    /// The text, except for a card.
    pub content: Option<String>,
    /// The card, kept as it came.
    pub image_response_card: Option<Value>,
}

impl AnsweredMessage {
    /// A plain-text message of the bot's own.
    pub(crate) fn plain_text(content: &str) -> Self {
        Self {
            content_type: "PlainText".into(),
            content: Some(content.to_owned()),
            image_response_card: None,
        }
    }

    /// The message in a RecognizeText response.
    pub(crate) fn to_runtime_json(&self) -> Value {
        let mut message = json!({"contentType": self.content_type});
        if let Some(content) = &self.content {
            message["content"] = json!(content);
        }
        if let Some(card) = &self.image_response_card {
            message["imageResponseCard"] = card.clone();
        }
        message
    }
}

#[cfg(test)]
mod tests {
    use handover::escalation::EscalationSettings;
    use handover::lex::{InvocationSource, LexEvent};

    use super::*;

    #[test]
    fn events_parse_as_the_handler_parses_them() {
        let bot = BotDefinition::demo(&EscalationSettings::default());
        let mut intent = IntentState::new(&bot.intent("TalkToAgent").unwrap());
        intent.fill("CustomerName", "Ana");
        let request_attributes = BTreeMap::from([("channel".to_owned(), "web".to_owned())]);
        let turn = Turn {
            bot: &bot,
            session_id: "us-east-1:5e1f",
            text: "Ana",
            originating_request_id: "req-1",
            request_attributes: Some(&request_attributes),
            recognised: true,
        };
        let attributes = BTreeMap::from([("subject".to_owned(), "Refund".to_owned())]);
        let event = code_hook_event(&turn, FULFILLMENT_CODE_HOOK, &intent, &attributes);
        let parsed = LexEvent::from_value(event).expect("a Lex V2 code hook event");
        assert_eq!(
            parsed.invocation_source,
            InvocationSource::FulfillmentCodeHook
        );
        assert_eq!(parsed.session_id, "us-east-1:5e1f");
        assert_eq!(parsed.slot_value("CustomerName"), Some("Ana"));
        assert_eq!(
            parsed.session_state.intent.slots.get("Subject"),
            Some(&None)
        );
        assert_eq!(parsed.session_attribute("subject"), Some("Refund"));
        assert_eq!(
            parsed.session_state.originating_request_id.as_deref(),
            Some("req-1")
        );
        assert_eq!(parsed.interpretations[0].nlu_confidence, Some(1.0));
        assert_eq!(parsed.interpretations[1].intent.name, "FallbackIntent");
        assert_eq!(parsed.bot.alias_id, "TSTALIASID");
        assert_eq!(parsed.request_attributes, Some(request_attributes));
    }

    #[test]
    fn runtime_intents_leave_unfilled_slots_out() {
        let bot = BotDefinition::demo(&EscalationSettings::default());
        let mut intent = IntentState::new(&bot.intent("TalkToAgent").unwrap());
        intent.fill("Subject", "Refund");
        let shown = intent.to_runtime_json();
        assert_eq!(shown["slots"].as_object().unwrap().len(), 1);
        assert_eq!(
            shown["slots"]["Subject"]["value"]["interpretedValue"],
            "Refund"
        );
    }
}
