//! The port to the queue that carries customer messages from `onMessage` to the ordered relay:
//! first in, first out per conversation, and a message id taken once.

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::conversation::ConversationKey;
use crate::errors::Cause;

/// A customer message on its way to the agent.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerMessage {
    /// The conversation: the queue keeps each conversation's messages in order.
    pub conversation: ConversationKey,
    /// The connection the customer wrote on.
    pub connection_id: String,
    /// The frame's id (API Gateway's request id): the same frame is queued once, and sent once
    /// however often the queue delivers it.
    pub message_id: String,
    /// What the customer wrote, trimmed.
    pub text: String,
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
        };
        let shown = format!("{message:?}");
        assert!(!shown.contains("card"), "{shown}");
        assert!(shown.contains("<14 chars>"), "{shown}");
    }
}
