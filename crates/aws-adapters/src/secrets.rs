//! [`SecretSource`] over AWS Secrets Manager.

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_secretsmanager::Client;
use handover::errors::Cause;
use handover::secrets::{SecretError, SecretSource};

use crate::lazy::{OnFirstCall, on_first_call};

/// Reads secrets with GetSecretValue, by name or ARN, at the secret's current version.
///
/// Put a `handover::secrets::CachedSecrets` in front of it: every call here is a request.
#[derive(Debug)]
pub struct SecretsManager {
    client: OnFirstCall<Client>,
}

impl SecretsManager {
    /// Reads through `client`.
    pub fn new(client: Client) -> Self {
        Self {
            client: on_first_call(move || client),
        }
    }

    /// Reads through a client made from `aws` on the first read.
    pub fn from_config(aws: &SdkConfig) -> Self {
        let aws = aws.clone();
        Self {
            client: on_first_call(move || Client::new(&aws)),
        }
    }
}

#[async_trait]
impl SecretSource for SecretsManager {
    async fn secret_string(&self, name: &str) -> Result<String, SecretError> {
        let output = self
            .client
            .get_secret_value()
            .secret_id(name)
            .send()
            .await
            .map_err(|error| {
                let not_found = error
                    .as_service_error()
                    .is_some_and(|service| service.is_resource_not_found_exception());
                if not_found {
                    SecretError::NotFound {
                        name: name.to_owned(),
                    }
                } else {
                    // A failed read has no value to give, so the SDK error cannot hold it.
                    SecretError::Unavailable {
                        name: name.to_owned(),
                        cause: Cause::new(error),
                    }
                }
            })?;
        // A secret stored as SecretBinary only has no text to give.
        output.secret_string.ok_or_else(|| SecretError::Malformed {
            name: name.to_owned(),
            problem: "has no string value".to_owned(),
        })
    }
}
