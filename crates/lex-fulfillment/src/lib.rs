//! The Lex V2 code hook Lambda: the bot's dialog code hook for every intent (records the
//! transcript) and the fulfillment code hook of the escalation intent (hands the customer over
//! to Talkdesk). The logic lives in [`handover::escalation`]; this crate reads the
//! configuration, wires the AWS and Talkdesk adapters, and turns Lambda invocations into calls.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use conversation_store::{DynamoDbStore, SettingsError, StoreSettings};
use handover::escalation::{CodeHook, EscalationSettings, SettingError};
use handover::lex::{LexEvent, LexResponse};
use handover::secrets::SecretSource;
use lambda_runtime::{Context, LambdaEvent};
use talkdesk::{MissingOAuthBase, TalkdeskClient, TalkdeskContactCenter, TalkdeskSettings};
use tokio::time::Instant;
use tracing::error;

/// Time kept back from the Lambda's deadline to answer Lex after the last Talkdesk call.
const DEADLINE_MARGIN: Duration = Duration::from_millis(1500);

/// How long secrets are used before they are read again, unless configured.
const DEFAULT_SECRETS_REFRESH: Duration = Duration::from_secs(300);

/// The Lambda's configuration, from its environment (listed in the README).
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
    /// The refresh interval is not a positive whole number of seconds.
    #[error("SECRETS_REFRESH_SECONDS must be a positive whole number of seconds")]
    SecretsRefresh,
}

impl Config {
    /// Reads the configuration through `var` (normally the process environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let secrets_refresh = match var("SECRETS_REFRESH_SECONDS") {
            None => DEFAULT_SECRETS_REFRESH,
            Some(text) => match text.trim().parse::<u64>() {
                Ok(seconds) if seconds > 0 => Duration::from_secs(seconds),
                _ => return Err(ConfigError::SecretsRefresh),
            },
        };
        Ok(Self {
            store: StoreSettings::from_vars(&var)?,
            escalation: EscalationSettings::from_vars(&var)?,
            talkdesk: TalkdeskSettings::from_vars(&var)?,
            secrets_refresh,
        })
    }

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }
}

/// The code hook over DynamoDB and Talkdesk. `secrets` should cache (see
/// [`handover::secrets::CachedSecrets`]): it is asked on every escalation.
pub fn code_hook(
    config: &Config,
    dynamodb: aws_sdk_dynamodb::Client,
    secrets: Arc<dyn SecretSource>,
) -> Result<CodeHook, ConfigError> {
    let store =
        DynamoDbStore::new(dynamodb, &config.store.table).with_lifetime(config.store.lifetime);
    let client = TalkdeskClient::new(config.talkdesk.client.clone())?;
    let contact_center =
        TalkdeskContactCenter::new(client, secrets.clone(), config.talkdesk.secrets.clone());
    Ok(CodeHook::new(
        Arc::new(store),
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

/// The Lambda's deadline less [`DEADLINE_MARGIN`], as a tokio instant.
fn deadline(context: &Context) -> Instant {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let left = u128::from(context.deadline).saturating_sub(now);
    let left = Duration::from_millis(u64::try_from(left).unwrap_or(u64::MAX));
    Instant::now() + left.saturating_sub(DEADLINE_MARGIN)
}
