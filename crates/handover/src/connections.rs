//! The port to the customer's WebSocket connection, and the frames the Lex Web UI understands.
//!
//! The Lex Web UI reads JSON text frames `{"event_type", "content", "author_name"}`: it shows
//! `message_created` as an agent bubble and ignores every other type, `conversation_ended`
//! included. So a server that ends a chat first sends a `message_created` saying so, then
//! `conversation_ended`, then closes the connection.

use async_trait::async_trait;
use serde::Serialize;

use crate::errors::Cause;

/// A frame for the customer's WebSocket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event_type", rename_all = "snake_case")]
pub enum Frame {
    /// Text shown to the customer as the agent's message.
    MessageCreated {
        /// The text (the Lex Web UI strips HTML and links URLs).
        content: String,
        /// Who wrote it (stored by the Lex Web UI, not shown).
        author_name: String,
    },
    /// The conversation is over.
    ConversationEnded,
    /// Nothing happened: sent so that API Gateway does not close an idle connection.
    KeepAlive,
    /// The agent is typing (the Lex Web UI ignores it; other clients may show it).
    Typing {
        /// Who is typing.
        author_name: String,
    },
    /// A frame the server could not act on; the Lex Web UI ignores it, other clients may not.
    Error {
        /// A stable code, e.g. `unknown_action`.
        error: String,
        /// A readable description.
        content: String,
    },
}

impl Frame {
    /// A message from `author_name`.
    pub fn message(content: impl Into<String>, author_name: impl Into<String>) -> Self {
        Frame::MessageCreated {
            content: content.into(),
            author_name: author_name.into(),
        }
    }

    /// An error frame.
    pub fn error(error: impl Into<String>, content: impl Into<String>) -> Self {
        Frame::Error {
            error: error.into(),
            content: content.into(),
        }
    }

    /// The frame as the JSON text the client reads.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("frames are plain strings")
    }
}

/// Why a frame did not reach the customer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostError {
    /// The connection is gone (API Gateway's 410): the customer left.
    #[error("the connection is gone")]
    Gone,
    /// Anything else; the cause says what (never with the frame).
    #[error("could not reach the connection")]
    Failed(#[source] Cause),
}

/// Posts to and closes customers' WebSocket connections (API Gateway Management API).
#[async_trait]
pub trait ConnectionPoster: Send + Sync {
    /// Sends one frame to the connection.
    async fn post(&self, connection_id: &str, frame: &Frame) -> Result<(), PostError>;

    /// Closes the connection. Closing one that is gone succeeds.
    async fn close(&self, connection_id: &str) -> Result<(), PostError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn frames_are_what_the_lex_web_ui_reads() {
        let as_json =
            |frame: Frame| serde_json::from_str::<serde_json::Value>(&frame.to_json()).unwrap();
        assert_eq!(
            as_json(Frame::message("Hello, I'm Sam.", "Sam")),
            json!({"event_type": "message_created", "content": "Hello, I'm Sam.", "author_name": "Sam"})
        );
        assert_eq!(
            as_json(Frame::ConversationEnded),
            json!({"event_type": "conversation_ended"})
        );
        assert_eq!(
            as_json(Frame::KeepAlive),
            json!({"event_type": "keep_alive"})
        );
        assert_eq!(
            as_json(Frame::Typing {
                author_name: "Sam".into()
            }),
            json!({"event_type": "typing", "author_name": "Sam"})
        );
        assert_eq!(
            as_json(Frame::error("unknown_action", "No such action.")),
            json!({"event_type": "error", "error": "unknown_action", "content": "No such action."})
        );
    }
}
