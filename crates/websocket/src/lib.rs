//! The WebSocket API Lambda: one function behind the four routes (`$connect`, `onMessage`,
//! `$disconnect`, `$default`), which need the same permissions and share one pool of warm
//! processes. The logic lives in [`handover::relay`]; this crate reads the configuration,
//! wires the adapters, and turns API Gateway events into relay calls. `onMessage` only queues
//! the customer's message: the customer-relay function sends it, in order.

use std::sync::Arc;
use std::time::Duration;

use aws_adapters::lambda::{
    CONNECTIONS_ENDPOINT, SECRETS_REFRESH_SECONDS, connections_endpoint, deadline, secrets_refresh,
};
use aws_adapters::messages::CUSTOMER_MESSAGE_QUEUE_URL;
use aws_adapters::observability::{METRICS_NAMESPACE, metrics_namespace};
use aws_adapters::queue::KEEP_ALIVE_QUEUE_URL;
use aws_config::SdkConfig;
use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body;
use contact_centers::{BuildError, ContactCenterSettings};
use conversation_store::StoreSettings;
use handover::connections::ConnectionPoster;
use handover::keep_alive::{KEEP_ALIVE_SECONDS, KeepAlive, TickQueue, interval};
use handover::relay::{CustomerRelay, MessageQueue, Refusal, RelaySettings};
use handover::secrets::SecretSource;
use handover::settings::{SettingError, Variable, text};
use handover::store::ConversationStore;
use lambda_runtime::{Context, LambdaEvent};
use tokio::time::Instant;
use tracing::{Instrument, info_span, warn};

/// The Lambda's configuration, from its environment (listed in `docs/websocket-api.md`).
#[derive(Clone, Debug)]
pub struct Config {
    /// The conversation table.
    pub store: StoreSettings,
    /// The CloudWatch namespace of its metrics.
    pub metrics_namespace: String,
    /// What the relay says and allows.
    pub relay: RelaySettings,
    /// The enabled contact centers and where their secrets are.
    pub contact_centers: ContactCenterSettings,
    /// `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`.
    pub connections_endpoint: String,
    /// How long a secret is used before it is read again.
    pub secrets_refresh: Duration,
    /// The queue of delayed keep-alive ticks.
    pub keep_alive_queue_url: String,
    /// How often a connection gets a keep-alive.
    pub keep_alive_interval: Duration,
    /// The FIFO queue of customer messages, which the customer-relay function sends on.
    pub customer_message_queue_url: String,
}

impl Config {
    /// The variables the Lambda reads.
    pub fn variables() -> Vec<Variable> {
        [
            StoreSettings::VARIABLES,
            &[METRICS_NAMESPACE],
            RelaySettings::VARIABLES,
            &ContactCenterSettings::variables(),
            &[
                CONNECTIONS_ENDPOINT,
                SECRETS_REFRESH_SECONDS,
                KEEP_ALIVE_QUEUE_URL,
                KEEP_ALIVE_SECONDS,
                CUSTOMER_MESSAGE_QUEUE_URL,
            ],
        ]
        .concat()
    }

    /// Reads the configuration through `var` (normally the process environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        Ok(Self {
            store: StoreSettings::from_vars(&var)?,
            metrics_namespace: metrics_namespace(&var)?,
            relay: RelaySettings::from_vars(&var)?,
            contact_centers: ContactCenterSettings::from_vars(&var)?,
            connections_endpoint: connections_endpoint(&var)?,
            secrets_refresh: secrets_refresh(&var)?,
            keep_alive_queue_url: text(&var, &KEEP_ALIVE_QUEUE_URL)?,
            keep_alive_interval: interval(&var)?,
            customer_message_queue_url: text(&var, &CUSTOMER_MESSAGE_QUEUE_URL)?,
        })
    }

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, SettingError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }
}

