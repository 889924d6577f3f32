//! The agent's side of an Amazon Connect chat in the local stack: the simulated Amazon
//! Connect's agent console API (`POST /console/api/conversations/{contact id}/accept|reply|end`),
//! whose actions are streamed to the chat's SNS topic. There is no such API against a real
//! Amazon Connect instance, where the agent is a person in the Contact Control Panel. The
//! simulated Talkdesk's console serves the same API, each action delivered to the callback API
//! (the load test acts through either).

use std::time::Duration;

use serde_json::{Value, json};

use crate::agent::AgentEvent;

/// How long one console request may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The simulated Amazon Connect's agent console.
pub struct ConnectConsoleAgent {
    http: reqwest::Client,
    base: String,
}

impl ConnectConsoleAgent {
    /// The console at `base` (`http://127.0.0.1:8104` for the local stack).
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .expect("a client with only a timeout builds");
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// The agent does `event` in the chat with `contact_id` as `author`: accepted (`200`) or
    /// why not.
    pub async fn act(
        &self,
        event: AgentEvent,
        contact_id: &str,
        author: &str,
        content: Option<&str>,
    ) -> Result<(), String> {
        let action = match event {
            AgentEvent::Started => "accept",
            AgentEvent::Message => "reply",
            AgentEvent::Ended => "end",
        };
        let url = format!(
            "{}/console/api/conversations/{contact_id}/{action}",
            self.base
        );
        let body = json!({"author": author, "text": content.unwrap_or_default()});
        let response = self
            .http
            .post(&url)
            .json(&body)
            .send()
            .await
            .map_err(|err| format!("the agent console at {url} could not be reached: {err}"))?;
        let status = response.status().as_u16();
        let answer = response.json::<Value>().await.unwrap_or(Value::Null);
        // The simulated Talkdesk's console, which serves the same API, answers 200 with the
        // callback's own status, which may be a refusal.
        let delivered = answer
            .get("status")
            .and_then(Value::as_u64)
            .is_none_or(|status| status < 300);
        if status == 200 && delivered {
            Ok(())
        } else {
            Err(format!("the agent console answered HTTP {status} {answer}"))
        }
    }
}
