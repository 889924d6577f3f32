//! Logs and metrics, written the same way by every Lambda.
//!
//! Logs: `lambda_runtime`'s subscriber, which follows the function's logging configuration
//! (`AWS_LAMBDA_LOG_FORMAT=JSON` gives one JSON object per line with the invocation's
//! `requestId` among its spans; `AWS_LAMBDA_LOG_LEVEL` sets the level). Metrics: the domain's
//! counts ([`handover::metrics`]) as CloudWatch Embedded Metric Format lines, written to
//! stdout after each invocation, with the invocation's request id.

use std::future::Future;

use handover::settings::{self, SettingError, Variable};
use lambda_runtime::LambdaEvent;
use metrics_cloudwatch_embedded::{Builder, Collector};
use tracing::warn;

/// The CloudWatch namespace of the functions' metrics.
pub const METRICS_NAMESPACE: Variable =
    Variable::with_default("METRICS_NAMESPACE", "LiveChatHandover");

/// [`METRICS_NAMESPACE`] read through `var`.
pub fn metrics_namespace(var: impl Fn(&str) -> Option<String>) -> Result<String, SettingError> {
    settings::text(&var, &METRICS_NAMESPACE)
}

/// Installs the process's metrics recorder, counting into `namespace`.
pub fn record_metrics(
    namespace: &str,
) -> Result<&'static Collector, metrics_cloudwatch_embedded::Error> {
    let collector = Builder::new()
        .cloudwatch_namespace(namespace.to_owned())
        .init()?;
    handover::metrics::describe();
    Ok(collector)
}

/// Runs `handler` on one invocation's `event`, then writes what it counted.
pub async fn counted<E, T, F>(
    metrics: &Collector,
    event: LambdaEvent<E>,
    handler: impl FnOnce(LambdaEvent<E>) -> F,
) -> T
where
    F: Future<Output = T>,
{
    let request_id = event.context.request_id.clone();
    flushing_metrics(metrics, request_id, handler(event)).await
}

/// Runs one invocation, then writes what it counted, marked with its `request_id`.
pub async fn flushing_metrics<T>(
    metrics: &Collector,
    request_id: String,
    invocation: impl Future<Output = T>,
) -> T {
    let answer = invocation.await;
    metrics.set_property("RequestId", request_id);
    if let Err(err) = metrics.flush(std::io::stdout().lock()) {
        warn!(error = %err, "could not write the invocation's metrics");
    }
    answer
}
