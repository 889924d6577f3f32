//! The agent's side of the live chat: what an agent did, reported by any contact center, turned
//! into frames on the customer's WebSocket.
//!
//! Each contact center's adapter or entry point parses its own inbound format (Talkdesk
//! Connections callbacks, for instance) into an [`AgentEvent`]. [`AgentEvents`] finds the
//! conversation by that provider's id and tells the customer:
//!
//! - [`AgentAction::Joined`] marks the conversation connected and, if configured, says that
//!   the agent joined (the Lex Web UI already shows its own text when the socket opens);
//! - [`AgentAction::Message`] shows the agent's text exactly once per message id per provider,
//!   through retries that overlap, retries after a failed post and an attempt that died
//!   half-way (see [`MESSAGE_LEASE`]);
//! - [`AgentAction::Ended`] and [`AgentAction::Left`] say that the agent ended the chat and
//!   how to go back to the bot, send `conversation_ended`, close the connection and mark the
//!   conversation ended; after `Left` the customer's side is also ended at the contact center,
//!   when [`AgentEvents::with_contact_centers`] gave one (an agent can leave an Amazon Connect
//!   chat without ending it);
//! - [`AgentAction::Typing`] shows that the agent is typing to a connected customer, and is
//!   never claimed, kept or retried.
//!
//! [`api_key_matches`] checks a callback's API key in constant time.

mod api_key;
mod event;
mod service;
mod settings;

pub use api_key::{ApiKeyCheck, api_key_matches};
pub use event::{AgentAction, AgentEvent};
pub use service::{AgentEventError, AgentEvents, MESSAGE_LEASE, Outcome};
pub use settings::AgentEventSettings;
