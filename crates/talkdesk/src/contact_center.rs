//! Talkdesk Digital Connect as the handover's contact center: the client, fed with credentials
//! and the touchpoint from secrets.

use std::sync::Arc;

use async_trait::async_trait;
use handover::contact_center::{
    ContactCenter, ContactCenterError, CustomerText, HandoverRequest, Relayed, StartedConversation,
};
use handover::conversation::{Conversation, Provider};
use handover::errors::Cause;
use handover::secrets::{SecretSource, parse_json};
use handover::transcript::Speaker;
use serde::Deserialize;
use tokio::time::Instant;
use tracing::warn;

use crate::{
    ClientCredentials, ConfigError, ContactPerson, ConversationId, MessageType, PreviousMessage,
    StartConversation, TalkdeskClient, TalkdeskError, TalkdeskSettings,
};

/// The names of the two Talkdesk secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretNames {
    /// Holds `{"touchpoint_id": "..."}`.
    pub touchpoint: String,
    /// Holds `{"client_id": "...", "client_secret": "..."}`.
    pub client_keys: String,
}

/// The touchpoint's secret unless configured.
pub(crate) const DEFAULT_TOUCHPOINT_SECRET: &str = "dev/talkdesk/touchpoint/ids";
/// The OAuth client's secret unless configured.
pub(crate) const DEFAULT_CLIENT_SECRET: &str = "dev/talkdesk/client/keys";

impl Default for SecretNames {
    fn default() -> Self {
        Self {
            touchpoint: DEFAULT_TOUCHPOINT_SECRET.into(),
            client_keys: DEFAULT_CLIENT_SECRET.into(),
        }
    }
}

#[derive(Deserialize)]
struct TouchpointSecret {
    touchpoint_id: String,
}

#[derive(Deserialize)]
struct ClientKeysSecret {
    client_id: String,
    client_secret: String,
}

/// Talkdesk Digital Connect behind the [`ContactCenter`] port.
pub struct TalkdeskContactCenter {
    client: TalkdeskClient,
    secrets: Arc<dyn SecretSource>,
    names: SecretNames,
}

impl TalkdeskContactCenter {
    /// The contact center over `client`, reading its secrets from `secrets` (which should
    /// cache: it is asked on every call).
    pub fn new(client: TalkdeskClient, secrets: Arc<dyn SecretSource>, names: SecretNames) -> Self {
        Self {
            client,
            secrets,
            names,
        }
    }

    /// The contact center as `settings` describe it.
    pub fn from_settings(
        settings: &TalkdeskSettings,
        secrets: Arc<dyn SecretSource>,
    ) -> Result<Self, ConfigError> {
        let client = TalkdeskClient::new(settings.client.clone())?;
        Ok(Self::new(client, secrets, settings.secrets.clone()))
    }

    async fn credentials(&self) -> Result<ClientCredentials, ContactCenterError> {
        let name = &self.names.client_keys;
        let text = self.secrets.secret_string(name).await?;
        let keys: ClientKeysSecret = parse_json(name, &text)?;
        Ok(ClientCredentials::new(keys.client_id, keys.client_secret))
    }

    async fn touchpoint_id(&self) -> Result<String, ContactCenterError> {
        let name = &self.names.touchpoint;
        let text = self.secrets.secret_string(name).await?;
        Ok(parse_json::<TouchpointSecret>(name, &text)?.touchpoint_id)
    }
}

#[async_trait]
impl ContactCenter for TalkdeskContactCenter {
    fn provider(&self) -> Provider {
        Provider::Talkdesk
    }

