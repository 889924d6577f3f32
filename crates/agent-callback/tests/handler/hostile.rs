//! Callers posting agent events they may not: without the API key, with a wrong one, or for a
//! conversation this callback does not carry. None reaches a customer, and each refusal is
//! logged exactly once without the key.

use super::*;
use test_support::logs::capture;

#[tokio::test]
async fn an_event_without_the_api_key_is_refused_and_logged_once() {
    let logs = capture();
    let rig = rig().await;
    let body = message("m1", "Your refund is on its way").to_string();
    let (status, _) = rig
        .call(request(Method::POST, "message_created", None, &body))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(rig.poster.calls(), []);
    assert!(logs.once("request refused").contains("missing_api_key"));
    logs.never_contain(API_KEY, "API key");
}

#[tokio::test]
async fn an_event_with_a_wrong_api_key_is_refused_and_logged_once_without_it() {
    let logs = capture();
    let rig = rig().await;
    let guessed = format!("{}0", &API_KEY[..API_KEY.len() - 1]);
    let body = message("m1", "Your refund is on its way").to_string();
    let (status, _) = rig
        .call(request(
            Method::POST,
            "message_created",
            Some(&guessed),
            &body,
        ))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(rig.poster.calls(), []);
    assert!(logs.once("request refused").contains("invalid_api_key"));
    logs.never_contain(&guessed, "presented key");
    logs.never_contain(API_KEY, "API key");
}

#[tokio::test]
async fn an_event_for_another_contact_centers_conversation_is_refused_and_logged_once() {
    let logs = capture();
    let rig = rig().await;
    let contact_id = "33333333-abc5-46db-9ad5-d772559ab556";
    store_conversation(&*rig.store, Provider::AmazonConnect, contact_id).await;
    let mut body = message("m1", "Your refund is on its way");
    body["conversation_id"] = json!(contact_id);
    let (status, answer) = rig.post("message_created", body).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["error"], "unknown_conversation");
    assert_eq!(rig.poster.calls(), []);
    logs.once("agent event for an unknown conversation");
    logs.never_contain(API_KEY, "API key");
}

#[tokio::test]
async fn an_end_for_an_unknown_conversation_ends_nothing() {
    let logs = capture();
    let rig = rig().await;
    let mut body = lifecycle("conversation_ended");
    body["conversation_id"] = json!("td-someone-elses");
    let (status, _) = rig.post("conversation_ended", body).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_ne!(rig.status().await, ConversationStatus::Ended);
    assert_eq!(rig.poster.calls(), []);
    logs.once("agent event for an unknown conversation");
}
