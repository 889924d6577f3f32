//! What every Lambda of the workspace reads the same way: its deadline and the secrets'
//! refresh interval.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lambda_runtime::Context;
use tokio::time::Instant;

/// Time kept back from the Lambda's deadline to answer after the last outbound call.
pub const DEADLINE_MARGIN: Duration = Duration::from_millis(1500);

/// How long secrets are used before they are read again, unless configured.
pub const DEFAULT_SECRETS_REFRESH: Duration = Duration::from_secs(300);

/// The invocation's deadline less [`DEADLINE_MARGIN`], as a tokio instant.
pub fn deadline(context: &Context) -> Instant {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let left = u128::from(context.deadline).saturating_sub(now);
    let left = Duration::from_millis(u64::try_from(left).unwrap_or(u64::MAX));
    Instant::now() + left.saturating_sub(DEADLINE_MARGIN)
}

/// `SECRETS_REFRESH_SECONDS` read through `var`, or [`DEFAULT_SECRETS_REFRESH`].
pub fn secrets_refresh(var: impl Fn(&str) -> Option<String>) -> Result<Duration, String> {
    match var("SECRETS_REFRESH_SECONDS") {
        None => Ok(DEFAULT_SECRETS_REFRESH),
        Some(text) => match text.trim().parse::<u64>() {
            Ok(seconds) if seconds > 0 => Ok(Duration::from_secs(seconds)),
            _ => Err("SECRETS_REFRESH_SECONDS must be a positive whole number of seconds".into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_keeps_a_margin() {
        let mut context = Context::default();
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        context.deadline = (now + Duration::from_secs(10)).as_millis() as u64;
        let left = deadline(&context) - Instant::now();
        assert!(
            left <= Duration::from_secs(10) - DEADLINE_MARGIN,
            "{left:?}"
        );
        assert!(left > Duration::from_secs(8) - DEADLINE_MARGIN, "{left:?}");
    }

    #[test]
    fn a_past_deadline_is_now() {
        let context = Context::default();
        assert!(deadline(&context) <= Instant::now());
    }

    #[test]
    fn the_refresh_interval_is_whole_positive_seconds() {
        assert_eq!(secrets_refresh(|_| None), Ok(DEFAULT_SECRETS_REFRESH));
        assert_eq!(
            secrets_refresh(|_| Some("60".into())),
            Ok(Duration::from_secs(60))
        );
        assert!(secrets_refresh(|_| Some("0".into())).is_err());
        assert!(secrets_refresh(|_| Some("soon".into())).is_err());
    }
}
