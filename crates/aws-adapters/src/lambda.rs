//! What the Lambdas of the workspace read the same way: the invocation's deadline, the AWS
//! configuration with its call timeouts, the secrets' refresh interval and the WebSocket API's
//! Management API endpoint.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use handover::settings::{self, SettingError, Variable};
use lambda_runtime::Context;
use tokio::time::Instant;

use crate::tls;

/// Time kept back from the Lambda's deadline to answer after the last outbound call.
pub const DEADLINE_MARGIN: Duration = Duration::from_millis(1500);

/// How long secrets are used before they are read again, in seconds.
pub const SECRETS_REFRESH_SECONDS: Variable =
    Variable::with_default_number("SECRETS_REFRESH_SECONDS", 300);

/// The API Gateway Management API endpoint of the customers' WebSocket API:
/// `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`.
pub const CONNECTIONS_ENDPOINT: Variable = Variable::required("CONNECTIONS_ENDPOINT");

/// How long one attempt of an AWS call may take, and the call with its retries: far inside
/// every function's timeout (10 s at the shortest), so that a DynamoDB or API Gateway brownout
/// fails the call while the function still has time to answer with its own message.
pub const AWS_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
/// See [`AWS_ATTEMPT_TIMEOUT`].
pub const AWS_CALL_TIMEOUT: Duration = Duration::from_secs(4);
/// How long connecting to an AWS endpoint may take.
pub const AWS_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// The AWS configuration from the environment, with the call timeouts above and the roots of
/// trust [`AWS_TLS_ROOTS`](crate::tls::AWS_TLS_ROOTS) names. One HTTP client, and so one
/// connection pool, serves every SDK client made from it.
pub async fn aws_config() -> Result<SdkConfig, SettingError> {
    let roots = tls::tls_roots(|name| std::env::var(name).ok())?;
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(AWS_CONNECT_TIMEOUT)
        .operation_attempt_timeout(AWS_ATTEMPT_TIMEOUT)
        .operation_timeout(AWS_CALL_TIMEOUT)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(timeouts);
    // Lambda gives the function's credentials in the environment, where the default chain
    // looks first: reading them there spares every cold start building the chain's other
    // providers (an STS client among them, with its endpoint rules).
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_some() {
        loader = loader.credentials_provider(EnvironmentVariableCredentialsProvider::new());
    }
    Ok(tls::trusting(loader, roots).load().await)
}

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

/// [`SECRETS_REFRESH_SECONDS`] read through `var`.
pub fn secrets_refresh(var: impl Fn(&str) -> Option<String>) -> Result<Duration, SettingError> {
    settings::seconds(&var, &SECRETS_REFRESH_SECONDS)
}

/// [`CONNECTIONS_ENDPOINT`] read through `var`: an http(s) URL, without a trailing `/`.
pub fn connections_endpoint(var: impl Fn(&str) -> Option<String>) -> Result<String, SettingError> {
    settings::url(&var, &CONNECTIONS_ENDPOINT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_aws_call_is_bounded_inside_the_shortest_function_timeout() {
        let timeouts = aws_config()
            .await
            .unwrap()
            .timeout_config()
            .cloned()
            .unwrap();
        assert_eq!(timeouts.connect_timeout(), Some(AWS_CONNECT_TIMEOUT));
        assert_eq!(
            timeouts.operation_attempt_timeout(),
            Some(AWS_ATTEMPT_TIMEOUT)
        );
        assert_eq!(timeouts.operation_timeout(), Some(AWS_CALL_TIMEOUT));
        assert!(AWS_CALL_TIMEOUT + DEADLINE_MARGIN < Duration::from_secs(10));
    }

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
    fn the_refresh_interval_is_whole_positive_seconds_and_blank_means_default() {
        let five_minutes = Duration::from_secs(300);
        assert_eq!(secrets_refresh(|_| None), Ok(five_minutes));
        assert_eq!(secrets_refresh(|_| Some(" ".into())), Ok(five_minutes));
        assert_eq!(
            secrets_refresh(|_| Some("60".into())),
            Ok(Duration::from_secs(60))
        );
        assert!(secrets_refresh(|_| Some("0".into())).is_err());
        assert!(secrets_refresh(|_| Some("soon".into())).is_err());
    }

    #[test]
    fn the_connections_endpoint_is_a_required_url() {
        let endpoint = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod";
        assert_eq!(
            connections_endpoint(|_| Some(format!("{endpoint}/"))).as_deref(),
            Ok(endpoint)
        );
        for unusable in [
            None,
            Some(" "),
            Some("abc123.execute-api.amazonaws.com/prod"),
        ] {
            let error = connections_endpoint(|_| unusable.map(str::to_owned)).unwrap_err();
            assert_eq!(error.variable, "CONNECTIONS_ENDPOINT", "{unusable:?}");
        }
    }
}
