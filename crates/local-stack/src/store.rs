//! The conversation store the handlers share: in memory by default, or a DynamoDB table at a
//! local endpoint (created as the deployment creates it) when asked for. Every read the
//! handlers make is strongly consistent in DynamoDB too, so neither needs to lag.

use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use conversation_store::dynamodb::table::create_table;
use conversation_store::{DynamoDbStore, MemoryStore};
use handover::store::ConversationStore;

use crate::error::StartError;
use crate::options::StoreChoice;

/// The store `choice` names, its records living `lifetime` after their last write.
pub(crate) async fn open(
    choice: &StoreChoice,
    aws: &SdkConfig,
    lifetime: Duration,
) -> Result<Arc<dyn ConversationStore>, StartError> {
    match choice {
        StoreChoice::Memory => Ok(Arc::new(MemoryStore::new().with_lifetime(lifetime))),
        StoreChoice::DynamoDb { endpoint, table } => {
            let config = aws_sdk_dynamodb::config::Builder::from(aws)
                .endpoint_url(endpoint)
                .build();
            let client = Client::from_conf(config);
            let unusable = |reason: String| StartError::Store {
                endpoint: endpoint.clone(),
                table: table.clone(),
                reason,
            };
            ensure_table(&client, table).await.map_err(unusable)?;
            Ok(Arc::new(
                DynamoDbStore::new(client, table).with_lifetime(lifetime),
            ))
        }
    }
}

/// Creates the table unless it exists, so that a restarted stack keeps its conversations.
async fn ensure_table(client: &Client, table: &str) -> Result<(), String> {
    match client.describe_table().table_name(table).send().await {
        Ok(_) => Ok(()),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|err| err.is_resource_not_found_exception()) =>
        {
            create_table(client, table)
                .await
                .map_err(|err| err.to_string())
        }
        Err(err) => Err(DisplayErrorContext(&err).to_string()),
    }
}
