//! Amazon Connect chat as the handover's contact center.
//!
//! [`AmazonConnectContactCenter`] starts a chat contact for the customer (`StartChatContact`),
//! streams it to an SNS topic (`StartContactStreaming`), where the agent's messages and events
//! are read by a function of their own, and joins the customer to it
//! (`CreateParticipantConnection`), which starts the contact flow; it then relays the
//! customer's messages (`SendMessage`) and leaves the chat (`DisconnectParticipant`). The
//! calls are signed with the function's role; the participant calls carry the customer
//! participant's tokens, which the conversation keeps and nothing logs.
//!
//! Every call is bounded by the deadline it is given, the SDK's retries included, and every
//! call that could create something twice carries a client token derived from what it is for.

mod attributes;
mod clients;
mod contact_center;
mod error;
mod settings;
mod text;
mod tokens;

pub use attributes::{InvalidAttributes, MAX_ATTRIBUTES_BYTES};
pub use contact_center::AmazonConnectContactCenter;
pub use error::ConnectError;
pub use settings::{
    AMAZON_CONNECT_CONTACT_FLOW_ID, AMAZON_CONNECT_ENDPOINT, AMAZON_CONNECT_INSTANCE_ID,
    AMAZON_CONNECT_PARTICIPANT_ENDPOINT, AMAZON_CONNECT_SEND_TRANSCRIPT,
    AMAZON_CONNECT_STREAMING_TOPIC_ARN, AmazonConnectSettings,
};
pub use text::MAX_MESSAGE_CHARS;
pub use tokens::{CONNECTION_EXPIRY, CONNECTION_TOKEN, PARTICIPANT_ID, PARTICIPANT_TOKEN};
