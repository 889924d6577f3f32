//! `ApiGatewayConnections` against the API Gateway Management API in the AWS emulator that
//! `scripts/test` starts, read back through its recorder, and against a fake API Gateway on
//! loopback for the answers the emulator never gives (410 Gone, 500).

use aws_adapters::connections::ApiGatewayConnections;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_apigatewaymanagement::config::{Credentials, SharedCredentialsProvider};
use handover::connections::{ConnectionPoster, Frame, PostError};
use handover::errors::chain;
use serde_json::{Value, json};
use test_support::Recorder;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Posts through the emulator, which serves the Management API at its bare root.
async fn emulated() -> ApiGatewayConnections {
    ApiGatewayConnections::at(&test_support::emulator().await, &test_support::endpoint())
}

/// A connection id no other test uses, ending in `=` as API Gateway's ids do.
fn connection_id() -> String {
    test_support::unique("conn-") + "="
}

#[tokio::test]
async fn frames_are_posted_to_the_connection_as_the_json_the_client_reads() {
    let recorder = Recorder::start().await;
    let connections = emulated().await;
    let id = connection_id();
    let frames = [
        Frame::message("Hello, I'm Sam.", "Sam"),
        Frame::ConversationEnded,
    ];

    for frame in &frames {
        connections.post(&id, frame).await.unwrap();
    }

    let expected: Vec<Value> = frames
        .iter()
        .map(|frame| serde_json::from_str(&frame.to_json()).unwrap())
        .collect();
    assert_eq!(recorder.posted(&id).await, expected);
    assert_eq!(
        expected[0],
        json!({"event_type": "message_created", "content": "Hello, I'm Sam.", "author_name": "Sam"})
    );
    assert!(!recorder.closed(&id).await, "posting closes nothing");
}

#[tokio::test]
async fn closing_deletes_the_connection() {
    let recorder = Recorder::start().await;
    let connections = emulated().await;
    let (closed, open) = (connection_id(), connection_id());
    connections
        .post(&open, &Frame::ConversationEnded)
        .await
        .unwrap();

    connections.close(&closed).await.unwrap();

    assert!(recorder.closed(&closed).await);
    assert!(!recorder.closed(&open).await);
    assert!(recorder.posted(&closed).await.is_empty());
}

/// Posts to a fake API Gateway stage `prod` on `server`, with no retries to wait out.
fn faked(server: &MockServer) -> ApiGatewayConnections {
    let aws = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "test",
        )))
        .retry_config(RetryConfig::disabled())
        .build();
    ApiGatewayConnections::at(&aws, &format!("{}/prod", server.uri()))
}

/// API Gateway's answer for a connection that no longer exists.
fn gone() -> ResponseTemplate {
    ResponseTemplate::new(410)
        .insert_header("x-amzn-errortype", "GoneException")
        .set_body_json(json!({"message": null}))
}

#[tokio::test]
async fn a_410_without_the_error_type_is_gone_too() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(410).set_body_json(json!({"message": "Gone"})))
        .mount(&server)
        .await;

    assert_eq!(
        faked(&server)
            .post("gone-2=", &Frame::ConversationEnded)
            .await,
        Err(PostError::Gone)
    );
}

#[tokio::test]
async fn a_gone_connection_is_gone_to_post_to_and_already_closed() {
    let server = MockServer::start().await;
    // The stage's path is kept, and the SDK percent-encodes the id.
    Mock::given(method("POST"))
        .and(path("/prod/@connections/gone-1%3D"))
        .respond_with(gone())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/prod/@connections/gone-1%3D"))
        .respond_with(gone())
        .expect(1)
        .mount(&server)
        .await;
    let connections = faked(&server);

    assert_eq!(
        connections.post("gone-1=", &Frame::ConversationEnded).await,
        Err(PostError::Gone)
    );
    assert_eq!(connections.close("gone-1=").await, Ok(()));
    server.verify().await;
}

#[tokio::test]
async fn other_errors_fail_with_the_sdk_explanation() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("x-amzn-errortype", "InternalServerErrorException")
                .set_body_json(json!({"message": "Internal server error"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"message": "Forbidden"})))
        .mount(&server)
        .await;
    let connections = faked(&server);

    match connections.post("conn-1=", &Frame::ConversationEnded).await {
        Err(error @ PostError::Failed(_)) => {
            let logged = chain(&error).to_string();
            assert!(logged.contains("Internal server error"), "{logged}");
            assert!(!logged.contains("conversation_ended"), "{logged}");
            assert!(
                !format!("{error:?}").contains("conversation_ended"),
                "{error:?}"
            );
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    match connections.close("conn-1=").await {
        Err(error @ PostError::Failed(_)) => {
            let logged = chain(&error).to_string();
            assert!(logged.contains("Forbidden"), "{logged}");
        }
        other => panic!("expected Failed, got {other:?}"),
    }
}
