//! The keep-alive Lambda, behind the SQS queue of delayed ticks (see [`handover::keep_alive`]).
//! This crate reads the configuration and turns a batch of SQS records into ticks; a record
//! that fails is reported on its own, so the queue redelivers only it, and a record that is not
//! a tick is dropped with a log line, never failing the batch.

use std::sync::Arc;
use std::time::Duration;

use aws_adapters::lambda::{CONNECTIONS_ENDPOINT, connections_endpoint};
use aws_adapters::observability::{METRICS_NAMESPACE, metrics_namespace};
use aws_adapters::queue::KEEP_ALIVE_QUEUE_URL;
use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use conversation_store::StoreSettings;
use handover::connections::ConnectionPoster;
use handover::errors::chain;
use handover::keep_alive::{
    CONNECTION_CAP_MESSAGE, KEEP_ALIVE_SECONDS, KeepAlive, KeepAliveTick, TickQueue, interval,
};
use handover::settings::{SettingError, Variable, text};
use handover::store::ConversationStore;
use lambda_runtime::LambdaEvent;
use tracing::{Instrument, error, info_span, warn};

/// The Lambda's configuration, from its environment (listed in `docs/websocket-api.md`).
#[derive(Clone, Debug)]
pub struct Config {
    /// The conversation table.
    pub store: StoreSettings,
    /// The CloudWatch namespace of its metrics.
    pub metrics_namespace: String,
    /// `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`.
    pub connections_endpoint: String,
    /// The queue the next ticks go to (the one this function consumes).
    pub queue_url: String,
    /// How often a connection gets a keep-alive.
    pub interval: Duration,
    /// What the customer is told before API Gateway's 2-hour cap closes the connection.
    pub cap_message: String,
}

impl Config {
    /// The variables the Lambda reads.
    pub fn variables() -> Vec<Variable> {
        [
            StoreSettings::VARIABLES,
            &[METRICS_NAMESPACE],
            &[
                CONNECTIONS_ENDPOINT,
                KEEP_ALIVE_QUEUE_URL,
                KEEP_ALIVE_SECONDS,
                CONNECTION_CAP_MESSAGE,
            ],
        ]
        .concat()
    }

    /// Reads the configuration through `var` (normally the process environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        Ok(Self {
            store: StoreSettings::from_vars(&var)?,
            metrics_namespace: metrics_namespace(&var)?,
            connections_endpoint: connections_endpoint(&var)?,
            queue_url: text(&var, &KEEP_ALIVE_QUEUE_URL)?,
            interval: interval(&var)?,
            cap_message: text(&var, &CONNECTION_CAP_MESSAGE)?,
        })
    }

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, SettingError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }
}

/// The keep-alives over `store` (DynamoDB in AWS), `connections` and `queue`.
pub fn keep_alive(
    config: &Config,
    store: Arc<dyn ConversationStore>,
    connections: Arc<dyn ConnectionPoster>,
    queue: Arc<dyn TickQueue>,
) -> KeepAlive {
    KeepAlive::new(store, connections, queue, config.interval)
        .with_cap_message(config.cap_message.clone())
}

/// One batch of ticks: each handled in turn; the ones to deliver again are reported.
pub async fn handle(
    keep_alive: &KeepAlive,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, lambda_runtime::Error> {
    let mut response = SqsBatchResponse::default();
    for record in event.payload.records {
        let message_id = record.message_id.unwrap_or_default();
        let tick = record
            .body
            .as_deref()
            .map(serde_json::from_str::<KeepAliveTick>);
        let Some(Ok(tick)) = tick else {
            warn!(%message_id, "dropping a queue record that is not a keep-alive tick");
            continue;
        };
        let span = info_span!(
            "keep_alive",
            conversation = %tick.conversation,
            connection = tick.connection_id,
        );
        if let Err(err) = keep_alive.tick(&tick).instrument(span).await {
            error!(conversation = %tick.conversation, sequence = tick.sequence, error = %chain(&err), "keep-alive failed; the queue delivers it again");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message_id;
            response.batch_item_failures.push(failure);
        }
    }
    Ok(response)
}
