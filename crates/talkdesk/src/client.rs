//! The Digital Connect client: construction, OAuth tokens and the authenticated request path
//! that the conversation calls (in `conversations`) go through.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderName};
use reqwest::{RequestBuilder, Response, StatusCode, Url};
use tokio::time::Instant;

use crate::auth::{AccessToken, ClientCredentials, IssuedToken, TokenCache};
use crate::config::TalkdeskConfig;
use crate::error::{ConfigError, TalkdeskError};
use crate::retry::{Repeats, RetryPolicy, Sleeper, TokioSleeper};

mod conversations;
mod tls;

/// Token request body: a client-credentials grant for the only scope this client needs.
const TOKEN_FORM: [(&str, &str); 2] = [
    ("grant_type", "client_credentials"),
    ("scope", "digital-connect:write"),
];

/// Client for Talkdesk Digital Connect.
///
/// Cheap to clone; clones share the HTTP connection pool and the cached access token.
///
/// Every call takes a `deadline` (typically the Lambda's remaining time less a margin): no
/// request is sent and no retry wait is started that would end after it. On top of that each
/// request is bounded by the configured request timeout.
///
/// All calls retry HTTP 429, 5xx, timeouts and connection failures up to the configured number
/// of attempts, and answer a 401 by fetching a new token and trying once more. Other 4xx
/// answers are returned at once.
#[derive(Debug, Clone)]
pub struct TalkdeskClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    api_base: Url,
    token_url: Url,
    idempotency_header: HeaderName,
    retry: RetryPolicy,
    tokens: TokenCache,
}

impl TalkdeskClient {
    /// A client for the Talkdesk servers named in `config`.
    pub fn new(config: TalkdeskConfig) -> Result<Self, ConfigError> {
        Self::with_sleeper(config, Arc::new(TokioSleeper))
    }

    /// A client for the Talkdesk servers named in `config` that waits between attempts with
    /// `sleeper` instead of the tokio timer.
    pub fn with_sleeper(
        config: TalkdeskConfig,
        sleeper: Arc<dyn Sleeper>,
    ) -> Result<Self, ConfigError> {
        if config.max_attempts == 0 {
            return Err(ConfigError::ZeroAttempts);
        }
        if config.request_timeout.is_zero() {
            return Err(ConfigError::ZeroRequestTimeout);
        }
        let api_base = parse_base_url(&config.api_base, "api_base")?;
        let mut token_url = parse_base_url(&config.oauth_base, "oauth_base")?;
        append_segments(&mut token_url, &["oauth", "token"]);
        let idempotency_header = HeaderName::try_from(config.idempotency_header.as_str())
            .map_err(|_| ConfigError::InvalidIdempotencyHeader)?;
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls::client_config())
            // Talkdesk does not redirect these endpoints; following one could send credentials
            // somewhere unexpected.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(ConfigError::HttpClient)?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                api_base,
                token_url,
                idempotency_header,
                retry: RetryPolicy::new(&config, sleeper),
                tokens: TokenCache::new(config.token_refresh_margin),
            }),
        })
    }

    /// Sends an API request with a bearer token; on a 401 fetches a new token and sends the
    /// request once more (a newly granted scope can be refused for a few minutes, and a token
    /// can be revoked before its expiry).
    async fn call_api(
        &self,
        credentials: &ClientCredentials,
        operation: &'static str,
        deadline: Instant,
        repeats: Repeats,
        build: impl Fn(&AccessToken) -> RequestBuilder,
    ) -> Result<Response, TalkdeskError> {
        let token = self.access_token(credentials, None, deadline).await?;
        let response = self
            .inner
            .retry
            .send(operation, deadline, repeats, || {
                build(&token).header(ACCEPT, "application/json")
            })
            .await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        tracing::info!(
            operation,
            status = response.status().as_u16(),
            "Talkdesk refused the access token; retrying once with a new one"
        );
        let token = self
            .access_token(credentials, Some(&token), deadline)
            .await?;
        self.inner
            .retry
            .send(operation, deadline, repeats, || {
                build(&token).header(ACCEPT, "application/json")
            })
            .await
    }

    async fn access_token(
        &self,
        credentials: &ClientCredentials,
        rejected: Option<&AccessToken>,
        deadline: Instant,
    ) -> Result<AccessToken, TalkdeskError> {
        self.inner
            .tokens
            .get(credentials.client_id(), rejected, deadline, || {
                self.fetch_token(credentials, deadline)
            })
            .await
    }

    /// Asks the OAuth server for a client-credentials token.
    async fn fetch_token(
        &self,
        credentials: &ClientCredentials,
        deadline: Instant,
    ) -> Result<IssuedToken, TalkdeskError> {
        const OPERATION: &str = "oauth_token";
        let requested_at = Instant::now();
        let response = self
            .inner
            .retry
            .send(OPERATION, deadline, Repeats::Harmless, || {
                self.inner
                    .http
                    .post(self.inner.token_url.clone())
                    .basic_auth(credentials.client_id(), Some(credentials.client_secret()))
                    .header(ACCEPT, "application/json")
                    .form(&TOKEN_FORM)
            })
            .await?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(TalkdeskError::from_transport)?;
        if !status.is_success() {
            let error = TalkdeskError::from_oauth_body(status.as_u16(), &body);
            tracing::warn!(
                operation = OPERATION,
                status = status.as_u16(),
                code = error.code(),
                "Talkdesk refused to issue a token"
            );
            return Err(error);
        }
        let issued: TokenResponse = serde_json::from_slice(&body)
            .ok()
            .filter(|issued: &TokenResponse| !issued.access_token.is_empty())
            .ok_or(TalkdeskError::UnexpectedResponse {
                status: status.as_u16(),
                reason: "the token answer has no access_token or expires_in",
            })?;
        tracing::debug!(
            operation = OPERATION,
            expires_in = issued.expires_in,
            "fetched an access token"
        );
        Ok(IssuedToken {
            token: AccessToken::new(issued.access_token),
            lifetime: Duration::from_secs(issued.expires_in),
            requested_at,
        })
    }

    /// `{api_base}/digital-connect/conversations/{segments...}`, each segment percent-encoded.
    fn conversation_url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.api_base.clone();
        append_segments(&mut url, &["digital-connect", "conversations"]);
        append_segments(&mut url, segments);
        url
    }
}

