//! The Lambda subscribed to the SNS topic that Amazon Connect streams a chat's events to
//! (`StartContactStreaming`): the agent's side of an Amazon Connect chat, shown in the
//! customer's Lex Web UI.
//!
//! [`connect_message`] reads each record into the domain's agent event (a message, joining,
//! leaving, the chat's end, typing) keyed by the contact's `InitialContactId`, or drops it:
//! the customer's own messages echoed back, what only agents may see, system messages,
//! receipts, attachments and incomplete chunks of streamed messages. What happens next is the
//! same for every contact center ([`handover::agent_events::AgentEvents`]).
//! See `docs/connect-events.md`.

mod config;
pub mod connect_message;
mod handler;

use std::sync::Arc;

use handover::agent_events::AgentEvents;
use handover::connections::ConnectionPoster;
use handover::contact_center::ContactCenters;
use handover::store::ConversationStore;

pub use config::Config;
pub use handler::{RetryLater, handle};

/// The agent events over `store` (DynamoDB in AWS) and `connections`, ending the customer's
/// side at `amazon_connect` when an agent leaves.
pub fn connect_events(
    config: &Config,
    store: Arc<dyn ConversationStore>,
    connections: Arc<dyn ConnectionPoster>,
    amazon_connect: ContactCenters,
) -> AgentEvents {
    AgentEvents::new(store, connections, config.agent_events.clone())
        .with_contact_centers(amazon_connect)
}
