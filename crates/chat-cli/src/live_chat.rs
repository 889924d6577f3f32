//! The live chat's WebSocket, opened and used exactly as the Lex Web UI does:
//! `ENDPOINT + "?conversationId=" + VALUE` with the value not URL-encoded and nothing else,
//! one `{"action":"onMessage","message","conversationId"}` text frame per message, and close
//! code 4000 with reason `conversationId:<VALUE>` to end the chat.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

/// The longest the opening handshake may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// The longest the server may take to answer the customer's close.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(10);
/// The close code of a customer ending the chat.
pub const CUSTOMER_ENDED: u16 = 4000;

/// Why the live chat failed.
#[derive(Debug, thiserror::Error)]
pub enum LiveChatError {
    /// `$connect` refused the reference.
    #[error("the WebSocket API at {endpoint} refused the chat with HTTP {status}")]
    Refused {
        /// The WebSocket API, without the query (which holds the reference).
        endpoint: String,
        /// The handshake's HTTP status.
        status: u16,
    },
    /// The WebSocket API could not be reached.
    #[error("could not open the WebSocket API at {endpoint}: {reason}")]
    Unreachable {
        /// The WebSocket API, without the query.
        endpoint: String,
        /// Why.
        reason: String,
    },
    /// The open connection failed.
    #[error("the live chat's connection failed: {0}")]
    Connection(String),
    /// The server did not answer in time.
    #[error("the WebSocket API did not {0} within {1:?}")]
    TimedOut(&'static str, Duration),
}

/// One frame from the server, pings and pongs aside.
#[derive(Clone, Debug, PartialEq)]
pub enum Frame {
    /// A JSON text frame.
    Json(Value),
    /// A text (or binary) frame that is not JSON: the Lex Web UI would throw on it.
    NotJson(String),
    /// The connection closed, with the close frame's code if it sent one.
    Closed(Option<u16>),
}

/// What a JSON frame means to the Lex Web UI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerEvent {
    /// `message_created`: the agent's bubble.
    Message {
        /// The text.
        content: String,
        /// The agent's name; the Lex Web UI stores it but does not show it.
        author: Option<String>,
    },
    /// `conversation_ended`.
    Ended,
    /// `error`: ignored by the Lex Web UI, shown by this client to explain a refused frame.
    Error(String),
    /// Anything else, which the Lex Web UI ignores.
    Ignored,
}

impl ServerEvent {
    /// Reads a JSON frame as the Lex Web UI reads it.
    pub fn from_json(frame: &Value) -> Self {
        let text = |field: &str| frame.get(field).and_then(Value::as_str).map(str::to_owned);
        match (text("event_type").as_deref(), text("content")) {
            (Some("message_created"), Some(content)) => ServerEvent::Message {
                content,
                author: text("author_name"),
            },
            (Some("conversation_ended"), _) => ServerEvent::Ended,
            (Some("error"), content) => ServerEvent::Error(
                content
                    .or_else(|| text("error"))
                    .unwrap_or_else(|| frame.to_string()),
            ),
            _ => ServerEvent::Ignored,
        }
    }
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// An open live chat.
pub struct LiveChat {
    socket: Socket,
    reference: String,
}

impl LiveChat {
    /// Opens the chat for `reference` at the WebSocket API `endpoint` (`ws://` or `wss://`,
    /// with no query), as the Lex Web UI does.
    pub async fn connect(endpoint: &str, reference: &str) -> Result<Self, LiveChatError> {
        // Not URL-encoded, as the Lex Web UI does: the reference is URL-safe by design.
        let url = format!("{endpoint}?conversationId={reference}");
        let opened = timeout(CONNECT_TIMEOUT, connect_async(url))
            .await
            .map_err(|_| LiveChatError::TimedOut("open the chat", CONNECT_TIMEOUT))?;
        match opened {
            Ok((socket, _)) => Ok(Self {
                socket,
                reference: reference.to_owned(),
            }),
            Err(tungstenite::Error::Http(response)) => Err(LiveChatError::Refused {
                endpoint: endpoint.to_owned(),
                status: response.status().as_u16(),
            }),
            Err(err) => Err(LiveChatError::Unreachable {
                endpoint: endpoint.to_owned(),
                reason: without_query(&err.to_string()),
            }),
        }
    }

