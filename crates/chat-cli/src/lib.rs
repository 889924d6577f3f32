//! `lex-chat`: the customer of the live-chat handover in a terminal, a smoke test of a whole
//! conversation, and a load test of many at once.
//!
//! The customer speaks exactly as the Amazon Lex Web UI does: RecognizeText
//! turns with the session attributes re-sent, then, when a new `talkdesk_conversation_id`
//! appears, the WebSocket API with `?conversationId=<value>`, `onMessage` frames, and close
//! code 4000 to end. The smoke test adds the agent's side through the callback API, as
//! Talkdesk Connections call it.
//!
//! | module | what |
//! | --- | --- |
//! | [`lex`] | the bot: a RecognizeText session kept as the Lex Web UI keeps it |
//! | [`live_chat`] | the WebSocket to the agent |
//! | [`chat`] | the interactive chat: typed lines to the bot or the agent |
//! | [`agent`] | the agent's events through the callback API |
//! | [`lookup`] | Talkdesk's conversation id, from the simulated Talkdesk or DynamoDB |
//! | [`smoke`] | one whole conversation, step by step |
//! | [`load`] | many conversations at once, every message counted |
//! | [`cli`] | the command line |
//!
//! Every default points at the local stack (`cargo run -p local-stack`) on its default ports.

pub mod agent;
mod aws;
pub mod chat;
pub mod cli;
pub mod connect_agent;
pub mod lex;
pub mod live_chat;
pub mod load;
pub mod lookup;
pub mod smoke;
