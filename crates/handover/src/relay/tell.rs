//! Telling the customer on their connection, shared by `onMessage` and the ordered relay.

use std::sync::Arc;

use tracing::{error, warn};

use crate::connections::{ConnectionPoster, Frame, PostError};
use crate::conversation::{Conversation, ConversationKey};
use crate::errors::chain;
use crate::store::{ConversationStore, StoreError};

/// Posts frames to customers; a connection that has gone is unbound.
#[derive(Clone)]
pub(crate) struct Teller {
    store: Arc<dyn ConversationStore>,
    connections: Arc<dyn ConnectionPoster>,
    author_name: String,
}

impl Teller {
    pub(crate) fn new(
        store: Arc<dyn ConversationStore>,
        connections: Arc<dyn ConnectionPoster>,
        author_name: &str,
    ) -> Self {
        Self {
            store,
            connections,
            author_name: author_name.to_owned(),
        }
    }

    /// Says `text` as a `message_created`, the only frame the Lex Web UI shows.
    pub(crate) async fn say(&self, connection_id: &str, text: &str) {
        self.tell(connection_id, &Frame::message(text, &self.author_name))
            .await;
    }

    /// Posts a frame; a connection that has gone is unbound, anything else logged.
    pub(crate) async fn tell(&self, connection_id: &str, frame: &Frame) {
        match self.connections.post(connection_id, frame).await {
            Ok(()) => {}
            Err(PostError::Gone) => {
                if let Err(err) = self.store.unbind_connection(connection_id).await {
                    warn!(error = %chain(&err), "could not unbind a gone connection");
                }
            }
            Err(err) => warn!(error = %chain(&err), "could not post to the connection"),
        }
    }

    /// Marks a chat the contact center has closed as ended, and tells the customer as an
    /// agent's end does (see [`Self::close_ended_chat`]).
    pub(crate) async fn end_refused_chat(
        &self,
        conversation: &Conversation,
        connection_id: &str,
        ended_message: &str,
    ) {
        match self.store.mark_ended(&conversation.key).await {
            Ok(_) | Err(StoreError::AlreadyEnded(_)) => {}
            Err(err) => {
                error!(conversation = %conversation.key, error = %chain(&err), "could not mark a refused chat ended");
            }
        }
        self.close_ended_chat(&conversation.key, connection_id, ended_message)
            .await;
    }

    /// Tells the customer on `connection_id` that the chat has ended as an agent's end does:
    /// `ended_message`, `conversation_ended`, and the connection closed.
    pub(crate) async fn close_ended_chat(
        &self,
        key: &ConversationKey,
        connection_id: &str,
        ended_message: &str,
    ) {
        self.say(connection_id, ended_message).await;
        self.tell(connection_id, &Frame::ConversationEnded).await;
        if let Err(err) = self.connections.close(connection_id).await {
            warn!(conversation = %key, error = %chain(&err), "could not close the connection of an ended chat");
        }
    }
}
