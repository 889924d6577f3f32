//! The three conversation calls: exact requests and how answers are read.

use std::collections::BTreeMap;

use talkdesk::{
    ContactPerson, ConversationId, MessageType, PreviousMessage, StartConversation, TalkdeskClient,
    TalkdeskConfig,
};
use time::OffsetDateTime;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

fn at(unix_seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix_seconds).unwrap()
}

#[tokio::test]
async fn start_conversation_sends_the_hand_over() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(CONVERSATIONS_PATH))
        .and(header("authorization", "Bearer token-1"))
        .and(header("content-type", "application/json"))
        .and(header("x-idempotency-key", "lex-session-42"))
        .and(body_json(serde_json::json!({
            "touchpoint_id": "touchpoint-1",
            "subject": "Billing question",
            "contact_person": {"name": "Ada", "email": "ada@example.com"},
            "context_parameters": {"intent": "Billing", "locale": "en_US"},
            "previous_messages": [
                {"type": "USER", "content": "I was charged twice", "created_at": "2024-05-01T10:00:00Z"},
                {"type": "EXTERNAL", "content": "Let me get an agent", "created_at": "2024-05-01T10:00:05Z"}
            ]
        })))
        .respond_with(conversation_created("conv-42"))
        .expect(1)
        .mount(&server)
        .await;

    let request = StartConversation {
        touchpoint_id: "touchpoint-1".into(),
        subject: "Billing question".into(),
        contact_person: ContactPerson {
            name: Some("Ada".into()),
            email: Some("ada@example.com".into()),
        },
        context_parameters: BTreeMap::from([
            ("intent".into(), "Billing".into()),
            ("locale".into(), "en_US".into()),
        ]),
        previous_messages: vec![
            PreviousMessage {
                kind: MessageType::User,
                content: "I was charged twice".into(),
                created_at: at(1_714_557_600),
            },
            PreviousMessage {
                kind: MessageType::External,
                content: "Let me get an agent".into(),
                created_at: at(1_714_557_605),
            },
        ],
    };
    let id = client(&server)
        .start_conversation(
            &credentials_a(),
            &request,
            "lex-session-42",
            generous_deadline(),
        )
        .await
        .expect("conversation started");
    assert_eq!(id, ConversationId::new("conv-42"));
    server.verify().await;
}

#[tokio::test]
async fn idempotency_header_name_is_configurable() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(CONVERSATIONS_PATH))
        .and(header("idempotency-key", "key-1"))
        .respond_with(conversation_created("conv-1"))
        .expect(1)
        .mount(&server)
        .await;

    let config = TalkdeskConfig {
        idempotency_header: "Idempotency-Key".into(),
        ..test_config(&server)
    };
    TalkdeskClient::new(config)
        .unwrap()
        .start_conversation(
            &credentials_a(),
            &start_request(),
            "key-1",
            generous_deadline(),
        )
        .await
        .expect("conversation started");
    server.verify().await;
}

#[tokio::test]
async fn start_without_a_usable_id_is_an_unexpected_response() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(CONVERSATIONS_PATH))
        .respond_with(conversation_created(""))
        .expect(1)
        .mount(&server)
        .await;

    let error = start(&server).await.expect_err("an empty id is unusable");
    assert_eq!(error.code(), "unexpected_response");
    server.verify().await;
}

#[tokio::test]
async fn send_message_posts_the_content() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{CONVERSATIONS_PATH}/conv-1/messages")))
        .and(header("authorization", "Bearer token-1"))
        .and(body_json(serde_json::json!({"content": "Still there?"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({
            "id": "conv-1",
            "created_at": "2024-05-01T10:01:00Z",
            "message_id": "msg-7",
        })))
        .expect(1)
        .mount(&server)
        .await;

    let sent = client(&server)
        .send_message(
            &credentials_a(),
            &ConversationId::new("conv-1"),
            "Still there?",
            generous_deadline(),
        )
        .await
        .expect("message sent");
    assert_eq!(sent.id.as_deref(), Some("conv-1"));
    assert_eq!(sent.message_id.as_deref(), Some("msg-7"));
    assert_eq!(sent.created_at.as_deref(), Some("2024-05-01T10:01:00Z"));
    assert!(!sent.partially_failed);
    assert_eq!(sent.partial_fail_reason, None);
    server.verify().await;
}

#[tokio::test]
async fn partial_content_is_a_success_with_its_reason() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{CONVERSATIONS_PATH}/conv-1/messages")))
        .respond_with(ResponseTemplate::new(206).set_body_json(serde_json::json!({
            "id": "conv-1",
            "created_at": "2024-05-01T10:01:00Z",
            "message_id": "msg-8",
            "partial_fail_reason": "attachment rejected",
        })))
        .expect(1)
        .mount(&server)
        .await;

    let sent = client(&server)
        .send_message(
            &credentials_a(),
            &ConversationId::new("conv-1"),
            "see attached",
            generous_deadline(),
        )
        .await
        .expect("a partial success is a success");
    assert!(sent.partially_failed);
    assert_eq!(
        sent.partial_fail_reason.as_deref(),
        Some("attachment rejected")
    );
    assert_eq!(sent.message_id.as_deref(), Some("msg-8"));
    server.verify().await;
}

#[tokio::test]
async fn conversation_id_is_percent_encoded_in_the_path() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(format!(
            "{CONVERSATIONS_PATH}/a%2Fb%20c%3F%23%25/messages"
        )))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({"id": "x"})))
        .expect(1)
        .mount(&server)
        .await;

    client(&server)
        .send_message(
            &credentials_a(),
            &ConversationId::new("a/b c?#%"),
            "hello",
            generous_deadline(),
        )
        .await
        .expect("message sent");
    server.verify().await;
}

#[tokio::test]
async fn end_conversation_accepts_no_content_and_not_found() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("DELETE"))
        .and(path(format!("{CONVERSATIONS_PATH}/open")))
        .and(header("authorization", "Bearer token-1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{CONVERSATIONS_PATH}/gone")))
        .respond_with(talkdesk_error(404, "0001404"))
        .expect(1)
        .mount(&server)
        .await;

    let client = client(&server);
    for id in ["open", "gone"] {
        client
            .end_conversation(
                &credentials_a(),
                &ConversationId::new(id),
                generous_deadline(),
            )
            .await
            .unwrap_or_else(|error| panic!("{id}: {error:?}"));
    }
    server.verify().await;
}

#[tokio::test]
async fn end_conversation_retries_a_server_error() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;

    client(&server)
        .end_conversation(
            &credentials_a(),
            &ConversationId::new("conv-1"),
            generous_deadline(),
        )
        .await
        .expect("ended on the second attempt");
    server.verify().await;
}
