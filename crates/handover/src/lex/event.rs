//! The event Lex V2 sends to a code hook, and the session state shared with responses.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;

use super::string_enum::{ConfirmationState, DialogActionType, IntentState, Sentiment, SlotShape};

/// Some editors and exports prefix JSON files with a UTF-8 byte-order mark, which JSON
/// parsers reject.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The fields a handler cannot do without, as JSON pointers and as named in errors.
const REQUIRED_STRINGS: [(&str, &str); 3] = [
    ("/sessionId", "sessionId"),
    ("/invocationSource", "invocationSource"),
    ("/sessionState/intent/name", "sessionState.intent.name"),
];

/// A Lex V2 code hook invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LexEvent {
    /// The event format version, `1.0` so far.
    #[serde(default)]
    pub message_version: String,
    /// Which code hook Lex is calling.
    pub invocation_source: InvocationSource,
    /// `Text`, `Speech` or `DTMF`.
    #[serde(default)]
    pub input_mode: String,
    /// The content type the client asked Lex to reply with.
    #[serde(default)]
    pub response_content_type: String,
    /// The Lex session; from the Lex Web UI, the user's Cognito identity id.
    pub session_id: String,
    /// What the user said or typed.
    #[serde(default)]
    pub input_transcript: String,
    /// The bot being invoked.
    #[serde(default)]
    pub bot: Bot,
    /// The intents Lex considered, best match first.
    #[serde(default, deserialize_with = "null_as_default")]
    pub interpretations: Vec<Interpretation>,
    /// The next step Lex would take without the code hook, kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_next_state: Option<Value>,
    /// Attributes the client sent for this turn only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_attributes: Option<BTreeMap<String, String>>,
    /// The conversation's state, including the session attributes.
    pub session_state: SessionState,
    /// Speech transcriptions Lex considered, kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcriptions: Option<Vec<Value>>,
}

/// Which code hook Lex is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InvocationSource {
    /// Called on each turn while slots are elicited.
    DialogCodeHook,
    /// Called once the intent is ready to be fulfilled.
    FulfillmentCodeHook,
}

/// The bot being invoked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Bot {
    /// The bot id.
    pub id: String,
    /// The bot name.
    pub name: String,
    /// The alias id (`TSTALIASID` for the test alias).
    pub alias_id: String,
    /// The alias name.
    pub alias_name: String,
    /// The locale, such as `en_US`.
    pub locale_id: String,
    /// The bot version, or `DRAFT`.
    pub version: String,
}

/// One intent Lex considered for the utterance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Interpretation {
    /// The intent and the slots it would fill.
    pub intent: Intent,
    /// How confident Lex is in this intent, from 0 to 1. Older documents write it as
    /// `{"score": n}`; both forms parse.
    #[serde(
        default,
        deserialize_with = "nlu_confidence",
        skip_serializing_if = "Option::is_none"
    )]
    pub nlu_confidence: Option<f64>,
    /// The utterance's sentiment, when sentiment analysis is on for the bot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment_response: Option<SentimentResponse>,
    /// `Lex` or `Bedrock`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpretation_source: Option<String>,
}

/// The sentiment Amazon Comprehend detected in the utterance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SentimentResponse {
    /// The overall sentiment.
    pub sentiment: Sentiment,
    /// The confidence in each sentiment, from 0 to 1.
    #[serde(default)]
    pub sentiment_score: SentimentScore,
}

/// The confidence in each sentiment, from 0 to 1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SentimentScore {
    /// Confidence that the utterance is positive.
    pub positive: f64,
    /// Confidence that the utterance is negative.
    pub negative: f64,
    /// Confidence that the utterance is neutral.
    pub neutral: f64,
    /// Confidence that the utterance is mixed.
    pub mixed: f64,
}

/// The conversation's state; both events and responses carry one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionState {
    /// The active contexts, kept verbatim so that responses can return them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_contexts: Option<Vec<Value>>,
    /// The session attributes; absent in some events, always written in responses.
    #[serde(default, deserialize_with = "null_as_default")]
    pub session_attributes: BTreeMap<String, String>,
    /// Hints that bias slot recognition, kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_hints: Option<Value>,
    /// What Lex does next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialog_action: Option<DialogAction>,
    /// The intent being handled.
    pub intent: Intent,
    /// The Lex request that started this invocation; events only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub originating_request_id: Option<String>,
}

