//! The agent's side: the three events Talkdesk Connections post to the callback API
//! (`conversation_started`, `message_created`, `conversation_ended`), with the API key in
//! `x-api-key` and the bodies of `schemas/talkdesk/*.input.json`.

use std::time::Duration;

use serde_json::{Value, json};

/// How long one call may take; Talkdesk's actions allow 5 to 30 s.
const TIMEOUT: Duration = Duration::from_secs(30);

/// One of the agent's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentEvent {
    /// The agent accepted the conversation.
    Started,
    /// The agent wrote a message.
    Message,
    /// The agent closed the conversation.
    Ended,
}

impl AgentEvent {
    /// Its `event_type`, which is also the last segment of its path.
    pub fn name(self) -> &'static str {
        match self {
            AgentEvent::Started => "conversation_started",
            AgentEvent::Message => "message_created",
            AgentEvent::Ended => "conversation_ended",
        }
    }
}

/// The callback API's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct CallbackAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body (`{"status"}` or `{"error","message"}`); `Null` if it was not JSON.
    pub body: Value,
}

impl CallbackAnswer {
    /// 200 with `{"status":"delivered"}`: the customer was shown what they had to see.
    pub fn delivered(&self) -> bool {
        self.status == 200 && self.body.get("status") == Some(&json!("delivered"))
    }
}

/// Why the callback API gave no answer.
#[derive(Debug, thiserror::Error)]
#[error("the callback API at {url} could not be reached: {reason}")]
pub struct CallbackError {
    url: String,
    reason: String,
}

/// A client of the callback API.
pub struct CallbackApi {
    http: reqwest::Client,
    base: String,
    api_key: String,
}

impl CallbackApi {
    /// A client of the callback API at `base`, the deployment's `CallbackRestAPI` output
    /// (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`); the actions are under
    /// `{base}/talkdesk/`. A base that already ends in `/talkdesk` is taken as it is.
    pub fn new(base: &str, api_key: String) -> Self {
        let base = base.trim_end_matches('/');
        let base = if base.ends_with("/talkdesk") {
            base.to_owned()
        } else {
            format!("{base}/talkdesk")
        };
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .expect("a client with only a timeout builds");
        Self {
            http,
            base,
            api_key,
        }
    }

    /// The URL `event` is posted to.
    pub fn url(&self, event: AgentEvent) -> String {
        format!("{}/{}", self.base, event.name())
    }

    /// Posts `event` for Talkdesk's conversation `conversation_id` by `author`, with
    /// `content` as the text of a `message_created`, and a fresh `message_id`.
    pub async fn post(
        &self,
        event: AgentEvent,
        conversation_id: &str,
        author: &str,
        content: Option<&str>,
    ) -> Result<CallbackAnswer, CallbackError> {
        let mut body = json!({
            "conversation_id": conversation_id,
            "event_type": event.name(),
            "message_id": uuid::Uuid::new_v4().to_string(),
            "author_name": author,
        });
        if let Some(content) = content {
            body["content"] = json!(content);
        }
        let url = self.url(event);
        let response = self
            .http
            .post(&url)
            .header("x-api-key", &self.api_key)
            .json(&body)
            .send()
            .await
            .map_err(|err| CallbackError {
                url: url.clone(),
                reason: err.to_string(),
            })?;
        let status = response.status().as_u16();
        // A gateway's error page is not JSON; its status still says what happened.
        let body = response.json().await.unwrap_or(Value::Null);
        Ok(CallbackAnswer { status, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_under_the_base_s_talkdesk_path() {
        let deployed = CallbackApi::new(
            "https://abc.execute-api.eu-west-1.amazonaws.com/prod",
            "k".into(),
        );
        assert_eq!(
            deployed.url(AgentEvent::Message),
            "https://abc.execute-api.eu-west-1.amazonaws.com/prod/talkdesk/message_created"
        );
        let printed = CallbackApi::new("http://127.0.0.1:8102/local/talkdesk/", "k".into());
        assert_eq!(
            printed.url(AgentEvent::Ended),
            "http://127.0.0.1:8102/local/talkdesk/conversation_ended"
        );
    }

    #[test]
    fn only_a_delivered_answer_counts_as_delivered() {
        let answer = |status, body| CallbackAnswer { status, body };
        assert!(answer(200, json!({"status": "delivered"})).delivered());
        assert!(!answer(200, json!({"status": "duplicate"})).delivered());
        assert!(!answer(410, json!({"status": "customer_disconnected"})).delivered());
        assert!(!answer(403, Value::Null).delivered());
    }
}
