//! What the customer is told when the agent joins and leaves, read from the environment.

use crate::settings::{SettingError, Variable, optional_text, text};

/// Unset says nothing, as the Lex Web UI shows its own text when the chat opens.
const AGENT_JOINED_MESSAGE: Variable = Variable::optional("AGENT_JOINED_MESSAGE");
/// The Lex Web UI shows nothing for `conversation_ended`, so this is what tells the customer
/// the chat is over and how to go back to the bot.
const AGENT_ENDED_MESSAGE: Variable = Variable::with_default(
    "AGENT_ENDED_MESSAGE",
    "The agent has ended the chat. Press End Live Chat to go back to the bot.",
);
const AGENT_DEFAULT_NAME: Variable = Variable::with_default("AGENT_DEFAULT_NAME", "Agent");

/// The agent events' settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentEventSettings {
    /// Told to the customer when the agent accepts; `None` says nothing.
    pub joined_message: Option<String>,
    /// Told to the customer when the agent ends the chat.
    pub ended_message: String,
    /// The author name of frames whose event names no agent.
    pub default_author_name: String,
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
    ];

    /// The settings read through `var` (normally the process environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        Ok(Self {
            joined_message: optional_text(&var, &AGENT_JOINED_MESSAGE)?,
            ended_message: text(&var, &AGENT_ENDED_MESSAGE)?,
            default_author_name: text(&var, &AGENT_DEFAULT_NAME)?,
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
    }

    #[test]
    fn variables_override_defaults() {
        let settings = AgentEventSettings::from_vars(|name| match name {
            "AGENT_JOINED_MESSAGE" => Some("Sam joined.".into()),
            "AGENT_ENDED_MESSAGE" => Some("Bye.".into()),
            "AGENT_DEFAULT_NAME" => Some("Support".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(settings.joined_message.as_deref(), Some("Sam joined."));
        assert_eq!(settings.ended_message, "Bye.");
        assert_eq!(settings.default_author_name, "Support");
    }

    #[test]
    fn blank_values_keep_their_defaults_and_a_blank_joined_message_says_nothing() {
        let settings = AgentEventSettings::from_vars(|_| Some(" ".into())).unwrap();
        assert_eq!(settings, AgentEventSettings::default());
    }
}
