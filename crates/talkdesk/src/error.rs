//! Errors of the client, and parsing of the error bodies Talkdesk sends.
//!
//! Errors carry status codes and Talkdesk's own error codes and texts, never credentials, tokens
//! or message contents, so they are safe to log.

use serde::{Deserialize, Deserializer};

/// Why a call to Talkdesk failed.
#[derive(Debug, thiserror::Error)]
pub enum TalkdeskError {
    /// The Digital Connect API answered with an error status (after any retries).
    #[error("Talkdesk API answered HTTP {status} ({})", .code.as_deref().unwrap_or("no error code"))]
    Api {
        /// HTTP status code.
        status: u16,
        /// Talkdesk's error code, when the body had one.
        code: Option<String>,
        /// Talkdesk's error message.
        message: Option<String>,
        /// Talkdesk's longer explanation.
        description: Option<String>,
        /// The request fields Talkdesk rejected.
        fields: Vec<FieldError>,
    },
    /// The OAuth server refused to issue a token (after any retries).
    #[error("Talkdesk OAuth answered HTTP {status} ({})", .error.as_deref().unwrap_or("no error code"))]
    Auth {
        /// HTTP status code.
        status: u16,
        /// OAuth error code, e.g. `invalid_client`.
        error: Option<String>,
        /// OAuth error description.
        description: Option<String>,
    },
    /// A request got no complete answer within its timeout.
    #[error("request to Talkdesk timed out")]
    Timeout,
    /// The call's deadline passed before any request could be sent.
    #[error("deadline passed before a request to Talkdesk could be sent")]
    DeadlineExceeded,
    /// Talkdesk could not be reached, or the connection failed.
    #[error("could not reach Talkdesk")]
    Transport(#[source] reqwest::Error),
    /// Talkdesk answered in a way this client does not understand.
    #[error("unexpected response from Talkdesk (HTTP {status}): {reason}")]
    UnexpectedResponse {
        /// HTTP status code.
        status: u16,
        /// What was wrong with the response.
        reason: &'static str,
    },
    /// The caller's input cannot be sent to Talkdesk.
    #[error("invalid request: {0}")]
    InvalidRequest(&'static str),
}

impl TalkdeskError {
    /// A short code for logs and metrics: Talkdesk's own error code where it sent one, otherwise
    /// a fixed snake_case name of the failure.
    pub fn code(&self) -> &str {
        match self {
            TalkdeskError::Api {
                code: Some(code), ..
            } => code,
            TalkdeskError::Api { status: 429, .. } => "rate_limited",
            TalkdeskError::Api { .. } => "api_error",
            TalkdeskError::Auth {
                error: Some(error), ..
            } => error,
            TalkdeskError::Auth { .. } => "auth_error",
            TalkdeskError::Timeout => "timeout",
            TalkdeskError::DeadlineExceeded => "deadline_exceeded",
            TalkdeskError::Transport(_) => "transport",
            TalkdeskError::UnexpectedResponse { .. } => "unexpected_response",
            TalkdeskError::InvalidRequest(_) => "invalid_request",
        }
    }

    /// Classifies a failed `reqwest` request: timeouts get their own variant.
    pub(crate) fn from_transport(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            TalkdeskError::Timeout
        } else {
            TalkdeskError::Transport(error)
        }
    }

    /// An API error from its status and body; a body that is not Talkdesk's error JSON still
    /// yields the status.
    pub(crate) fn from_api_body(status: u16, body: &[u8]) -> Self {
        let parsed: ApiErrorBody = serde_json::from_slice(body).unwrap_or_default();
        TalkdeskError::Api {
            status,
            code: parsed.code,
            message: parsed.message,
            description: parsed.description,
            fields: parsed.fields,
        }
    }

    /// An OAuth error from its status and body; a body that is not OAuth error JSON still yields
    /// the status.
    pub(crate) fn from_oauth_body(status: u16, body: &[u8]) -> Self {
        let parsed: OAuthErrorBody = serde_json::from_slice(body).unwrap_or_default();
        TalkdeskError::Auth {
            status,
            error: parsed.error,
            description: parsed.error_description,
        }
    }
}

/// A request field Talkdesk rejected, from the `fields` list of an error body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct FieldError {
    /// The field's name.
    pub name: String,
    /// What is wrong with it.
    pub description: String,
}

