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

/// The Talkdesk region an account lives in; it decides the API and OAuth hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// United States: `api.talkdeskapp.com`, `{account}.talkdeskid.com`.
    Us,
    /// European Union: `api.talkdeskapp.eu`, `{account}.talkdeskid.eu`.
    Eu,
    /// Canada: `api.talkdeskappca.com`, `{account}.talkdeskidca.com`.
    Ca,
}

impl Region {
    /// Base URL of the Talkdesk API in this region.
    pub const fn api_base(self) -> &'static str {
        match self {
            Region::Us => "https://api.talkdeskapp.com",
            Region::Eu => "https://api.talkdeskapp.eu",
            Region::Ca => "https://api.talkdeskappca.com",
        }
    }

    /// Base URL of the OAuth server of `account` (the Talkdesk account name) in this region.
    pub fn oauth_base(self, account: &str) -> String {
        let domain = match self {
            Region::Us => "talkdeskid.com",
            Region::Eu => "talkdeskid.eu",
            Region::Ca => "talkdeskidca.com",
        };
        format!("https://{account}.{domain}")
    }
}

/// Settings of a [`TalkdeskClient`](crate::TalkdeskClient).
///
/// Build it with [`TalkdeskConfig::for_account`] (production) or
/// [`TalkdeskConfig::with_base_urls`] (any other server), then adjust fields as needed.
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
    /// Configuration for the Talkdesk account named `account` in `region`, with default tuning.
    pub fn for_account(region: Region, account: &str) -> Self {
        Self::with_base_urls(region.api_base(), region.oauth_base(account))
    }

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
    fn regions_map_to_their_hosts() {
        let eu = TalkdeskConfig::for_account(Region::Eu, "acme");
        assert_eq!(eu.api_base, "https://api.talkdeskapp.eu");
        assert_eq!(eu.oauth_base, "https://acme.talkdeskid.eu");
        let ca = TalkdeskConfig::for_account(Region::Ca, "acme");
        assert_eq!(ca.api_base, "https://api.talkdeskappca.com");
        assert_eq!(ca.oauth_base, "https://acme.talkdeskidca.com");
        let us = TalkdeskConfig::for_account(Region::Us, "acme");
        assert_eq!(us.api_base, "https://api.talkdeskapp.com");
        assert_eq!(us.oauth_base, "https://acme.talkdeskid.com");
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let config = TalkdeskConfig::with_base_urls("http://api", "http://oauth");
        assert_eq!(config.request_timeout, Duration::from_secs(5));
        assert_eq!(config.max_attempts, 4);
        assert_eq!(config.idempotency_header, "x-idempotency-key");
        assert_eq!(config.token_refresh_margin, Duration::from_secs(60));
    }
}
