//! The bodies Talkdesk's Connections actions POST, as we define them (`schemas/talkdesk/`), and
//! what each says the agent did.
//!
//! Unknown fields are ignored, so that an integrator can map more of Talkdesk's event into the
//! body than we read.

use std::fmt;

use handover::agent_events::{AgentAction, AgentEvent};
use handover::conversation::Provider;
use serde::Deserialize;

/// The longest `conversation_id` or `message_id` accepted, in characters (they become store
/// keys).
pub const MAX_ID_CHARS: usize = 256;

/// The longest `author_name` accepted, in characters.
pub const MAX_NAME_CHARS: usize = 256;

/// The longest message accepted, in characters: far below the 128 KB an API Gateway
/// WebSocket frame may carry, so that a frame never fails for its size.
pub const MAX_CONTENT_CHARS: usize = 20_000;

/// The three agent events, each with its own action and route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// The agent accepted the conversation.
    ConversationStarted,
    /// The agent wrote a message.
    MessageCreated,
    /// The agent closed the conversation.
    ConversationEnded,
}

impl EventType {
    /// Every event type, in the order a conversation sees them.
    pub const ALL: [EventType; 3] = [
        EventType::ConversationStarted,
        EventType::MessageCreated,
        EventType::ConversationEnded,
    ];

    /// The wire name, which is also the last segment of the event's route.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ConversationStarted => "conversation_started",
            EventType::MessageCreated => "message_created",
            EventType::ConversationEnded => "conversation_ended",
        }
    }

    /// The event type of this wire name, if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|event| event.as_str() == name)
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of `conversation_started` and `conversation_ended`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ConversationEvent {
    /// Talkdesk's id of the conversation.
    pub conversation_id: String,
    /// Which event this is; must match the route it was posted to.
    pub event_type: EventType,
    /// Talkdesk's id of the event, if the integrator maps one (only logged).
    pub message_id: Option<String>,
    /// The agent's name.
    pub author_name: Option<String>,
    /// When it happened, as Talkdesk wrote it (kept for the record, never parsed).
    pub created_at: Option<String>,
}

/// The body of `message_created`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct MessageEvent {
    /// Talkdesk's id of the conversation.
    pub conversation_id: String,
    /// Which event this is; must be `message_created`.
    pub event_type: EventType,
    /// Talkdesk's id of the message: a message is shown once per id.
    pub message_id: String,
    /// The agent's text.
    pub content: String,
    /// The agent's name.
    pub author_name: Option<String>,
    /// When it was written, as Talkdesk wrote it (kept for the record, never parsed).
    pub created_at: Option<String>,
}

/// One callback body, checked against the route it came in on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallbackEvent {
    /// The agent accepted the conversation.
    ConversationStarted(ConversationEvent),
    /// The agent wrote a message.
    MessageCreated(MessageEvent),
    /// The agent closed the conversation.
    ConversationEnded(ConversationEvent),
}

/// A body that is not a usable event. [`InvalidEvent::Malformed`] carries serde's description,
/// which can quote a value of the wrong type: the message is for the caller, and logs carry
/// only [`InvalidEvent::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidEvent {
    /// Not JSON, or not an object with the required fields and types.
    #[error("the body is not a valid {route} request: {problem}")]
    Malformed {
        /// The route it was posted to.
        route: EventType,
        /// serde's description.
        problem: String,
    },
    /// A required field is empty or only whitespace.
    #[error("`{0}` must not be blank")]
    Blank(&'static str),
    /// A field is longer than allowed.
    #[error("`{field}` is longer than {max} characters")]
    TooLong {
        /// The field.
        field: &'static str,
        /// Its limit.
        max: usize,
    },
    /// `event_type` names another event than the route.
    #[error("`event_type` is `{found}` but this action is `{route}`")]
    EventTypeMismatch {
        /// The route it was posted to.
        route: EventType,
        /// What the body says.
        found: EventType,
    },
}

impl InvalidEvent {
    /// A stable code for the caller and for logs (which never carry the message itself).
    pub fn code(&self) -> &'static str {
        match self {
            InvalidEvent::Malformed { .. } => "malformed_body",
            InvalidEvent::Blank(_) => "blank_field",
            InvalidEvent::TooLong { .. } => "field_too_long",
            InvalidEvent::EventTypeMismatch { .. } => "event_type_mismatch",
        }
    }
}

