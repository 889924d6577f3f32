//! A fake Talkdesk Digital Connect for tests: a wiremock server on loopback and the answers the
//! real API gives (`PROTOCOL.md`), one mock per endpoint, for a test to mount with its own
//! expectations. Like Talkdesk, the API answers only requests that carry the token it granted.

use serde_json::json;
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The OAuth token endpoint.
pub const TOKEN_PATH: &str = "/oauth/token";

/// Start a Conversation.
pub const CONVERSATIONS_PATH: &str = "/digital-connect/conversations";

/// The access token the fake grants and its API requires.
const ACCESS_TOKEN: &str = "talkdesk-test-token";

/// The `authorization` header of a request made with the access token of this module.
const BEARER: &str = "Bearer talkdesk-test-token";

/// A fake Talkdesk on loopback that answers nothing until mocks are mounted.
pub async fn start() -> MockServer {
    MockServer::start().await
}

/// The variables that point a deployment's Talkdesk settings at `server` (both hosts).
pub fn vars(server: &MockServer) -> [(&'static str, String); 2] {
    [
        ("TALKDESK_OAUTH_BASE", server.uri()),
        ("TALKDESK_API_BASE", server.uri()),
    ]
}

/// The token endpoint granting the access token of this module for an hour.
pub fn token() -> Mock {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": ACCESS_TOKEN,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "digital-connect:write"
        })))
        .named("token")
}

/// Start a Conversation answering 201 with `id`.
pub fn start_conversation(id: &str) -> Mock {
    Mock::given(method("POST"))
        .and(path(CONVERSATIONS_PATH))
        .and(header("authorization", BEARER))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "id": id })))
        .named("start a conversation")
}

/// Send a Message to any conversation, answering 201.
pub fn send_message() -> Mock {
    Mock::given(method("POST"))
        .and(path_regex(format!("^{CONVERSATIONS_PATH}/[^/]+/messages$")))
        .and(header("authorization", BEARER))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "message-1",
            "message_id": "message-1",
            "created_at": "2026-01-01T00:00:00Z"
        })))
        .named("send a message")
}

/// End a Conversation (any), answering 204.
pub fn end_conversation() -> Mock {
    Mock::given(method("DELETE"))
        .and(path_regex(format!("^{CONVERSATIONS_PATH}/[^/]+$")))
        .and(header("authorization", BEARER))
        .respond_with(ResponseTemplate::new(204))
        .named("end a conversation")
}

/// (method, path) of every request `server` received, tokens aside, oldest first.
pub async fn calls(server: &MockServer) -> Vec<(String, String)> {
    server
        .received_requests()
        .await
        .expect("wiremock records requests")
        .into_iter()
        .filter(|request| request.url.path() != TOKEN_PATH)
        .map(|request| (request.method.to_string(), request.url.path().to_owned()))
        .collect()
}
