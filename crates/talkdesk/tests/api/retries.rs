//! Retries, backoff, `Retry-After`, timeouts and the deadline.

use std::time::Duration;

use talkdesk::{ConversationId, TalkdeskClient, TalkdeskConfig, TalkdeskError};
use tokio::time::Instant;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// Answers `status` (with `Retry-After: retry_after` when given) to the first `failures`
/// conversation starts, then 201.
async fn mount_failing_start(
    server: &MockServer,
    status: u16,
    retry_after: Option<&str>,
    failures: u64,
) {
    let mut failure = ResponseTemplate::new(status);
    if let Some(seconds) = retry_after {
        failure = failure.insert_header("retry-after", seconds);
    }
    Mock::given(method("POST"))
        .and(path(CONVERSATIONS_PATH))
        .respond_with(failure)
        .up_to_n_times(failures)
        .with_priority(1)
        .expect(failures)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(CONVERSATIONS_PATH))
        .respond_with(conversation_created("conv-1"))
        .mount(server)
        .await;
}

async fn start(
    client: &TalkdeskClient,
    deadline: Instant,
) -> Result<ConversationId, TalkdeskError> {
    client
        .start_conversation(&credentials_a(), &start_request(), "key-1", deadline)
        .await
}

#[tokio::test]
async fn throttled_start_is_retried() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_failing_start(&server, 429, None, 2).await;

    let id = start(&client(&server), generous_deadline())
        .await
        .expect("started on the third attempt");
    assert_eq!(id.as_str(), "conv-1");
    assert_eq!(requests_to(&server, CONVERSATIONS_PATH).await, 3);
    server.verify().await;
}

#[tokio::test]
async fn unavailable_send_is_retried() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let messages = format!("{CONVERSATIONS_PATH}/conv-1/messages");
    Mock::given(method("POST"))
        .and(path(&messages))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(&messages))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({
            "id": "conv-1", "message_id": "msg-1", "created_at": "2024-05-01T10:00:00Z"
        })))
        .expect(1)
        .mount(&server)
        .await;

    let sent = send_hello(&client(&server))
        .await
        .expect("sent on the second attempt");
    assert_eq!(sent.message_id.as_deref(), Some("msg-1"));
    server.verify().await;
}

#[tokio::test]
async fn attempts_are_bounded() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(CONVERSATIONS_PATH))
        .respond_with(talkdesk_error(503, "0000503"))
        .expect(3)
        .mount(&server)
        .await;

    let error = start(&client(&server), generous_deadline())
        .await
        .expect_err("never succeeds");
    assert!(
        matches!(error, TalkdeskError::Api { status: 503, .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), "0000503");
    assert_eq!(requests_to(&server, CONVERSATIONS_PATH).await, 3);
    server.verify().await;
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_failing_start(&server, 429, Some("1"), 1).await;
    let (client, sleeper) = recording_client(&server);

    start(&client, generous_deadline())
        .await
        .expect("started after waiting");
    // The server's second, where the backoff alone would wait at most a few milliseconds.
    assert_eq!(sleeper.delays(), [Duration::from_secs(1)]);
    server.verify().await;
}

#[tokio::test]
async fn retry_after_past_the_deadline_gives_up_at_once() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_failing_start(&server, 429, Some("30"), 1).await;
    let (client, sleeper) = recording_client(&server);

    let error = start(&client, deadline_in(Duration::from_secs(3)))
        .await
        .expect_err("waiting would overrun the deadline");
    assert_eq!(sleeper.delays(), Vec::<Duration>::new());
    assert!(
        matches!(error, TalkdeskError::Api { status: 429, .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), "rate_limited");
    assert_eq!(requests_to(&server, CONVERSATIONS_PATH).await, 1);
}

#[tokio::test]
async fn hanging_request_times_out() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    // The answer would come well before the deadline: only the request timeout can cut it off.
    Mock::given(method("POST"))
        .and(path(CONVERSATIONS_PATH))
        .respond_with(conversation_created("late").set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let config = TalkdeskConfig {
        request_timeout: Duration::from_millis(200),
        max_attempts: 1,
        ..test_config(&server)
    };

    let error = start(&TalkdeskClient::new(config).unwrap(), generous_deadline())
        .await
        .expect_err("no answer in time");
    assert!(matches!(error, TalkdeskError::Timeout), "{error:?}");
    assert_eq!(requests_to(&server, CONVERSATIONS_PATH).await, 1);
}

