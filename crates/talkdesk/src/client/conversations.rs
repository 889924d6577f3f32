//! The three conversation calls: Start a Conversation, Send a Message, End a Conversation.

use reqwest::header::HeaderValue;
use reqwest::{Response, StatusCode};
use tokio::time::Instant;

use super::TalkdeskClient;
use crate::auth::ClientCredentials;
use crate::error::TalkdeskError;
use crate::model::{
    ConversationId, SendMessageBody, SentMessage, StartConversation, StartedConversation,
};
use crate::retry::Repeats;

/// Talkdesk's limit on conversation id length.
const MAX_CONVERSATION_ID_CHARS: usize = 255;

impl TalkdeskClient {
    /// Starts a conversation with an agent (`POST /digital-connect/conversations`).
    ///
    /// `idempotency_key` identifies this hand-over: Talkdesk answers a repeated key with the
    /// conversation it already started, which is what makes retrying this call safe, including
    /// after a timeout or a 5xx. Use the same key when the whole hand-over is retried. The key
    /// goes in the configured idempotency header; Talkdesk's reference does not name that
    /// header, so the default (`x-idempotency-key`) is the one existing integrations send.
    pub async fn start_conversation(
        &self,
        credentials: &ClientCredentials,
        request: &StartConversation,
        idempotency_key: &str,
        deadline: Instant,
    ) -> Result<ConversationId, TalkdeskError> {
        const OPERATION: &str = "start_conversation";
        let idempotency_value = HeaderValue::from_str(idempotency_key)
            .ok()
            .filter(|_| !idempotency_key.is_empty())
            .ok_or(TalkdeskError::InvalidRequest(
                "the idempotency key must be non-empty visible ASCII",
            ))?;
        let url = self.conversation_url(&[]);
        let response = self
            .call_api(
                credentials,
                OPERATION,
                deadline,
                Repeats::Harmless,
                |token| {
                    self.inner
                        .http
                        .post(url.clone())
                        .bearer_auth(token.secret())
                        .header(&self.inner.idempotency_header, idempotency_value.clone())
                        .json(request)
                },
            )
            .await?;
        let status = response.status();
        if !status.is_success() {
            return Err(api_error(OPERATION, response).await);
        }
        let body = response
            .bytes()
            .await
            .map_err(TalkdeskError::from_transport)?;
        let started: StartedConversation =
            serde_json::from_slice(&body).map_err(|_| TalkdeskError::UnexpectedResponse {
                status: status.as_u16(),
                reason: "the answer has no conversation id",
            })?;
        if !is_valid_conversation_id(&started.id) {
            return Err(TalkdeskError::UnexpectedResponse {
                status: status.as_u16(),
                reason: "the conversation id is empty or too long",
            });
        }
        Ok(ConversationId::new(started.id))
    }

    /// Relays a customer message to the agent
    /// (`POST /digital-connect/conversations/{id}/messages`).
    ///
    /// Send a Message takes no idempotency key, so an attempt that timed out, broke off after it
    /// went out, or that Talkdesk failed may have stored the message: such an attempt is repeated once at the most, and
    /// the agent sees a message at most twice (a slow Talkdesk would otherwise get it once per
    /// attempt). Throttling and failures to connect, which stored nothing, are retried as for
    /// the other calls. Giving up at once would drop the message or make the customer type it
    /// again, which duplicates it just the same.
    ///
    /// A 206 answer is a success with [`SentMessage::partially_failed`] set.
    pub async fn send_message(
        &self,
        credentials: &ClientCredentials,
        conversation: &ConversationId,
        content: &str,
        deadline: Instant,
    ) -> Result<SentMessage, TalkdeskError> {
        const OPERATION: &str = "send_message";
        let url = self.conversation_url(&[conversation_segment(conversation)?, "messages"]);
        let body = SendMessageBody { content };
        let response = self
            .call_api(
                credentials,
                OPERATION,
                deadline,
                Repeats::AtMostTwice,
                |token| {
                    self.inner
                        .http
                        .post(url.clone())
                        .bearer_auth(token.secret())
                        .json(&body)
                },
            )
            .await?;
        let status = response.status();
        if !status.is_success() {
            return Err(api_error(OPERATION, response).await);
        }
        // The status already says the message was taken; an unreadable body must not turn
        // that into a failure the caller would retry.
        let details = match response.bytes().await {
            Ok(body) => serde_json::from_slice(&body).ok(),
            Err(_) => None,
        };
        let mut sent: SentMessage = details.unwrap_or_else(|| {
            tracing::warn!(
                operation = OPERATION,
                status = status.as_u16(),
                "Talkdesk accepted the message but its answer was unreadable"
            );
            SentMessage::default()
        });
        sent.partially_failed = status == StatusCode::PARTIAL_CONTENT;
        if sent.partially_failed {
            tracing::warn!(
                operation = OPERATION,
                status = status.as_u16(),
                "Talkdesk accepted the message only in part"
            );
        }
        Ok(sent)
    }

