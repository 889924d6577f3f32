//! The Lambdas' configurations, read by their own `Config::from_vars` from the variables
//! a deployment would set: the caller's (the handlers' settings), with the stack's own
//! addresses for the table, Talkdesk, Amazon Connect and the WebSocket API, and its own
//! `CONTACT_CENTERS`, in place of any given.

use std::collections::BTreeMap;
use std::time::Duration;

use amazon_connect::{
    AMAZON_CONNECT_CONTACT_FLOW_ID, AMAZON_CONNECT_ENDPOINT, AMAZON_CONNECT_INSTANCE_ID,
    AMAZON_CONNECT_PARTICIPANT_ENDPOINT, AMAZON_CONNECT_STREAMING_TOPIC_ARN,
};
use aws_adapters::lambda::CONNECTIONS_ENDPOINT;
use aws_adapters::messages::CUSTOMER_MESSAGE_QUEUE_URL;
use aws_adapters::queue::KEEP_ALIVE_QUEUE_URL;
use contact_centers::CONTACT_CENTERS;
use conversation_store::CONVERSATION_TABLE;
use talkdesk::{TALKDESK_API_BASE, TALKDESK_OAUTH_BASE};

use crate::connect::ConnectInstance;
use crate::error::StartError;

/// The keep-alive queue's URL: the stack delivers ticks itself, so it is never called.
const LOCAL_QUEUE: &str = "http://127.0.0.1/local-keep-alive-queue";

/// The customer-message queue's URL: the stack delivers them itself, so it is never called.
const LOCAL_FIFO_QUEUE: &str = "http://127.0.0.1/local-customer-messages.fifo";

/// The table name when the store is in memory (the Lambdas' configuration requires one).
const MEMORY_TABLE: &str = "local-conversations";

/// Where the stack's own parts are, in the variables the Lambdas read.
pub(crate) struct Addresses<'a> {
    /// The conversation table, if the store is DynamoDB.
    pub table: Option<&'a str>,
    /// The simulated Talkdesk, for both OAuth and the API.
    pub talkdesk: &'a str,
    /// The Management API endpoint of the WebSocket API.
    pub connections: &'a str,
    /// The simulated Amazon Connect, for both of its services.
    pub connect: &'a str,
    /// The simulated Amazon Connect instance, flow and topic.
    pub connect_instance: &'a ConnectInstance,
    /// The enabled contact centers, as `CONTACT_CENTERS` lists them.
    pub contact_centers: &'a str,
}

/// The simulated Amazon Connect instance: the ids and topic the environment names, the local
/// defaults for those it does not.
pub(crate) fn connect_instance(environment: &BTreeMap<String, String>) -> ConnectInstance {
    let defaults = ConnectInstance::default();
    let named = |variable: &str, default: String| {
        environment
            .get(variable)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
            .unwrap_or(default)
    };
    ConnectInstance {
        instance_id: named(AMAZON_CONNECT_INSTANCE_ID.name, defaults.instance_id),
        contact_flow_id: named(
            AMAZON_CONNECT_CONTACT_FLOW_ID.name,
            defaults.contact_flow_id,
        ),
        topic_arn: named(AMAZON_CONNECT_STREAMING_TOPIC_ARN.name, defaults.topic_arn),
    }
}

/// What each Lambda would read from its environment.
pub(crate) struct LambdaConfigs {
    /// The Lex code hook's.
    pub code_hook: lex_fulfillment::Config,
    /// The WebSocket API Lambda's.
    pub websocket: websocket::Config,
    /// The agent callback's.
    pub callback: agent_callback::Config,
    /// The keep-alive function's.
    pub keep_alive: keep_alive::Config,
    /// The customer-relay function's.
    pub customer_relay: customer_relay::Config,
    /// The Amazon Connect chat events function's.
    pub connect_events: connect_events::Config,
}

impl LambdaConfigs {
    /// Reads the configurations from `environment`, with `addresses` overriding.
    pub(crate) fn read(
        environment: &BTreeMap<String, String>,
        addresses: &Addresses<'_>,
    ) -> Result<Self, StartError> {
        let wiring = BTreeMap::from([
            (
                CONVERSATION_TABLE.name,
                addresses.table.unwrap_or(MEMORY_TABLE),
            ),
            (TALKDESK_OAUTH_BASE.name, addresses.talkdesk),
            (TALKDESK_API_BASE.name, addresses.talkdesk),
            (CONNECTIONS_ENDPOINT.name, addresses.connections),
            (KEEP_ALIVE_QUEUE_URL.name, LOCAL_QUEUE),
            (CUSTOMER_MESSAGE_QUEUE_URL.name, LOCAL_FIFO_QUEUE),
            (CONTACT_CENTERS.name, addresses.contact_centers),
            (AMAZON_CONNECT_ENDPOINT.name, addresses.connect),
            (AMAZON_CONNECT_PARTICIPANT_ENDPOINT.name, addresses.connect),
            (
                AMAZON_CONNECT_INSTANCE_ID.name,
                &addresses.connect_instance.instance_id,
            ),
            (
                AMAZON_CONNECT_CONTACT_FLOW_ID.name,
                &addresses.connect_instance.contact_flow_id,
            ),
            (
                AMAZON_CONNECT_STREAMING_TOPIC_ARN.name,
                &addresses.connect_instance.topic_arn,
            ),
        ]);
        let var = |name: &str| {
            wiring
                .get(name)
                .map(|value| (*value).to_owned())
                .or_else(|| environment.get(name).cloned())
        };
        let unusable = |err: &dyn std::fmt::Display| StartError::Settings(err.to_string());
        Ok(Self {
            code_hook: lex_fulfillment::Config::from_vars(var).map_err(|err| unusable(&err))?,
            websocket: websocket::Config::from_vars(var).map_err(|err| unusable(&err))?,
            callback: agent_callback::Config::from_vars(var).map_err(|err| unusable(&err))?,
            keep_alive: keep_alive::Config::from_vars(var).map_err(|err| unusable(&err))?,
            customer_relay: customer_relay::Config::from_vars(var).map_err(|err| unusable(&err))?,
            connect_events: connect_events::Config::from_vars(var).map_err(|err| unusable(&err))?,
        })
    }

