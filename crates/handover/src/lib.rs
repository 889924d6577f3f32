//! The domain of handing an Amazon Lex V2 chatbot conversation over to a human agent: the
//! Lex code hook wire format and the signed reference the web client uses to join a chat.
//! Free of AWS SDK types so that every Lambda and test can share it.

pub mod lex;
pub mod reference;
