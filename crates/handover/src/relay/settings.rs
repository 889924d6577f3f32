//! What the relay tells the customer, how long a message may be, and how long the customer's
//! end waits for their last frames.

use std::time::Duration;

use crate::reference;
use crate::settings::{SettingError, Variable, positive_integer, text, whole_number};

/// How many times the queue may deliver a customer message before the customer is told it could
/// not be delivered: a message never holds up the rest of the chat for ever.
pub const CUSTOMER_MESSAGE_MAX_RECEIVES: Variable =
    Variable::with_default_number("CUSTOMER_MESSAGE_MAX_RECEIVES", 3);

/// The longest customer message relayed: the Lex Web UI sends at most 1024 characters.
const MAX_MESSAGE_CHARS: Variable = Variable::with_default_number("MAX_MESSAGE_CHARS", 1024);
/// How long `$disconnect` with 4000 waits before unbinding (see [`RelaySettings::end_grace`]).
const CUSTOMER_END_GRACE_MILLISECONDS: Variable =
    Variable::with_default_number("CUSTOMER_END_GRACE_MILLISECONDS", 1000);
const REPLACED_CONNECTION_MESSAGE: Variable = Variable::with_default(
    "REPLACED_CONNECTION_MESSAGE",
    "This chat continues in another window.",
);
const RELAY_FAILED_MESSAGE: Variable = Variable::with_default(
    "RELAY_FAILED_MESSAGE",
    "Sorry, your last message could not be delivered to the agent. Please send it again.",
);
const RELAY_UNCERTAIN_MESSAGE: Variable = Variable::with_default(
    "RELAY_UNCERTAIN_MESSAGE",
    "Sorry, your last message may not have reached the agent. If they do not answer it, please send it again.",
);
const CHAT_ENDED_MESSAGE: Variable = Variable::with_default(
    "CHAT_ENDED_MESSAGE",
    "This chat has ended. Press End Live Chat to go back to the bot.",
);
const MESSAGE_TOO_LONG_MESSAGE: Variable = Variable::with_default(
    "MESSAGE_TOO_LONG_MESSAGE",
    "Your message is too long and was not sent. Please shorten it.",
);

/// The relay's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelaySettings {
    /// The longest customer message relayed, in characters.
    pub max_message_chars: usize,
    /// The author name of the relay's own messages (the Lex Web UI does not show it).
    pub author_name: String,
    /// Told to a connection that a newer one replaced.
    pub replaced_message: String,
    /// Told when a message could not reach the agent.
    pub relay_failed_message: String,
    /// Told when the contact center may or may not have taken a message (it answered too late
    /// or failed while handling it), so the customer does not send it twice for nothing.
    pub relay_uncertain_message: String,
    /// Told when the customer writes into a chat that has ended.
    pub ended_message: String,
    /// Told when a message is longer than [`RelaySettings::max_message_chars`].
    pub too_long_message: String,
    /// The secret holding the key that signs conversation references.
    pub reference_key_secret: String,
    /// How long `$disconnect` with 4000 keeps the connection bound before it unbinds it and
    /// queues the end: API Gateway runs a frame's `onMessage` and `$disconnect` side by side
    /// in no documented order, so a frame sent just before the close may reach `onMessage`
    /// after `$disconnect` has started, and `onMessage` finds the conversation through the
    /// connection. Zero does not wait.
    pub end_grace: Duration,
}

impl Default for RelaySettings {
    fn default() -> Self {
        Self::from_vars(|_| None).expect("the relay's defaults are valid")
    }
}

impl RelaySettings {
    /// The variables read, as listed in `docs/websocket-api.md`.
    pub const VARIABLES: &[Variable] = &[
        MAX_MESSAGE_CHARS,
        REPLACED_CONNECTION_MESSAGE,
        RELAY_FAILED_MESSAGE,
        RELAY_UNCERTAIN_MESSAGE,
        CHAT_ENDED_MESSAGE,
        MESSAGE_TOO_LONG_MESSAGE,
        reference::KEY_SECRET,
        CUSTOMER_END_GRACE_MILLISECONDS,
    ];

