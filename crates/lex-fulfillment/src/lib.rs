//! The Lex V2 code hook Lambda: the bot's dialog code hook for every intent (records the
//! transcript) and the fulfillment code hook of the escalation intent (hands the customer over
//! to Talkdesk). The logic lives in [`handover::escalation`]; this crate reads the
//! configuration, wires the AWS and Talkdesk adapters, and turns Lambda invocations into calls.

use std::sync::Arc;
use std::time::Duration;

use aws_adapters::lambda::{deadline, secrets_refresh};
use conversation_store::{ConversationStore, SettingsError, StoreSettings};
use handover::escalation::{CodeHook, EscalationSettings, SettingError};
use handover::lex::{LexEvent, LexResponse};
use handover::secrets::SecretSource;
use lambda_runtime::LambdaEvent;
use talkdesk::{MissingOAuthBase, TalkdeskContactCenter, TalkdeskSettings};
use tracing::error;

/// The Lambda's configuration, from its environment (listed in `docs/lex-code-hook.md`).
#[derive(Clone, Debug)]
pub struct Config {
    /// The conversation table.
    pub store: StoreSettings,
    /// The escalation's behaviour.
    pub escalation: EscalationSettings,
    /// Where Talkdesk and its secrets are.
    pub talkdesk: TalkdeskSettings,
    /// How long a secret is used before it is read again (`SECRETS_REFRESH_SECONDS`).
    pub secrets_refresh: Duration,
}

/// A configuration that cannot work; the message names the variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The store's settings.
    #[error(transparent)]
    Store(#[from] SettingsError),
    /// The escalation's settings.
    #[error(transparent)]
    Escalation(#[from] SettingError),
    /// Talkdesk's settings.
    #[error(transparent)]
    Talkdesk(#[from] MissingOAuthBase),
    /// The Talkdesk client refused its configuration.
    #[error("the Talkdesk settings are not usable: {0}")]
    TalkdeskClient(#[from] talkdesk::ConfigError),
    /// Another setting.
    #[error("{0}")]
    Setting(String),
}

impl Config {
    /// Reads the configuration through `var` (normally the process environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(Self {
            store: StoreSettings::from_vars(&var)?,
            escalation: EscalationSettings::from_vars(&var)?,
            talkdesk: TalkdeskSettings::from_vars(&var)?,
            secrets_refresh: secrets_refresh(&var).map_err(ConfigError::Setting)?,
        })
    }

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }
}

/// The code hook over `store` (DynamoDB in AWS) and Talkdesk. `secrets` should cache (see
/// [`handover::secrets::CachedSecrets`]): it is asked on every escalation.
pub fn code_hook(
    config: &Config,
    store: Arc<dyn ConversationStore>,
    secrets: Arc<dyn SecretSource>,
) -> Result<CodeHook, ConfigError> {
    let contact_center = TalkdeskContactCenter::from_settings(&config.talkdesk, secrets.clone())?;
    Ok(CodeHook::new(
        store,
        Arc::new(contact_center),
        secrets,
        config.escalation.clone(),
    ))
}

/// One Lambda invocation: a Lex V2 code hook event in, the response Lex expects out.
pub async fn handle(
    hook: &CodeHook,
    event: LambdaEvent<serde_json::Value>,
) -> Result<LexResponse, lambda_runtime::Error> {
    let deadline = deadline(&event.context);
    let lex_event = LexEvent::from_value(event.payload).inspect_err(|err| {
        error!(error = %err, "refusing an event that is not a Lex V2 code hook event");
    })?;
    Ok(hook.handle(&lex_event, deadline).await)
}
