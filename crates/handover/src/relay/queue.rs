//! The port to the queue that carries customer messages from `onMessage` to the ordered relay:
//! first in, first out per conversation, and a message id taken once. The customer's end of
//! the chat (`$disconnect` with 4000) takes the same way, so that it never overtakes a message
//! sent before it.

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::conversation::ConversationKey;
use crate::errors::Cause;

/// A customer message on its way to the agent, or the customer's end of the chat.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerMessage {
    /// The conversation: the queue keeps each conversation's messages in order.
    pub conversation: ConversationKey,
    /// The connection the customer wrote on.
    pub connection_id: String,
    /// The frame's id (API Gateway's request id): the same frame is queued once, and sent once
    /// however often the queue delivers it.
    pub message_id: String,
    /// What the customer wrote, trimmed; empty when the record [`ends_chat`](Self::ends_chat).
    pub text: String,
    /// The customer ended the chat: once the messages queued before it are relayed, the
    /// conversation is ended at its contact center. `message_id` is the `$disconnect`'s request
    /// id. (Absent from records queued before the end took this way.)
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ends_chat: bool,
}

impl CustomerMessage {
    /// The customer's end of `conversation`, closed on `connection_id` by request `request_id`.
    pub fn end(conversation: ConversationKey, connection_id: &str, request_id: &str) -> Self {
        Self {
            conversation,
            connection_id: connection_id.to_owned(),
            message_id: request_id.to_owned(),
            text: String::new(),
            ends_chat: true,
        }
    }
}

// The text is the customer's: it never reaches a log line.
impl fmt::Debug for CustomerMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomerMessage")
            .field("conversation", &self.conversation)
            .field("connection_id", &self.connection_id)
            .field("message_id", &self.message_id)
            .field(
                "text",
                &format_args!("<{} chars>", self.text.chars().count()),
            )
            .field("ends_chat", &self.ends_chat)
            .finish()
    }
}

/// A queue that delivers each conversation's messages in the order they were put on it.
#[async_trait]
pub trait MessageQueue: Send + Sync {
    /// Puts `message` after every message of its conversation queued before it. A message id
    /// queued again shortly after is taken once.
    async fn enqueue(&self, message: &CustomerMessage) -> Result<(), EnqueueError>;
}

/// A message that was not put on the queue: it certainly did not go.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not queue the customer's message")]
pub struct EnqueueError(#[source] pub Cause);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_not_in_debug_output() {
        let message = CustomerMessage {
            conversation: ConversationKey::generate(),
            connection_id: "conn-A=".into(),
            message_id: "req-1".into(),
            text: "my card number".into(),
            ends_chat: false,
        };
        let shown = format!("{message:?}");
        assert!(!shown.contains("card"), "{shown}");
        assert!(shown.contains("<14 chars>"), "{shown}");
    }

    #[test]
    fn a_message_queued_before_the_end_took_the_queue_reads_as_a_message() {
        let message = CustomerMessage {
            conversation: ConversationKey::generate(),
            connection_id: "conn-A=".into(),
            message_id: "req-1".into(),
            text: "hi".into(),
            ends_chat: false,
        };
        let body = serde_json::to_string(&message).unwrap();
        assert!(!body.contains("ends_chat"), "{body}");
        assert_eq!(
            serde_json::from_str::<CustomerMessage>(&body).unwrap(),
            message
        );

        let end = CustomerMessage::end(message.conversation.clone(), "conn-A=", "req-2");
        let body = serde_json::to_string(&end).unwrap();
        assert_eq!(serde_json::from_str::<CustomerMessage>(&body).unwrap(), end);
    }
}