    /// The settings read through `var` (normally the process environment), each variable
    /// overriding its default.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        Ok(Self {
            max_message_chars: positive_integer(&var, &MAX_MESSAGE_CHARS)?,
            author_name: "System".into(),
            replaced_message: text(&var, &REPLACED_CONNECTION_MESSAGE)?,
            relay_failed_message: text(&var, &RELAY_FAILED_MESSAGE)?,
            relay_uncertain_message: text(&var, &RELAY_UNCERTAIN_MESSAGE)?,
            ended_message: text(&var, &CHAT_ENDED_MESSAGE)?,
            too_long_message: text(&var, &MESSAGE_TOO_LONG_MESSAGE)?,
            reference_key_secret: text(&var, &reference::KEY_SECRET)?,
            end_grace: Duration::from_millis(
                whole_number(&var, &CUSTOMER_END_GRACE_MILLISECONDS)?.into(),
            ),
        })
    }
}

/// What the ordered relay (the customer-relay function) tells the customer, and how often a
/// message is tried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderedSettings {
    /// The author name of the relay's own messages (the Lex Web UI does not show it).
    pub author_name: String,
    /// Told when a message could not reach the agent on its last attempt.
    pub relay_failed_message: String,
    /// Told when the contact center may or may not have taken a message.
    pub relay_uncertain_message: String,
    /// Told when the contact center has closed the chat.
    pub ended_message: String,
    /// The delivery of a message from which a failure is told instead of retried.
    pub max_receives: u32,
}

impl Default for OrderedSettings {
    fn default() -> Self {
        Self::from_vars(|_| None).expect("the ordered relay's defaults are valid")
    }
}

impl OrderedSettings {
    /// The variables read, as listed in `docs/websocket-api.md`.
    pub const VARIABLES: &[Variable] = &[
        RELAY_FAILED_MESSAGE,
        RELAY_UNCERTAIN_MESSAGE,
        CHAT_ENDED_MESSAGE,
        CUSTOMER_MESSAGE_MAX_RECEIVES,
    ];

    /// The settings read through `var`, each variable overriding its default.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        Ok(Self {
            author_name: "System".into(),
            relay_failed_message: text(&var, &RELAY_FAILED_MESSAGE)?,
            relay_uncertain_message: text(&var, &RELAY_UNCERTAIN_MESSAGE)?,
            ended_message: text(&var, &CHAT_ENDED_MESSAGE)?,
            max_receives: positive_integer(&var, &CUSTOMER_MESSAGE_MAX_RECEIVES)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_in_what_is_not_set() {
        let settings = RelaySettings::default();
        assert_eq!(settings.max_message_chars, 1024);
        assert_eq!(settings.author_name, "System");
        assert_eq!(settings.reference_key_secret, reference::DEFAULT_KEY_SECRET);
        assert!(settings.ended_message.contains("End Live Chat"));
    }

    #[test]
    fn variables_override_defaults() {
        let settings = RelaySettings::from_vars(|name| match name {
            "MAX_MESSAGE_CHARS" => Some("200".into()),
            "CHAT_ENDED_MESSAGE" => Some("Bye.".into()),
            "REFERENCE_KEY_SECRET" => Some("prod/reference-key".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(settings.max_message_chars, 200);
        assert_eq!(settings.ended_message, "Bye.");
        assert_eq!(settings.reference_key_secret, "prod/reference-key");
        assert_eq!(
            settings.replaced_message,
            RelaySettings::default().replaced_message
        );
    }

    #[test]
    fn the_ordered_relay_shares_the_customer_s_messages_and_tries_three_times() {
        let relay = RelaySettings::default();
        let ordered = OrderedSettings::default();
        assert_eq!(ordered.relay_failed_message, relay.relay_failed_message);
        assert_eq!(ordered.ended_message, relay.ended_message);
        assert_eq!(ordered.max_receives, 3);
        let once = OrderedSettings::from_vars(|name| {
            (name == "CUSTOMER_MESSAGE_MAX_RECEIVES").then(|| "1".into())
        });
        assert_eq!(once.unwrap().max_receives, 1);
    }

    #[test]
    fn the_longest_message_is_a_positive_number_and_blank_means_default() {
        let with = |max: &'static str| {
            RelaySettings::from_vars(move |name| (name == "MAX_MESSAGE_CHARS").then(|| max.into()))
        };
        assert_eq!(
            with("0").unwrap_err().to_string(),
            "MAX_MESSAGE_CHARS must be a positive whole number, got \"0\""
        );
        assert_eq!(with(" ").unwrap().max_message_chars, 1024);
    }
}
