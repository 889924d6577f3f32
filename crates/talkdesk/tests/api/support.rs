//! Shared fixtures: a fake Talkdesk, a client pointed at it, canned answers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use talkdesk::{ClientCredentials, Sleeper, TalkdeskClient, TalkdeskConfig};
use tokio::time::Instant;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// `base64("client-a:secret-a")`, spelled out so the test checks the encoding too.
pub const BASIC_CLIENT_A: &str = "Basic Y2xpZW50LWE6c2VjcmV0LWE=";
pub const TOKEN_PATH: &str = "/oauth/token";
pub const CONVERSATIONS_PATH: &str = "/digital-connect/conversations";

pub fn credentials_a() -> ClientCredentials {
    ClientCredentials::new("client-a", "secret-a")
}

/// Fast retries and a short request timeout; both base URLs point at the fake server.
pub fn test_config(server: &MockServer) -> TalkdeskConfig {
    TalkdeskConfig {
        request_timeout: Duration::from_secs(2),
        max_attempts: 3,
        backoff_base: Duration::from_millis(1),
        backoff_cap: Duration::from_millis(5),
        ..TalkdeskConfig::with_base_urls(server.uri(), server.uri())
    }
}

pub fn client(server: &MockServer) -> TalkdeskClient {
    TalkdeskClient::new(test_config(server)).expect("test configuration is valid")
}

/// A [`Sleeper`] that records the delays it is asked to wait and returns at once, so that tests
/// check the waits the retry policy chose instead of measuring them.
#[derive(Debug, Default)]
pub struct RecordingSleeper(Mutex<Vec<Duration>>);

impl RecordingSleeper {
    /// The delays asked for so far, in order.
    pub fn delays(&self) -> Vec<Duration> {
        self.0
            .lock()
            .expect("no test panicked while recording")
            .clone()
    }
}

#[async_trait]
impl Sleeper for RecordingSleeper {
    async fn sleep(&self, delay: Duration) {
        self.0
            .lock()
            .expect("no test panicked while recording")
            .push(delay);
    }
}

/// A client like [`client`] whose waits between attempts are recorded instead of slept.
pub fn recording_client(server: &MockServer) -> (TalkdeskClient, Arc<RecordingSleeper>) {
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = TalkdeskClient::with_sleeper(test_config(server), sleeper.clone())
        .expect("test configuration is valid");
    (client, sleeper)
}

pub fn deadline_in(duration: Duration) -> Instant {
    Instant::now() + duration
}

/// A deadline no test call should come near.
pub fn generous_deadline() -> Instant {
    deadline_in(Duration::from_secs(10))
}

pub fn token_answer(access_token: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "scope": "digital-connect:write",
    }))
}

/// Serves `token-1` (valid for an hour) to any token request, `expected` times in total.
pub async fn mount_token(server: &MockServer, expected: u64) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer("token-1", 3600))
        .expect(expected)
        .named("token")
        .mount(server)
        .await;
}

pub fn conversation_created(id: &str) -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(serde_json::json!({ "id": id }))
}

pub fn talkdesk_error(status: u16, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(serde_json::json!({
        "code": code,
        "message": "Request failed",
    }))
}

/// Requests the fake server received on `request_path`.
pub async fn requests_to(server: &MockServer, request_path: &str) -> usize {
    server
        .received_requests()
        .await
        .expect("request recording is on")
        .iter()
        .filter(|request| request.url.path() == request_path)
        .count()
}

/// A minimal hand-over request.
/// Start a Conversation as most tests call it: client A's credentials, [`start_request`], the
/// idempotency key `key-1` and a generous deadline.
pub async fn start(
    server: &MockServer,
) -> Result<talkdesk::ConversationId, talkdesk::TalkdeskError> {
    client(server)
        .start_conversation(
            &credentials_a(),
            &start_request(),
            "key-1",
            generous_deadline(),
        )
        .await
}

pub fn start_request() -> talkdesk::StartConversation {
    talkdesk::StartConversation {
        touchpoint_id: "touchpoint-1".into(),
        subject: "Help".into(),
        contact_person: talkdesk::ContactPerson::default(),
        context_parameters: Default::default(),
        previous_messages: Vec::new(),
    }
}
