//! What an agent did, in the domain's terms: each contact center's adapter or entry point turns
//! its own inbound format into an [`AgentEvent`].

use std::fmt;

use crate::conversation::Provider;

/// One thing an agent did in a conversation, whichever contact center reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentEvent {
    /// The contact center that reports it.
    pub provider: Provider,
    /// That contact center's id of the conversation.
    pub provider_conversation_id: String,
    /// The agent's display name, if the contact center gives a non-blank one.
    pub author_name: Option<String>,
    /// What the agent did.
    pub action: AgentAction,
}

/// What an agent did.
#[derive(Clone, PartialEq, Eq)]
pub enum AgentAction {
    /// The agent joined (accepted) the conversation.
    Joined,
    /// The agent wrote a message; it is shown once per `id`, however often it is reported.
    Message {
        /// The contact center's id of the message.
        id: String,
        /// The agent's text.
        text: String,
    },
    /// The agent (or the contact center) ended the conversation.
    Ended,
    /// The agent left; nobody is left to answer the customer, so it ends the conversation.
    Left,
    /// The agent is typing: shown while the customer is connected, never kept or retried.
    Typing,
}

impl AgentAction {
    /// A short name for logs.
    pub fn name(&self) -> &'static str {
        match self {
            AgentAction::Joined => "joined",
            AgentAction::Message { .. } => "message",
            AgentAction::Ended => "ended",
            AgentAction::Left => "left",
            AgentAction::Typing => "typing",
        }
    }
}

/// Names the action and the message id, never the text.
impl fmt::Debug for AgentAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AgentAction::Message { id, .. } => f.debug_struct("Message").field("id", id).finish(),
            other => f.write_str(other.name()),
        }
    }
}

impl AgentEvent {
    /// `author_name` unless it is absent or blank.
    pub fn new(
        provider: Provider,
        provider_conversation_id: impl Into<String>,
        author_name: Option<&str>,
        action: AgentAction,
    ) -> Self {
        Self {
            provider,
            provider_conversation_id: provider_conversation_id.into(),
            author_name: author_name
                .filter(|name| !name.trim().is_empty())
                .map(str::to_owned),
            action,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_author_is_no_author() {
        let event = AgentEvent::new(Provider::Talkdesk, "c1", Some(" "), AgentAction::Joined);
        assert_eq!(event.author_name, None);
        let event = AgentEvent::new(Provider::Talkdesk, "c1", Some("Sam"), AgentAction::Ended);
        assert_eq!(event.author_name.as_deref(), Some("Sam"));
    }

    #[test]
    fn debug_output_never_shows_the_text() {
        let action = AgentAction::Message {
            id: "m1".into(),
            text: "my card is 4111".into(),
        };
        let shown = format!("{action:?}");
        assert!(shown.contains("m1") && !shown.contains("4111"), "{shown}");
    }
}
