//! Bodies the callback cannot use, one test per row of `docs/bad-input.md` that no other test
//! proves: each is a 400 naming the problem, and nothing reaches the customer.

use super::*;

/// Posts raw `body` to `action` with the right key: asserts a 400 with `code` and that the
/// customer was shown nothing; answers the message.
async fn bad_request(action: &str, body: impl Into<Body>, code: &str) -> String {
    let rig = rig().await;
    let request = lambda_http::http::Request::builder()
        .method(Method::POST)
        .uri(format!("{BASE}/{action}"))
        .header("x-api-key", API_KEY)
        .body(body.into())
        .unwrap();
    let (status, answer) = rig.call(request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["error"], code, "{answer}");
    assert_eq!(rig.poster.calls(), []);
    answer["message"].as_str().expect("a message").to_owned()
}

#[tokio::test]
async fn an_empty_body_is_malformed() {
    let says = bad_request("message_created", "", "malformed_body").await;
    assert!(says.contains("EOF"), "{says}");
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_malformed() {
    let mut body = message("m1", "Hi").to_string().into_bytes();
    body.splice(20..20, [0xff, 0xfe]);
    bad_request("message_created", body, "malformed_body").await;
}

#[tokio::test]
async fn a_json_array_is_malformed() {
    let body = json!([TALKDESK_ID, "message_created", "m1", "Hi"]).to_string();
    bad_request("message_created", body, "malformed_body").await;
}

#[tokio::test]
async fn a_conversation_id_of_the_wrong_type_is_malformed() {
    let mut body = message("m1", "Hi");
    body["conversation_id"] = json!(8_675_309);
    let says = bad_request("message_created", body.to_string(), "malformed_body").await;
    assert!(says.contains("invalid type"), "{says}");
}

#[tokio::test]
async fn an_unknown_event_type_in_the_body_is_malformed() {
    let mut body = lifecycle("conversation_started");
    body["event_type"] = json!("conversation_transferred");
    let says = bad_request("conversation_started", body.to_string(), "malformed_body").await;
    assert!(says.contains("unknown variant"), "{says}");
}

#[tokio::test]
async fn a_blank_message_id_is_blank() {
    let says = bad_request(
        "message_created",
        message(" ", "Hi").to_string(),
        "blank_field",
    )
    .await;
    assert!(says.contains("message_id"), "{says}");
}

#[tokio::test]
async fn an_oversized_author_name_is_too_long() {
    let mut body = message("m1", "Hi");
    body["author_name"] = json!("S".repeat(257));
    let says = bad_request("message_created", body.to_string(), "field_too_long").await;
    assert!(says.contains("author_name"), "{says}");
}

#[tokio::test]
async fn an_oversized_conversation_id_is_too_long() {
    let mut body = message("m1", "Hi");
    body["conversation_id"] = json!("c".repeat(257));
    let says = bad_request("message_created", body.to_string(), "field_too_long").await;
    assert!(says.contains("conversation_id"), "{says}");
}
