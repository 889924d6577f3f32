//! Reading secrets (contact-center credentials, signing keys) without tying the domain to AWS.
//!
//! [`SecretSource`] is the port; [`CachedSecrets`] sits in front of one so that a warm Lambda
//! reads each secret once per refresh interval instead of once per invocation, and
//! [`parse_json`] reads a JSON secret without ever quoting it in an error.

use std::sync::Arc;

use async_trait::async_trait;

use crate::errors::Cause;

mod cache;
mod json;

pub use cache::CachedSecrets;
pub use json::parse_json;

/// Where secret values come from: AWS Secrets Manager in a Lambda, a local file or the
/// environment in the local stack, a map in tests.
#[async_trait]
pub trait SecretSource: Send + Sync {
    /// The secret's current value as text.
    async fn secret_string(&self, name: &str) -> Result<String, SecretError>;
}

/// A shared source is a source, so that the source can be chosen at run time
/// (`CachedSecrets<Arc<dyn SecretSource>>`) and still be reached by others.
#[async_trait]
impl<T: SecretSource + ?Sized> SecretSource for Arc<T> {
    async fn secret_string(&self, name: &str) -> Result<String, SecretError> {
        (**self).secret_string(name).await
    }
}

/// A secret that could not be had. Messages name the secret, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// No secret of this name exists.
    #[error("secret {name} was not found")]
    NotFound {
        /// The secret's name.
        name: String,
    },
    /// The secret exists but its value is not of the expected shape (or it has no text value).
    #[error("secret {name} is malformed: {problem}")]
    Malformed {
        /// The secret's name.
        name: String,
        /// What is wrong, in words that never quote the value.
        problem: String,
    },
    /// The secret store could not be asked.
    #[error("secret {name} could not be read")]
    Unavailable {
        /// The secret's name.
        name: String,
        /// Why, as the secret store said it (never with the value, which it did not give).
        #[source]
        cause: Cause,
    },
}
