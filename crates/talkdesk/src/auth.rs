//! OAuth credentials and the access-token cache shared by all clones of a client.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::TalkdeskError;

/// The OAuth client id and secret of a Talkdesk API client.
///
/// Passed to every call so that the caller can rotate the secret without rebuilding the client.
/// `Debug` shows the client id only.
#[derive(Clone)]
pub struct ClientCredentials {
    client_id: String,
    client_secret: String,
}

impl ClientCredentials {
    /// Credentials from a client id and its secret.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }

    /// The OAuth client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub(crate) fn client_secret(&self) -> &str {
        &self.client_secret
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// A bearer token; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct AccessToken(String);

impl AccessToken {
    pub(crate) fn new(token: String) -> Self {
        Self(token)
    }

    pub(crate) fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// A token just issued by the OAuth server.
pub(crate) struct IssuedToken {
    pub(crate) token: AccessToken,
    /// `expires_in` of the token response.
    pub(crate) lifetime: Duration,
    /// When the token was requested: its lifetime counts from no later than this.
    pub(crate) requested_at: Instant,
}

#[derive(Debug)]
struct CachedToken {
    client_id: String,
    token: AccessToken,
    refresh_at: Instant,
}

/// Holds at most one token, for the client id that fetched it last.
///
/// The lock is held while a token is fetched, so concurrent callers wait for one refresh
/// instead of each asking the OAuth server.
#[derive(Debug)]
pub(crate) struct TokenCache {
    slot: Mutex<Option<CachedToken>>,
    refresh_margin: Duration,
}

impl TokenCache {
    pub(crate) fn new(refresh_margin: Duration) -> Self {
        Self {
            slot: Mutex::new(None),
            refresh_margin,
        }
    }

    /// The cached token of `client_id` if it is still fresh and is not `rejected`, otherwise a
    /// token from `fetch`, which is then cached.
    ///
    /// Passing the token the API just rejected lets a caller that raced with another caller's
    /// refresh pick up that refreshed token instead of fetching yet another one.
    pub(crate) async fn get<F, Fut>(
        &self,
        client_id: &str,
        rejected: Option<&AccessToken>,
        deadline: Instant,
        fetch: F,
    ) -> Result<AccessToken, TalkdeskError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<IssuedToken, TalkdeskError>>,
    {
        let mut slot = tokio::time::timeout_at(deadline, self.slot.lock())
            .await
            .map_err(|_| TalkdeskError::DeadlineExceeded)?;
        let usable = slot.as_ref().filter(|cached| {
            cached.client_id == client_id
                && Instant::now() < cached.refresh_at
                && rejected != Some(&cached.token)
        });
        if let Some(cached) = usable {
            return Ok(cached.token.clone());
        }
        let issued = fetch().await?;
        let refresh_at = issued.requested_at + reuse_period(issued.lifetime, self.refresh_margin);
        *slot = Some(CachedToken {
            client_id: client_id.to_owned(),
            token: issued.token.clone(),
            refresh_at,
        });
        Ok(issued.token)
    }
}

/// How long a token of `lifetime` is reused: its lifetime less the margin, where the margin is
/// capped at half the lifetime so a short-lived token is not refetched on every call.
fn reuse_period(lifetime: Duration, margin: Duration) -> Duration {
    lifetime - margin.min(lifetime / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuse_period_subtracts_the_margin_from_long_lifetimes() {
        let margin = Duration::from_secs(60);
        assert_eq!(
            reuse_period(Duration::from_secs(3600), margin),
            Duration::from_secs(3540)
        );
    }

    #[test]
    fn reuse_period_keeps_half_of_short_lifetimes() {
        let margin = Duration::from_secs(60);
        assert_eq!(
            reuse_period(Duration::from_secs(90), margin),
            Duration::from_secs(45)
        );
        assert_eq!(reuse_period(Duration::ZERO, margin), Duration::ZERO);
    }

    #[test]
    fn debug_output_hides_secrets() {
        let credentials = ClientCredentials::new("client-a", "very-secret");
        let shown = format!("{credentials:?}");
        assert!(shown.contains("client-a"), "{shown}");
        assert!(!shown.contains("very-secret"), "{shown}");
        let token = format!("{:?}", AccessToken::new("bearer-value".into()));
        assert!(!token.contains("bearer-value"), "{token}");
    }
}
