//! The agent's side of the live chat: what Talkdesk tells us about the agent, turned into
//! frames on the customer's WebSocket.
//!
//! Talkdesk Connections actions POST one JSON body per agent event to our callback API:
//! `conversation_started` (the agent accepted), `message_created` (the agent wrote) and
//! `conversation_ended` (the agent closed the chat). Talkdesk publishes no schema for these
//! bodies, so [`AgentEvent`] defines ours (shipped as JSON Schemas under `schemas/talkdesk/`).
//! [`AgentEvents`] finds the conversation by Talkdesk's id and tells the customer:
//!
//! - `conversation_started` marks the conversation connected and, if configured, says that the
//!   agent joined (the Lex Web UI already shows its own text when the socket opens);
//! - `message_created` shows the agent's text, once per message id even when Talkdesk retries;
//! - `conversation_ended` says that the agent ended the chat and how to go back to the bot,
//!   sends `conversation_ended`, closes the connection and marks the conversation ended.
//!
//! [`api_key_matches`] checks the callback's API key in constant time.

mod api_key;
mod request;
mod service;
mod settings;

pub use api_key::{ApiKeyCheck, api_key_matches};
pub use request::{
    AgentEvent, ConversationEvent, EventType, InvalidEvent, MAX_CONTENT_CHARS, MAX_ID_CHARS,
    MAX_NAME_CHARS, MessageEvent,
};
pub use service::{AgentEventError, AgentEvents, Outcome};
pub use settings::AgentEventSettings;
