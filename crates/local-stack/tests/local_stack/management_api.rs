//! The Management API emulator, through the real SDK client the handlers use and over plain
//! HTTP: posting, reading and deleting a connection, and 410 Gone for one that is not open.

use aws_adapters::connections::ApiGatewayConnections;
use aws_config::SdkConfig;
use aws_sdk_apigatewaymanagement::config::{
    BehaviorVersion, Credentials, Region, SharedCredentialsProvider,
};
use handover::connections::{ConnectionPoster, Frame, PostError};
use local_stack::Running;
use serde_json::json;

use crate::support::{closed, connected, hand_over, next_json, start, stop};

fn sdk_config() -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "test",
        )))
        .build()
}

fn management_client(running: &Running) -> aws_sdk_apigatewaymanagement::Client {
    let config = aws_sdk_apigatewaymanagement::config::Builder::from(&sdk_config())
        .endpoint_url(&running.urls().management_api)
        .build();
    aws_sdk_apigatewaymanagement::Client::from_conf(config)
}

#[tokio::test]
async fn a_connection_that_is_not_open_is_gone() {
    let stack = start().await;
    let http = reqwest::Client::new();
    let url = format!("{}/@connections/bm90LW9wZW4=", stack.urls().management_api);
    for request in [
        http.post(&url).body("{}"),
        http.get(&url),
        http.delete(&url),
    ] {
        let response = request.send().await.expect("the Management API answers");
        assert_eq!(response.status(), 410);
        assert_eq!(response.headers()["x-amzn-errortype"], "GoneException");
    }
    let connections = ApiGatewayConnections::at(&sdk_config(), &stack.urls().management_api);
    assert_eq!(
        connections
            .post("bm90LW9wZW4=", &Frame::ConversationEnded)
            .await,
        Err(PostError::Gone)
    );
    let error = management_client(&stack)
        .get_connection()
        .connection_id("bm90LW9wZW4=")
        .send()
        .await
        .expect_err("an unknown connection");
    assert!(
        error
            .as_service_error()
            .is_some_and(|error| error.is_gone_exception()),
        "{error:?}"
    );
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_is_posted_to_described_and_deleted() {
    let stack = start().await;
    let (reference, _) = hand_over(&stack, "Dee", "Returns").await;
    let mut socket = connected(&stack, &reference).await;
    let ids = stack.connection_ids();
    let [id] = ids.as_slice() else {
        panic!("one open connection expected, found {ids:?}");
    };

    let connections = ApiGatewayConnections::at(&sdk_config(), &stack.urls().management_api);
    let frame = Frame::message("Posted by hand.", "Sam");
    assert_eq!(connections.post(id, &frame).await, Ok(()));
    assert_eq!(
        next_json(&mut socket).await,
        json!({"event_type": "message_created", "content": "Posted by hand.", "author_name": "Sam"})
    );

    let described = management_client(&stack)
        .get_connection()
        .connection_id(id)
        .send()
        .await
        .expect("an open connection is described");
    assert!(described.connected_at().is_some());
    assert!(described.last_active_at() >= described.connected_at());
    let identity = described.identity().expect("an identity");
    assert_eq!(identity.source_ip(), Some("127.0.0.1"));

    assert_eq!(connections.close(id).await, Ok(()));
    assert_eq!(closed(&mut socket).await, Some(1000));
    assert_eq!(connections.post(id, &frame).await, Err(PostError::Gone));
    assert!(stack.connection_ids().is_empty());
    stop(stack).await;
}