    /// Ends a conversation (`DELETE /digital-connect/conversations/{id}`).
    ///
    /// This endpoint is not in Talkdesk's published API reference; it is the one existing
    /// integrations call. Any 2xx, and 404 (the conversation is already gone), count as ended,
    /// which also makes retrying it safe.
    pub async fn end_conversation(
        &self,
        credentials: &ClientCredentials,
        conversation: &ConversationId,
        deadline: Instant,
    ) -> Result<(), TalkdeskError> {
        const OPERATION: &str = "end_conversation";
        let url = self.conversation_url(&[conversation_segment(conversation)?]);
        let response = self
            .call_api(
                credentials,
                OPERATION,
                deadline,
                Repeats::Harmless,
                |token| {
                    self.inner
                        .http
                        .delete(url.clone())
                        .bearer_auth(token.secret())
                },
            )
            .await?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            tracing::info!(
                operation = OPERATION,
                status = status.as_u16(),
                "conversation was already gone"
            );
            return Ok(());
        }
        if !status.is_success() {
            return Err(api_error(OPERATION, response).await);
        }
        Ok(())
    }
}

/// Reads an error answer into a [`TalkdeskError`] and logs its status and code.
async fn api_error(operation: &'static str, response: Response) -> TalkdeskError {
    let status = response.status();
    let error = if status.is_client_error() || status.is_server_error() {
        // A body lost to a timeout still leaves the status worth reporting.
        let body = response.bytes().await.unwrap_or_default();
        TalkdeskError::from_api_body(status.as_u16(), &body)
    } else {
        TalkdeskError::UnexpectedResponse {
            status: status.as_u16(),
            reason: "neither a success nor an error status",
        }
    };
    tracing::warn!(
        operation,
        status = status.as_u16(),
        code = error.code(),
        "Talkdesk call failed"
    );
    error
}

/// The conversation id as a path segment, refused when Talkdesk could not have issued it. The
/// URL library would silently drop a `.` or `..` segment, turning the call into one on the
/// conversation collection.
fn conversation_segment(conversation: &ConversationId) -> Result<&str, TalkdeskError> {
    let id = conversation.as_str();
    if is_valid_conversation_id(id) && id != "." && id != ".." {
        Ok(id)
    } else {
        Err(TalkdeskError::InvalidRequest(
            "the conversation id is not one Talkdesk issues",
        ))
    }
}

fn is_valid_conversation_id(id: &str) -> bool {
    !id.is_empty() && id.chars().count() <= MAX_CONVERSATION_ID_CHARS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversation_ids_talkdesk_cannot_issue_are_refused() {
        for id in [String::new(), ".".into(), "..".into(), "x".repeat(256)] {
            let conversation = ConversationId::new(id.clone());
            let refused = conversation_segment(&conversation);
            assert!(
                matches!(refused, Err(TalkdeskError::InvalidRequest(_))),
                "{id:?}"
            );
        }
        assert_eq!(
            conversation_segment(&ConversationId::new("x".repeat(255))).unwrap(),
            "x".repeat(255)
        );
    }
}
