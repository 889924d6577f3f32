//! The table's names and shape, in one place for the store, the tests and the local stack.
//! The deployment template declares the same table.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};

use super::errors::store_error;
use handover::errors::Cause;
use handover::store::StoreError;

/// The partition key of every item.
pub const PARTITION_KEY: &str = "pk";
/// The TTL attribute (epoch seconds) of every item.
pub const TTL_ATTRIBUTE: &str = "expires_at";

/// Creates the table with on-demand billing and TTL enabled.
///
/// For tests and the local stack; deployments create it from the template.
pub async fn create_table(client: &Client, table_name: &str) -> Result<(), StoreError> {
    let attribute = |name: &str, kind: ScalarAttributeType| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(kind)
            .build()
            .map_err(build_error)
    };
    let key = |name: &str, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .map_err(build_error)
    };
    client
        .create_table()
        .table_name(table_name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute(PARTITION_KEY, ScalarAttributeType::S)?)
        .key_schema(key(PARTITION_KEY, KeyType::Hash)?)
        .send()
        .await
        .map_err(store_error)?;
    client
        .update_time_to_live()
        .table_name(table_name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(TTL_ATTRIBUTE)
                .build()
                .map_err(build_error)?,
        )
        .send()
        .await
        .map_err(store_error)?;
    Ok(())
}

fn build_error(err: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Unavailable(Cause::new(err))
}
