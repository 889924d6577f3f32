//! What the agent does: accept, reply, end. Each delivers an event to the callback API and
//! records the callback's answer in the conversation's timeline.

use std::fmt;

use super::SimulatedTalkdesk;
use super::callback::AgentEvent;
use super::state::{CallbackAnswer, Party};

/// Why an agent action was not delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AgentError {
    /// No conversation has this id.
    UnknownConversation,
    /// The agent ended it already.
    Ended,
    /// The agent accepted it already.
    AlreadyAccepted,
    /// The reply is empty or only whitespace.
    BlankMessage,
    /// The callback API did not answer.
    Unreachable(String),
}

impl AgentError {
    /// A stable code for the console.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            AgentError::UnknownConversation => "unknown_conversation",
            AgentError::Ended => "ended",
            AgentError::AlreadyAccepted => "already_accepted",
            AgentError::BlankMessage => "blank_message",
            AgentError::Unreachable(_) => "callback_unreachable",
        }
    }
}

impl fmt::Display for AgentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AgentError::UnknownConversation => f.write_str("no conversation has this id"),
            AgentError::Ended => f.write_str("the agent has ended this conversation"),
            AgentError::AlreadyAccepted => f.write_str("the conversation was accepted already"),
            AgentError::BlankMessage => f.write_str("the message is blank"),
            AgentError::Unreachable(reason) => f.write_str(reason),
        }
    }
}

impl SimulatedTalkdesk {
    /// Accepts the conversation: delivers `conversation_started`.
    pub(crate) async fn agent_accept(
        &self,
        conversation_id: &str,
        author: &str,
    ) -> Result<CallbackAnswer, AgentError> {
        self.start_if_needed(conversation_id, author)
            .await?
            .ok_or(AgentError::AlreadyAccepted)
    }

    /// Sends the agent's reply, accepting the conversation first if that was not done. When the
    /// callback refuses `conversation_started`, that answer is returned and the reply is not
    /// sent.
    pub(crate) async fn agent_reply(
        &self,
        conversation_id: &str,
        text: &str,
        author: &str,
    ) -> Result<CallbackAnswer, AgentError> {
        if text.trim().is_empty() {
            return Err(AgentError::BlankMessage);
        }
        if let Some(started) = self.start_if_needed(conversation_id, author).await?
            && !is_success(started.status)
        {
            return Ok(started);
        }
        self.open_record(conversation_id)?;
        self.deliver(conversation_id, AgentEvent::Message, author, Some(text))
            .await
    }

    /// Ends the conversation: delivers `conversation_ended`. It counts as ended once the
    /// callback answered with anything but a 5xx, so an unreachable or failing callback can be
    /// told again.
    pub(crate) async fn agent_end(
        &self,
        conversation_id: &str,
        author: &str,
    ) -> Result<CallbackAnswer, AgentError> {
        self.open_record(conversation_id)?;
        let answer = self
            .deliver(conversation_id, AgentEvent::Ended, author, None)
            .await?;
        if answer.status < 500
            && let Some(record) = self.state().record_mut(conversation_id)
        {
            record.ended_by_agent = true;
        }
        Ok(answer)
    }

    /// Delivers `conversation_started` unless the conversation was accepted; `None` if it was.
    async fn start_if_needed(
        &self,
        conversation_id: &str,
        author: &str,
    ) -> Result<Option<CallbackAnswer>, AgentError> {
        {
            let mut state = self.state();
            let record = state
                .record_mut(conversation_id)
                .ok_or(AgentError::UnknownConversation)?;
            if record.ended_by_agent {
                return Err(AgentError::Ended);
            }
            if record.accepted {
                return Ok(None);
            }
            // Set before delivering, so a reply racing the Accept button starts it once.
            record.accepted = true;
        }
        let delivered = self
            .deliver(conversation_id, AgentEvent::Started, author, None)
            .await;
        if delivered.is_err()
            && let Some(record) = self.state().record_mut(conversation_id)
        {
            record.accepted = false;
        }
        delivered.map(Some)
    }

    /// Checks that the conversation exists and the agent has not ended it.
    fn open_record(&self, conversation_id: &str) -> Result<(), AgentError> {
        match self.state().record(conversation_id) {
            None => Err(AgentError::UnknownConversation),
            Some(record) if record.ended_by_agent => Err(AgentError::Ended),
            Some(_) => Ok(()),
        }
    }

    /// Delivers one event and adds it, with the callback's answer, to the timeline.
    async fn deliver(
        &self,
        conversation_id: &str,
        event: AgentEvent,
        author: &str,
        content: Option<&str>,
    ) -> Result<CallbackAnswer, AgentError> {
        let delivered = self
            .inner
            .callback
            .deliver(event, conversation_id, author, content)
            .await;
        let shown_name = if author.trim().is_empty() {
            "The agent"
        } else {
            author.trim()
        };
        let (from, text) = match (event, content) {
            (AgentEvent::Message, Some(content)) => (Party::Agent, content.to_owned()),
            (AgentEvent::Started, _) => (Party::Event, format!("{shown_name} accepted the chat.")),
            _ => (Party::Event, format!("{shown_name} ended the chat.")),
        };
        if let Some(record) = self.state().record_mut(conversation_id) {
            record.log_delivery(from, text, &delivered);
        }
        delivered.map_err(AgentError::Unreachable)
    }
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}
