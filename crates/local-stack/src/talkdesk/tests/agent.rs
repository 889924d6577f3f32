//! The agent's events as the callback API receives them.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::support::*;

/// The input schema the project ships for `event`.
fn schema(event: &str) -> Value {
    let path = format!(
        "{}/../../schemas/talkdesk/{event}.input.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    serde_json::from_str(&text).unwrap()
}

/// Every required field is there, every field is one the schema names, and strings are strings.
fn assert_matches_schema(body: &Value) {
    let event = body["event_type"].as_str().expect("an event_type");
    let schema = schema(event);
    let properties = schema["properties"].as_object().unwrap();
    for required in schema["required"].as_array().unwrap() {
        let field = required.as_str().unwrap();
        let value = body[field]
            .as_str()
            .unwrap_or_else(|| panic!("{event}: {field} in {body}"));
        assert!(!value.trim().is_empty(), "{event}: {field} blank");
    }
    for (field, value) in body.as_object().unwrap() {
        assert!(
            properties.contains_key(field),
            "{event}: {field} not in the schema"
        );
        assert!(value.is_string(), "{event}: {field} is not a string");
    }
}

#[tokio::test]
async fn the_first_reply_accepts_then_delivers_the_message() {
    let (sim, base, fake) = simulator().await;
    let id = start(&base).await;

    assert_eq!(sim.reply(&id, "Hi, I'm Sam.", "Sam Rivera").await, Ok(200));
    assert_eq!(sim.reply(&id, "Let me look.", "Sam Rivera").await, Ok(200));
    assert_eq!(
        fake.events(),
        ["conversation_started", "message_created", "message_created"]
    );

    let received = fake.received();
    let mut message_ids = BTreeSet::new();
    for delivered in &received {
        assert!(
            delivered.path.starts_with("/local/talkdesk/"),
            "{}",
            delivered.path
        );
        assert_eq!(delivered.api_key.as_deref(), Some(API_KEY));
        assert_eq!(delivered.body["conversation_id"], id.as_str());
        assert_eq!(delivered.body["author_name"], "Sam Rivera");
        assert_matches_schema(&delivered.body);
        message_ids.insert(delivered.body["message_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(message_ids.len(), received.len(), "message ids repeat");
    assert_eq!(received[1].body["content"], "Hi, I'm Sam.");
    assert_eq!(received[2].body["content"], "Let me look.");
}

#[tokio::test]
async fn accept_is_delivered_once_and_a_blank_author_is_left_out() {
    let (sim, base, fake) = simulator().await;
    let id = start(&base).await;
    assert_eq!(sim.accept(&id, " ").await, Ok(200));
    assert!(sim.accept(&id, "Sam").await.is_err());
    assert_eq!(sim.reply(&id, "Hello", "").await, Ok(200));
    assert_eq!(fake.events(), ["conversation_started", "message_created"]);
    for delivered in fake.received() {
        assert!(
            delivered.body.get("author_name").is_none(),
            "{}",
            delivered.body
        );
        assert_matches_schema(&delivered.body);
    }
}

#[tokio::test]
async fn the_callbacks_answer_is_returned_and_recorded() {
    let (sim, base, fake) = simulator().await;
    let id = start(&base).await;
    assert_eq!(sim.accept(&id, "Sam").await, Ok(200));
    fake.answer_with(
        410,
        json!({ "status": "customer_disconnected", "message": "The customer left." }),
    );
    assert_eq!(sim.reply(&id, "Are you there?", "Sam").await, Ok(410));

    let state = sim.state();
    let last = state.record(&id).unwrap().timeline.last().unwrap().clone();
    let answer = last.callback.expect("the answer is recorded");
    assert_eq!(last.text, "Are you there?");
    assert_eq!(answer.event, "message_created");
    assert_eq!(answer.status, 410);
    assert_eq!(answer.outcome.as_deref(), Some("customer_disconnected"));
    assert_eq!(answer.message.as_deref(), Some("The customer left."));
}

#[tokio::test]
async fn a_refused_accept_stops_the_reply() {
    let (sim, base, fake) = simulator().await;
    let id = start(&base).await;
    fake.answer_with(410, json!({ "status": "customer_disconnected" }));
    assert_eq!(sim.reply(&id, "Hello", "Sam").await, Ok(410));
    assert_eq!(fake.events(), ["conversation_started"]);
}

#[tokio::test]
async fn ending_closes_the_conversation_for_the_agent() {
    let (sim, base, fake) = simulator().await;
    let id = start(&base).await;
    assert_eq!(sim.end(&id, "Sam").await, Ok(200));
    assert!(sim.reply(&id, "One more thing", "Sam").await.is_err());
    assert!(sim.end(&id, "Sam").await.is_err());
    assert_eq!(fake.events(), ["conversation_ended"]);
    assert_matches_schema(&fake.received()[0].body);
}

#[tokio::test]
async fn a_failing_callback_leaves_the_conversation_open() {
    let (sim, base, fake) = simulator().await;
    let id = start(&base).await;
    fake.answer_with(503, json!({ "error": "unavailable" }));
    assert_eq!(sim.end(&id, "Sam").await, Ok(503));
    fake.answer_with(200, json!({ "status": "delivered" }));
    assert_eq!(sim.end(&id, "Sam").await, Ok(200));
    assert_eq!(fake.events(), ["conversation_ended", "conversation_ended"]);
}

#[tokio::test]
async fn unknown_conversations_and_blank_replies_are_refused() {
    let (sim, base, fake) = simulator().await;
    let id = start(&base).await;
    assert!(sim.reply("unknown", "Hello", "Sam").await.is_err());
    assert!(sim.end("unknown", "Sam").await.is_err());
    assert!(sim.reply(&id, " \n", "Sam").await.is_err());
    assert!(fake.events().is_empty());
}

#[tokio::test]
async fn an_unreachable_callback_is_an_error_and_the_accept_is_retried() {
    // A port that was just free: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}/local/talkdesk", listener.local_addr().unwrap());
    drop(listener);
    let sim = simulated(closed);
    let base = serve(sim.router()).await;
    let id = start(&base).await;

    let error = sim.reply(&id, "Hello", "Sam").await.unwrap_err();
    assert!(error.contains("could not be reached"), "{error}");
    let state = sim.state();
    let record = state.record(&id).unwrap();
    assert!(
        !record.accepted,
        "an undelivered accept must be tried again"
    );
    assert!(record.timeline.last().unwrap().error.is_some());
}
