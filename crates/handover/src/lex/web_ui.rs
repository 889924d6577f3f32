//! The session attributes the Lex Web UI re-sends on every turn.
//!
//! The Web UI stores the user's last utterance and the bot's last reply as session
//! attributes. For a Lex V2 bot the reply is a JSON string in its own V1-style shape,
//! `{"messages": [{"type": "PlainText", "value": "...", ...}, ...]}`; for a V1 bot it is the
//! message text itself.

use serde::Deserialize;

use super::event::LexEvent;

pub(crate) const PREVIOUS_UTTERANCE: &str = "previousUtterance";
pub(crate) const PREVIOUS_LEX_RESPONSE: &str = "previousLexResponse";

/// The Web UI's record of the bot's previous reply.
#[derive(Deserialize)]
struct PreviousLexResponse {
    #[serde(default)]
    messages: Vec<PreviousMessage>,
}

/// One message of the previous reply; the Web UI writes `value`, Lex itself `content`.
#[derive(Deserialize)]
struct PreviousMessage {
    value: Option<String>,
    content: Option<String>,
}

impl LexEvent {
    /// What the user said on the previous turn, as recorded by the Lex Web UI.
    pub fn previous_utterance(&self) -> Option<&str> {
        self.session_attribute(PREVIOUS_UTTERANCE)
            .filter(|utterance| !utterance.is_empty())
    }

    /// The text of the bot's previous reply, as recorded by the Lex Web UI, with several
    /// messages joined by newlines. `None` when absent, empty or unreadable.
    pub fn previous_bot_message(&self) -> Option<String> {
        let recorded = self.session_attribute(PREVIOUS_LEX_RESPONSE)?.trim();
        // What JavaScript writes for a reply it never had.
        if matches!(recorded, "undefined" | "null") {
            return None;
        }
        let text = match serde_json::from_str::<PreviousLexResponse>(recorded) {
            Ok(response) => response
                .messages
                .into_iter()
                .filter_map(|message| message.value.or(message.content))
                .filter(|text| !text.trim().is_empty())
                .collect::<Vec<_>>()
                .join("\n"),
            // JSON of another shape is not a message; anything else is a V1 bot's plain text.
            Err(_) if recorded.starts_with(['{', '[']) => return None,
            Err(_) => recorded.to_owned(),
        };
        Some(text).filter(|text| !text.is_empty())
    }
}
