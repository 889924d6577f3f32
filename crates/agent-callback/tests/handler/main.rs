//! The callback as API Gateway invokes it, in process: `lambda_http` requests through
//! `Callback::handle`, with the in-memory store, a recording poster and secrets from a map.

mod bad_input;
mod events;
mod hostile;

use std::collections::HashMap;
use std::io;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use agent_callback::{Callback, DEFAULT_API_KEY_SECRET};
use conversation_store::MemoryStore;
use handover::agent_events::{AgentEventSettings, AgentEvents};
use handover::connections::{Frame, PostError};
use handover::conversation::{ConversationKey, ConversationStatus, Provider};
use handover::errors::Cause;
use handover::store::{Conversations, Outboxes};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Context, Request, RequestExt};
use serde_json::{Value, json};
use tokio::time::Instant;

use test_support::conversations::store_conversation;
use test_support::fakes::{Call, MapSecrets, RecordingPoster};
use test_support::faulty_store::{FaultyStore, Operation};

/// The key the sample events in `events/` carry.
const API_KEY: &str = "local-callback-api-key-0123456789abcdef";
/// Talkdesk's id of the conversation in the sample events.
const TALKDESK_ID: &str = "8a3f1b2c9d7e4f60a1b2c3d4e5f60718";
const CONNECTION: &str = "Jx3kPcQ0IAMCJWA=";
const BASE: &str = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/talkdesk";

struct Rig {
    callback: Callback,
    store: Arc<MemoryStore>,
    poster: Arc<RecordingPoster>,
    key: ConversationKey,
}

impl Rig {
    async fn call(&self, request: Request) -> (StatusCode, Value) {
        let response = self.callback.handle(request).await;
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "every answer is JSON"
        );
        let body = serde_json::from_slice(response.body().as_ref()).expect("a JSON body");
        (response.status(), body)
    }

    async fn post(&self, action: &str, body: Value) -> (StatusCode, Value) {
        self.call(request(
            Method::POST,
            action,
            Some(API_KEY),
            &body.to_string(),
        ))
        .await
    }

    async fn connection(&self) -> Option<String> {
        self.conversation().await.connection_id
    }

    async fn status(&self) -> ConversationStatus {
        self.conversation().await.status
    }

    async fn conversation(&self) -> handover::conversation::Conversation {
        self.store.conversation(&self.key).await.unwrap().unwrap()
    }
}

/// A conversation Talkdesk knows as [`TALKDESK_ID`], its customer connected on [`CONNECTION`].
async fn rig() -> Rig {
    rig_with_secrets(HashMap::from([(
        DEFAULT_API_KEY_SECRET.to_owned(),
        format!("{API_KEY}\n"),
    )]))
    .await
}

async fn rig_with_secrets(secrets: HashMap<String, String>) -> Rig {
    rig_with(secrets, AgentEventSettings::default()).await
}

async fn rig_with(secrets: HashMap<String, String>, settings: AgentEventSettings) -> Rig {
    let store = Arc::new(MemoryStore::new());
    let poster = Arc::new(RecordingPoster::default());
    let key = store_conversation(&*store, Provider::Talkdesk, TALKDESK_ID)
        .await
        .key;
    store.bind_connection(&key, CONNECTION).await.unwrap();
    let events = AgentEvents::new(store.clone(), poster.clone(), settings);
    let callback = Callback::new(
        events,
        Arc::new(MapSecrets(secrets)),
        DEFAULT_API_KEY_SECRET,
    );
    Rig {
        callback,
        store,
        poster,
        key,
    }
}

fn request(method: Method, action: &str, api_key: Option<&str>, body: &str) -> Request {
    let mut builder = lambda_http::http::Request::builder()
        .method(method)
        .uri(format!("{BASE}/{action}"))
        .header("content-type", "application/json");
    if let Some(key) = api_key {
        builder = builder.header("x-api-key", key);
    }
    builder.body(Body::from(body)).unwrap()
}

fn message(message_id: &str, content: &str) -> Value {
    json!({
        "conversation_id": TALKDESK_ID,
        "event_type": "message_created",
        "message_id": message_id,
        "content": content,
        "author_name": "Sam"
    })
}

