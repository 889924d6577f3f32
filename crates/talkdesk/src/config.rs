//! Client configuration: where Talkdesk lives and how patient the client is.

use std::time::Duration;

/// Request timeout used unless configured otherwise.
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Attempts per call (first try plus retries) used unless configured otherwise.
const DEFAULT_MAX_ATTEMPTS: u32 = 4;
/// Header that carries the Start a Conversation idempotency key. Talkdesk's reference does not
/// name it; this is the name existing integrations send.
pub(crate) const DEFAULT_IDEMPOTENCY_HEADER: &str = "x-idempotency-key";
/// How long before its expiry a cached token is replaced.
const DEFAULT_TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(60);
const DEFAULT_BACKOFF_BASE: Duration = Duration::from_millis(200);
const DEFAULT_BACKOFF_CAP: Duration = Duration::from_secs(2);

/// The Talkdesk API of US accounts (EU: `https://api.talkdeskapp.eu`, Canada:
/// `https://api.talkdeskappca.com`).
pub const US_API_BASE: &str = "https://api.talkdeskapp.com";

/// Settings of a [`TalkdeskClient`](crate::TalkdeskClient).
///
/// Build it with [`TalkdeskConfig::with_base_urls`], then adjust fields as needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TalkdeskConfig {
    /// Base URL of the Talkdesk API, e.g. `https://api.talkdeskapp.com`.
    pub api_base: String,
    /// Base URL of the OAuth server, e.g. `https://acme.talkdeskid.com`.
    pub oauth_base: String,
    /// Upper bound for one HTTP request, response body included. A call's deadline can make a
    /// request's timeout shorter, never longer.
    pub request_timeout: Duration,
    /// Attempts per request, the first one included, for throttling, server errors and network
    /// failures. Must be at least 1.
    pub max_attempts: u32,
    /// Name of the header carrying the Start a Conversation idempotency key.
    pub idempotency_header: String,
    /// How long before its expiry a cached token is replaced. Half the token's lifetime caps it,
    /// so a short-lived token is still reused for half its life.
    pub token_refresh_margin: Duration,
    /// Backoff ceiling of the first retry; it doubles with every further retry.
    pub backoff_base: Duration,
    /// Largest backoff ceiling. A `Retry-After` header from Talkdesk is honoured even when longer.
    pub backoff_cap: Duration,
}

impl TalkdeskConfig {
    /// Configuration for explicit API and OAuth base URLs, with default tuning.
    pub fn with_base_urls(api_base: impl Into<String>, oauth_base: impl Into<String>) -> Self {
        Self {
            api_base: api_base.into(),
            oauth_base: oauth_base.into(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            idempotency_header: DEFAULT_IDEMPOTENCY_HEADER.to_owned(),
            token_refresh_margin: DEFAULT_TOKEN_REFRESH_MARGIN,
            backoff_base: DEFAULT_BACKOFF_BASE,
            backoff_cap: DEFAULT_BACKOFF_CAP,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones() {
        let config = TalkdeskConfig::with_base_urls("http://api", "http://oauth");
        assert_eq!(config.request_timeout, Duration::from_secs(5));
        assert_eq!(config.max_attempts, 4);
        assert_eq!(config.idempotency_header, "x-idempotency-key");
        assert_eq!(config.token_refresh_margin, Duration::from_secs(60));
    }
}
