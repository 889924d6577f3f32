//! Starting a chat.

use super::*;
use amazon_connect::{CONNECTION_EXPIRY, CONNECTION_TOKEN, MAX_MESSAGE_CHARS, PARTICIPANT_TOKEN};
use handover::contact_center::ContactCenterError;
use handover::errors::chain;
use serde_json::json;

#[tokio::test]
async fn a_start_opens_streams_and_joins_the_chat_then_sends_the_transcript_in_order() {
    let fake = FakeConnect::start().await;
    let started = center(&fake)
        .start_conversation(&request(), "key-1", deadline())
        .await
        .unwrap();

    let calls = fake.calls();
    let operations: Vec<_> = calls.iter().map(|call| call.operation).collect();
    assert_eq!(
        operations,
        [
            "StartChatContact",
            "StartContactStreaming",
            "CreateParticipantConnection",
            "SendMessage",
            "SendMessage",
            "SendMessage",
            "SendMessage",
        ]
    );
    let chat = &calls[0];
    assert!(chat.signed, "connect calls are signed with SigV4");
    assert_eq!(chat.body["InstanceId"], "instance-1");
    assert_eq!(chat.body["ContactFlowId"], "flow-1");
    assert_eq!(
        chat.body["ParticipantDetails"],
        json!({"DisplayName": "Zoë Souza"})
    );
    assert_eq!(
        chat.body["Attributes"],
        json!({"customer_name": "Zoë Souza", "subject": "Refund for order 1234", "order-id": "1234"})
    );
    assert_eq!(
        chat.body["SupportedMessagingContentTypes"],
        json!(["text/plain"])
    );
    assert!(
        chat.body["ClientToken"]
            .as_str()
            .is_some_and(|token| token.len() <= 500)
    );

    let streaming = &calls[1];
    assert!(streaming.signed);
    assert_eq!(streaming.body["ContactId"], "contact-1");
    assert_eq!(
        streaming.body["ChatStreamingConfiguration"]["StreamingEndpointArn"],
        "arn:aws:sns:eu-west-1:123456789012:chat-stream"
    );
    assert!(streaming.body["ClientToken"].is_string());
    assert_ne!(streaming.body["ClientToken"], chat.body["ClientToken"]);

    let connection = &calls[2];
    assert_eq!(
        connection.bearer.as_deref(),
        Some("participant-token-of-contact-1")
    );
    assert_eq!(
        connection.body,
        json!({"Type": ["CONNECTION_CREDENTIALS"], "ConnectParticipant": true})
    );

    let messages: Vec<_> = calls[3..]
        .iter()
        .map(|call| {
            assert_eq!(call.bearer.as_deref(), Some("connection-token-1"));
            assert_eq!(call.body["ContentType"], "text/plain");
            call.body["Content"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(messages[0], "[Bot transcript] Customer: I want a refund");
    assert_eq!(messages[1], "[Bot transcript] Bot: Let me hand you over.");
    assert!(
        messages
            .iter()
            .all(|m| m.chars().count() <= MAX_MESSAGE_CHARS)
    );
    let question: String = messages[2..]
        .iter()
        .map(|m| {
            m.strip_prefix("[Bot transcript] Customer: ")
                .expect("marked")
        })
        .collect();
    assert_eq!(question, long_question());

    assert_eq!(started.provider_conversation_id, "contact-1");
    let data = &started.provider_data;
    assert_eq!(data[PARTICIPANT_TOKEN], "participant-token-of-contact-1");
    assert_eq!(data[CONNECTION_TOKEN], "connection-token-1");
    assert_eq!(
        data[CONNECTION_EXPIRY],
        test_support::connect::CONNECTION_EXPIRY
    );
}

#[tokio::test]
async fn a_retried_start_repeats_its_client_tokens_and_gets_the_same_chat() {
    let fake = FakeConnect::start().await;
    let center = center_with(&fake, &[("AMAZON_CONNECT_SEND_TRANSCRIPT", "off")]);
    let first = center
        .start_conversation(&request(), "key-1", deadline())
        .await
        .unwrap();
    let again = center
        .start_conversation(&request(), "key-1", deadline())
        .await
        .unwrap();
    let other = center
        .start_conversation(&request(), "key-2", deadline())
        .await
        .unwrap();
    assert_eq!(
        first.provider_conversation_id,
        again.provider_conversation_id
    );
    assert_ne!(
        first.provider_conversation_id,
        other.provider_conversation_id
    );
    assert!(
        fake.calls_of("SendMessage").is_empty(),
        "the transcript is off"
    );
    for operation in ["StartChatContact", "StartContactStreaming"] {
        let tokens: Vec<_> = fake
            .calls_of(operation)
            .into_iter()
            .map(|call| call.body["ClientToken"].clone())
            .collect();
        assert_eq!(tokens[0], tokens[1], "{operation} repeats its token");
        assert_ne!(tokens[0], tokens[2], "{operation} of another key");
    }
}

#[tokio::test]
async fn invalid_attributes_are_refused_before_any_call_naming_each_problem() {
    let fake = FakeConnect::start().await;
    let mut request = request();
    request
        .context_parameters
        .insert("page url".into(), "x".into());
    request
        .context_parameters
        .insert("big".into(), "x".repeat(40_000));
    let err = center(&fake)
        .start_conversation(&request, "key-1", deadline())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ContactCenterError::Refused { code, .. } if code == "invalid_attributes")
    );
    let text = chain(&err).to_string();
    assert!(
        text.contains("\"page url\"") && text.contains("more than 32768"),
        "{text}"
    );
    assert!(fake.calls().is_empty());
}

#[tokio::test]
async fn a_missing_name_or_subject_is_refused_before_any_call() {
    let fake = FakeConnect::start().await;
    let mut request = request();
    request.customer_name = " ".into();
    request.subject = String::new();
    let err = center(&fake)
        .start_conversation(&request, "key-1", deadline())
        .await
        .unwrap_err();
    assert!(matches!(&err, ContactCenterError::Refused { code, .. } if code == "missing_details"));
    assert!(
        chain(&err)
            .to_string()
            .contains("the customer's name and the subject"),
        "{}",
        chain(&err)
    );
    assert!(fake.calls().is_empty());
}

#[tokio::test]
async fn no_agent_capacity_is_reported_at_once_and_not_retried() {
    let fake = FakeConnect::start().await;
    fake.fail_next("StartChatContact", 429, "LimitExceededException");
    let err = center(&fake)
        .start_conversation(&request(), "key-1", deadline())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ContactCenterError::NoCapacity { code, .. } if code == "LimitExceededException"),
        "{err:?}"
    );
    assert_eq!(fake.calls().len(), 1, "{:?}", fake.calls());
}

