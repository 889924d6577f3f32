//! The Amazon Lex V2 runtime, emulated: `RecognizeText` for the customer page and the AWS
//! SDKs, with a small keyword bot in place of Lex's language understanding, calling the
//! project's code hook exactly as Lex calls the Lambda.
//!
//! Each turn the dialog code hook is called (the deployment enables it on every intent). When
//! it delegates, the intent is fulfilled: through the fulfillment code hook where the intent
//! has one (the escalation intent), else with the intent's closing response. `ElicitSlot`
//! makes the next utterance that slot's value; `Close` ends the intent. The session attributes
//! the client sends replace the session's, and whatever the code hook returns is what the
//! client gets back, `talkdesk_conversation_id` included.
//!
//! Each session keeps one `originatingRequestId` (the id of its first request) on every turn,
//! until it has been idle longer than the idle session TTL; each RecognizeText response has its
//! own request id (`x-amzn-requestid`).
//!
//! What Lex does and this does not: language understanding, slot types and value resolution
//! (a slot takes the utterance as it is), confirmation prompts, sentiment analysis and voice.

mod bot;
mod dialog;
mod event;
mod hook;
mod http;

pub use bot::{BotDefinition, FALLBACK_INTENT, IntentDefinition};
pub(crate) use dialog::LocalBot;
pub(crate) use http::router;
