//! The per-process cache in front of a [`SecretSource`].

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex as StdMutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::{SecretError, SecretSource, parse_json};
use crate::errors::chain;

/// Secrets read through a [`SecretSource`] at most once per refresh interval.
///
/// A value is fetched on first use and again on the first use after `refresh_after` has
/// passed since that fetch began, so a rotated secret is picked up within the interval.
/// Callers asking for the same name at once share one fetch. Errors are never cached: the
/// next call asks the source again.
///
/// When a refresh fails with [`SecretError::Unavailable`] and an earlier value is at hand,
/// that value is served and a warning logged, because a short outage of the secret store
/// should not fail chats whose credentials have not changed. The stale value does not count
/// as fresh, so the next call tries the source again. `NotFound` and `Malformed` are the
/// store's definite answer (the secret was deleted or overwritten with something unusable):
/// they are returned and the earlier value is dropped.
///
/// `Debug` shows the interval and the names held, never a value.
pub struct CachedSecrets<S> {
    source: S,
    refresh_after: Duration,
    /// One slot per name. A slot stays locked while its secret is fetched, so concurrent
    /// callers wait for that fetch instead of starting their own.
    slots: StdMutex<HashMap<String, Arc<Mutex<Option<Fetched>>>>>,
}

/// A value and when the fetch that got it began.
struct Fetched {
    value: Arc<str>,
    at: Instant,
}

impl<S: SecretSource> CachedSecrets<S> {
    /// A cache over `source` that fetches a secret again once `refresh_after` has passed.
    pub fn new(source: S, refresh_after: Duration) -> Self {
        Self {
            source,
            refresh_after,
            slots: StdMutex::new(HashMap::new()),
        }
    }

    /// The secret's value as text, from the cache while it is fresh.
    pub async fn text(&self, name: &str) -> Result<Arc<str>, SecretError> {
        let slot = self.slot(name);
        let mut slot = slot.lock().await;
        if let Some(fetched) = slot.as_ref()
            && fetched.at.elapsed() < self.refresh_after
        {
            return Ok(Arc::clone(&fetched.value));
        }
        let started = Instant::now();
        match self.source.secret_string(name).await {
            Ok(value) => {
                let value: Arc<str> = value.into();
                *slot = Some(Fetched {
                    value: Arc::clone(&value),
                    at: started,
                });
                Ok(value)
            }
            Err(error @ SecretError::Unavailable { .. }) => match slot.as_ref() {
                Some(stale) => {
                    tracing::warn!(
                        secret = name,
                        error = %chain(&error),
                        "serving the previous value of a secret that could not be refreshed"
                    );
                    Ok(Arc::clone(&stale.value))
                }
                None => Err(error),
            },
            Err(error) => {
                *slot = None;
                Err(error)
            }
        }
    }

    /// The secret's value parsed as JSON into `T`.
    ///
    /// The text is cached, the parsed value is not: parsing a small document costs far less
    /// than an invocation, and caching it would need a slot per name and type.
    pub async fn json<T: DeserializeOwned>(&self, name: &str) -> Result<T, SecretError> {
        parse_json(name, &self.text(name).await?)
    }

    /// The slot of `name`, made on first use.
    fn slot(&self, name: &str) -> Arc<Mutex<Option<Fetched>>> {
        // Poisoning cannot leave the map inconsistent: it is only read or added to.
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(slots.entry(name.to_owned()).or_default())
    }
}

/// The cache is itself a source, so that consumers of the port get cached values without
/// knowing about the cache.
#[async_trait]
impl<S: SecretSource> SecretSource for CachedSecrets<S> {
    async fn secret_string(&self, name: &str) -> Result<String, SecretError> {
        self.text(name).await.map(|value| value.to_string())
    }
}

impl<S> fmt::Debug for CachedSecrets<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let mut names: Vec<&str> = slots.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("CachedSecrets")
            .field("refresh_after", &self.refresh_after)
            .field("names", &names)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
