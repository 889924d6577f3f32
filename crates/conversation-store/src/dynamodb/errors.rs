//! Turns AWS SDK errors into [`StoreError`]s a handler can act on.

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use handover::store::StoreError;

/// Error codes DynamoDB uses when it sheds load.
const THROTTLING_CODES: [&str; 3] = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
];

/// A failed call as a [`StoreError`]: throttling apart, everything is "unavailable", with the
/// SDK's full explanation (which names the endpoint when it cannot be reached).
pub(crate) fn store_error<E, R>(err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    classify(err.code(), DisplayErrorContext(&err).to_string())
}

/// The classification on its own, so it can be tested without a backend.
pub(crate) fn classify(code: Option<&str>, explanation: String) -> StoreError {
    match code {
        Some(code) if THROTTLING_CODES.contains(&code) => StoreError::Throttled(explanation),
        _ => StoreError::Unavailable(explanation),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_codes_are_throttled() {
        for code in THROTTLING_CODES {
            assert!(matches!(
                classify(Some(code), "slow down".into()),
                StoreError::Throttled(message) if message == "slow down"
            ));
        }
    }

    #[test]
    fn anything_else_is_unavailable() {
        assert!(matches!(
            classify(Some("InternalServerError"), "boom".into()),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            classify(None, "connection refused".into()),
            StoreError::Unavailable(message) if message == "connection refused"
        ));
    }
}
