//! AWS calls counted where they leave the SDK client, by operation name.

use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;

/// The operations (`GetItem`, `PutItem`, ...) the clients it is given call, in order.
#[derive(Clone, Debug, Default)]
pub struct Calls(Arc<Mutex<Vec<String>>>);

impl Calls {
    /// A DynamoDB client whose calls are counted here.
    pub fn dynamodb(&self, aws: &SdkConfig) -> aws_sdk_dynamodb::Client {
        let config = aws_sdk_dynamodb::config::Builder::from(aws)
            .interceptor(self.clone())
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    /// A Secrets Manager client whose calls are counted here.
    pub fn secrets_manager(&self, aws: &SdkConfig) -> aws_sdk_secretsmanager::Client {
        let config = aws_sdk_secretsmanager::config::Builder::from(aws)
            .interceptor(self.clone())
            .build();
        aws_sdk_secretsmanager::Client::from_conf(config)
    }

    /// The calls made since the last `take`.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl Intercept for Calls {
    fn name(&self) -> &'static str {
        "Calls"
    }

    // At the wire, once per attempt: the operation the JSON protocols name in a header.
    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = context.request().headers().get("x-amz-target");
        let operation = target.and_then(|target| target.rsplit('.').next());
        let operation = operation.unwrap_or("unknown").to_owned();
        self.0.lock().unwrap().push(operation);
        Ok(())
    }
}
