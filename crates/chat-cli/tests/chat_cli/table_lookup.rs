//! Talkdesk's conversation id from the conversation table: one strongly consistent GetItem of
//! `pk = CONV#<conversation key>`, through the real DynamoDB client against a stand-in endpoint.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chat_cli::lookup::{ConversationTable, LookupError};
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// What the stand-in received: the target header and the JSON body of each request.
type Received = Arc<Mutex<Vec<(String, Value)>>>;

/// A DynamoDB endpoint that answers every GetItem with `item` (`None`: no such item).
async fn dynamodb_answering(item: Option<Value>) -> (String, Received) {
    let received = Received::default();
    let kept = received.clone();
    let answer = match item {
        Some(item) => json!({ "Item": item }),
        None => json!({}),
    };
    let app = Router::new().route(
        "/",
        post(move |headers: HeaderMap, body: String| {
            let kept = kept.clone();
            let answer = answer.clone();
            async move {
                let target = headers
                    .get("x-amz-target")
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let body = serde_json::from_str(&body).unwrap_or(Value::Null);
                kept.lock().expect("not poisoned").push((target, body));
                (
                    StatusCode::OK,
                    [("content-type", "application/x-amz-json-1.0")],
                    answer.to_string(),
                )
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("its address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

fn table(url: &str) -> ConversationTable {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .endpoint_url(url)
        .build();
    ConversationTable::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        "handover-conversations".into(),
    )
}

const REFERENCE: &str = "v1.3f6c1e0d9a8b4c7d.1795262400.3q2-7wAAAA";

#[tokio::test]
async fn the_id_is_read_from_the_conversation_item() {
    let item = json!({"provider_conversation_id": {"S": "8a3f1b2c9d7e4f60a1b2c3d4e5f60718"}});
    let (url, received) = dynamodb_answering(Some(item)).await;
    let id = table(&url)
        .provider_conversation_id(REFERENCE)
        .await
        .expect("the conversation is in the table");
    assert_eq!(id, "8a3f1b2c9d7e4f60a1b2c3d4e5f60718");

    let received = received.lock().expect("not poisoned").clone();
    assert_eq!(received.len(), 1, "one request: {received:?}");
    let (target, body) = &received[0];
    assert_eq!(target, "DynamoDB_20120810.GetItem");
    assert_eq!(body["TableName"], "handover-conversations");
    assert_eq!(body["Key"], json!({"pk": {"S": "CONV#3f6c1e0d9a8b4c7d"}}));
    assert_eq!(body["ConsistentRead"], true);
}

#[tokio::test]
async fn a_missing_conversation_or_a_malformed_reference_is_named() {
    let (url, received) = dynamodb_answering(None).await;
    let missing = table(&url).provider_conversation_id(REFERENCE).await;
    match missing {
        Err(LookupError::NotInTable { key, .. }) => assert_eq!(key, "3f6c1e0d9a8b4c7d"),
        other => panic!("expected NotInTable, got {other:?}"),
    }
    let malformed = table(&url)
        .provider_conversation_id("8a3f1b2c9d7e4f60a1b2c3d4e5f60718")
        .await;
    assert!(
        matches!(malformed, Err(LookupError::MalformedReference)),
        "{malformed:?}"
    );
    assert_eq!(
        received.lock().expect("not poisoned").len(),
        1,
        "a malformed reference is not looked up"
    );
}
