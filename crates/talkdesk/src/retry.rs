//! Sending one request with per-attempt timeouts, deadline checks and retries.
//!
//! Retried: HTTP 429 and 5xx answers, timeouts and connection failures. Waits use exponential
//! backoff with full jitter, or the server's `Retry-After` seconds when given. Nothing is sent,
//! and no wait is started, that would end past the caller's deadline.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::RETRY_AFTER;
use reqwest::{RequestBuilder, Response, StatusCode};
use tokio::time::Instant;

use crate::config::TalkdeskConfig;
use crate::error::TalkdeskError;

/// Waits out the delay the client chose before it retries a request.
///
/// A port so that tests can see which delays were chosen (a `Retry-After`, a backoff, none at
/// all) without spending them. [`TalkdeskClient::new`](crate::TalkdeskClient::new) sleeps on
/// the tokio timer.
#[async_trait]
pub trait Sleeper: Send + Sync + Debug {
    /// Returns once `delay` has passed.
    async fn sleep(&self, delay: Duration);
}

/// The production [`Sleeper`]: the tokio timer.
#[derive(Debug)]
pub(crate) struct TokioSleeper;

#[async_trait]
impl Sleeper for TokioSleeper {
    async fn sleep(&self, delay: Duration) {
        tokio::time::sleep(delay).await;
    }
}

/// Whether a request that may have been processed can be sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Repeats {
    /// Sending it again changes nothing (an idempotency key, a read, a delete).
    Harmless,
    /// Sending it again may do it twice (a message): after an attempt that may have been
    /// processed (it timed out, or the server failed), it is sent once more at the most.
    AtMostTwice,
}

/// How many times, how long and how patiently one request is tried.
#[derive(Debug, Clone)]
pub(crate) struct RetryPolicy {
    max_attempts: u32,
    request_timeout: Duration,
    backoff_base: Duration,
    backoff_cap: Duration,
    sleeper: Arc<dyn Sleeper>,
}

impl RetryPolicy {
    pub(crate) fn new(config: &TalkdeskConfig, sleeper: Arc<dyn Sleeper>) -> Self {
        Self {
            max_attempts: config.max_attempts,
            request_timeout: config.request_timeout,
            backoff_base: config.backoff_base,
            backoff_cap: config.backoff_cap,
            sleeper,
        }
    }

    /// Sends the request made by `build` until it gets a non-retryable answer, attempts run out
    /// or the deadline leaves no room for another try.
    ///
    /// Returns the last response whatever its status, so the caller decides what a status
    /// means; returns an error only when no response came back.
    pub(crate) async fn send(
        &self,
        operation: &'static str,
        deadline: Instant,
        repeats: Repeats,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Response, TalkdeskError> {
        let mut previous_outcome = None;
        let mut attempt = 1;
        let mut maybe_processed = 0;
        loop {
            let Some(timeout) = self.attempt_timeout(deadline) else {
                return previous_outcome.unwrap_or(Err(TalkdeskError::DeadlineExceeded));
            };
            let outcome = build().timeout(timeout).send().await;
            let delay = match &outcome {
                Ok(response) if is_retryable_status(response.status()) => {
                    tracing::warn!(
                        operation,
                        attempt,
                        status = response.status().as_u16(),
                        "Talkdesk answered with a retryable status"
                    );
                    retry_after(response).unwrap_or_else(|| self.backoff_delay(attempt))
                }
                Err(error) if is_retryable_failure(error) => {
                    tracing::warn!(
                        operation,
                        attempt,
                        timeout = error.is_timeout(),
                        "request to Talkdesk failed"
                    );
                    self.backoff_delay(attempt)
                }
                _ => return outcome.map_err(TalkdeskError::from_transport),
            };
            maybe_processed += u32::from(may_have_been_processed(&outcome));
            let outcome = outcome.map_err(TalkdeskError::from_transport);
            let repeated_enough = repeats == Repeats::AtMostTwice && maybe_processed >= 2;
            if attempt >= self.max_attempts || repeated_enough || Instant::now() + delay >= deadline
            {
                return outcome;
            }
            self.sleeper.sleep(delay).await;
            // Kept so that a deadline reached during the wait reports what went wrong.
            previous_outcome = Some(outcome);
            attempt += 1;
        }
    }

    /// The timeout of the next attempt: the configured one, shortened to the time left before
    /// the deadline; `None` once the deadline has passed.
    fn attempt_timeout(&self, deadline: Instant) -> Option<Duration> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        (!remaining.is_zero()).then(|| self.request_timeout.min(remaining))
    }

