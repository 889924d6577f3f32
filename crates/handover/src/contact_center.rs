//! The port to the contact centers that carry live chats (Talkdesk Digital Connect, Amazon
//! Connect chat), and the set of them a deployment enables: new escalations go to the one
//! configured for escalation, and every later call about a conversation goes to the contact
//! center of that conversation's [`Provider`].

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::conversation::{Conversation, Provider, ProviderDataKeys};
use crate::transcript::TranscriptEntry;
use async_trait::async_trait;
use tokio::time::Instant;

use crate::errors::Cause;
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
#[derive(Clone, PartialEq, Eq)]
pub struct StartedConversation {
    /// The contact center's id for it.
    pub provider_conversation_id: String,
    /// Whatever the adapter needs later to act on it (tokens, for instance): its values never
    /// appear in debug output.
    pub provider_data: BTreeMap<String, String>,
}

impl std::fmt::Debug for StartedConversation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartedConversation")
            .field("provider_conversation_id", &self.provider_conversation_id)
            .field("provider_data", &ProviderDataKeys(&self.provider_data))
            .finish()
    }
}

/// A customer's message for the agent.
#[derive(Clone, Copy)]
pub struct CustomerText<'a> {
    /// The message's own id (the frame's request id): a redelivered message has the same id,
    /// and two messages with the same words have two.
    pub id: &'a str,
    /// What the customer wrote.
    pub text: &'a str,
}

/// What relaying a message changed that the conversation must keep.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Relayed {
    /// The conversation's provider data to store in place of the old (a renewed token, for
    /// instance); `None` keeps it. Its values never appear in debug output.
    pub provider_data: Option<BTreeMap<String, String>>,
}

impl std::fmt::Debug for Relayed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relayed")
            .field(
                "provider_data",
                &self.provider_data.as_ref().map(ProviderDataKeys),
            )
            .finish()
    }
}

/// A contact-center call that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactCenterError {
    /// The credentials or settings the adapter needs could not be read.
    #[error("contact-center credentials are unavailable")]
    Credentials(#[from] SecretError),
    /// The contact center refused the request; retrying it unchanged will not help.
    #[error("the contact center refused the request ({code})")]
    Refused {
        /// The contact center's error code.
        code: String,
        /// The adapter's error, with the contact center's explanation (never message
        /// contents or credentials).
        #[source]
        cause: Cause,
    },
    /// The conversation's contact center is not enabled in this deployment, so nothing was
    /// called (never another contact center in its place).
    #[error("the {0} contact center is not enabled in this deployment")]
    NotEnabled(Provider),
    /// The contact center may or may not have acted on the call: it answered too late, or
    /// failed while handling it. Repeating the call may do it twice.
    #[error("the contact center's answer is unknown ({code})")]
    Unknown {
        /// A short code for logs.
        code: String,
        /// What happened (never message contents or credentials).
        #[source]
        cause: Cause,
    },
    /// No agent can take a new conversation now (the contact center's limit of concurrent
    /// chats is reached). Nothing was started; retrying at once will not help, the customer
    /// stays with the bot.
    #[error("no agent capacity at the contact center ({code})")]
    NoCapacity {
        /// A short code for logs.
        code: String,
        /// What happened (never message contents or credentials).
        #[source]
        cause: Cause,
    },
    /// The contact center could not be reached, or refused for now (throttling), and did not
    /// act on the call.
    #[error("the contact center is unavailable ({code})")]
    Unavailable {
        /// A short code for logs.
        code: String,
        /// What happened (never message contents or credentials).
        #[source]
        cause: Cause,
    },
}

impl ContactCenterError {
    /// A short code for log lines.
    pub fn code(&self) -> &str {
        match self {
            ContactCenterError::Credentials(_) => "credentials",
            ContactCenterError::NotEnabled(_) => "not_enabled",
            ContactCenterError::Refused { code, .. }
            | ContactCenterError::Unknown { code, .. }
            | ContactCenterError::NoCapacity { code, .. }
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

    /// Relays the customer's message to the agent, and says what the conversation must keep
    /// of it.
    async fn send_message(
        &self,
        conversation: &Conversation,
        message: CustomerText<'_>,
        deadline: Instant,
    ) -> Result<Relayed, ContactCenterError>;

    /// Ends the conversation on the customer's behalf. Ending one that has already ended
    /// succeeds.
    async fn end_conversation(
        &self,
        conversation: &Conversation,
        deadline: Instant,
    ) -> Result<(), ContactCenterError>;
}

/// The contact centers a deployment enables, one per provider, and the one new escalations go
/// to.
#[derive(Clone)]
pub struct ContactCenters {
    escalation: Arc<dyn ContactCenter>,
    others: Vec<Arc<dyn ContactCenter>>,
}

/// Two contact centers given for the same provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {0} contact center is given twice")]
pub struct DuplicateProvider(pub Provider);

impl ContactCenters {
    /// Only `escalation`, which takes every new escalation.
    pub fn single(escalation: Arc<dyn ContactCenter>) -> Self {
        Self {
            escalation,
            others: Vec::new(),
        }
    }

    /// `escalation` takes new escalations; `others` only carry on the conversations that
    /// were started with them.
    pub fn new(
        escalation: Arc<dyn ContactCenter>,
        others: impl IntoIterator<Item = Arc<dyn ContactCenter>>,
    ) -> Result<Self, DuplicateProvider> {
        let mut centers = Self::single(escalation);
        for other in others {
            if centers.of(other.provider()).is_ok() {
                return Err(DuplicateProvider(other.provider()));
            }
            centers.others.push(other);
        }
        Ok(centers)
    }

    /// The contact center new escalations go to.
    pub fn escalation(&self) -> Arc<dyn ContactCenter> {
        self.escalation.clone()
    }

    /// The contact center of `provider`, if this deployment enables it.
    pub fn of(&self, provider: Provider) -> Result<&dyn ContactCenter, ContactCenterError> {
        std::iter::once(&self.escalation)
            .chain(&self.others)
            .find(|center| center.provider() == provider)
            .map(|center| &**center)
            .ok_or(ContactCenterError::NotEnabled(provider))
    }

    /// The providers enabled, the escalation's first.
    pub fn providers(&self) -> Vec<Provider> {
        std::iter::once(&self.escalation)
            .chain(&self.others)
            .map(|center| center.provider())
            .collect()
    }
}

impl std::fmt::Debug for ContactCenters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContactCenters")
            .field("providers", &self.providers())
            .finish()
    }
}
