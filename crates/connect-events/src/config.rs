//! The Lambda's configuration, read from its environment.

use amazon_connect::AmazonConnectSettings;
use aws_adapters::lambda::{CONNECTIONS_ENDPOINT, connections_endpoint};
use aws_adapters::observability::{METRICS_NAMESPACE, metrics_namespace};
use conversation_store::StoreSettings;
use handover::agent_events::AgentEventSettings;
use handover::settings::{SettingError, Variable};

/// The Lambda's configuration (the variables are listed in `docs/connect-events.md`).
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
    /// Amazon Connect, where the customer's side is ended when the agent leaves.
    pub amazon_connect: AmazonConnectSettings,
}

impl Config {
    /// The variables the Lambda reads.
    pub fn variables() -> Vec<Variable> {
        [
            StoreSettings::VARIABLES,
            &[METRICS_NAMESPACE],
            AgentEventSettings::VARIABLES,
            &[CONNECTIONS_ENDPOINT],
            AmazonConnectSettings::VARIABLES,
        ]
        .concat()
    }

    /// Reads the configuration through `var` (normally the process environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        Ok(Self {
            store: StoreSettings::from_vars(&var)?,
            metrics_namespace: metrics_namespace(&var)?,
            agent_events: AgentEventSettings::from_vars(&var)?,
            connections_endpoint: connections_endpoint(&var)?,
            amazon_connect: AmazonConnectSettings::from_vars(&var)?,
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

    const ENDPOINT: &str = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod";

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    #[test]
    fn every_variable_it_lists_is_read() {
        let pairs = [
            ("CONVERSATION_TABLE", "conversations"),
            ("CONVERSATION_TTL_SECONDS", "20000"),
            ("METRICS_NAMESPACE", "handover-prod"),
            (CONNECTIONS_ENDPOINT.name, ENDPOINT),
            ("AGENT_JOINED_MESSAGE", "Sam joined."),
            ("AGENT_ENDED_MESSAGE", "Bye."),
            ("AGENT_DEFAULT_NAME", "Support"),
            ("RECONNECT_GRACE_SECONDS", "60"),
            ("MAX_KEPT_MESSAGES", "5"),
            ("AMAZON_CONNECT_INSTANCE_ID", "instance-1"),
            ("AMAZON_CONNECT_CONTACT_FLOW_ID", "flow-1"),
            (
                "AMAZON_CONNECT_STREAMING_TOPIC_ARN",
                "arn:aws:sns:eu-west-1:123456789012:chat",
            ),
            ("AMAZON_CONNECT_ENDPOINT", "http://127.0.0.1:9001"),
            (
                "AMAZON_CONNECT_PARTICIPANT_ENDPOINT",
                "http://127.0.0.1:9002",
            ),
            ("AMAZON_CONNECT_SEND_TRANSCRIPT", "off"),
        ];
        let mut listed: Vec<_> = Config::variables().iter().map(|v| v.name).collect();
        let mut given: Vec<_> = pairs.iter().map(|(name, _)| *name).collect();
        listed.sort_unstable();
        given.sort_unstable();
        assert_eq!(listed, given, "the test sets every listed variable");

        let config = Config::from_vars(vars(&pairs)).unwrap();
        assert_eq!(config.store.table, "conversations");
        assert_eq!(config.store.lifetime.as_secs(), 20000);
        assert_eq!(config.metrics_namespace, "handover-prod");
        assert_eq!(config.connections_endpoint, ENDPOINT);
        let events = &config.agent_events;
        assert_eq!(events.joined_message.as_deref(), Some("Sam joined."));
        assert_eq!(events.ended_message, "Bye.");
        assert_eq!(events.default_author_name, "Support");
        assert_eq!(events.reconnect_grace.as_secs(), 60);
        assert_eq!(events.max_kept_messages, 5);
        let connect = &config.amazon_connect;
        assert_eq!(connect.instance_id, "instance-1");
        assert_eq!(
            connect.participant_endpoint.as_deref(),
            Some("http://127.0.0.1:9002")
        );
    }

    #[test]
    fn defaults_fill_in_what_is_not_set() {
        let config = Config::from_vars(vars(&[
            ("CONVERSATION_TABLE", "conversations"),
            (CONNECTIONS_ENDPOINT.name, &format!("{ENDPOINT}/")),
            ("AMAZON_CONNECT_INSTANCE_ID", "instance-1"),
            ("AMAZON_CONNECT_CONTACT_FLOW_ID", "flow-1"),
            (
                "AMAZON_CONNECT_STREAMING_TOPIC_ARN",
                "arn:aws:sns:eu-west-1:1:chat",
            ),
        ]))
        .unwrap();
        assert_eq!(config.connections_endpoint, ENDPOINT);
        assert_eq!(config.agent_events, AgentEventSettings::default());
        assert_eq!(config.amazon_connect.participant_endpoint, None);
    }

    #[test]
    fn the_table_the_connections_endpoint_and_the_connect_instance_are_required() {
        let no_table = Config::from_vars(vars(&[(CONNECTIONS_ENDPOINT.name, ENDPOINT)]));
        assert_eq!(no_table.unwrap_err().variable, "CONVERSATION_TABLE");
        let no_endpoint = Config::from_vars(vars(&[("CONVERSATION_TABLE", "conversations")]));
        assert_eq!(no_endpoint.unwrap_err().variable, CONNECTIONS_ENDPOINT.name);
        let no_instance = Config::from_vars(vars(&[
            ("CONVERSATION_TABLE", "conversations"),
            (CONNECTIONS_ENDPOINT.name, ENDPOINT),
        ]));
        assert_eq!(
            no_instance.unwrap_err().variable,
            "AMAZON_CONNECT_INSTANCE_ID"
        );
    }
}
