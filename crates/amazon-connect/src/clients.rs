//! The two SDK clients' configurations, from the function's AWS configuration (its role's
//! credentials and region) and the endpoint overrides.

use aws_config::SdkConfig;
use aws_sdk_connect::config::interceptors::InterceptorContext;
use aws_sdk_connect::config::retry::{ClassifyRetry, RetryAction};
use aws_sdk_connect::operation::start_chat_contact::StartChatContactError;

use crate::AmazonConnectSettings;

/// The Amazon Connect client's configuration (signed with SigV4) for `settings`.
pub fn connect(sdk: &SdkConfig, settings: &AmazonConnectSettings) -> aws_sdk_connect::Config {
    let mut config =
        aws_sdk_connect::config::Builder::from(sdk).retry_classifier(NoCapacityIsFinal);
    if let Some(endpoint) = &settings.connect_endpoint {
        config = config.endpoint_url(endpoint);
    }
    config.build()
}

/// The participant service's client's configuration: its calls are authorised by the
/// participant's tokens.
pub fn participant(
    sdk: &SdkConfig,
    settings: &AmazonConnectSettings,
) -> aws_sdk_connectparticipant::Config {
    let mut config = aws_sdk_connectparticipant::config::Builder::from(sdk);
    if let Some(endpoint) = &settings.participant_endpoint {
        config = config.endpoint_url(endpoint);
    }
    config.build()
}

/// Forbids retrying `StartChatContact`'s `LimitExceededException`: it means every agent is
/// busy (the instance's concurrent chats are used up), which a retry a second later does not
/// change, while the SDK would retry it as throttling and keep the customer waiting.
#[derive(Debug)]
struct NoCapacityIsFinal;

impl ClassifyRetry for NoCapacityIsFinal {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let no_capacity = ctx
            .output_or_error()
            .and_then(Result::err)
            .and_then(|err| err.as_operation_error())
            .and_then(|err| err.downcast_ref::<StartChatContactError>())
            .is_some_and(StartChatContactError::is_limit_exceeded_exception);
        if no_capacity {
            RetryAction::RetryForbidden
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "no agent capacity is final"
    }
}
