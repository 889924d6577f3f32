//! The Lex code hook that records the bot conversation and hands the customer over to an
//! agent.
//!
//! As the dialog code hook of every intent it records the turn into the session's transcript
//! and lets Lex carry on (Delegate), asking for the customer's name or subject first when the
//! escalation intent lacks them. As the fulfillment code hook of the escalation intent it
//! starts the conversation at the contact center with the handover context, stores the
//! conversation, and closes the intent with a signed reference in the session attribute
//! `talkdesk_conversation_id`, which switches the Lex Web UI to live chat.

mod code_hook;
pub mod details;
mod key;
mod settings;
mod turn;

pub use code_hook::CodeHook;
pub use settings::{DetailSource, EscalationSettings, MissingDetails, REFERENCE_TTL_SECONDS};