fn lifecycle(event_type: &str) -> Value {
    json!({"conversation_id": TALKDESK_ID, "event_type": event_type, "author_name": "Sam"})
}

fn posted(frame: Frame) -> Call {
    Call::Post(CONNECTION.into(), frame)
}

#[tokio::test]
async fn conversation_started_marks_the_conversation_connected() {
    let rig = rig().await;
    let answer = rig
        .post("conversation_started", lifecycle("conversation_started"))
        .await;
    assert_eq!(answer, (StatusCode::OK, json!({"status": "delivered"})));
    assert_eq!(rig.status().await, ConversationStatus::Connected);
    assert_eq!(rig.poster.calls(), []);
}

#[tokio::test]
async fn message_created_shows_the_message_once() {
    let rig = rig().await;
    let first = rig.post("message_created", message("m1", "Hello!")).await;
    assert_eq!(first, (StatusCode::OK, json!({"status": "delivered"})));
    let again = rig.post("message_created", message("m1", "Hello!")).await;
    assert_eq!(again, (StatusCode::OK, json!({"status": "duplicate"})));
    assert_eq!(
        rig.poster.calls(),
        [posted(Frame::message("Hello!", "Sam"))]
    );
}

#[tokio::test]
async fn conversation_ended_tells_the_customer_and_closes() {
    let rig = rig().await;
    let answer = rig
        .post("conversation_ended", lifecycle("conversation_ended"))
        .await;
    assert_eq!(answer, (StatusCode::OK, json!({"status": "delivered"})));
    assert_eq!(
        rig.poster.calls(),
        [
            posted(Frame::message(
                "The agent has ended the chat. Press End Live Chat to go back to the bot.",
                "Sam"
            )),
            posted(Frame::ConversationEnded),
            Call::Close(CONNECTION.into()),
        ]
    );
    assert_eq!(rig.status().await, ConversationStatus::Ended);
    let again = rig
        .post("conversation_ended", lifecycle("conversation_ended"))
        .await;
    assert_eq!(again, (StatusCode::OK, json!({"status": "already_ended"})));
}

#[tokio::test]
async fn a_missing_api_key_is_401_and_a_wrong_one_403() {
    let rig = rig().await;
    let body = message("m1", "Hi").to_string();
    let (status, answer) = rig
        .call(request(Method::POST, "message_created", None, &body))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer["error"], "missing_api_key");
    assert!(answer["message"].is_string());
    for wrong in ["not-the-key", &API_KEY[..API_KEY.len() - 1], "ключ"] {
        let (status, answer) = rig
            .call(request(Method::POST, "message_created", Some(wrong), &body))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{wrong}");
        assert_eq!(answer["error"], "invalid_api_key");
    }
    assert_eq!(rig.poster.calls(), []);
}

#[tokio::test]
async fn an_unreadable_or_empty_api_key_secret_opens_nothing() {
    for secrets in [
        HashMap::new(),
        HashMap::from([(DEFAULT_API_KEY_SECRET.to_owned(), " \n".to_owned())]),
    ] {
        let rig = rig_with_secrets(secrets).await;
        let request = request(
            Method::POST,
            "message_created",
            Some(" "),
            &message("m1", "Hi").to_string(),
        );
        let (status, answer) = rig.call(request).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(answer["error"], "unavailable");
        assert_eq!(rig.poster.calls(), []);
    }
}

#[tokio::test]
async fn unusable_bodies_are_400_and_say_why() {
    let rig = rig().await;
    let cases = [
        ("not json".to_owned(), "malformed_body", "not a valid message_created request"),
        (
            json!({"event_type": "message_created", "message_id": "m1", "content": "Hi"}).to_string(),
            "malformed_body",
            "missing field `conversation_id`",
        ),
        (
            json!({"conversation_id": TALKDESK_ID, "event_type": "conversation_ended", "message_id": "m1", "content": "Hi"}).to_string(),
            "event_type_mismatch",
            "`event_type` is `conversation_ended` but this action is `message_created`",
        ),
        (
            message("m1", " \n ").to_string(),
            "blank_field",
            "`content` must not be blank",
        ),
    ];
    for (body, code, says) in cases {
        let (status, answer) = rig
            .call(request(
                Method::POST,
                "message_created",
                Some(API_KEY),
                &body,
            ))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["error"], code, "{body}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(says), "{body}: {message}");
    }
    assert_eq!(rig.poster.calls(), []);
}

