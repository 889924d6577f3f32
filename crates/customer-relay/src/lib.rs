//! The customer-relay Lambda, behind the SQS FIFO queue of customer messages that `onMessage`
//! fills (see [`handover::relay::ordered`]). This crate reads the configuration and turns a
//! batch of SQS records into queued records; the records to deliver again are reported as batch
//! item failures (`ReportBatchItemFailures`).

use std::sync::Arc;
use std::time::Duration;

use aws_adapters::lambda::{
    CONNECTIONS_ENDPOINT, SECRETS_REFRESH_SECONDS, connections_endpoint, deadline, secrets_refresh,
};
use aws_adapters::observability::{METRICS_NAMESPACE, metrics_namespace};
use aws_config::SdkConfig;
use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use contact_centers::{BuildError, ContactCenterSettings};
use conversation_store::StoreSettings;
use handover::connections::ConnectionPoster;
use handover::relay::OrderedSettings;
use handover::relay::ordered::{OrderedRelay, QueuedRecord};
use handover::secrets::SecretSource;
use handover::settings::{SettingError, Variable};
use handover::store::ConversationStore;
use lambda_runtime::LambdaEvent;
use tracing::warn;

/// The Lambda's configuration, from its environment (listed in `docs/websocket-api.md`).
#[derive(Clone, Debug)]
pub struct Config {
    /// The conversation table.
    pub store: StoreSettings,
    /// The CloudWatch namespace of its metrics.
    pub metrics_namespace: String,
    /// What the customer is told, and how often a message is tried.
    pub relay: OrderedSettings,
    /// The enabled contact centers and where their secrets are.
    pub contact_centers: ContactCenterSettings,
    /// `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`.
    pub connections_endpoint: String,
    /// How long a secret is used before it is read again.
    pub secrets_refresh: Duration,
}

impl Config {
    /// The variables the Lambda reads.
    pub fn variables() -> Vec<Variable> {
        [
            StoreSettings::VARIABLES,
            &[METRICS_NAMESPACE],
            OrderedSettings::VARIABLES,
            &ContactCenterSettings::variables(),
            &[CONNECTIONS_ENDPOINT, SECRETS_REFRESH_SECONDS],
        ]
        .concat()
    }

    /// Reads the configuration through `var` (normally the process environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        Ok(Self {
            store: StoreSettings::from_vars(&var)?,
            metrics_namespace: metrics_namespace(&var)?,
            relay: OrderedSettings::from_vars(&var)?,
            contact_centers: ContactCenterSettings::from_vars(&var)?,
            connections_endpoint: connections_endpoint(&var)?,
            secrets_refresh: secrets_refresh(&var)?,
        })
    }

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, SettingError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }
}

/// The ordered relay over `store` (DynamoDB in AWS), the enabled contact centers and
/// `connections`. `secrets` should cache; `aws` is the function's AWS configuration, which
/// Amazon Connect is called with.
pub fn relay(
    config: &Config,
    store: Arc<dyn ConversationStore>,
    connections: Arc<dyn ConnectionPoster>,
    secrets: Arc<dyn SecretSource>,
    aws: &SdkConfig,
) -> Result<OrderedRelay, BuildError> {
    Ok(OrderedRelay::new(
        store,
        config.contact_centers.build(secrets, aws)?,
        connections,
        config.relay.clone(),
    ))
}

/// One batch of customer messages, in the queue's order; the ones to deliver again are
/// reported.
pub async fn handle(
    relay: &OrderedRelay,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, lambda_runtime::Error> {
    let deadline = deadline(&event.context);
    let records = event.payload.records.into_iter().map(queued).collect();
    let mut response = SqsBatchResponse::default();
    for record_id in relay.relay_batch(records, deadline).await {
        let mut failure = BatchItemFailure::default();
        failure.item_identifier = record_id;
        response.batch_item_failures.push(failure);
    }
    Ok(response)
}

/// The record as the domain reads it. A missing or unreadable receive count counts as the
/// first delivery: the message is retried rather than given up.
fn queued(record: SqsMessage) -> QueuedRecord {
    let receive_count = record
        .attributes
        .get("ApproximateReceiveCount")
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| {
            warn!("a queue record without its receive count");
            1
        });
    QueuedRecord {
        record_id: record.message_id.unwrap_or_default(),
        body: record.body,
        receive_count,
    }
}
