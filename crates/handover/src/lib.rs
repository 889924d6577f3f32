//! The domain of handing an Amazon Lex V2 chatbot conversation over to a human agent: the
//! Lex code hook wire format, the signed reference the web client uses to join a chat, the
//! ports to the contact center and to secrets, and the escalation itself.
//! Free of AWS SDK types so that every Lambda and test can share it.

pub mod agent_events;
pub mod connections;
pub mod contact_center;
pub mod escalation;
pub mod lex;
pub mod reference;
pub mod relay;
pub mod secrets;