/// Why a [`TalkdeskConfig`](crate::TalkdeskConfig) cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A base URL is not an absolute `http` or `https` URL.
    #[error("{field} is not an absolute http(s) URL")]
    InvalidBaseUrl {
        /// Which setting is wrong: `api_base` or `oauth_base`.
        field: &'static str,
    },
    /// `idempotency_header` is not a valid HTTP header name.
    #[error("idempotency_header is not a valid HTTP header name")]
    InvalidIdempotencyHeader,
    /// `max_attempts` is zero.
    #[error("max_attempts must be at least 1")]
    ZeroAttempts,
    /// `request_timeout` is zero.
    #[error("request_timeout must be greater than zero")]
    ZeroRequestTimeout,
    /// The HTTP client could not be built (e.g. no TLS roots available).
    #[error("could not build the HTTP client")]
    HttpClient(#[source] reqwest::Error),
}

/// Talkdesk's API error body. Every field is optional because gateways in front of the API
/// answer with bodies of their own.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ApiErrorBody {
    #[serde(deserialize_with = "lenient_string")]
    code: Option<String>,
    message: Option<String>,
    description: Option<String>,
    fields: Vec<FieldError>,
}

/// The OAuth error body of RFC 6749, section 5.2.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OAuthErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

/// Reads a JSON string, or any other JSON value as its JSON text: the API is Early Access and a
/// numeric code must not turn a well-formed error into an unreadable one.
pub(crate) fn lenient_string<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(
        match Option::<serde_json::Value>::deserialize(deserializer)? {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(text)) => Some(text),
            Some(other) => Some(other.to_string()),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_body_is_parsed_into_fields() {
        let body = br#"{"code":"0331001","message":"Invalid request","description":"bad","fields":[{"name":"touchpoint_id","description":"is required"}]}"#;
        let error = TalkdeskError::from_api_body(400, body);
        assert_eq!(error.code(), "0331001");
        let TalkdeskError::Api {
            status,
            message,
            description,
            fields,
            ..
        } = error
        else {
            panic!("expected an API error, got {error:?}");
        };
        assert_eq!(status, 400);
        assert_eq!(message.as_deref(), Some("Invalid request"));
        assert_eq!(description.as_deref(), Some("bad"));
        assert_eq!(
            fields,
            vec![FieldError {
                name: "touchpoint_id".into(),
                description: "is required".into()
            }]
        );
    }

    #[test]
    fn numeric_code_is_kept_as_text() {
        let error = TalkdeskError::from_api_body(409, br#"{"code":4090001}"#);
        assert_eq!(error.code(), "4090001");
    }

    #[test]
    fn non_json_body_keeps_the_status() {
        let error = TalkdeskError::from_api_body(502, b"<html>Bad gateway</html>");
        assert!(matches!(
            error,
            TalkdeskError::Api {
                status: 502,
                code: None,
                ..
            }
        ));
        assert_eq!(error.code(), "api_error");
        assert_eq!(
            TalkdeskError::from_api_body(429, b"").code(),
            "rate_limited"
        );
    }

    #[test]
    fn oauth_body_is_parsed() {
        let error = TalkdeskError::from_oauth_body(
            400,
            br#"{"error":"invalid_scope","error_description":"unknown scope"}"#,
        );
        assert_eq!(error.code(), "invalid_scope");
        assert!(matches!(
            error,
            TalkdeskError::Auth { status: 400, description: Some(ref d), .. } if d == "unknown scope"
        ));
        assert_eq!(
            TalkdeskError::from_oauth_body(503, b"oops").code(),
            "auth_error"
        );
    }
}