    /// Full-jitter backoff: uniformly random up to `base * 2^(attempt - 1)`, at most `cap`.
    fn backoff_delay(&self, attempt: u32) -> Duration {
        let doubling = 1u32 << attempt.saturating_sub(1).min(20);
        let ceiling = self
            .backoff_base
            .saturating_mul(doubling)
            .min(self.backoff_cap);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// Whether the server may have acted on an attempt: it timed out or broke off after the
/// request went out, or the server failed while handling it. Throttling and failures to
/// connect did nothing.
fn may_have_been_processed(outcome: &Result<Response, reqwest::Error>) -> bool {
    match outcome {
        Ok(response) => response.status().is_server_error(),
        Err(error) => !error.is_connect(),
    }
}

/// Throttling and server errors are worth another try; other statuses will not change.
fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// Timeouts and failures to connect or to exchange the request are worth another try; a request
/// that could not even be built is not.
fn is_retryable_failure(error: &reqwest::Error) -> bool {
    error.is_timeout() || error.is_connect() || error.is_request()
}

/// The `Retry-After` header in its delay-seconds form. The HTTP-date form is ignored: the
/// backoff applies instead.
fn retry_after(response: &Response) -> Option<Duration> {
    let seconds = response.headers().get(RETRY_AFTER)?.to_str().ok()?;
    seconds.trim().parse().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(base_ms: u64, cap_ms: u64) -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            request_timeout: Duration::from_secs(5),
            backoff_base: Duration::from_millis(base_ms),
            backoff_cap: Duration::from_millis(cap_ms),
            sleeper: Arc::new(TokioSleeper),
        }
    }

    #[test]
    fn backoff_stays_under_the_doubling_ceiling() {
        let policy = policy(100, 10_000);
        for attempt in 1..=4 {
            let ceiling = Duration::from_millis(100 << (attempt - 1));
            for _ in 0..200 {
                assert!(policy.backoff_delay(attempt) <= ceiling);
            }
        }
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let policy = policy(100, 250);
        let delays: Vec<Duration> = (0..200).map(|_| policy.backoff_delay(30)).collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_millis(250)));
        // Full jitter spreads the waits; identical delays would mean no jitter at all.
        assert!(delays.iter().any(|d| *d != delays[0]));
    }

    #[tokio::test]
    async fn attempt_timeout_is_shortened_by_the_deadline() {
        let policy = policy(100, 250);
        let far = Instant::now() + Duration::from_secs(60);
        assert_eq!(policy.attempt_timeout(far), Some(Duration::from_secs(5)));
        let near = Instant::now() + Duration::from_secs(1);
        assert!(policy.attempt_timeout(near).unwrap() <= Duration::from_secs(1));
        assert_eq!(policy.attempt_timeout(Instant::now()), None);
    }

    #[test]
    fn only_throttling_and_server_errors_are_retryable() {
        assert!(is_retryable_status(StatusCode::TOO_MANY_REQUESTS));
        assert!(is_retryable_status(StatusCode::SERVICE_UNAVAILABLE));
        assert!(is_retryable_status(StatusCode::INTERNAL_SERVER_ERROR));
        assert!(!is_retryable_status(StatusCode::BAD_REQUEST));
        assert!(!is_retryable_status(StatusCode::UNAUTHORIZED));
        assert!(!is_retryable_status(StatusCode::CONFLICT));
    }
}
