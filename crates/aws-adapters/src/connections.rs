//! [`ConnectionPoster`] over the API Gateway Management API: frames to a customer's chat
//! WebSocket with PostToConnection, and hang-ups with DeleteConnection.

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_apigatewaymanagement::Client;
use aws_sdk_apigatewaymanagement::config::http::HttpResponse;
use aws_sdk_apigatewaymanagement::error::SdkError;
use aws_sdk_apigatewaymanagement::operation::delete_connection::DeleteConnectionError;
use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use handover::connections::{ConnectionPoster, Frame, PostError};
use handover::errors::Cause;

use crate::lazy::{OnFirstCall, on_first_call};

/// The Management API endpoint of a WebSocket API stage, from the `domainName` and `stage` of
/// its events' request context: `https://{domain_name}/{stage}`.
pub fn connections_endpoint(domain_name: &str, stage: &str) -> String {
    format!("https://{domain_name}/{stage}")
}

/// Posts to and closes the connections of one WebSocket API stage.
#[derive(Debug)]
pub struct ApiGatewayConnections {
    client: OnFirstCall<Client>,
}

impl ApiGatewayConnections {
    /// Works through a client for the stage at `endpoint`, e.g.
    /// `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}` (see
    /// [`connections_endpoint`]): the Management API has no regional endpoint of its own.
    pub fn at(aws: &SdkConfig, endpoint: &str) -> Self {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(aws)
            .endpoint_url(endpoint)
            .build();
        Self {
            client: on_first_call(move || Client::from_conf(config)),
        }
    }
}

#[async_trait]
impl ConnectionPoster for ApiGatewayConnections {
    async fn post(&self, connection_id: &str, frame: &Frame) -> Result<(), PostError> {
        let result = self
            .client
            .post_to_connection()
            .connection_id(connection_id)
            .data(Blob::new(frame.to_json()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) if is_gone(&error, PostToConnectionError::is_gone_exception) => {
                Err(PostError::Gone)
            }
            Err(error) => Err(failed(error)),
        }
    }

    async fn close(&self, connection_id: &str) -> Result<(), PostError> {
        let result = self
            .client
            .delete_connection()
            .connection_id(connection_id)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // The customer already left: the connection is as closed as it gets.
            Err(error) if is_gone(&error, DeleteConnectionError::is_gone_exception) => Ok(()),
            Err(error) => Err(failed(error)),
        }
    }
}

/// Whether the connection no longer exists. API Gateway says so with HTTP 410 and a
/// `GoneException` error type; the SDK only tells the exception apart by the type, so the
/// status alone counts too.
fn is_gone<E>(error: &SdkError<E, HttpResponse>, is_gone_exception: fn(&E) -> bool) -> bool {
    error.as_service_error().is_some_and(is_gone_exception)
        || error
            .raw_response()
            .is_some_and(|response| response.status().as_u16() == 410)
}

/// The SDK error as the cause: it names the operation and what went wrong, never the frame
/// (which is only in the request).
fn failed<E>(error: SdkError<E, HttpResponse>) -> PostError
where
    E: std::error::Error + Send + Sync + 'static,
{
    PostError::Failed(Cause::new(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_the_stage_url_of_the_websocket_api() {
        assert_eq!(
            connections_endpoint("abc123.execute-api.eu-west-1.amazonaws.com", "prod"),
            "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
        );
    }
}
