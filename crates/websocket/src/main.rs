use std::sync::Arc;

use aws_adapters::connections::ApiGatewayConnections;
use aws_adapters::lambda::aws_config;
use aws_adapters::messages::SqsMessageQueue;
use aws_adapters::observability::{counted, record_metrics};
use aws_adapters::queue::SqsTickQueue;
use aws_adapters::secrets::SecretsManager;
use conversation_store::DynamoDbStore;
use handover::secrets::CachedSecrets;
use lambda_runtime::service_fn;
use websocket::{Config, handle, relay};

// Lambda hands a process one event at a time: a second thread would only cost start-up time
// and memory.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let config = Config::from_env()?;
    let metrics = record_metrics(&config.metrics_namespace)?;
    let aws = aws_config().await?;
    let dynamodb = aws_sdk_dynamodb::Client::new(&aws);
    let secrets = CachedSecrets::new(SecretsManager::from_config(&aws), config.secrets_refresh);
    let connections = ApiGatewayConnections::at(&aws, &config.connections_endpoint);
    let relay = relay(
        &config,
        Arc::new(DynamoDbStore::from_settings(dynamodb, &config.store)),
        Arc::new(connections),
        Arc::new(secrets),
        Arc::new(SqsTickQueue::new(&aws, &config.keep_alive_queue_url)),
        Arc::new(SqsMessageQueue::new(
            &aws,
            &config.customer_message_queue_url,
        )),
        &aws,
    )?;
    lambda_runtime::run(service_fn(|event| {
        counted(metrics, event, |event| handle(&relay, event))
    }))
    .await
}
