//! The JSON Schemas shipped for the Talkdesk actions (`schemas/talkdesk/`) agree with the
//! request types and with the answers this crate gives.

use std::collections::BTreeSet;

use crate::talkdesk_event::{CallbackEvent, EventType, InvalidEvent};
use handover::agent_events::Outcome;
use lambda_http::Body;
use lambda_http::http::Response;
use serde_json::{Map, Value, json};

use crate::reply::{Refusal, handled};

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

fn schema(action: EventType, kind: &str) -> Map<String, Value> {
    let path = format!(
        "{}/../../schemas/talkdesk/{action}.{kind}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    let Value::Object(schema) =
        serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path}: {err}"))
    else {
        panic!("{path} is not a JSON object");
    };
    assert_eq!(schema["$schema"], DRAFT, "{path}");
    assert_eq!(schema["type"], "object", "{path}");
    schema
}

fn parses(action: EventType, body: &Value) -> bool {
    CallbackEvent::parse(action, body.to_string().as_bytes()).is_ok()
}

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|item| item.as_str().expect("a string").to_owned())
        .collect()
}

#[test]
fn the_examples_of_each_input_schema_are_read_as_that_event() {
    for action in EventType::ALL {
        let schema = schema(action, "input");
        assert_eq!(schema["properties"]["event_type"]["const"], action.as_str());
        let examples = schema["examples"].as_array().expect("examples");
        assert!(!examples.is_empty(), "{action}");
        for example in examples {
            let event = CallbackEvent::parse(action, example.to_string().as_bytes())
                .unwrap_or_else(|err| panic!("{action} example {example}: {err}"));
            assert_eq!(event.event_type(), action);
            assert_eq!(event.conversation_id(), example["conversation_id"]);
        }
    }
}

#[test]
fn the_input_schemas_require_what_the_types_require() {
    for action in EventType::ALL {
        let schema = schema(action, "input");
        let required = strings(&schema["required"]);
        let properties = schema["properties"].as_object().expect("properties");
        let full = &schema["examples"][0];
        for field in &required {
            assert!(properties.contains_key(field), "{action}: {field}");
        }
        for field in properties.keys() {
            let mut without = full.clone();
            assert!(
                without.as_object_mut().unwrap().remove(field).is_some(),
                "the first {action} example has every property; {field} is missing"
            );
            assert_eq!(
                parses(action, &without),
                !required.contains(field),
                "{action} without {field}"
            );
            // The type reads every property: a number where it expects a string fails.
            let mut mistyped = full.clone();
            mistyped[field] = json!(7);
            assert!(!parses(action, &mistyped), "{action}: {field} is not read");
        }
    }
}

#[test]
fn the_input_schemas_limit_what_the_types_limit() {
    for action in EventType::ALL {
        let schema = schema(action, "input");
        let full = &schema["examples"][0];
        let properties = schema["properties"].as_object().expect("properties");
        for (field, property) in properties {
            if property["type"] != "string" {
                continue;
            }
            let with = |value: String| {
                let mut body = full.clone();
                body[field] = Value::String(value);
                parses(action, &body)
            };
            if let Some(max) = property["maxLength"].as_u64() {
                let max = max as usize;
                assert!(with("é".repeat(max)), "{action}: {field} of {max}");
                assert!(!with("é".repeat(max + 1)), "{action}: {field} over {max}");
            }
            let must_not_be_blank = property["pattern"] == "\\S";
            assert_eq!(
                with(" \t".into()),
                !must_not_be_blank,
                "{action}: blank {field}"
            );
        }
    }
}

fn body(response: &Response<Body>) -> Map<String, Value> {
    match serde_json::from_slice(response.body().as_ref()).expect("a JSON answer") {
        Value::Object(body) => body,
        other => panic!("not an object: {other}"),
    }
}

/// What each action can become.
fn outcomes(action: EventType) -> Vec<Outcome> {
    let mut outcomes = vec![
        Outcome::Delivered,
        Outcome::CustomerDisconnected,
        Outcome::UnknownConversation,
    ];
    match action {
        EventType::ConversationStarted => outcomes.push(Outcome::Queued),
        EventType::MessageCreated => outcomes.extend([Outcome::Queued, Outcome::Duplicate]),
        EventType::ConversationEnded => outcomes.extend([Outcome::Queued, Outcome::AlreadyEnded]),
    }
    outcomes
}

fn refusals() -> Vec<Refusal> {
    vec![
        Refusal::MissingApiKey,
        Refusal::WrongApiKey,
        Refusal::NoSuchRoute,
        Refusal::MethodNotAllowed,
        Refusal::InvalidBody(InvalidEvent::Malformed {
            route: EventType::MessageCreated,
            problem: "expected value at line 1 column 1".into(),
        }),
        Refusal::InvalidBody(InvalidEvent::Blank("content")),
        Refusal::InvalidBody(InvalidEvent::TooLong {
            field: "content",
            max: 1,
        }),
        Refusal::InvalidBody(InvalidEvent::EventTypeMismatch {
            route: EventType::MessageCreated,
            found: EventType::ConversationEnded,
        }),
        Refusal::UnknownConversation,
        Refusal::Unavailable,
    ]
}

#[test]
fn the_output_schemas_name_every_answer_and_no_other() {
    for action in EventType::ALL {
        let schema = schema(action, "output");
        let properties = schema["properties"].as_object().expect("properties");
        let statuses = strings(&properties["status"]["enum"]);
        let errors = strings(&properties["error"]["enum"]);

        let mut answers: Vec<_> = outcomes(action).into_iter().map(handled).collect();
        answers.extend(refusals().iter().map(Refusal::response));
        let (mut given_statuses, mut given_errors) = (BTreeSet::new(), BTreeSet::new());
        for answer in &answers {
            let body = body(answer);
            for key in body.keys() {
                assert!(properties.contains_key(key), "{action}: {key}");
            }
            if let Some(status) = body.get("status") {
                given_statuses.insert(status.as_str().unwrap().to_owned());
            }
            if let Some(error) = body.get("error") {
                given_errors.insert(error.as_str().unwrap().to_owned());
                assert!(body["message"].is_string(), "{action}: {error}");
            }
        }
        assert_eq!(statuses, given_statuses, "{action}");
        assert_eq!(errors, given_errors, "{action}");

        for example in schema["examples"].as_array().expect("examples") {
            let known = example
                .get("status")
                .is_some_and(|s| statuses.contains(s.as_str().unwrap()))
                || example
                    .get("error")
                    .is_some_and(|e| errors.contains(e.as_str().unwrap()));
            assert!(known, "{action} output example {example}");
        }
    }
}
