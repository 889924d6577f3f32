//! Talkdesk's client errors: typed, and never retried.

use talkdesk::{ConversationId, FieldError, TalkdeskError};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

#[tokio::test]
async fn bad_request_carries_code_message_and_fields() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(CONVERSATIONS_PATH))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "code": "0331001",
            "message": "Invalid request body",
            "description": "One or more fields are invalid",
            "fields": [{"name": "touchpoint_id", "description": "must not be blank"}],
        })))
        .expect(1)
        .mount(&server)
        .await;

    let error = start(&server).await.expect_err("request refused");
    assert_eq!(error.code(), "0331001");
    let TalkdeskError::Api {
        status,
        message,
        description,
        fields,
        ..
    } = error
    else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(status, 400);
    assert_eq!(message.as_deref(), Some("Invalid request body"));
    assert_eq!(
        description.as_deref(),
        Some("One or more fields are invalid")
    );
    assert_eq!(
        fields,
        vec![FieldError {
            name: "touchpoint_id".into(),
            description: "must not be blank".into(),
        }]
    );
    server.verify().await;
}

#[tokio::test]
async fn not_found_message_target_is_an_api_error_without_retry() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{CONVERSATIONS_PATH}/missing/messages")))
        .respond_with(talkdesk_error(404, "0331404"))
        .expect(1)
        .mount(&server)
        .await;

    let error = client(&server)
        .send_message(
            &credentials_a(),
            &ConversationId::new("missing"),
            "hello",
            generous_deadline(),
        )
        .await
        .expect_err("conversation unknown");
    assert!(
        matches!(error, TalkdeskError::Api { status: 404, .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), "0331404");
    server.verify().await;
}

#[tokio::test]
async fn conflict_is_an_api_error_without_retry() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(CONVERSATIONS_PATH))
        .respond_with(talkdesk_error(409, "0331409"))
        .expect(1)
        .mount(&server)
        .await;

    let error = start(&server).await.expect_err("conflict");
    assert!(
        matches!(error, TalkdeskError::Api { status: 409, .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), "0331409");
    server.verify().await;
}

#[tokio::test]
async fn non_json_error_body_still_gives_the_status() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(CONVERSATIONS_PATH))
        .respond_with(ResponseTemplate::new(403).set_body_string("<html>Forbidden</html>"))
        .expect(1)
        .mount(&server)
        .await;

    let error = start(&server).await.expect_err("forbidden");
    assert!(
        matches!(
            error,
            TalkdeskError::Api {
                status: 403,
                code: None,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.code(), "api_error");
    server.verify().await;
}

#[tokio::test]
async fn errors_do_not_reveal_tokens_or_message_contents() {
    let server = MockServer::start().await;
    mount_token(&server, 2).await;
    Mock::given(method("POST"))
        .respond_with(talkdesk_error(401, "1001401"))
        .expect(2)
        .mount(&server)
        .await;

    let error = client(&server)
        .send_message(
            &credentials_a(),
            &ConversationId::new("conv-1"),
            "my password is hunter2",
            generous_deadline(),
        )
        .await
        .expect_err("refused");
    for shown in [format!("{error}"), format!("{error:?}")] {
        for private in ["token-1", "secret-a", "hunter2"] {
            assert!(!shown.contains(private), "{private} leaked: {shown}");
        }
    }
    server.verify().await;
}

#[tokio::test]
async fn invalid_idempotency_key_is_refused_before_sending() {
    let server = MockServer::start().await;
    mount_token(&server, 0).await;

    let error = client(&server)
        .start_conversation(&credentials_a(), &start_request(), "", generous_deadline())
        .await
        .expect_err("empty key");
    assert!(
        matches!(error, TalkdeskError::InvalidRequest(_)),
        "{error:?}"
    );
    server.verify().await;
}