#[tokio::test]
async fn deadline_shortens_the_request_timeout() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(CONVERSATIONS_PATH))
        .respond_with(conversation_created("late").set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    // Each attempt may take 30 s and the answer comes after 5 s, but the deadline leaves 500 ms
    // for all of them: only a timeout shortened to the deadline turns the answer into a Timeout.
    let config = TalkdeskConfig {
        request_timeout: Duration::from_secs(30),
        ..test_config(&server)
    };

    let error = start(
        &TalkdeskClient::new(config).unwrap(),
        deadline_in(Duration::from_millis(500)),
    )
    .await
    .expect_err("no answer in time");
    assert!(matches!(error, TalkdeskError::Timeout), "{error:?}");
    assert_eq!(requests_to(&server, CONVERSATIONS_PATH).await, 1);
}

#[tokio::test]
async fn timed_out_message_is_sent_again() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let messages = format!("{CONVERSATIONS_PATH}/conv-1/messages");
    Mock::given(method("POST"))
        .and(path(&messages))
        .respond_with(ResponseTemplate::new(201).set_delay(Duration::from_secs(10)))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(&messages))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(serde_json::json!({"message_id": "msg-2"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let config = TalkdeskConfig {
        request_timeout: Duration::from_millis(200),
        ..test_config(&server)
    };

    let sent = send_hello(&TalkdeskClient::new(config).unwrap())
        .await
        .expect("sent on the second attempt");
    assert_eq!(sent.message_id.as_deref(), Some("msg-2"));
    server.verify().await;
}

#[tokio::test]
async fn a_slow_talkdesk_gets_a_message_at_most_twice() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let messages = format!("{CONVERSATIONS_PATH}/conv-1/messages");
    // Talkdesk stores every attempt but answers too late for each.
    Mock::given(method("POST"))
        .and(path(&messages))
        .respond_with(ResponseTemplate::new(201).set_delay(Duration::from_secs(10)))
        .expect(2)
        .mount(&server)
        .await;
    let config = TalkdeskConfig {
        request_timeout: Duration::from_millis(200),
        max_attempts: 4,
        ..test_config(&server)
    };

    let error = send_hello(&TalkdeskClient::new(config).unwrap())
        .await
        .expect_err("never answered in time");
    assert_eq!(error.code(), "timeout");
    server.verify().await;
}

#[tokio::test]
async fn a_throttled_message_is_retried_like_any_call() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let messages = format!("{CONVERSATIONS_PATH}/conv-1/messages");
    Mock::given(method("POST"))
        .and(path(&messages))
        .respond_with(talkdesk_error(429, "0000429"))
        .expect(3)
        .mount(&server)
        .await;

    send_hello(&client(&server))
        .await
        .expect_err("always throttled");
    server.verify().await;
}

#[tokio::test]
async fn past_deadline_sends_nothing() {
    let server = MockServer::start().await;
    let error = start(&client(&server), Instant::now())
        .await
        .expect_err("no time left");
    assert!(
        matches!(error, TalkdeskError::DeadlineExceeded),
        "{error:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}

#[tokio::test]
async fn unreachable_server_is_a_transport_error() {
    // A port that was just free: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let base = format!("http://{address}");
    let config = TalkdeskConfig {
        backoff_base: Duration::from_millis(1),
        backoff_cap: Duration::from_millis(5),
        ..TalkdeskConfig::with_base_urls(&base, &base)
    };

    let error = start(&TalkdeskClient::new(config).unwrap(), generous_deadline())
        .await
        .expect_err("nothing listens");
    assert!(matches!(error, TalkdeskError::Transport(_)), "{error:?}");
    assert_eq!(error.code(), "transport");
}

/// "hello" to conversation `conv-1` with client A's credentials and a generous deadline.
async fn send_hello(client: &TalkdeskClient) -> Result<talkdesk::SentMessage, TalkdeskError> {
    client
        .send_message(
            &credentials_a(),
            &ConversationId::new("conv-1"),
            "hello",
            generous_deadline(),
        )
        .await
}