#[tokio::test]
async fn unknown_paths_and_conversations_are_404() {
    let rig = rig().await;
    let (status, answer) = rig
        .call(request(
            Method::POST,
            "conversation_transferred",
            Some(API_KEY),
            "{}",
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["error"], "not_found");

    let mut stranger = message("m1", "Hi");
    stranger["conversation_id"] = json!("td-unknown");
    let (status, answer) = rig.post("message_created", stranger).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["error"], "unknown_conversation");
    assert_eq!(rig.poster.calls(), []);
}

#[tokio::test]
async fn other_methods_are_405() {
    let rig = rig().await;
    let response = rig
        .callback
        .handle(request(Method::GET, "message_created", Some(API_KEY), ""))
        .await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "POST");
    let answer: Value = serde_json::from_slice(response.body().as_ref()).unwrap();
    assert_eq!(answer["error"], "method_not_allowed");
}

#[tokio::test]
async fn a_customer_between_connections_is_200_queued_and_unbound() {
    let rig = rig().await;
    rig.poster.fail_next([PostError::Gone]);
    let answer = rig.post("message_created", message("m1", "Hi")).await;
    assert_eq!(answer, (StatusCode::OK, json!({"status": "queued"})));
    assert_eq!(rig.connection().await, None);
    let kept = rig.store.kept_messages(&rig.key).await.unwrap();
    assert_eq!(kept.len(), 1);
}

#[tokio::test]
async fn a_gone_customer_past_the_grace_period_is_410_and_unbound() {
    let settings = AgentEventSettings {
        reconnect_grace: Duration::ZERO,
        ..AgentEventSettings::default()
    };
    let secrets = HashMap::from([(DEFAULT_API_KEY_SECRET.to_owned(), API_KEY.to_owned())]);
    let rig = rig_with(secrets, settings).await;
    rig.poster.fail_next([PostError::Gone]);
    let (status, answer) = rig.post("message_created", message("m1", "Hi")).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(answer["status"], "customer_disconnected");
    assert!(answer["message"].is_string());
    assert_eq!(rig.connection().await, None);
}

#[tokio::test]
async fn a_failed_post_is_503_and_its_retry_is_shown() {
    let rig = rig().await;
    rig.poster
        .fail_next([PostError::Failed(Cause::new(io::Error::other(
            "LimitExceededException",
        )))]);
    let (status, answer) = rig.post("message_created", message("m1", "Hi")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer["error"], "unavailable");
    let retry = rig.post("message_created", message("m1", "Hi")).await;
    assert_eq!(retry, (StatusCode::OK, json!({"status": "delivered"})));
    assert_eq!(
        rig.poster.calls().last(),
        Some(&posted(Frame::message("Hi", "Sam")))
    );
}

#[tokio::test(start_paused = true)]
async fn a_store_too_slow_to_answer_gets_a_retryable_answer_by_the_deadline() {
    let store = FaultyStore::new();
    store.hang(Operation::ConversationByProviderId);
    let events = AgentEvents::new(
        store,
        Arc::new(RecordingPoster::default()),
        AgentEventSettings::default(),
    );
    let secrets = MapSecrets::with(DEFAULT_API_KEY_SECRET, API_KEY);
    let callback = Callback::new(events, Arc::new(secrets), DEFAULT_API_KEY_SECRET);
    let mut context = Context::default();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    context.deadline = (now + Duration::from_secs(10)).as_millis() as u64;
    let body = message("m1", "Hi").to_string();
    let request =
        request(Method::POST, "message_created", Some(API_KEY), &body).with_lambda_context(context);

    let started = Instant::now();
    let response = callback.handle(request).await;

    assert!(
        started.elapsed() >= Duration::from_secs(8),
        "answered when the time ran out, less the margin to answer"
    );
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
}