    async fn start_conversation(
        &self,
        request: &HandoverRequest,
        idempotency_key: &str,
        deadline: Instant,
    ) -> Result<StartedConversation, ContactCenterError> {
        let credentials = self.credentials().await?;
        let start = StartConversation {
            touchpoint_id: self.touchpoint_id().await?,
            subject: request.subject.clone(),
            contact_person: ContactPerson {
                name: Some(request.customer_name.clone()),
                email: None,
            },
            context_parameters: request.context_parameters.clone(),
            previous_messages: request
                .transcript
                .iter()
                .map(|entry| PreviousMessage {
                    kind: match entry.speaker {
                        Speaker::Customer => MessageType::User,
                        Speaker::Bot => MessageType::External,
                    },
                    content: entry.text.clone(),
                    created_at: entry.at.into(),
                })
                .collect(),
        };
        let id = self
            .client
            .start_conversation(&credentials, &start, idempotency_key, deadline)
            .await
            .map_err(contact_center_error)?;
        Ok(StartedConversation {
            provider_conversation_id: id.as_str().to_owned(),
            provider_data: Default::default(),
        })
    }

    async fn send_message(
        &self,
        conversation: &Conversation,
        message: CustomerText<'_>,
        deadline: Instant,
    ) -> Result<Relayed, ContactCenterError> {
        let credentials = self.credentials().await?;
        let id = ConversationId::new(&conversation.provider_conversation_id);
        let sent = self
            .client
            .send_message(&credentials, &id, message.text, deadline)
            .await
            .map_err(contact_center_error)?;
        if sent.partially_failed {
            warn!(conversation = %conversation.key, reason = ?sent.partial_fail_reason, "Talkdesk accepted the message with a partial failure");
        }
        Ok(Relayed::default())
    }

    async fn end_conversation(
        &self,
        conversation: &Conversation,
        deadline: Instant,
    ) -> Result<(), ContactCenterError> {
        let credentials = self.credentials().await?;
        let id = ConversationId::new(&conversation.provider_conversation_id);
        self.client
            .end_conversation(&credentials, &id, deadline)
            .await
            .map_err(contact_center_error)
    }
}

/// Talkdesk's refusals (4xx but throttling) are final; a timeout, a request broken off after it
/// went out or a server error leaves the outcome unknown (Talkdesk may have acted); the rest
/// did nothing and may pass. The Talkdesk
/// error is kept as the cause: it never holds credentials, tokens or message contents.
fn contact_center_error(err: TalkdeskError) -> ContactCenterError {
    let code = err.code().to_owned();
    let refused = match &err {
        TalkdeskError::Api { status, .. } | TalkdeskError::Auth { status, .. } => {
            (400..500).contains(status) && *status != 429
        }
        TalkdeskError::InvalidRequest(_) => true,
        _ => false,
    };
    let unknown = match &err {
        TalkdeskError::Timeout => true,
        TalkdeskError::Transport(transport) => !transport.is_connect(),
        TalkdeskError::Api { status, .. } => *status >= 500,
        _ => false,
    };
    let cause = Cause::new(err);
    if refused {
        ContactCenterError::Refused { code, cause }
    } else if unknown {
        ContactCenterError::Unknown { code, cause }
    } else {
        ContactCenterError::Unavailable { code, cause }
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error;

    use handover::errors::chain;

    use super::*;

    #[test]
    fn a_refusal_keeps_the_talkdesk_error_as_its_cause() {
        let body = br#"{"code":"0331001","message":"Invalid request"}"#;
        let refused = contact_center_error(TalkdeskError::from_api_body(400, body));
        assert!(matches!(&refused, ContactCenterError::Refused { code, .. } if code == "0331001"));
        assert_eq!(
            refused.source().map(ToString::to_string).as_deref(),
            Some("Talkdesk API answered HTTP 400 (0331001)")
        );
    }

    #[test]
    fn throttling_is_unavailable_and_timeouts_and_server_errors_unknown() {
        let throttled = contact_center_error(TalkdeskError::from_api_body(429, b""));
        assert!(matches!(throttled, ContactCenterError::Unavailable { .. }));
        let failed = contact_center_error(TalkdeskError::from_api_body(500, b""));
        assert!(matches!(failed, ContactCenterError::Unknown { .. }));
        let timed_out = contact_center_error(TalkdeskError::Timeout);
        assert_eq!(
            chain(&timed_out).to_string(),
            "the contact center's answer is unknown (timeout): request to Talkdesk timed out"
        );
    }
}
