//! Why a call to Amazon Connect failed, and what that means for the handover.
//!
//! The errors keep the operation, Amazon Connect's error code and the HTTP status, never the
//! service's message (a validation message may quote what was sent), tokens or texts, so they
//! are safe to log.

use std::future::Future;

use aws_sdk_connect::config::http::HttpResponse;
use aws_sdk_connect::error::{ProvideErrorMetadata, SdkError};
use handover::contact_center::ContactCenterError;
use handover::errors::Cause;
use tokio::time::Instant;

/// A failed call.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The service answered with an error (after the SDK's retries).
    #[error("Amazon Connect {operation} answered HTTP {status} ({code})")]
    Service {
        /// The operation, e.g. `StartChatContact`.
        operation: &'static str,
        /// The error code, e.g. `LimitExceededException`.
        code: String,
        /// HTTP status code.
        status: u16,
    },
    /// No answer came by the call's deadline: the service may have acted.
    #[error("Amazon Connect {operation} got no answer by the deadline")]
    Timeout {
        /// The operation.
        operation: &'static str,
    },
    /// The deadline had passed before the call could be made.
    #[error("the deadline passed before Amazon Connect {operation} could be called")]
    DeadlineExceeded {
        /// The operation.
        operation: &'static str,
    },
    /// The request failed on its way, or its answer could not be read.
    #[error("Amazon Connect {operation} failed in transit ({kind})")]
    Transport {
        /// The operation.
        operation: &'static str,
        /// Which stage failed.
        kind: &'static str,
    },
    /// The request could not be built from what was given.
    #[error("Amazon Connect {operation} could not be built")]
    Construction {
        /// The operation.
        operation: &'static str,
    },
    /// The answer lacked something the handover needs.
    #[error("Amazon Connect {operation} answered without {field}")]
    Incomplete {
        /// The operation.
        operation: &'static str,
        /// What was missing.
        field: &'static str,
    },
    /// The participant service did not take the message.
    #[error("Amazon Connect did not process the message ({status})")]
    NotProcessed {
        /// `FAILED` or `REJECTED`.
        status: String,
    },
    /// The conversation's stored tokens are missing.
    #[error("the conversation has no Amazon Connect {0}")]
    MissingToken(&'static str),
}

impl ConnectError {
    /// A short code for log lines.
    pub fn code(&self) -> String {
        match self {
            ConnectError::Service { code, .. } => code.clone(),
            ConnectError::Timeout { .. } => "timeout".into(),
            ConnectError::DeadlineExceeded { .. } => "deadline_exceeded".into(),
            ConnectError::Transport { .. } => "transport".into(),
            ConnectError::Construction { .. } => "invalid_request".into(),
            ConnectError::Incomplete { .. } => "unexpected_response".into(),
            ConnectError::NotProcessed { status } => format!("message_{}", status.to_lowercase()),
            ConnectError::MissingToken(_) => "missing_token".into(),
        }
    }

    /// Whether this is the 403 that says the chat has ended.
    pub fn chat_ended(&self) -> bool {
        matches!(self, ConnectError::Service { status: 403, .. })
    }

    fn from_sdk<E: ProvideErrorMetadata>(
        operation: &'static str,
        err: SdkError<E, HttpResponse>,
    ) -> Self {
        match err {
            SdkError::ServiceError(failure) => ConnectError::Service {
                operation,
                code: failure.err().code().unwrap_or("unknown_error").to_owned(),
                status: failure.raw().status().as_u16(),
            },
            SdkError::TimeoutError(_) => ConnectError::Timeout { operation },
            SdkError::ConstructionFailure(_) => ConnectError::Construction { operation },
            SdkError::DispatchFailure(_) => ConnectError::Transport {
                operation,
                kind: "dispatch",
            },
            _ => ConnectError::Transport {
                operation,
                kind: "response",
            },
        }
    }
}

/// Runs one SDK call, bounded by `deadline`: a call never outlives the Lambda's time, the
/// SDK's own retries included.
pub async fn bounded<T, E: ProvideErrorMetadata>(
    operation: &'static str,
    deadline: Instant,
    call: impl Future<Output = Result<T, SdkError<E, HttpResponse>>>,
) -> Result<T, ConnectError> {
    if Instant::now() >= deadline {
        return Err(ConnectError::DeadlineExceeded { operation });
    }
    match tokio::time::timeout_at(deadline, call).await {
        Ok(result) => result.map_err(|err| ConnectError::from_sdk(operation, err)),
        Err(_) => Err(ConnectError::Timeout { operation }),
    }
}

/// What the handover makes of a failure: no capacity for a new chat is its own case; a 4xx
/// other than throttling is final; throttling, an unreachable service or a passed deadline
/// did nothing; a 5xx, a timeout or a broken exchange may have been acted on.
pub fn contact_center_error(err: ConnectError) -> ContactCenterError {
    let code = err.code();
    let throttled = |code: &str, status: u16| {
        status == 429 || code.contains("Throttl") || code.contains("TooManyRequests")
    };
    enum Kind {
        NoCapacity,
        Refused,
        Unknown,
        Unavailable,
    }
    let kind = match &err {
        ConnectError::Service {
            operation: "StartChatContact",
            code,
            ..
        } if code == "LimitExceededException" => Kind::NoCapacity,
        ConnectError::Service { code, status, .. } if throttled(code, *status) => Kind::Unavailable,
        ConnectError::Service { status, .. } if *status >= 500 => Kind::Unknown,
        ConnectError::Service { .. }
        | ConnectError::Construction { .. }
        | ConnectError::NotProcessed { .. }
        | ConnectError::MissingToken(_) => Kind::Refused,
        ConnectError::Timeout { .. }
        | ConnectError::Transport { .. }
        | ConnectError::Incomplete { .. } => Kind::Unknown,
        ConnectError::DeadlineExceeded { .. } => Kind::Unavailable,
    };
    let cause = Cause::new(err);
    match kind {
        Kind::NoCapacity => ContactCenterError::NoCapacity { code, cause },
        Kind::Refused => ContactCenterError::Refused { code, cause },
        Kind::Unknown => ContactCenterError::Unknown { code, cause },
        Kind::Unavailable => ContactCenterError::Unavailable { code, cause },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(operation: &'static str, code: &str, status: u16) -> ContactCenterError {
        contact_center_error(ConnectError::Service {
            operation,
            code: code.into(),
            status,
        })
    }

    #[test]
    fn failures_are_classified_for_the_handover() {
        assert!(matches!(
            service("StartChatContact", "LimitExceededException", 429),
            ContactCenterError::NoCapacity { .. }
        ));
        assert!(matches!(
            service("StartChatContact", "TooManyRequests", 429),
            ContactCenterError::Unavailable { .. }
        ));
        assert!(matches!(
            service("SendMessage", "ThrottlingException", 429),
            ContactCenterError::Unavailable { .. }
        ));
        assert!(matches!(
            service("SendMessage", "AccessDeniedException", 403),
            ContactCenterError::Refused { .. }
        ));
        assert!(matches!(
            service("SendMessage", "InternalServerException", 500),
            ContactCenterError::Unknown { .. }
        ));
        let timed_out = contact_center_error(ConnectError::Timeout {
            operation: "SendMessage",
        });
        assert!(
            matches!(timed_out, ContactCenterError::Unknown { ref code, .. } if code == "timeout")
        );
        assert!(matches!(
            contact_center_error(ConnectError::DeadlineExceeded {
                operation: "SendMessage"
            }),
            ContactCenterError::Unavailable { .. }
        ));
    }
}
