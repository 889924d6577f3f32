//! The Lambdas' handlers, wired by the Lambdas' own wiring functions
//! (`lex_fulfillment::code_hook`, `websocket::relay`, `agent_callback::callback`,
//! `keep_alive::keep_alive`, whose ticks the stand-in queue in `sqs` delivers,
//! `customer_relay::relay`, whose messages the stand-in FIFO queue in `fifo` delivers,
//! `connect_events::connect_events`, to which the simulated SNS topic delivers) but over the
//! store the stack chose, which may be in memory, and the secrets it holds; the keep-alives
//! warn of the emulated connection cap instead of API Gateway's. The emulated front doors call
//! them through the Lambdas' own entry points (`lex_fulfillment::handle`, `websocket::handle`,
//! `Callback::handle`), so the code that runs is the code that is deployed.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use agent_callback::Callback;
use amazon_connect::AmazonConnectContactCenter;
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_lambda_events::sns::SnsEvent;
use handover::agent_events::AgentEvents;
use handover::connections::ConnectionPoster;
use handover::contact_center::ContactCenters;
use handover::escalation::CodeHook;
use handover::keep_alive::CAP_WARNING_LEAD;
use handover::relay::CustomerRelay;
use handover::secrets::SecretSource;
use handover::store::ConversationStore;
use lambda_runtime::{Context, LambdaEvent};
use uuid::Uuid;

use crate::connect::TopicSubscriber;
use crate::error::StartError;
use crate::fifo::{FifoOptions, LocalFifoQueue};
use crate::settings::LambdaConfigs;
use crate::sqs::LocalTickQueue;

/// The handlers behind the emulated front doors.
pub(crate) struct Handlers {
    /// The Lex V2 code hook (`lex-fulfillment`).
    pub code_hook: CodeHook,
    /// The WebSocket API's routes (`websocket`).
    pub relay: CustomerRelay,
    /// The callback REST API (`agent-callback`).
    pub callback: Callback,
    /// The function subscribed to Amazon Connect's streaming topic (`connect-events`).
    pub connect_events: ConnectEventsFunction,
}

/// The template's timeout of the `connect-events` function.
const CONNECT_EVENTS_TIMEOUT: Duration = Duration::from_secs(10);

/// `connect-events`, invoked through its Lambda entry point as SNS invokes it.
pub(crate) struct ConnectEventsFunction(AgentEvents);

#[async_trait]
impl TopicSubscriber for ConnectEventsFunction {
    async fn invoke(&self, event: SnsEvent) -> Result<(), String> {
        let event = LambdaEvent::new(event, lambda_context(CONNECT_EVENTS_TIMEOUT));
        connect_events::handle(&self.0, event)
            .await
            .map_err(|err| err.to_string())
    }
}

/// The handlers over `store`, `secrets` and `connections`, configured by `configs`, built by
/// the Lambdas' own wiring functions; the WebSocket emulator closes connections
/// `connection_cap` after they opened.
pub(crate) fn wire(
    configs: &LambdaConfigs,
    store: Arc<dyn ConversationStore>,
    secrets: Arc<dyn SecretSource>,
    connections: Arc<dyn ConnectionPoster>,
    connection_cap: Duration,
    customer_messages: FifoOptions,
    aws: &SdkConfig,
) -> Result<Handlers, StartError> {
    let settings = |err: &dyn std::fmt::Display| StartError::Settings(err.to_string());
    let code_hook =
        lex_fulfillment::code_hook(&configs.code_hook, store.clone(), secrets.clone(), aws)
            .map_err(|err| settings(&err))?;
    let keep_alives = LocalTickQueue::default();
    let messages = LocalFifoQueue::new(customer_messages);
    let relay = websocket::relay(
        &configs.websocket,
        store.clone(),
        connections.clone(),
        secrets.clone(),
        Arc::new(keep_alives.clone()),
        Arc::new(messages.clone()),
        aws,
    )
    .map_err(|err| settings(&err))?;
    let customer_relay = customer_relay::relay(
        &configs.customer_relay,
        store.clone(),
        connections.clone(),
        secrets.clone(),
        aws,
    )
    .map_err(|err| settings(&err))?;
    messages.consume_with(Arc::new(customer_relay));
    let keep_alive = keep_alive::keep_alive(
        &configs.keep_alive,
        store.clone(),
        connections.clone(),
        Arc::new(keep_alives.clone()),
    )
    .with_connection_cap(connection_cap, cap_warning_lead(connection_cap));
    keep_alives.consume_with(Arc::new(keep_alive));
    // As the Lambda's `main` wires it: Amazon Connect ends the customer's side when the agent
    // leaves.
    let amazon_connect =
        AmazonConnectContactCenter::new(aws, &configs.connect_events.amazon_connect);
    let connect_events = connect_events::connect_events(
        &configs.connect_events,
        store.clone(),
        connections.clone(),
        ContactCenters::single(Arc::new(amazon_connect)),
    );
    let callback = agent_callback::callback(&configs.callback, store, connections, secrets);
    Ok(Handlers {
        code_hook,
        relay,
        callback,
        connect_events: ConnectEventsFunction(connect_events),
    })
}

/// How long before the emulated cap the customer is told: as long as before API Gateway's,
/// but no more than half the cap, so that a cap of a few seconds is warned of too.
fn cap_warning_lead(cap: Duration) -> Duration {
    CAP_WARNING_LEAD.min(cap / 2)
}

/// The context the Lambda runtime hands an invocation: a fresh request id, and a deadline
/// `timeout` from now (the function's timeout, which the handlers keep a margin from).
pub(crate) fn lambda_context(timeout: Duration) -> Context {
    let mut context = Context::default();
    context.request_id = Uuid::new_v4().to_string();
    let deadline = SystemTime::now() + timeout;
    let deadline = deadline.duration_since(UNIX_EPOCH).unwrap_or_default();
    context.deadline = u64::try_from(deadline.as_millis()).unwrap_or(u64::MAX);
    context
}

#[cfg(test)]
mod tests {
    use handover::keep_alive::CONNECTION_CAP;

    use super::*;

    #[test]
    fn the_cap_is_warned_of_as_in_aws_or_half_way_through_a_short_one() {
        assert_eq!(cap_warning_lead(CONNECTION_CAP), CAP_WARNING_LEAD);
        assert_eq!(
            cap_warning_lead(Duration::from_secs(4)),
            Duration::from_secs(2)
        );
    }
}