/// What Lex does next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DialogAction {
    /// The kind of next step.
    #[serde(rename = "type")]
    pub action_type: DialogActionType,
    /// The slot to ask for, with [`DialogActionType::ElicitSlot`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot_to_elicit: Option<String>,
}

/// An intent and its slots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    /// The intent name, such as `FallbackIntent`.
    pub name: String,
    /// The slots by name; an unfilled slot is `None` (`null` on the wire).
    #[serde(default, deserialize_with = "null_as_default")]
    pub slots: BTreeMap<String, Option<Slot>>,
    /// Where the intent is in its lifecycle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<IntentState>,
    /// Whether the user confirmed the intent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation_state: Option<ConfirmationState>,
    /// Fields this crate does not model, kept so that a response returns them unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A filled slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Slot {
    /// How the slot holds its value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<SlotShape>,
    /// The value of a scalar slot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<SlotValue>,
    /// The values of a list slot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Slot>>,
    /// Fields this crate does not model (such as `subSlots`), kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What the user said for a slot and what Lex made of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotValue {
    /// The user's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_value: Option<String>,
    /// The value Lex settled on; what a handler should use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreted_value: Option<String>,
    /// The values the words could resolve to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_values: Option<Vec<String>>,
    /// Fields this crate does not model, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Why bytes could not be read as a Lex V2 code hook event.
#[derive(Debug, Error)]
pub enum LexEventError {
    /// The bytes are not JSON.
    #[error("the Lex event is not valid JSON: {0}")]
    NotJson(serde_json::Error),
    /// A field every handler needs is absent, empty or not a string.
    #[error("the Lex event has no `{0}` string; is it an Amazon Lex V2 code hook event?")]
    MissingField(&'static str),
    /// A field has a type the Lex V2 format does not allow.
    #[error("the Lex event does not follow the Amazon Lex V2 code hook format: {0}")]
    Format(serde_json::Error),
}

impl LexEvent {
    /// Parses an event, ignoring a leading UTF-8 byte-order mark.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, LexEventError> {
        let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        Self::from_value(serde_json::from_slice(bytes).map_err(LexEventError::NotJson)?)
    }

    /// Reads an event already parsed as JSON (as the Lambda runtime hands it over).
    pub fn from_value(value: Value) -> Result<Self, LexEventError> {
        // Checked up front so that the error names the field by its full path; serde would
        // only say "missing field `name`".
        for (pointer, field) in REQUIRED_STRINGS {
            let present = value
                .pointer(pointer)
                .and_then(Value::as_str)
                .is_some_and(|text| !text.is_empty());
            if !present {
                return Err(LexEventError::MissingField(field));
            }
        }
        serde_json::from_value(value).map_err(LexEventError::Format)
    }

    /// The name of the intent being handled.
    pub fn intent_name(&self) -> &str {
        &self.session_state.intent.name
    }

    /// A session attribute's value.
    pub fn session_attribute(&self, name: &str) -> Option<&str> {
        self.session_state
            .session_attributes
            .get(name)
            .map(String::as_str)
    }

    /// Whether the intent being handled has a slot of this name, filled or not: Lex sends
    /// every slot of the intent, an unfilled one as `null`.
    pub fn intent_has_slot(&self, slot_name: &str) -> bool {
        self.session_state.intent.slots.contains_key(slot_name)
    }

    /// The interpreted value of one of the current intent's slots, if it is filled.
    pub fn slot_value(&self, slot_name: &str) -> Option<&str> {
        self.session_state
            .intent
            .slots
            .get(slot_name)?
            .as_ref()?
            .value
            .as_ref()?
            .interpreted_value
            .as_deref()
    }

    /// The sentiment of the best interpretation, when sentiment analysis is on.
    pub fn top_sentiment(&self) -> Option<&SentimentResponse> {
        self.interpretations.first()?.sentiment_response.as_ref()
    }
}

/// Reads `null` as the type's default, for collections that Lex sometimes sends as `null`.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Reads `nluConfidence` as either a bare number or `{"score": n}`.
fn nlu_confidence<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Confidence {
        Bare(f64),
        Scored { score: f64 },
    }

    Ok(
        Option::<Confidence>::deserialize(deserializer)?.map(|confidence| match confidence {
            Confidence::Bare(score) | Confidence::Scored { score } => score,
        }),
    )
}
