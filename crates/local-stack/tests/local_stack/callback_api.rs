//! The callback REST API called by hand, as an integrator would try it: the Lambda's own
//! answers behind API Gateway's route.

use serde_json::{Value, json};

use crate::support::{start, stop};

#[tokio::test]
async fn the_callback_checks_its_key_and_routes_by_action() {
    let stack = start().await;
    let http = reqwest::Client::new();
    let url = format!("{}/message_created", stack.urls().callback);
    let body = json!({
        "conversation_id": "no-such-conversation", "event_type": "message_created",
        "message_id": "m-1", "content": "Hello", "author_name": "Sam"
    });
    let answer = |request: reqwest::RequestBuilder| async move {
        let response = request.send().await.expect("the callback answers");
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("a JSON answer");
        (status, body)
    };

    let (status, body_json) = answer(http.post(&url).json(&body)).await;
    assert_eq!(
        (status, &body_json["error"]),
        (401, &json!("missing_api_key"))
    );
    let (status, body_json) =
        answer(http.post(&url).header("x-api-key", "wrong").json(&body)).await;
    assert_eq!(
        (status, &body_json["error"]),
        (403, &json!("invalid_api_key"))
    );
    let key = stack.callback_api_key();
    let (status, body_json) = answer(http.post(&url).header("x-api-key", key).json(&body)).await;
    assert_eq!(
        (status, &body_json["error"]),
        (404, &json!("unknown_conversation"))
    );
    let (status, body_json) = answer(http.get(&url).header("x-api-key", key)).await;
    assert_eq!(
        (status, &body_json["error"]),
        (405, &json!("method_not_allowed"))
    );

    let stage = stack
        .urls()
        .callback
        .trim_end_matches("/talkdesk")
        .to_owned();
    let elsewhere = format!("{stage}/nothing-here");
    let (status, body_json) = answer(http.post(&elsewhere).header("x-api-key", key)).await;
    assert_eq!(
        (status, &body_json["message"]),
        (403, &json!("Missing Authentication Token")),
        "API Gateway's answer for a path it has no resource for"
    );
    stop(stack).await;
}
