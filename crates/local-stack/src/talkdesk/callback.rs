//! Delivers the agent's events to the callback API the way Talkdesk Connections actions do:
//! `POST {base}/{event}` with the API key in `x-api-key` and the JSON body of
//! `schemas/talkdesk/{event}.input.json`.

use std::time::Duration;

use serde_json::{Value, json};

use super::state::{CallbackAnswer, new_id, now};

/// How long one delivery may take; Talkdesk's actions allow 5 to 30 s.
const TIMEOUT: Duration = Duration::from_secs(10);

/// One of the three agent events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AgentEvent {
    /// The agent accepted the conversation.
    Started,
    /// The agent wrote a message.
    Message,
    /// The agent closed the conversation.
    Ended,
}

impl AgentEvent {
    /// The event's name: its `event_type` and the last segment of its path.
    pub(crate) fn name(self) -> &'static str {
        match self {
            AgentEvent::Started => "conversation_started",
            AgentEvent::Message => "message_created",
            AgentEvent::Ended => "conversation_ended",
        }
    }
}

/// The HTTP client of the callback API.
pub(crate) struct CallbackClient {
    http: reqwest::Client,
    base: String,
    api_key: String,
}

impl CallbackClient {
    /// A client posting under `base` (e.g. `http://127.0.0.1:P/local/talkdesk`) with `api_key`.
    pub(crate) fn new(base: String, api_key: String) -> Self {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a plain HTTP client builds");
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            api_key,
        }
    }

    /// Posts one event with a fresh `message_id`. `content` is the message text of
    /// `message_created`; a blank `author` is left out, so the callback uses its default name.
    /// Any HTTP answer is returned; an unreachable callback is an error.
    pub(crate) async fn deliver(
        &self,
        event: AgentEvent,
        conversation_id: &str,
        author: &str,
        content: Option<&str>,
    ) -> Result<CallbackAnswer, String> {
        let mut body = json!({
            "conversation_id": conversation_id,
            "event_type": event.name(),
            "message_id": new_id(),
            "created_at": now(),
        });
        if !author.trim().is_empty() {
            body["author_name"] = json!(author.trim());
        }
        if let Some(content) = content {
            body["content"] = json!(content);
        }
        let response = self
            .http
            .post(format!("{}/{}", self.base, event.name()))
            .header("x-api-key", &self.api_key)
            .json(&body)
            .send()
            .await
            .map_err(|err| format!("the callback API could not be reached: {err}"))?;
        let status = response.status().as_u16();
        // The answer's body is for the agent's eyes only; an unreadable one still has a status.
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        let text = |field: &str| answer.get(field).and_then(Value::as_str).map(str::to_owned);
        tracing::info!(
            conversation = %conversation_id,
            event = event.name(),
            status,
            "simulated Talkdesk: agent event delivered"
        );
        Ok(CallbackAnswer {
            event: event.name(),
            status,
            outcome: text("status").or_else(|| text("error")),
            message: text("message"),
        })
    }
}
