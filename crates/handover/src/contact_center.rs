//! The port to the contact center that carries the live chat: Talkdesk Digital Connect or
//! Amazon Connect chat, chosen by configuration.

use std::collections::BTreeMap;

use async_trait::async_trait;
use conversation_store::{Conversation, Provider, TranscriptEntry};
use tokio::time::Instant;

use crate::secrets::SecretError;

/// Everything the agent should know when the conversation reaches them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandoverRequest {
    /// The customer's name.
    pub customer_name: String,
    /// What the customer wants to talk about.
    pub subject: String,
    /// Context variables the agent can preview (customer name, sentiment, intent history and
    /// the web page's own parameters), string to string.
    pub context_parameters: BTreeMap<String, String>,
    /// The conversation with the bot so far, oldest first.
    pub transcript: Vec<TranscriptEntry>,
}

/// A conversation the contact center has accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartedConversation {
    /// The contact center's id for it.
    pub provider_conversation_id: String,
    /// Whatever the adapter needs later to act on it (tokens, for instance).
    pub provider_data: BTreeMap<String, String>,
}

/// A contact-center call that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactCenterError {
    /// The credentials or settings the adapter needs could not be read.
    #[error("contact-center credentials are unavailable: {0}")]
    Credentials(#[from] SecretError),
    /// The contact center refused the request; retrying it unchanged will not help.
    #[error("the contact center refused the request ({code}): {message}")]
    Refused {
        /// The contact center's error code.
        code: String,
        /// Its explanation (never message contents).
        message: String,
    },
    /// The contact center could not be reached in time, or failed.
    #[error("the contact center is unavailable ({code}): {message}")]
    Unavailable {
        /// A short code for logs.
        code: String,
        /// What happened.
        message: String,
    },
}

impl ContactCenterError {
    /// A short code for log lines.
    pub fn code(&self) -> &str {
        match self {
            ContactCenterError::Credentials(_) => "credentials",
            ContactCenterError::Refused { code, .. }
            | ContactCenterError::Unavailable { code, .. } => code,
        }
    }
}

/// A contact center that can take over a conversation from the bot.
///
/// Every call takes a `deadline` (the Lambda's remaining time less a margin) that its retries
/// never run past.
#[async_trait]
pub trait ContactCenter: Send + Sync {
    /// Which contact center this is.
    fn provider(&self) -> Provider;

    /// Starts a conversation for `request`. The same `idempotency_key` must yield the same
    /// conversation, so a retried escalation never opens two.
    async fn start_conversation(
        &self,
        request: &HandoverRequest,
        idempotency_key: &str,
        deadline: Instant,
    ) -> Result<StartedConversation, ContactCenterError>;

    /// Relays the customer's message to the agent.
    async fn send_message(
        &self,
        conversation: &Conversation,
        text: &str,
        deadline: Instant,
    ) -> Result<(), ContactCenterError>;

    /// Ends the conversation on the customer's behalf. Ending one that has already ended
    /// succeeds.
    async fn end_conversation(
        &self,
        conversation: &Conversation,
        deadline: Instant,
    ) -> Result<(), ContactCenterError>;
}
