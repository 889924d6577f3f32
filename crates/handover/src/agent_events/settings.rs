//! What the customer is told when the agent joins and leaves, and how long agent messages
//! wait for a customer who is not connected, read from the environment.

use std::time::Duration;

use crate::settings::{
    SettingError, Variable, optional_text, positive_integer, text, whole_number,
};

/// Unset says nothing, as the Lex Web UI shows its own text when the chat opens.
const AGENT_JOINED_MESSAGE: Variable = Variable::optional("AGENT_JOINED_MESSAGE");
/// The Lex Web UI shows nothing for `conversation_ended`, so this is what tells the customer
/// the chat is over and how to go back to the bot.
const AGENT_ENDED_MESSAGE: Variable = Variable::with_default(
    "AGENT_ENDED_MESSAGE",
    "The agent has ended the chat. Press End Live Chat to go back to the bot.",
);
const AGENT_DEFAULT_NAME: Variable = Variable::with_default("AGENT_DEFAULT_NAME", "Agent");
/// Long enough for a page reload, a dropped network, or pressing End Live Chat and typing the
/// live-chat phrase after API Gateway's 2-hour cap.
const RECONNECT_GRACE_SECONDS: Variable =
    Variable::with_default_number("RECONNECT_GRACE_SECONDS", 300);
/// Bounded so that a customer who never comes back cannot grow a record without end.
const MAX_KEPT_MESSAGES: Variable = Variable::with_default_number("MAX_KEPT_MESSAGES", 20);

/// The agent events' settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentEventSettings {
    /// Told to the customer when the agent accepts; `None` says nothing.
    pub joined_message: Option<String>,
    /// Told to the customer when the agent ends the chat.
    pub ended_message: String,
    /// The author name of frames whose event names no agent.
    pub default_author_name: String,
    /// How long after the customer's connection went (or, if they never connected, after the
    /// escalation) agent messages are still kept for their return; 0 keeps none.
    pub reconnect_grace: Duration,
    /// The most agent messages kept for one conversation.
    pub max_kept_messages: usize,
}

impl Default for AgentEventSettings {
    fn default() -> Self {
        Self::from_vars(|_| None).expect("the agent events' defaults are valid")
    }
}

impl AgentEventSettings {
    /// The variables read, as listed in `docs/agent-callback.md`.
    pub const VARIABLES: &[Variable] = &[
        AGENT_JOINED_MESSAGE,
        AGENT_ENDED_MESSAGE,
        AGENT_DEFAULT_NAME,
        RECONNECT_GRACE_SECONDS,
        MAX_KEPT_MESSAGES,
    ];

    /// The settings read through `var` (normally the process environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        Ok(Self {
            joined_message: optional_text(&var, &AGENT_JOINED_MESSAGE)?,
            ended_message: text(&var, &AGENT_ENDED_MESSAGE)?,
            default_author_name: text(&var, &AGENT_DEFAULT_NAME)?,
            reconnect_grace: Duration::from_secs(
                whole_number(&var, &RECONNECT_GRACE_SECONDS)?.into(),
            ),
            max_kept_messages: positive_integer(&var, &MAX_KEPT_MESSAGES)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_say_nothing_on_join_and_explain_the_end() {
        let settings = AgentEventSettings::from_vars(|_| None).unwrap();
        assert_eq!(settings, AgentEventSettings::default());
        assert_eq!(settings.joined_message, None);
        assert!(settings.ended_message.contains("End Live Chat"));
        assert_eq!(settings.default_author_name, "Agent");
        assert_eq!(settings.reconnect_grace, Duration::from_secs(300));
        assert_eq!(settings.max_kept_messages, 20);
    }

    #[test]
    fn variables_override_defaults() {
        let settings = AgentEventSettings::from_vars(|name| match name {
            "AGENT_JOINED_MESSAGE" => Some("Sam joined.".into()),
            "AGENT_ENDED_MESSAGE" => Some("Bye.".into()),
            "AGENT_DEFAULT_NAME" => Some("Support".into()),
            "RECONNECT_GRACE_SECONDS" => Some("0".into()),
            "MAX_KEPT_MESSAGES" => Some("3".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(settings.joined_message.as_deref(), Some("Sam joined."));
        assert_eq!(settings.ended_message, "Bye.");
        assert_eq!(settings.default_author_name, "Support");
        assert_eq!(settings.reconnect_grace, Duration::ZERO);
        assert_eq!(settings.max_kept_messages, 3);
    }

    #[test]
    fn an_outbox_keeps_at_least_one_message() {
        let error = AgentEventSettings::from_vars(|name| {
            (name == "MAX_KEPT_MESSAGES").then(|| "0".to_owned())
        })
        .unwrap_err();
        assert_eq!(error.variable, "MAX_KEPT_MESSAGES");
    }

    #[test]
    fn blank_values_keep_their_defaults_and_a_blank_joined_message_says_nothing() {
        let settings = AgentEventSettings::from_vars(|_| Some(" ".into())).unwrap();
        assert_eq!(settings, AgentEventSettings::default());
    }
}
