//! Client for Talkdesk Digital Connect, the API that lets an external chat system hand a
//! conversation to a Talkdesk agent.
//!
//! [`TalkdeskClient`] obtains OAuth client-credentials tokens (cached and shared by all clones),
//! starts a conversation, relays the customer's messages and ends the conversation. Every call
//! takes a deadline: the client retries throttling, server errors and network failures with
//! jittered exponential backoff, but never sends or sleeps past that deadline.
//!
//! The Digital Connect API is Early Access; where this client relies on behaviour that Talkdesk
//! has not published (the idempotency header name, the End a Conversation endpoint), the item's
//! documentation says so.

mod auth;
mod client;
mod config;
mod contact_center;
mod error;
mod model;
mod retry;
mod settings;

pub use auth::ClientCredentials;
pub use client::TalkdeskClient;
pub use config::{TalkdeskConfig, US_API_BASE};
pub use contact_center::{SecretNames, TalkdeskContactCenter};
pub use error::{ConfigError, FieldError, TalkdeskError};
pub use model::{
    ContactPerson, ConversationId, MessageType, PreviousMessage, SentMessage, StartConversation,
};
pub use retry::Sleeper;
pub use settings::{TALKDESK_API_BASE, TALKDESK_OAUTH_BASE, TalkdeskSettings};