impl CallbackEvent {
    /// The JSON `body` posted to the `route` action, checked.
    pub fn parse(route: EventType, body: &[u8]) -> Result<Self, InvalidEvent> {
        let malformed = |error: serde_json::Error| InvalidEvent::Malformed {
            route,
            problem: error.to_string(),
        };
        let event = match route {
            EventType::MessageCreated => {
                let event: MessageEvent = serde_json::from_slice(body).map_err(malformed)?;
                required("message_id", &event.message_id, MAX_ID_CHARS)?;
                required("content", &event.content, MAX_CONTENT_CHARS)?;
                CallbackEvent::MessageCreated(event)
            }
            EventType::ConversationStarted | EventType::ConversationEnded => {
                let event: ConversationEvent = serde_json::from_slice(body).map_err(malformed)?;
                optional("message_id", event.message_id.as_deref(), MAX_ID_CHARS)?;
                match route {
                    EventType::ConversationStarted => CallbackEvent::ConversationStarted(event),
                    _ => CallbackEvent::ConversationEnded(event),
                }
            }
        };
        required("conversation_id", event.conversation_id(), MAX_ID_CHARS)?;
        optional("author_name", event.author_name(), MAX_NAME_CHARS)?;
        let found = event.declared_type();
        if found != route {
            return Err(InvalidEvent::EventTypeMismatch { route, found });
        }
        Ok(event)
    }

    /// Which event this is.
    pub fn event_type(&self) -> EventType {
        match self {
            CallbackEvent::ConversationStarted(_) => EventType::ConversationStarted,
            CallbackEvent::MessageCreated(_) => EventType::MessageCreated,
            CallbackEvent::ConversationEnded(_) => EventType::ConversationEnded,
        }
    }

    /// Talkdesk's id of the conversation.
    pub fn conversation_id(&self) -> &str {
        match self {
            CallbackEvent::ConversationStarted(event) | CallbackEvent::ConversationEnded(event) => {
                &event.conversation_id
            }
            CallbackEvent::MessageCreated(event) => &event.conversation_id,
        }
    }

    /// The agent's name, unless absent or blank.
    pub fn author_name(&self) -> Option<&str> {
        let name = match self {
            CallbackEvent::ConversationStarted(event) | CallbackEvent::ConversationEnded(event) => {
                event.author_name.as_deref()
            }
            CallbackEvent::MessageCreated(event) => event.author_name.as_deref(),
        };
        name.filter(|name| !name.trim().is_empty())
    }

    /// What the agent did, in the domain's terms.
    pub fn into_agent_event(self) -> AgentEvent {
        let (conversation_id, author_name, action) = match self {
            CallbackEvent::ConversationStarted(event) => (
                event.conversation_id,
                event.author_name,
                AgentAction::Joined,
            ),
            CallbackEvent::MessageCreated(event) => (
                event.conversation_id,
                event.author_name,
                AgentAction::Message {
                    id: event.message_id,
                    text: event.content,
                },
            ),
            CallbackEvent::ConversationEnded(event) => {
                (event.conversation_id, event.author_name, AgentAction::Ended)
            }
        };
        AgentEvent::new(
            Provider::Talkdesk,
            conversation_id,
            author_name.as_deref(),
            action,
        )
    }

    /// The `event_type` the body declared.
    fn declared_type(&self) -> EventType {
        match self {
            CallbackEvent::ConversationStarted(event) | CallbackEvent::ConversationEnded(event) => {
                event.event_type
            }
            CallbackEvent::MessageCreated(event) => event.event_type,
        }
    }
}

fn required(field: &'static str, value: &str, max: usize) -> Result<(), InvalidEvent> {
    if value.trim().is_empty() {
        return Err(InvalidEvent::Blank(field));
    }
    optional(field, Some(value), max)
}

