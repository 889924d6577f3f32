//! The Lex V2 code hook Lambda: the bot's dialog code hook for every intent (records the
//! transcript) and the fulfillment code hook of the escalation intent (hands the customer over
//! to the contact center). The logic lives in [`handover::escalation`]; this crate reads the
//! configuration, wires the AWS and contact-center adapters, and turns Lambda invocations into calls.

use std::sync::Arc;
use std::time::Duration;

use aws_adapters::lambda::{SECRETS_REFRESH_SECONDS, deadline, secrets_refresh};
use contact_centers::{BuildError, ContactCenterSettings};
use conversation_store::StoreSettings;
use handover::escalation::{CodeHook, EscalationSettings};
use handover::lex::{LexEvent, LexResponse};
use handover::secrets::SecretSource;
use handover::settings::{SettingError, Variable};
use handover::store::ConversationStore;
use lambda_runtime::LambdaEvent;
use tracing::error;

/// The Lambda's configuration, from its environment (listed in `docs/lex-code-hook.md`).
#[derive(Clone, Debug)]
pub struct Config {
    /// The conversation table.
    pub store: StoreSettings,
    /// The escalation's behaviour.
    pub escalation: EscalationSettings,
    /// The enabled contact centers and where their secrets are.
    pub contact_centers: ContactCenterSettings,
    /// How long a secret is used before it is read again (`SECRETS_REFRESH_SECONDS`).
    pub secrets_refresh: Duration,
}

impl Config {
    /// The variables the Lambda reads.
    pub fn variables() -> Vec<Variable> {
        [
            StoreSettings::VARIABLES,
            EscalationSettings::VARIABLES,
            &ContactCenterSettings::variables(),
            &[SECRETS_REFRESH_SECONDS],
        ]
        .concat()
    }

    /// Reads the configuration through `var` (normally the process environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        Ok(Self {
            store: StoreSettings::from_vars(&var)?,
            escalation: EscalationSettings::from_vars(&var)?,
            contact_centers: ContactCenterSettings::from_vars(&var)?,
            secrets_refresh: secrets_refresh(&var)?,
        })
    }

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, SettingError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }
}

/// The code hook over `store` (DynamoDB in AWS), escalating to the configured contact center. `secrets` should cache (see
/// [`handover::secrets::CachedSecrets`]): it is asked on every escalation.
pub fn code_hook(
    config: &Config,
    store: Arc<dyn ConversationStore>,
    secrets: Arc<dyn SecretSource>,
) -> Result<CodeHook, BuildError> {
    let contact_centers = config.contact_centers.build(secrets.clone())?;
    Ok(CodeHook::new(
        store,
        contact_centers.escalation(),
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
