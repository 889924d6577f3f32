//! The Lambda's configuration, read from its environment.

use std::time::Duration;

use aws_adapters::lambda::secrets_refresh;
use conversation_store::{SettingsError, StoreSettings};
use handover::agent_events::AgentEventSettings;

/// The variable holding the API Gateway Management API endpoint of the customers' WebSocket
/// API.
pub const CONNECTIONS_ENDPOINT_VAR: &str = "CONNECTIONS_ENDPOINT";

/// The variable naming the secret that holds the callback's API key.
pub const API_KEY_SECRET_VAR: &str = "CALLBACK_API_KEY_SECRET";

/// The secret holding the callback's API key, unless configured.
pub const DEFAULT_API_KEY_SECRET: &str = "dev/handover/callback-api-key";

/// The Lambda's configuration (the variables are listed in `docs/agent-callback.md`).
#[derive(Clone, Debug)]
pub struct Config {
    /// The conversation table.
    pub store: StoreSettings,
    /// What the customer is told when the agent joins and leaves.
    pub agent_events: AgentEventSettings,
    /// `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}` of the WebSocket API.
    pub connections_endpoint: String,
    /// The secret holding the API key Talkdesk sends in `x-api-key` (plain text).
    pub api_key_secret: String,
    /// How long a secret is used before it is read again.
    pub secrets_refresh: Duration,
}

/// A configuration that cannot work; the message names the variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The store's settings.
    #[error(transparent)]
    Store(#[from] SettingsError),
    /// Another setting.
    #[error("{0}")]
    Setting(String),
}

impl Config {
    /// Reads the configuration through `var` (normally the process environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let present = |name: &str| var(name).filter(|value| !value.trim().is_empty());
        let connections_endpoint = present(CONNECTIONS_ENDPOINT_VAR)
            .map(|endpoint| endpoint.trim().trim_end_matches('/').to_owned())
            .filter(|endpoint| endpoint.starts_with("https://") || endpoint.starts_with("http://"))
            .ok_or_else(|| {
                ConfigError::Setting(format!(
                    "{CONNECTIONS_ENDPOINT_VAR} must be set to the WebSocket API's \
                     https://{{api-id}}.execute-api.{{region}}.amazonaws.com/{{stage}}"
                ))
            })?;
        Ok(Self {
            store: StoreSettings::from_vars(&var)?,
            agent_events: AgentEventSettings::from_vars(&var),
            connections_endpoint,
            api_key_secret: present(API_KEY_SECRET_VAR)
                .unwrap_or_else(|| DEFAULT_API_KEY_SECRET.to_owned()),
            secrets_refresh: secrets_refresh(&var).map_err(ConfigError::Setting)?,
        })
    }

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
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
            (CONNECTIONS_ENDPOINT_VAR, &format!("{ENDPOINT}/")),
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
            (CONNECTIONS_ENDPOINT_VAR, ENDPOINT),
            (API_KEY_SECRET_VAR, "prod/handover/callback-api-key"),
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
            pairs.extend(endpoint.map(|endpoint| (CONNECTIONS_ENDPOINT_VAR, endpoint)));
            let error = Config::from_vars(vars(&pairs)).unwrap_err();
            assert!(
                error.to_string().contains(CONNECTIONS_ENDPOINT_VAR),
                "{endpoint:?}: {error}"
            );
        }
    }

    #[test]
    fn the_store_and_refresh_settings_are_checked() {
        let no_table = Config::from_vars(vars(&[(CONNECTIONS_ENDPOINT_VAR, ENDPOINT)]));
        assert!(matches!(no_table, Err(ConfigError::Store(_))));
        let bad_refresh = Config::from_vars(vars(&[
            ("CONVERSATION_TABLE", "conversations"),
            (CONNECTIONS_ENDPOINT_VAR, ENDPOINT),
            ("SECRETS_REFRESH_SECONDS", "0"),
        ]));
        assert!(matches!(bad_refresh, Err(ConfigError::Setting(_))));
    }
}