fn optional(field: &'static str, value: Option<&str>, max: usize) -> Result<(), InvalidEvent> {
    match value {
        Some(value) if value.chars().count() > max => Err(InvalidEvent::TooLong { field, max }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(route: EventType, body: &str) -> Result<CallbackEvent, InvalidEvent> {
        CallbackEvent::parse(route, body.as_bytes())
    }

    #[test]
    fn a_message_with_extra_fields_is_read() {
        let event = parse(
            EventType::MessageCreated,
            r#"{"conversation_id":"c1","event_type":"message_created","message_id":"m1",
                "content":"Hi","author_name":"Sam","created_at":"2025-01-01T00:00:00Z",
                "channel":"chat"}"#,
        )
        .unwrap();
        assert_eq!(
            event,
            CallbackEvent::MessageCreated(MessageEvent {
                conversation_id: "c1".into(),
                event_type: EventType::MessageCreated,
                message_id: "m1".into(),
                content: "Hi".into(),
                author_name: Some("Sam".into()),
                created_at: Some("2025-01-01T00:00:00Z".into()),
            })
        );
        assert_eq!(event.author_name(), Some("Sam"));
    }

    #[test]
    fn optional_fields_may_be_absent_or_blank() {
        let event = parse(
            EventType::ConversationEnded,
            r#"{"conversation_id":"c1","event_type":"conversation_ended","author_name":" "}"#,
        )
        .unwrap();
        assert_eq!(event.event_type(), EventType::ConversationEnded);
        assert_eq!(event.conversation_id(), "c1");
        assert_eq!(event.author_name(), None);
    }

    #[test]
    fn unusable_bodies_are_named() {
        let started = EventType::ConversationStarted;
        let message = EventType::MessageCreated;
        let cases = [
            (started, "not json", "malformed_body"),
            (
                started,
                r#"{"event_type":"conversation_started"}"#,
                "malformed_body",
            ),
            (
                started,
                r#"{"conversation_id":" ","event_type":"conversation_started"}"#,
                "blank_field",
            ),
            (
                started,
                r#"{"conversation_id":"c1","event_type":"conversation_ended"}"#,
                "event_type_mismatch",
            ),
            (
                message,
                r#"{"conversation_id":"c1","event_type":"message_created","content":"Hi"}"#,
                "malformed_body",
            ),
            (
                message,
                r#"{"conversation_id":"c1","event_type":"message_created","message_id":"m1","content":"  "}"#,
                "blank_field",
            ),
        ];
        for (route, body, code) in cases {
            assert_eq!(parse(route, body).unwrap_err().code(), code, "{body}");
        }
    }

    #[test]
    fn limits_are_enforced() {
        let long = "x".repeat(MAX_CONTENT_CHARS + 1);
        let body = format!(
            r#"{{"conversation_id":"c1","event_type":"message_created","message_id":"m1","content":"{long}"}}"#
        );
        assert_eq!(
            parse(EventType::MessageCreated, &body),
            Err(InvalidEvent::TooLong {
                field: "content",
                max: MAX_CONTENT_CHARS
            })
        );
    }

    #[test]
    fn messages_never_quote_the_content() {
        let error = parse(
            EventType::MessageCreated,
            r#"{"conversation_id":"c1","event_type":"conversation_ended","message_id":"m1","content":"my card is 4111"}"#,
        )
        .unwrap_err();
        assert!(!error.to_string().contains("4111"), "{error}");
    }

    #[test]
    fn each_body_becomes_what_the_agent_did() {
        let message = parse(
            EventType::MessageCreated,
            r#"{"conversation_id":"c1","event_type":"message_created","message_id":"m1","content":"Hi","author_name":"Sam"}"#,
        )
        .unwrap();
        assert_eq!(
            message.into_agent_event(),
            AgentEvent::new(
                Provider::Talkdesk,
                "c1",
                Some("Sam"),
                AgentAction::Message {
                    id: "m1".into(),
                    text: "Hi".into()
                }
            )
        );
        for (route, action) in [
            (EventType::ConversationStarted, AgentAction::Joined),
            (EventType::ConversationEnded, AgentAction::Ended),
        ] {
            let body = format!(r#"{{"conversation_id":"c2","event_type":"{route}"}}"#);
            let event = parse(route, &body).unwrap().into_agent_event();
            assert_eq!(
                event,
                AgentEvent::new(Provider::Talkdesk, "c2", None, action)
            );
        }
    }

    #[test]
    fn names_round_trip() {
        for event in EventType::ALL {
            assert_eq!(EventType::from_name(event.as_str()), Some(event));
        }
        assert_eq!(EventType::from_name("conversation_transferred"), None);
    }
}
