use std::convert::Infallible;
use std::sync::Arc;

use agent_callback::{Config, callback};
use aws_adapters::connections::ApiGatewayConnections;
use aws_adapters::lambda::aws_config;
use aws_adapters::observability::{flushing_metrics, record_metrics};
use aws_adapters::secrets::SecretsManager;
use conversation_store::DynamoDbStore;
use handover::secrets::CachedSecrets;
use lambda_http::{Request, RequestExt, service_fn};

// Lambda hands a process one event at a time: a second thread would only cost start-up time
// and memory.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let config = Config::from_env()?;
    let metrics = record_metrics(&config.metrics_namespace)?;
    let aws = aws_config().await?;
    let dynamodb = aws_sdk_dynamodb::Client::new(&aws);
    let secrets = CachedSecrets::new(SecretsManager::from_config(&aws), config.secrets_refresh);
    let connections = ApiGatewayConnections::at(&aws, &config.connections_endpoint);
    let callback = callback(
        &config,
        Arc::new(DynamoDbStore::from_settings(dynamodb, &config.store)),
        Arc::new(connections),
        Arc::new(secrets),
    );
    let callback = &callback;
    lambda_http::run(service_fn(|request: Request| async move {
        let request_id = request
            .lambda_context_ref()
            .map(|context| context.request_id.clone())
            .unwrap_or_default();
        let answer = flushing_metrics(metrics, request_id, callback.handle(request)).await;
        Ok::<_, Infallible>(answer)
    }))
    .await
}