/// The relay over `store` (DynamoDB in AWS), the enabled contact centers and `connections`,
/// scheduling keep-alives on `keep_alives` and queueing customer messages on `messages`.
/// `secrets` should cache; `aws` is the function's AWS configuration, which Amazon Connect is
/// called with.
pub fn relay(
    config: &Config,
    store: Arc<dyn ConversationStore>,
    connections: Arc<dyn ConnectionPoster>,
    secrets: Arc<dyn SecretSource>,
    keep_alives: Arc<dyn TickQueue>,
    messages: Arc<dyn MessageQueue>,
    aws: &SdkConfig,
) -> Result<CustomerRelay, BuildError> {
    let keep_alive = KeepAlive::new(
        store.clone(),
        connections.clone(),
        keep_alives,
        config.keep_alive_interval,
    );
    Ok(CustomerRelay::new(
        store,
        config.contact_centers.build(secrets.clone(), aws)?,
        connections,
        secrets,
        messages,
        config.relay.clone(),
    )
    .with_keep_alive(Arc::new(keep_alive)))
}

/// One route invocation. `$connect` answers 2xx to accept the connection and 4xx/5xx to
/// refuse it; API Gateway ignores the other routes' answers.
pub async fn handle(
    relay: &CustomerRelay,
    event: LambdaEvent<ApiGatewayWebsocketProxyRequest>,
) -> Result<ApiGatewayProxyResponse, lambda_runtime::Error> {
    let deadline = deadline(&event.context);
    let request = event.payload;
    let context = &request.request_context;
    let Some(connection_id) = context.connection_id.as_deref() else {
        warn!("refusing a WebSocket event without a connection id");
        return Ok(response(400));
    };
    let route = context.route_key.as_deref().unwrap_or("$default");
    // Every line of the invocation names the connection (the domain's lines add the
    // conversation's key).
    let span = info_span!("websocket", route, connection = connection_id);
    route_event(relay, &request, connection_id, deadline, &event.context)
        .instrument(span)
        .await
}

async fn route_event(
    relay: &CustomerRelay,
    request: &ApiGatewayWebsocketProxyRequest,
    connection_id: &str,
    deadline: Instant,
    invocation: &Context,
) -> Result<ApiGatewayProxyResponse, lambda_runtime::Error> {
    let context = &request.request_context;
    match context.route_key.as_deref().unwrap_or("$default") {
        "$connect" => {
            let reference = request.query_string_parameters.first("conversationId");
            Ok(match relay.connect(connection_id, reference).await {
                Ok(_) => response(200),
                Err(refusal) => {
                    warn!(reason = %refusal, "refused a WebSocket connection");
                    response(refusal_status(&refusal))
                }
            })
        }
        "onMessage" => {
            let body = request.body.as_deref().unwrap_or_default();
            let message_id = request_id(request, invocation);
            relay
                .message(connection_id, &message_id, body, deadline)
                .await;
            Ok(response(200))
        }
        "$disconnect" => {
            let request_id = request_id(request, invocation);
            let close_code = context.disconnect_status_code;
            relay
                .disconnect(connection_id, &request_id, close_code, deadline)
                .await;
            Ok(response(200))
        }
        _ => {
            relay.unknown_action(connection_id).await;
            Ok(response(200))
        }
    }
}

/// The event's id: a frame's, or a close's. API Gateway gives every event a request id; the
/// fallback is never used there.
fn request_id(request: &ApiGatewayWebsocketProxyRequest, invocation: &Context) -> String {
    request
        .request_context
        .request_id
        .clone()
        .unwrap_or_else(|| {
            warn!("an event without a request id");
            invocation.request_id.clone()
        })
}

/// The status `$connect` refuses with: the client's fault is 4xx, ours 503.
fn refusal_status(refusal: &Refusal) -> i64 {
    match refusal {
        Refusal::Missing => 400,
        Refusal::Invalid(_) | Refusal::Expired => 403,
        Refusal::UnknownConversation => 404,
        Refusal::Ended => 410,
        Refusal::Unavailable(_) => 503,
    }
}

fn response(status_code: i64) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = status_code;
    response.body = Some(Body::Empty);
    response
}
