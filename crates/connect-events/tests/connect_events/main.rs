//! The Lambda's entry point in process: Amazon Connect's messages read into agent events
//! (`parsing`), and whole SNS events handled over the in-memory store and a recording poster
//! (`handler`). Real payloads come from `tests/fixtures/connect/`; the other cases are composed
//! from the documented payload.

mod bad_input;
mod handler;
mod parsing;

use aws_lambda_events::sns::{MessageAttribute, SnsEvent, SnsMessage, SnsRecord};
use serde_json::{Value, json};

const INITIAL: &str = "33333333-abc5-46db-9ad5-d772559ab556";
const TEXT: &str = "text/plain";
const JOINED: &str = "application/vnd.amazonaws.connect.event.participant.joined";
const LEFT: &str = "application/vnd.amazonaws.connect.event.participant.left";
const ENDED: &str = "application/vnd.amazonaws.connect.event.chat.ended";
const TYPING: &str = "application/vnd.amazonaws.connect.event.typing";
const DELIVERED: &str = "application/vnd.amazonaws.connect.event.message.delivered";

/// An SNS notification carrying `message` (a JSON value, or a raw string as it is) and these
/// message attributes.
fn sns(message: Value, attributes: &[(&str, &str)]) -> SnsMessage {
    let mut sns = SnsMessage::default();
    sns.sns_message_type = "Notification".into();
    sns.message_id = format!("sns-{}", stable_id(&message));
    sns.message = match message {
        Value::String(raw) => raw,
        other => other.to_string(),
    };
    sns.message_attributes = attributes
        .iter()
        .map(|(name, value)| {
            let mut attribute = MessageAttribute::default();
            attribute.data_type = "String".into();
            attribute.value = (*value).into();
            ((*name).to_owned(), attribute)
        })
        .collect();
    sns
}

/// A stable SNS message id per message, so that the same message is the same delivery.
fn stable_id(message: &Value) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    message.to_string().hash(&mut hasher);
    hasher.finish()
}

/// An agent's text message on the initial contact, with the attributes Connect sends.
fn agent_text(id: &str, text: &str) -> SnsMessage {
    sns(
        json!({
            "AbsoluteTime": "2021-09-08T13:28:31.102Z", "Content": text, "ContentType": TEXT,
            "Id": id, "Type": "MESSAGE", "ParticipantId": "participant-agent-1",
            "DisplayName": "Sam", "ParticipantRole": "AGENT",
            "InitialContactId": INITIAL, "ContactId": INITIAL
        }),
        &attributes("MESSAGE", TEXT, Some("AGENT"), "ALL"),
    )
}

/// An event of `content_type` on the initial contact, by `role` if any.
fn connect_event(content_type: &str, role: Option<&str>) -> SnsMessage {
    let mut message = json!({
        "AbsoluteTime": "2021-09-08T13:29:00.000Z", "ContentType": content_type,
        "Id": format!("event-{content_type}-{role:?}"), "Type": "EVENT",
        "InitialContactId": INITIAL, "ContactId": INITIAL
    });
    if let Some(role) = role {
        message["ParticipantRole"] = role.into();
        message["DisplayName"] = "Sam".into();
    }
    sns(message, &attributes("EVENT", content_type, role, "ALL"))
}

fn attributes<'a>(
    kind: &'a str,
    content_type: &'a str,
    role: Option<&'a str>,
    visibility: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut attributes = vec![
        ("InitialContactId", INITIAL),
        ("ContactId", INITIAL),
        ("MessageVisibility", visibility),
        ("Type", kind),
        ("ContentType", content_type),
        ("AccountId", "123456789012"),
        ("InstanceId", "dddddddd-b64e-40c5-921b-109fd92499ae"),
    ];
    attributes.extend(role.map(|role| ("ParticipantRole", role)));
    attributes
}

/// A Lambda event of these notifications, one record each.
fn sns_event(notifications: impl IntoIterator<Item = SnsMessage>) -> SnsEvent {
    let mut event = SnsEvent::default();
    event.records = notifications
        .into_iter()
        .map(|sns| {
            let mut record = SnsRecord::default();
            record.event_source = "aws:sns".into();
            record.sns = sns;
            record
        })
        .collect();
    event
}
