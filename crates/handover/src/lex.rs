//! Amazon Lex V2 code hook events and responses.
//!
//! Lex V2 invokes a Lambda code hook with a [`LexEvent`] and expects a [`LexResponse`]
//! back; `aws_lambda_events` only models Lex V1, so these types are ours. Parsing is
//! tolerant, because real events differ from the documentation: optional maps may be
//! absent or `null`, unknown fields appear, and values Lex added later parse as `Other`.
//! Only what a handler cannot work without (the session id, the invocation source and
//! the intent name) is required; [`LexEvent::from_slice`] names whichever is missing.
//!
//! The session attributes a response carries replace the session's, so every response
//! constructor ([`delegate`], [`close`], [`elicit_slot`]) echoes the incoming ones.

mod event;
mod response;
mod string_enum;
mod web_ui;

pub use event::{
    Bot, DialogAction, Intent, Interpretation, InvocationSource, LexEvent, LexEventError,
    SentimentResponse, SentimentScore, SessionState, Slot, SlotValue,
};
pub use response::{FulfillmentState, LexResponse, Message, close, delegate, elicit_slot};
pub use string_enum::{
    ConfirmationState, DialogActionType, IntentState, MessageContentType, Sentiment, SlotShape,
};
pub(crate) use web_ui::{PREVIOUS_LEX_RESPONSE, PREVIOUS_UTTERANCE};

#[cfg(test)]
mod tests;
