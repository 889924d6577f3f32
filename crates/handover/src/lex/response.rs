//! The response a code hook returns to Lex V2, and constructors for the usual ones.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::event::{DialogAction, Intent, LexEvent, SessionState};
use super::string_enum::{DialogActionType, IntentState, MessageContentType};

/// A code hook's answer to Lex.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LexResponse {
    /// The conversation's new state; its session attributes replace the session's.
    pub session_state: SessionState,
    /// What Lex says to the user; when empty, Lex uses the bot's configured prompts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<Message>,
    /// Attributes for this turn only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_attributes: Option<BTreeMap<String, String>>,
}

/// A message Lex shows or speaks to the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The format of `content`.
    pub content_type: MessageContentType,
    /// The message; absent for an image response card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The card, with [`MessageContentType::ImageResponseCard`], kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_response_card: Option<Value>,
}

impl Message {
    /// A plain-text message.
    pub fn plain_text(content: impl Into<String>) -> Self {
        Self {
            content_type: MessageContentType::PlainText,
            content: Some(content.into()),
            image_response_card: None,
        }
    }
}

/// How a fulfillment ended, for [`close`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FulfillmentState {
    /// The intent was fulfilled.
    Fulfilled,
    /// The intent could not be fulfilled.
    Failed,
}

impl From<FulfillmentState> for IntentState {
    fn from(state: FulfillmentState) -> Self {
        match state {
            FulfillmentState::Fulfilled => Self::Fulfilled,
            FulfillmentState::Failed => Self::Failed,
        }
    }
}

/// Lets Lex carry on as the bot is configured, with the intent and session unchanged.
pub fn delegate(event: &LexEvent) -> LexResponse {
    let intent = event.session_state.intent.clone();
    LexResponse {
        session_state: echo_session_state(event, DialogActionType::Delegate, None, intent),
        messages: Vec::new(),
        request_attributes: None,
    }
}

/// Ends the intent with `state`, tells the user `message` (with none, Lex plays the intent's
/// own closing response, if any), and adds `extra_session_attributes` on top of the session's
/// (replacing any of the same name).
pub fn close(
    event: &LexEvent,
    state: FulfillmentState,
    message: Option<String>,
    extra_session_attributes: impl IntoIterator<Item = (String, String)>,
) -> LexResponse {
    let intent = Intent {
        state: Some(state.into()),
        ..event.session_state.intent.clone()
    };
    let mut session_state = echo_session_state(event, DialogActionType::Close, None, intent);
    session_state
        .session_attributes
        .extend(extra_session_attributes);
    LexResponse {
        session_state,
        messages: message.into_iter().map(Message::plain_text).collect(),
        request_attributes: None,
    }
}

/// Asks the user `message` to fill the slot `slot_name` of the current intent.
pub fn elicit_slot(
    event: &LexEvent,
    slot_name: impl Into<String>,
    message: impl Into<String>,
) -> LexResponse {
    let intent = Intent {
        state: Some(IntentState::InProgress),
        ..event.session_state.intent.clone()
    };
    LexResponse {
        session_state: echo_session_state(
            event,
            DialogActionType::ElicitSlot,
            Some(slot_name.into()),
            intent,
        ),
        messages: vec![Message::plain_text(message)],
        request_attributes: None,
    }
}

/// The event's session state with a new dialog action and intent. Session attributes,
/// active contexts and runtime hints are echoed because Lex replaces them with whatever
/// the response carries.
fn echo_session_state(
    event: &LexEvent,
    action_type: DialogActionType,
    slot_to_elicit: Option<String>,
    intent: Intent,
) -> SessionState {
    let incoming = &event.session_state;
    SessionState {
        active_contexts: incoming.active_contexts.clone(),
        session_attributes: incoming.session_attributes.clone(),
        runtime_hints: incoming.runtime_hints.clone(),
        dialog_action: Some(DialogAction {
            action_type,
            slot_to_elicit,
        }),
        intent,
        // Identifies the incoming request; not part of a response.
        originating_request_id: None,
    }
}
