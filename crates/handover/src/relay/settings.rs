//! What the relay tells the customer, and how long a message may be.

/// The relay's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelaySettings {
    /// The longest customer message relayed, in characters (the Lex Web UI sends at most 1024).
    pub max_message_chars: usize,
    /// The author name of the relay's own messages (the Lex Web UI does not show it).
    pub author_name: String,
    /// Told to a connection that a newer one replaced.
    pub replaced_message: String,
    /// Told when a message could not reach the agent.
    pub relay_failed_message: String,
    /// Told when the customer writes into a chat that has ended.
    pub ended_message: String,
    /// Told when a message is longer than [`RelaySettings::max_message_chars`].
    pub too_long_message: String,
    /// The secret holding the key that signs conversation references.
    pub reference_key_secret: String,
}

impl Default for RelaySettings {
    fn default() -> Self {
        Self {
            max_message_chars: 1024,
            author_name: "System".into(),
            replaced_message: "This chat continues in another window.".into(),
            relay_failed_message: "Sorry, your last message could not be delivered to the agent. Please send it again.".into(),
            ended_message: "This chat has ended. Press End Live Chat to go back to the bot.".into(),
            too_long_message: "Your message is too long and was not sent. Please shorten it.".into(),
            reference_key_secret: crate::reference::DEFAULT_KEY_SECRET.into(),
        }
    }
}

/// A setting that is present but unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("MAX_MESSAGE_CHARS must be a positive whole number")]
pub struct BadMaxMessageChars;

impl RelaySettings {
    /// The settings read through `var` (normally the process environment), each variable
    /// overriding its default; the variables are listed in `docs/websocket-api.md`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, BadMaxMessageChars> {
        let mut settings = Self::default();
        let text = |name: &str, field: &mut String| {
            if let Some(value) = var(name).filter(|value| !value.trim().is_empty()) {
                *field = value;
            }
        };
        text(
            "REPLACED_CONNECTION_MESSAGE",
            &mut settings.replaced_message,
        );
        text("RELAY_FAILED_MESSAGE", &mut settings.relay_failed_message);
        text("CHAT_ENDED_MESSAGE", &mut settings.ended_message);
        text("MESSAGE_TOO_LONG_MESSAGE", &mut settings.too_long_message);
        text("REFERENCE_KEY_SECRET", &mut settings.reference_key_secret);
        if let Some(max) = var("MAX_MESSAGE_CHARS") {
            settings.max_message_chars = match max.trim().parse() {
                Ok(max) if max > 0 => max,
                _ => return Err(BadMaxMessageChars),
            };
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_override_defaults() {
        let settings = RelaySettings::from_vars(|name| match name {
            "MAX_MESSAGE_CHARS" => Some("200".into()),
            "CHAT_ENDED_MESSAGE" => Some("Bye.".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(settings.max_message_chars, 200);
        assert_eq!(settings.ended_message, "Bye.");
        assert_eq!(
            settings.replaced_message,
            RelaySettings::default().replaced_message
        );
        assert_eq!(
            RelaySettings::from_vars(|name| (name == "MAX_MESSAGE_CHARS").then(|| "0".into())),
            Err(BadMaxMessageChars)
        );
    }
}