/// The fields of a token answer this client uses.
#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: u64,
}

fn parse_base_url(text: &str, field: &'static str) -> Result<Url, ConfigError> {
    Url::parse(text)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
        .ok_or(ConfigError::InvalidBaseUrl { field })
}

/// Appends percent-encoded path segments, dropping a trailing slash of the base first.
fn append_segments(url: &mut Url, segments: &[&str]) {
    url.path_segments_mut()
        // An http(s) URL with a host always has a path to append to; checked in `new`.
        .expect("http(s) base URLs have path segments")
        .pop_if_empty()
        .extend(segments);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> TalkdeskConfig {
        TalkdeskConfig::with_base_urls("https://api.example.test/base/", "https://id.example.test")
    }

    #[test]
    fn invalid_configuration_is_refused() {
        let mut bad_url = config();
        bad_url.api_base = "api.example.test".into();
        assert!(matches!(
            TalkdeskClient::new(bad_url),
            Err(ConfigError::InvalidBaseUrl { field: "api_base" })
        ));
        let mut bad_oauth = config();
        bad_oauth.oauth_base = "mailto:someone@example.test".into();
        assert!(matches!(
            TalkdeskClient::new(bad_oauth),
            Err(ConfigError::InvalidBaseUrl {
                field: "oauth_base"
            })
        ));
        let mut bad_header = config();
        bad_header.idempotency_header = "x idempotency".into();
        assert!(matches!(
            TalkdeskClient::new(bad_header),
            Err(ConfigError::InvalidIdempotencyHeader)
        ));
        let mut no_attempts = config();
        no_attempts.max_attempts = 0;
        assert!(matches!(
            TalkdeskClient::new(no_attempts),
            Err(ConfigError::ZeroAttempts)
        ));
        let mut no_timeout = config();
        no_timeout.request_timeout = Duration::ZERO;
        assert!(matches!(
            TalkdeskClient::new(no_timeout),
            Err(ConfigError::ZeroRequestTimeout)
        ));
    }

    #[test]
    fn urls_keep_the_base_path_and_encode_the_id() {
        let client = TalkdeskClient::new(config()).unwrap();
        assert_eq!(
            client.inner.token_url.as_str(),
            "https://id.example.test/oauth/token"
        );
        let url = client.conversation_url(&["a/b c?#%", "messages"]);
        assert_eq!(
            url.as_str(),
            "https://api.example.test/base/digital-connect/conversations/a%2Fb%20c%3F%23%25/messages"
        );
    }
}
