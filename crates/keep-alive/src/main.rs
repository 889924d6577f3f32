use std::sync::Arc;

use aws_adapters::connections::ApiGatewayConnections;
use aws_adapters::lambda::aws_config;
use aws_adapters::observability::{counted, record_metrics};
use aws_adapters::queue::SqsTickQueue;
use conversation_store::DynamoDbStore;
use keep_alive::{Config, handle, keep_alive};
use lambda_runtime::service_fn;

// Lambda hands a process one event at a time: a second thread would only cost start-up time
// and memory.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let config = Config::from_env()?;
    let metrics = record_metrics(&config.metrics_namespace)?;
    let aws = aws_config().await?;
    let store = DynamoDbStore::from_settings(aws_sdk_dynamodb::Client::new(&aws), &config.store);
    let connections = ApiGatewayConnections::at(&aws, &config.connections_endpoint);
    let keep_alives = keep_alive(
        &config,
        Arc::new(store),
        Arc::new(connections),
        Arc::new(SqsTickQueue::new(&aws, &config.queue_url)),
    );
    lambda_runtime::run(service_fn(|event| {
        counted(metrics, event, |event| handle(&keep_alives, event))
    }))
    .await
}
