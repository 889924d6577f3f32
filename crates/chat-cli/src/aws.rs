//! The AWS SDK configuration for a deployed stack: the standard chain (environment, profiles,
//! web identity, container and instance credentials), as the AWS CLI finds them.

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
