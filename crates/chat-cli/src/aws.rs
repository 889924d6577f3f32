//! The AWS SDK configuration for a deployed stack: the standard chain (environment, profiles,
//! web identity, container and instance credentials), as the AWS CLI finds them; and SDK errors
//! in one line.

use std::error::Error;
use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

/// Lex gives a code hook 30 s; a call is given up a little after that.
pub(crate) const OPERATION_TIMEOUT: Duration = Duration::from_secs(35);

/// The standard configuration, in `region` if given, else the chain's region. `None` when no
/// region is configured anywhere, since no AWS endpoint can be chosen then.
pub(crate) async fn standard_config(region: Option<&str>) -> Option<SdkConfig> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(
        TimeoutConfig::builder()
            .operation_timeout(OPERATION_TIMEOUT)
            .build(),
    );
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_owned()));
    }
    let config = loader.load().await;
    config.region().is_some().then_some(config)
}

/// An SDK error as one line: each cause's message, without the SDK's debug dump.
pub(crate) fn error_chain(err: &dyn Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        let said = next.to_string();
        // Some wrappers repeat their cause's message; once is enough.
        if !text.ends_with(&said) {
            text = format!("{text}: {said}");
        }
        cause = next.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("dispatch failure")]
    struct Outer(#[source] io::Error);

    #[test]
    fn an_error_reads_as_its_causes_in_order() {
        let err = Outer(io::Error::new(io::ErrorKind::ConnectionRefused, "refused"));
        assert_eq!(error_chain(&err), "dispatch failure: refused");
    }
}
