//! The AWS SDK configuration of the local stack: dummy static credentials and us-east-1, built
//! by hand so that nothing is looked up in the environment, in credential files or in instance
//! metadata. The handlers' real SDK clients (the Management API, DynamoDB) run on it, pointed
//! at local endpoints. And the error answers of the emulated AWS services, as the SDKs read
//! them.

use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region, SharedCredentialsProvider};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The region every local client claims to be in.
pub const REGION: &str = "us-east-1";

/// The configuration every local AWS client is built from.
pub(crate) fn sdk_config() -> SdkConfig {
    // Local endpoints ignore signatures, but the SDK signs every request and needs keys to.
    let credentials = Credentials::new("local", "local", None, None, "local-stack");
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build()
}

/// An AWS error answer as the SDKs read it (restJson1): the exception's name in
/// `x-amzn-errortype`, and `{"message": ...}`.
pub(crate) fn error_response(
    status: StatusCode,
    exception: &'static str,
    message: &str,
) -> Response {
    (
        status,
        [
            ("x-amzn-errortype", exception),
            (header::CONTENT_TYPE.as_str(), "application/json"),
        ],
        json!({ "message": message }).to_string(),
    )
        .into_response()
}