    /// Sends the customer's message as one `onMessage` frame.
    pub async fn send(&mut self, text: &str) -> Result<(), LiveChatError> {
        let frame = json!({
            "action": "onMessage",
            "message": text,
            "conversationId": self.reference,
        });
        self.socket
            .send(Message::text(frame.to_string()))
            .await
            .map_err(connection_failed)
    }

    /// The next frame from the server. Cancel-safe: a frame is never lost by dropping the
    /// future.
    pub async fn next_frame(&mut self) -> Result<Frame, LiveChatError> {
        loop {
            let message = match self.socket.next().await {
                None
                | Some(Err(
                    tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed,
                )) => return Ok(Frame::Closed(None)),
                Some(Err(err)) => return Err(connection_failed(err)),
                Some(Ok(message)) => message,
            };
            let frame = match message {
                Message::Text(text) => parse(text.as_str()),
                Message::Binary(bytes) => Frame::NotJson(String::from_utf8_lossy(&bytes).into()),
                Message::Close(frame) => Frame::Closed(frame.map(|frame| frame.code.into())),
                // Answered by tungstenite itself; nothing the customer sees.
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
            };
            return Ok(frame);
        }
    }

    /// The customer ends the chat: close code 4000 with reason `conversationId:<VALUE>`, as
    /// the End Live Chat button does. Answers the code the server closed with in turn.
    pub async fn end(self) -> Result<Option<u16>, LiveChatError> {
        self.end_keeping_frames().await.map(|(code, _)| code)
    }

    /// [`LiveChat::end`], answering too the frames that arrived before the server's close.
    pub async fn end_keeping_frames(mut self) -> Result<(Option<u16>, Vec<Frame>), LiveChatError> {
        let frame = CloseFrame {
            code: CUSTOMER_ENDED.into(),
            reason: format!("conversationId:{}", self.reference).into(),
        };
        self.socket
            .close(Some(frame))
            .await
            .map_err(connection_failed)?;
        let answered = async {
            let mut earlier = Vec::new();
            loop {
                match self.next_frame().await? {
                    Frame::Closed(code) => return Ok((code, earlier)),
                    frame => earlier.push(frame),
                }
            }
        };
        timeout(CLOSE_TIMEOUT, answered)
            .await
            .map_err(|_| LiveChatError::TimedOut("answer the close", CLOSE_TIMEOUT))?
    }
}

fn parse(text: &str) -> Frame {
    serde_json::from_str(text).map_or_else(|_| Frame::NotJson(text.to_owned()), Frame::Json)
}

fn connection_failed(err: tungstenite::Error) -> LiveChatError {
    LiveChatError::Connection(err.to_string())
}

/// An error's text without any URL query, which would hold the reference.
fn without_query(text: &str) -> String {
    match text.split_once("?conversationId=") {
        Some((before, _)) => format!("{before}?conversationId=…"),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_read_as_the_lex_web_ui_reads_them() {
        let message =
            json!({"event_type": "message_created", "content": "Hi", "author_name": "Sam"});
        assert_eq!(
            ServerEvent::from_json(&message),
            ServerEvent::Message {
                content: "Hi".into(),
                author: Some("Sam".into())
            }
        );
        let ended = json!({"event_type": "conversation_ended"});
        assert_eq!(ServerEvent::from_json(&ended), ServerEvent::Ended);
        let refused = json!({"event_type": "error", "error": "empty_message", "content": "Empty."});
        assert_eq!(
            ServerEvent::from_json(&refused),
            ServerEvent::Error("Empty.".into())
        );
        let typing = json!({"event_type": "typing", "content": "..."});
        assert_eq!(ServerEvent::from_json(&typing), ServerEvent::Ignored);
        let no_content = json!({"event_type": "message_created"});
        assert_eq!(ServerEvent::from_json(&no_content), ServerEvent::Ignored);
    }

    #[test]
    fn text_that_is_not_json_is_kept_as_it_came() {
        assert_eq!(parse("hello"), Frame::NotJson("hello".into()));
        assert_eq!(parse(r#"{"a":1}"#), Frame::Json(json!({"a": 1})));
    }

    #[test]
    fn errors_never_show_the_reference() {
        let shown = without_query("URL error: ws://h/local?conversationId=v1.key.1.tag refused");
        assert_eq!(shown, "URL error: ws://h/local?conversationId=…");
    }
}
