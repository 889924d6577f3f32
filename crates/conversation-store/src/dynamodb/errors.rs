//! Turns AWS SDK errors into [`StoreError`]s a handler can act on.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

use handover::errors::Cause;
use handover::store::StoreError;

/// Error codes DynamoDB uses when it sheds load.
const THROTTLING_CODES: [&str; 3] = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
];

/// A failed call as a [`StoreError`]: throttling apart, everything is "unavailable". The SDK
/// error is kept as the cause (it names the operation, and the endpoint when it cannot be
/// reached, never an item's values).
pub(crate) fn store_error<E, R>(err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = err.code().map(str::to_owned);
    classify(code.as_deref(), Cause::new(err))
}

/// The classification on its own, so it can be tested without a backend.
pub(crate) fn classify(code: Option<&str>, cause: Cause) -> StoreError {
    match code {
        Some(code) if THROTTLING_CODES.contains(&code) => StoreError::Throttled(cause),
        _ => StoreError::Unavailable(cause),
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error;
    use std::io;

    use super::*;

    fn cause(message: &str) -> Cause {
        Cause::new(io::Error::other(message))
    }

    #[test]
    fn throttling_codes_are_throttled() {
        for code in THROTTLING_CODES {
            assert_eq!(
                classify(Some(code), cause("slow down")),
                StoreError::Throttled(cause("slow down"))
            );
        }
    }

    #[test]
    fn anything_else_is_unavailable() {
        assert!(matches!(
            classify(Some("InternalServerError"), cause("boom")),
            StoreError::Unavailable(_)
        ));
        assert_eq!(
            classify(None, cause("connection refused")),
            StoreError::Unavailable(cause("connection refused"))
        );
    }

    #[test]
    fn the_sdk_error_is_the_source() {
        let err = classify(None, cause("connection refused"));
        assert_eq!(
            err.source().map(ToString::to_string).as_deref(),
            Some("connection refused")
        );
    }
}
