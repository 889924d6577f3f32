//! Relaying the customer's messages.

use super::*;
use amazon_connect::{CONNECTION_EXPIRY, CONNECTION_TOKEN, MAX_MESSAGE_CHARS, PARTICIPANT_TOKEN};
use handover::contact_center::{ContactCenterError, CustomerText};
use serde_json::Value;

/// The customer's message with the frame id `id`.
fn said<'a>(id: &'a str, text: &'a str) -> CustomerText<'a> {
    CustomerText { id, text }
}

fn contents_and_tokens(fake: &FakeConnect, skip: usize) -> Vec<(String, Value)> {
    fake.calls_of("SendMessage")
        .into_iter()
        .skip(skip)
        .map(|call| {
            (
                call.body["Content"].as_str().unwrap().to_owned(),
                call.body["ClientToken"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_long_message_goes_in_ordered_parts_whose_tokens_repeat_with_the_call() {
    let fake = FakeConnect::start().await;
    let (center, conversation) = start(&fake, "key-1").await;
    let transcript = fake.calls_of("SendMessage").len();
    let text: String = (0..2500)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();

    center
        .send_message(&conversation, said("frame-1", &text), deadline())
        .await
        .unwrap();
    let sent = contents_and_tokens(&fake, transcript);
    assert_eq!(sent.len(), 3);
    assert!(
        sent.iter()
            .all(|(content, _)| content.chars().count() <= MAX_MESSAGE_CHARS)
    );
    assert_eq!(
        sent.iter()
            .map(|(content, _)| content.as_str())
            .collect::<String>(),
        text
    );
    for call in fake.calls_of("SendMessage").iter().skip(transcript) {
        assert_eq!(call.body["ContentType"], "text/plain");
        assert_eq!(call.bearer.as_deref(), Some("connection-token-1"));
    }
    let tokens: Vec<_> = sent.iter().map(|(_, token)| token.clone()).collect();
    assert!(tokens[0] != tokens[1] && tokens[1] != tokens[2]);

    // The same message again (a redelivery) repeats the tokens: Amazon Connect keeps one copy.
    center
        .send_message(&conversation, said("frame-1", &text), deadline())
        .await
        .unwrap();
    let repeated: Vec<_> = contents_and_tokens(&fake, transcript + 3)
        .into_iter()
        .map(|(_, token)| token)
        .collect();
    assert_eq!(repeated, tokens);

    // The same words as a later message: another frame.
    center
        .send_message(&conversation, said("frame-2", &text), deadline())
        .await
        .unwrap();
    let later = contents_and_tokens(&fake, transcript + 6);
    assert!(later.iter().all(|(_, token)| !tokens.contains(token)));
}

#[tokio::test]
async fn a_message_to_an_ended_chat_is_refused() {
    let fake = FakeConnect::start().await;
    let (center, conversation) = start(&fake, "key-1").await;
    fake.end_chat(&conversation.provider_conversation_id);
    let err = center
        .send_message(&conversation, said("frame-1", "hello?"), deadline())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ContactCenterError::Refused { code, .. } if code == "AccessDeniedException"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_failed_or_rejected_message_is_refused() {
    for status in ["FAILED", "REJECTED"] {
        let fake = FakeConnect::start().await;
        let (center, conversation) = start(&fake, "key-1").await;
        fake.answer_messages_with(status);
        let err = center
            .send_message(&conversation, said("frame-1", "hello"), deadline())
            .await
            .unwrap_err();
        let expected = format!("message_{}", status.to_lowercase());
        assert!(
            matches!(&err, ContactCenterError::Refused { code, .. } if *code == expected),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn throttling_is_unavailable_and_a_server_error_unknown() {
    let fake = FakeConnect::start().await;
    let (center, conversation) = start(&fake, "key-1").await;
    for _ in 0..3 {
        fake.fail_next("SendMessage", 429, "ThrottlingException");
    }
    let err = center
        .send_message(&conversation, said("frame-1", "hello"), deadline())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ContactCenterError::Unavailable { .. }),
        "{err:?}"
    );
    for _ in 0..3 {
        fake.fail_next("SendMessage", 500, "InternalServerException");
    }
    let err = center
        .send_message(&conversation, said("frame-1", "hello"), deadline())
        .await
        .unwrap_err();
    assert!(matches!(err, ContactCenterError::Unknown { .. }), "{err:?}");
}

#[tokio::test]
async fn an_expired_connection_token_is_renewed_with_the_participant_token() {
    let fake = FakeConnect::start().await;
    let (center, mut conversation) = start(&fake, "key-1").await;
    fake.expire_connection_tokens();
    conversation
        .provider_data
        .insert(CONNECTION_EXPIRY.into(), "2026-01-01T00:00:00Z".into());

    let relayed = center
        .send_message(&conversation, said("frame-1", "still there?"), deadline())
        .await
        .unwrap();
    let renewal = fake.calls_of("CreateParticipantConnection").pop().unwrap();
    assert_eq!(
        renewal.bearer.as_deref(),
        Some("participant-token-of-contact-1")
    );
    assert_eq!(
        renewal.body,
        serde_json::json!({"Type": ["CONNECTION_CREDENTIALS"]})
    );
    let sent = fake.calls_of("SendMessage").pop().unwrap();
    assert_eq!(sent.bearer.as_deref(), Some("connection-token-2"));
    assert_eq!(sent.body["Content"], "still there?");

    // The renewed token is handed back for the conversation to keep, so the next message
    // uses it without renewing again.
    let kept = relayed.provider_data.expect("the renewed token, to keep");
    assert_eq!(kept[CONNECTION_TOKEN], "connection-token-2");
    assert_eq!(
        kept[CONNECTION_EXPIRY],
        test_support::connect::CONNECTION_EXPIRY
    );
    assert_eq!(kept[PARTICIPANT_TOKEN], "participant-token-of-contact-1");
    conversation.provider_data = kept;
    let renewals = fake.calls_of("CreateParticipantConnection").len();
    let relayed = center
        .send_message(&conversation, said("frame-2", "hello?"), deadline())
        .await
        .unwrap();
    assert_eq!(relayed.provider_data, None, "nothing new to keep");
    assert_eq!(fake.calls_of("CreateParticipantConnection").len(), renewals);
}

#[tokio::test]
async fn a_valid_connection_token_leaves_nothing_to_keep() {
    let fake = FakeConnect::start().await;
    let (center, conversation) = start(&fake, "key-1").await;
    let relayed = center
        .send_message(&conversation, said("frame-1", "hello"), deadline())
        .await
        .unwrap();
    assert_eq!(relayed.provider_data, None);
}
