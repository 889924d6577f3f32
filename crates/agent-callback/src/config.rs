//! The Lambda's configuration, read from its environment.

use std::time::Duration;

use aws_adapters::lambda::{
    CONNECTIONS_ENDPOINT, SECRETS_REFRESH_SECONDS, connections_endpoint, secrets_refresh,
};
use aws_adapters::observability::{METRICS_NAMESPACE, metrics_namespace};
use conversation_store::StoreSettings;
use handover::agent_events::AgentEventSettings;
use handover::settings::{SettingError, Variable, text};

/// The secret holding the callback's API key, unless configured.
pub const DEFAULT_API_KEY_SECRET: &str = "dev/handover/callback-api-key";

/// The variable naming the secret that holds the callback's API key.
pub const CALLBACK_API_KEY_SECRET: Variable =
    Variable::with_default("CALLBACK_API_KEY_SECRET", DEFAULT_API_KEY_SECRET);

/// The Lambda's configuration (the variables are listed in `docs/agent-callback.md`).
#[derive(Clone, Debug)]
pub struct Config {
    /// The conversation table.
    pub store: StoreSettings,
    /// The CloudWatch namespace of its metrics.
    pub metrics_namespace: String,
    /// What the customer is told when the agent joins and leaves.
    pub agent_events: AgentEventSettings,
    /// `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}` of the WebSocket API.
    pub connections_endpoint: String,
    /// The secret holding the API key Talkdesk sends in `x-api-key` (plain text).
    pub api_key_secret: String,
    /// How long a secret is used before it is read again.
    pub secrets_refresh: Duration,
}

impl Config {
    /// The variables the Lambda reads.
    pub fn variables() -> Vec<Variable> {
        [
            StoreSettings::VARIABLES,
            &[METRICS_NAMESPACE],
            AgentEventSettings::VARIABLES,
            &[
                CONNECTIONS_ENDPOINT,
                CALLBACK_API_KEY_SECRET,
                SECRETS_REFRESH_SECONDS,
            ],
        ]
        .concat()
    }

    /// Reads the configuration through `var` (normally the process environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        Ok(Self {
            connections_endpoint: connections_endpoint(&var)?,
            store: StoreSettings::from_vars(&var)?,
            metrics_namespace: metrics_namespace(&var)?,
            agent_events: AgentEventSettings::from_vars(&var)?,
            api_key_secret: text(&var, &CALLBACK_API_KEY_SECRET)?,
            secrets_refresh: secrets_refresh(&var)?,
        })
    }

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, SettingError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    const ENDPOINT: &str = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod";

    #[test]
    fn defaults_fill_in_what_is_not_set() {
        let config = Config::from_vars(vars(&[
            ("CONVERSATION_TABLE", "conversations"),
            (CONNECTIONS_ENDPOINT.name, &format!("{ENDPOINT}/")),
        ]))
        .unwrap();
        assert_eq!(config.connections_endpoint, ENDPOINT);
        assert_eq!(config.api_key_secret, DEFAULT_API_KEY_SECRET);
        assert_eq!(config.secrets_refresh, Duration::from_secs(300));
        assert_eq!(config.agent_events, AgentEventSettings::default());
        assert_eq!(config.store.table, "conversations");
    }

    #[test]
    fn variables_override_defaults() {
        let config = Config::from_vars(vars(&[
            ("CONVERSATION_TABLE", "conversations"),
            (CONNECTIONS_ENDPOINT.name, ENDPOINT),
            (
                CALLBACK_API_KEY_SECRET.name,
                "prod/handover/callback-api-key",
            ),
            ("SECRETS_REFRESH_SECONDS", "60"),
            ("AGENT_JOINED_MESSAGE", "An agent joined."),
        ]))
        .unwrap();
        assert_eq!(config.api_key_secret, "prod/handover/callback-api-key");
        assert_eq!(config.secrets_refresh, Duration::from_secs(60));
        assert_eq!(
            config.agent_events.joined_message.as_deref(),
            Some("An agent joined.")
        );
    }

    #[test]
    fn the_connections_endpoint_is_required_and_a_url() {
        for endpoint in [
            None,
            Some(" "),
            Some("abc123.execute-api.amazonaws.com/prod"),
        ] {
            let mut pairs = vec![("CONVERSATION_TABLE", "conversations")];
            pairs.extend(endpoint.map(|endpoint| (CONNECTIONS_ENDPOINT.name, endpoint)));
            let error = Config::from_vars(vars(&pairs)).unwrap_err();
            assert!(
                error.to_string().contains(CONNECTIONS_ENDPOINT.name),
                "{endpoint:?}: {error}"
            );
        }
    }

    #[test]
    fn the_store_and_refresh_settings_are_checked() {
        let no_table = Config::from_vars(vars(&[(CONNECTIONS_ENDPOINT.name, ENDPOINT)]));
        assert_eq!(no_table.unwrap_err().variable, "CONVERSATION_TABLE");
        let bad_refresh = Config::from_vars(vars(&[
            ("CONVERSATION_TABLE", "conversations"),
            (CONNECTIONS_ENDPOINT.name, ENDPOINT),
            ("SECRETS_REFRESH_SECONDS", "0"),
        ]));
        assert_eq!(bad_refresh.unwrap_err().variable, "SECRETS_REFRESH_SECONDS");
    }
}