    /// How long records live after their last write (`CONVERSATION_TTL_SECONDS`), the same
    /// for every Lambda as they read the same variable.
    pub(crate) fn store_lifetime(&self) -> Duration {
        self.code_hook.store.lifetime
    }
}

#[cfg(test)]
mod tests {
    use conversation_store::CONVERSATION_TTL_SECONDS;

    use super::*;

    static INSTANCE: std::sync::LazyLock<ConnectInstance> =
        std::sync::LazyLock::new(ConnectInstance::default);

    fn addresses() -> Addresses<'static> {
        Addresses {
            table: None,
            talkdesk: "http://127.0.0.1:1",
            connections: "http://127.0.0.1:2/local",
            connect: "http://127.0.0.1:3",
            connect_instance: &INSTANCE,
            contact_centers: "talkdesk",
        }
    }

    #[test]
    fn amazon_connect_is_the_simulator_and_the_provider_list_the_stack_s() {
        let environment = BTreeMap::from([
            (CONTACT_CENTERS.name.to_owned(), "talkdesk".to_owned()),
            (
                AMAZON_CONNECT_ENDPOINT.name.to_owned(),
                "https://connect.eu-west-1.amazonaws.com".to_owned(),
            ),
        ]);
        let addresses = Addresses {
            contact_centers: "amazon-connect,talkdesk",
            ..addresses()
        };
        let configs = LambdaConfigs::read(&environment, &addresses).unwrap();
        let contact_centers = &configs.websocket.contact_centers;
        let contact_centers::ProviderSettings::AmazonConnect(connect) = &contact_centers.escalation
        else {
            panic!("Amazon Connect should take new escalations: {contact_centers:?}");
        };
        assert_eq!(
            connect.connect_endpoint.as_deref(),
            Some("http://127.0.0.1:3")
        );
        assert_eq!(
            connect.participant_endpoint.as_deref(),
            Some("http://127.0.0.1:3")
        );
        assert_eq!(connect.instance_id, INSTANCE.instance_id);
        assert_eq!(connect.streaming_topic_arn, INSTANCE.topic_arn);
        assert!(contact_centers.talkdesk().is_some());
    }

    #[test]
    fn the_environment_may_name_the_instance_flow_and_topic() {
        let environment = BTreeMap::from([(
            AMAZON_CONNECT_INSTANCE_ID.name.to_owned(),
            "my-instance".to_owned(),
        )]);
        let instance = connect_instance(&environment);
        assert_eq!(instance.instance_id, "my-instance");
        assert_eq!(
            instance.contact_flow_id,
            ConnectInstance::default().contact_flow_id
        );
        assert_eq!(instance.topic_arn, ConnectInstance::default().topic_arn);
    }

    #[test]
    fn the_stack_s_addresses_win_and_settings_pass_through() {
        let environment = BTreeMap::from([
            (
                CONVERSATION_TABLE.name.to_owned(),
                "production-table".to_owned(),
            ),
            (
                TALKDESK_OAUTH_BASE.name.to_owned(),
                "https://acme.talkdeskid.com".to_owned(),
            ),
            ("ESCALATION_INTENT".to_owned(), "Handover".to_owned()),
            ("AGENT_ENDED_MESSAGE".to_owned(), "Bye.".to_owned()),
            (CONVERSATION_TTL_SECONDS.name.to_owned(), "90000".to_owned()),
        ]);
        let configs = LambdaConfigs::read(&environment, &addresses()).unwrap();
        assert_eq!(configs.code_hook.store.table, MEMORY_TABLE);
        let talkdesk = &configs.websocket.contact_centers.talkdesk().unwrap().client;
        assert_eq!(talkdesk.oauth_base, "http://127.0.0.1:1");
        assert_eq!(talkdesk.api_base, "http://127.0.0.1:1");
        assert_eq!(
            configs.callback.connections_endpoint,
            "http://127.0.0.1:2/local"
        );
        assert_eq!(configs.code_hook.escalation.escalation_intent, "Handover");
        assert_eq!(configs.callback.agent_events.ended_message, "Bye.");
        assert_eq!(configs.store_lifetime(), Duration::from_secs(90_000));
    }

    #[test]
    fn unusable_settings_are_named() {
        let environment = BTreeMap::from([("MISSING_DETAILS".to_owned(), "ask".to_owned())]);
        let Err(err) = LambdaConfigs::read(&environment, &addresses()) else {
            panic!("an unusable setting was accepted");
        };
        assert!(err.to_string().contains("MISSING_DETAILS"), "{err}");
    }
}
