//! The Lex V2 code hook Lambda: the bot's dialog code hook for every intent (records the
//! transcript) and the fulfillment code hook of the escalation intent (hands the customer over
//! to the contact center). The logic lives in [`handover::escalation`]; this crate reads the
//! configuration, wires the AWS and contact-center adapters, and turns Lambda invocations into calls.

use std::sync::Arc;
use std::time::Duration;

use aws_adapters::lambda::{SECRETS_REFRESH_SECONDS, deadline, secrets_refresh};
use aws_adapters::observability::{METRICS_NAMESPACE, metrics_namespace};
use aws_config::SdkConfig;
use contact_centers::{BuildError, ContactCenterSettings};
use conversation_store::StoreSettings;
use handover::escalation::{CodeHook, EscalationSettings, REFERENCE_TTL_SECONDS};
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
    /// The CloudWatch namespace of its metrics.
    pub metrics_namespace: String,
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
            &[METRICS_NAMESPACE],
            EscalationSettings::VARIABLES,
            &ContactCenterSettings::variables(),
            &[SECRETS_REFRESH_SECONDS],
        ]
        .concat()
    }

    /// Reads the configuration through `var` (normally the process environment).
    /// A reference may not outlive the conversation it names: the customer would be refused
    /// while the reference still says the chat is theirs to rejoin.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        let config = Self {
            store: StoreSettings::from_vars(&var)?,
            metrics_namespace: metrics_namespace(&var)?,
            escalation: EscalationSettings::from_vars(&var)?,
            contact_centers: ContactCenterSettings::from_vars(&var)?,
            secrets_refresh: secrets_refresh(&var)?,
        };
        let reference = config.escalation.reference_lifetime;
        if reference > config.store.lifetime {
            return Err(REFERENCE_TTL_SECONDS.invalid(
                format!(
                    "at most CONVERSATION_TTL_SECONDS ({} s)",
                    config.store.lifetime.as_secs()
                ),
                &reference.as_secs().to_string(),
            ));
        }
        Ok(config)
    }

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, SettingError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }
}

/// The code hook over `store` (DynamoDB in AWS), escalating to the configured contact center. `secrets` should cache (see
/// [`handover::secrets::CachedSecrets`]): it is asked on every escalation. `aws` is the
/// function's AWS configuration, which Amazon Connect is called with.
pub fn code_hook(
    config: &Config,
    store: Arc<dyn ConversationStore>,
    secrets: Arc<dyn SecretSource>,
    aws: &SdkConfig,
) -> Result<CodeHook, BuildError> {
    let contact_centers = config.contact_centers.build(secrets.clone(), aws)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, SettingError> {
        let mut vars = vec![
            ("CONVERSATION_TABLE", "conversations"),
            ("TALKDESK_OAUTH_BASE", "acme.talkdeskid.com"),
        ];
        vars.extend_from_slice(pairs);
        Config::from_vars(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn a_reference_may_not_outlive_its_conversation() {
        assert!(config(&[]).is_ok());
        let same = [
            ("CONVERSATION_TTL_SECONDS", "14400"),
            ("REFERENCE_TTL_SECONDS", "14400"),
        ];
        assert!(config(&same).is_ok());
        let error = config(&[
            ("CONVERSATION_TTL_SECONDS", "7200"),
            ("REFERENCE_TTL_SECONDS", "14400"),
        ])
        .unwrap_err();
        assert_eq!(error.variable, REFERENCE_TTL_SECONDS.name);
        assert!(
            error.to_string().contains("CONVERSATION_TTL_SECONDS"),
            "{error}"
        );
    }
}
