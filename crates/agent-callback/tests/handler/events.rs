//! The sample events in `events/` are REST API proxy events this function routes and handles.

use agent_callback::route;
use agent_callback::talkdesk_event::EventType;
use lambda_http::http::StatusCode;
use lambda_http::request::from_str;
use serde_json::{Value, json};

use super::{CONNECTION, rig};
use test_support::fakes::Call;

fn sample(name: &str) -> lambda_http::Request {
    let text = test_support::files::event_text(name);
    from_str(&text)
        .unwrap_or_else(|err| panic!("events/{name} is not a REST API proxy event: {err}"))
}

#[tokio::test]
async fn each_sample_event_reaches_its_action() {
    let samples = [
        (
            "callback-conversation-started.json",
            EventType::ConversationStarted,
        ),
        ("callback-message-created.json", EventType::MessageCreated),
        (
            "callback-conversation-ended.json",
            EventType::ConversationEnded,
        ),
    ];
    for (name, expected) in samples {
        let request = sample(name);
        assert_eq!(route(request.uri().path()), Some(expected), "{name}");

        let rig = rig().await;
        let (status, answer) = rig.call(request).await;
        assert_eq!(
            (status, answer),
            (StatusCode::OK, json!({"status": "delivered"})),
            "{name}"
        );
        let frames: Vec<Value> = rig
            .poster
            .calls()
            .into_iter()
            .filter_map(|call| match call {
                Call::Post(connection, frame) if connection == CONNECTION => {
                    Some(serde_json::from_str(&frame.to_json()).unwrap())
                }
                _ => None,
            })
            .collect();
        let event_types: Vec<&str> = frames
            .iter()
            .map(|frame| frame["event_type"].as_str().unwrap())
            .collect();
        let expected_types: &[&str] = match expected {
            EventType::ConversationStarted => &[],
            EventType::MessageCreated => &["message_created"],
            EventType::ConversationEnded => &["message_created", "conversation_ended"],
        };
        assert_eq!(event_types, expected_types, "{name}");
    }
}

#[tokio::test]
async fn routing_ignores_the_stage_in_front_of_the_path() {
    let request = sample("callback-message-created.json");
    let path = request.uri().path();
    assert_eq!(path, "/prod/talkdesk/message_created");
    assert_eq!(route(path), Some(EventType::MessageCreated));
}
