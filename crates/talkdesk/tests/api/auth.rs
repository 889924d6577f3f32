//! OAuth token requests, caching and the 401 refresh.

use std::time::Duration;

use talkdesk::{ClientCredentials, ConversationId, TalkdeskError};
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

#[tokio::test]
async fn token_request_is_a_client_credentials_grant() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(header("authorization", BASIC_CLIENT_A))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(
            "grant_type=client_credentials&scope=digital-connect%3Awrite",
        ))
        .respond_with(token_answer("token-1", 3600))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{CONVERSATIONS_PATH}/conv-1")))
        .and(header("authorization", "Bearer token-1"))
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
        .expect("conversation ended");
    server.verify().await;
}

#[tokio::test]
async fn token_is_cached_across_calls_and_clones() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(CONVERSATIONS_PATH))
        .and(header("authorization", "Bearer token-1"))
        .respond_with(conversation_created("conv-1"))
        .expect(2)
        .mount(&server)
        .await;

    let client = client(&server);
    let clone = client.clone();
    for (caller, key) in [(&client, "key-1"), (&clone, "key-2")] {
        caller
            .start_conversation(&credentials_a(), &start_request(), key, generous_deadline())
            .await
            .expect("conversation started");
    }
    server.verify().await;
}

#[tokio::test]
async fn concurrent_calls_share_one_token_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer("token-1", 3600).set_delay(Duration::from_millis(200)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .expect(5)
        .mount(&server)
        .await;

    let client = client(&server);
    let calls = (0..5).map(|n| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .end_conversation(
                    &credentials_a(),
                    &ConversationId::new(format!("conv-{n}")),
                    generous_deadline(),
                )
                .await
        })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().expect("conversation ended");
    }
    server.verify().await;
}

#[tokio::test]
async fn expired_token_is_fetched_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer("short-lived", 0))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(header("authorization", "Bearer short-lived"))
        .respond_with(ResponseTemplate::new(204))
        .expect(2)
        .mount(&server)
        .await;

    let client = client(&server);
    for _ in 0..2 {
        client
            .end_conversation(
                &credentials_a(),
                &ConversationId::new("conv-1"),
                generous_deadline(),
            )
            .await
            .expect("conversation ended");
    }
    server.verify().await;
}

#[tokio::test]
async fn changed_client_id_fetches_its_own_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(header("authorization", BASIC_CLIENT_A))
        .respond_with(token_answer("token-a", 3600))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        // base64("client-b:secret-b")
        .and(header("authorization", "Basic Y2xpZW50LWI6c2VjcmV0LWI="))
        .respond_with(token_answer("token-b", 3600))
        .expect(1)
        .mount(&server)
        .await;
    for token in ["token-a", "token-b"] {
        Mock::given(method("DELETE"))
            .and(header("authorization", format!("Bearer {token}")))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
    }

    let client = client(&server);
    let conversation = ConversationId::new("conv-1");
    let rotated = ClientCredentials::new("client-b", "secret-b");
    for credentials in [credentials_a(), rotated] {
        client
            .end_conversation(&credentials, &conversation, generous_deadline())
            .await
            .expect("conversation ended");
    }
    server.verify().await;
}

#[tokio::test]
async fn unauthorized_call_refreshes_the_token_and_retries_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer("revoked", 3600))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_answer("fresh", 3600))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(CONVERSATIONS_PATH))
        .and(header("authorization", "Bearer revoked"))
        .respond_with(talkdesk_error(401, "1001401"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(CONVERSATIONS_PATH))
        .and(header("authorization", "Bearer fresh"))
        .respond_with(conversation_created("conv-1"))
        .expect(1)
        .mount(&server)
        .await;

    let id = start(&server)
        .await
        .expect("conversation started after the refresh");
    assert_eq!(id.as_str(), "conv-1");
    server.verify().await;
}

#[tokio::test]
async fn second_unauthorized_answer_is_returned() {
    let server = MockServer::start().await;
    mount_token(&server, 2).await;
    Mock::given(method("POST"))
        .and(path(CONVERSATIONS_PATH))
        .respond_with(talkdesk_error(401, "1001401"))
        .expect(2)
        .mount(&server)
        .await;

    let error = start(&server).await.expect_err("the API keeps refusing");
    assert!(
        matches!(error, TalkdeskError::Api { status: 401, .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), "1001401");
    server.verify().await;
}

#[tokio::test]
async fn refused_credentials_are_an_auth_error_without_retry() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "invalid_client",
            "error_description": "Client authentication failed",
        })))
        .expect(1)
        .mount(&server)
        .await;

    let error = start(&server).await.expect_err("credentials refused");
    assert!(
        matches!(
            &error,
            TalkdeskError::Auth { status: 401, description: Some(d), .. }
                if d == "Client authentication failed"
        ),
        "{error:?}"
    );
    assert_eq!(error.code(), "invalid_client");
    for shown in [format!("{error}"), format!("{error:?}")] {
        assert!(!shown.contains("secret-a"), "{shown}");
    }
    assert_eq!(requests_to(&server, CONVERSATIONS_PATH).await, 0);
    server.verify().await;
}
