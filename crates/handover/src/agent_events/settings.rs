//! What the customer is told when the agent joins and leaves, read from the environment.

/// The agent events' settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentEventSettings {
    /// Told to the customer when the agent accepts (`AGENT_JOINED_MESSAGE`); `None` says
    /// nothing, as the Lex Web UI shows its own text when the chat opens.
    pub joined_message: Option<String>,
    /// Told to the customer when the agent ends the chat (`AGENT_ENDED_MESSAGE`). The Lex Web
    /// UI shows nothing for `conversation_ended`, so this is what tells the customer the chat
    /// is over and how to go back to the bot.
    pub ended_message: String,
    /// The author name of frames whose event names no agent (`AGENT_DEFAULT_NAME`).
    pub default_author_name: String,
}

impl Default for AgentEventSettings {
    fn default() -> Self {
        Self {
            joined_message: None,
            ended_message:
                "The agent has ended the chat. Press End Live Chat to go back to the bot.".into(),
            default_author_name: "Agent".into(),
        }
    }
}

impl AgentEventSettings {
    /// The settings read through `var` (normally the process environment). A blank
    /// `AGENT_JOINED_MESSAGE` says nothing; other blank values keep their defaults.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let mut settings = Self::default();
        let present = |name: &str| var(name).filter(|value| !value.trim().is_empty());
        settings.joined_message = present("AGENT_JOINED_MESSAGE");
        if let Some(message) = present("AGENT_ENDED_MESSAGE") {
            settings.ended_message = message;
        }
        if let Some(name) = present("AGENT_DEFAULT_NAME") {
            settings.default_author_name = name;
        }
        settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_say_nothing_on_join_and_explain_the_end() {
        let settings = AgentEventSettings::from_vars(|_| None);
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
        });
        assert_eq!(settings.joined_message.as_deref(), Some("Sam joined."));
        assert_eq!(settings.ended_message, "Bye.");
        assert_eq!(settings.default_author_name, "Support");
    }

    #[test]
    fn a_blank_joined_message_says_nothing() {
        let settings = AgentEventSettings::from_vars(|name| {
            (name == "AGENT_JOINED_MESSAGE").then(|| " ".into())
        });
        assert_eq!(settings.joined_message, None);
    }
}