#[tokio::test]
async fn a_rate_limited_start_is_retried_with_the_same_token() {
    let fake = FakeConnect::start().await;
    fake.fail_next("StartChatContact", 429, "TooManyRequestsException");
    center(&fake)
        .start_conversation(&request(), "key-1", deadline())
        .await
        .unwrap();
    let starts = fake.calls_of("StartChatContact");
    assert_eq!(starts.len(), 2);
    assert_eq!(starts[0].body["ClientToken"], starts[1].body["ClientToken"]);
}

#[tokio::test]
async fn a_passed_deadline_calls_nothing() {
    let fake = FakeConnect::start().await;
    let err = center(&fake)
        .start_conversation(&request(), "key-1", Instant::now())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ContactCenterError::Unavailable { .. }),
        "{err:?}"
    );
    assert!(fake.calls().is_empty());
}

#[test]
fn the_started_conversation_s_debug_output_holds_no_token() {
    let started = StartedConversation {
        provider_conversation_id: "contact-1".into(),
        provider_data: BTreeMap::from([(PARTICIPANT_TOKEN.to_owned(), "secret-token".to_owned())]),
    };
    let debug = format!("{:?} {:?}", started, conversation("key-1", started.clone()));
    assert!(!debug.contains("secret-token"), "{debug}");
    assert!(debug.contains(PARTICIPANT_TOKEN), "{debug}");
}
