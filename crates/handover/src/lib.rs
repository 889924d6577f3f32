//! The domain of handing an Amazon Lex V2 chatbot conversation over to a human agent: what a
//! conversation and a transcript are, the Lex code hook wire format, the signed reference the
//! web client uses to join a chat, the ports to the store, the contact center and secrets, the
//! escalation, relay and agent-event services, and how every Lambda reads its settings.
//! Free of AWS SDK types so that every Lambda and test can share it.

pub mod agent_events;
pub mod clock;
pub mod connections;
pub mod contact_center;
pub mod conversation;
pub mod errors;
pub mod escalation;
pub mod keep_alive;
pub mod lex;
pub mod metrics;
pub mod outbox;
pub mod reference;
pub mod relay;
pub mod secrets;
pub mod settings;
pub mod store;
pub mod transcript;
