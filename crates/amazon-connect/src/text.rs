//! What the participant service accepts as a message, and the tokens that make a repeated
//! call harmless.

use handover::transcript::{Speaker, TranscriptEntry};
use sha2::{Digest, Sha256};

/// The most characters one `SendMessage` carries.
pub const MAX_MESSAGE_CHARS: usize = 1024;

/// What marks the bot's transcript for the agent.
const TRANSCRIPT_PREFIX: &str = "[Bot transcript] ";

/// `text` in order, in parts of at most `max` characters (none for an empty text).
pub fn parts(text: &str, max: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(max.max(1))
        .map(|chunk| chunk.iter().collect())
        .collect()
}

/// The transcript as the messages the agent reads first, oldest first, each marked as the
/// bot's transcript and within [`MAX_MESSAGE_CHARS`].
pub fn transcript_messages(entries: &[TranscriptEntry]) -> Vec<String> {
    entries
        .iter()
        .filter(|entry| !entry.text.trim().is_empty())
        .flat_map(|entry| {
            let speaker = match entry.speaker {
                Speaker::Customer => "Customer: ",
                Speaker::Bot => "Bot: ",
            };
            let room = MAX_MESSAGE_CHARS - TRANSCRIPT_PREFIX.len() - speaker.len();
            parts(&entry.text, room)
                .into_iter()
                .map(move |part| format!("{TRANSCRIPT_PREFIX}{speaker}{part}"))
        })
        .collect()
}

/// A client token for the call named `purpose`, the same whenever `inputs` are: Amazon
/// Connect then acts on the first call only.
pub fn client_token(purpose: &str, inputs: &[&str]) -> String {
    let mut hash = Sha256::new();
    hash.update(purpose.as_bytes());
    for input in inputs {
        // Length-prefixed, so that inputs cannot run into one another.
        hash.update((input.len() as u64).to_be_bytes());
        hash.update(input.as_bytes());
    }
    hash.finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;

    #[test]
    fn parts_split_on_characters_in_order() {
        assert!(parts("", 4).is_empty());
        assert_eq!(parts("abcdéfghi", 4), ["abcd", "éfgh", "i"]);
        let long = "ü".repeat(2 * MAX_MESSAGE_CHARS + 1);
        let split = parts(&long, MAX_MESSAGE_CHARS);
        assert_eq!(split.len(), 3);
        assert!(
            split
                .iter()
                .all(|part| part.chars().count() <= MAX_MESSAGE_CHARS)
        );
        assert_eq!(split.concat(), long);
    }

    #[test]
    fn transcript_lines_are_marked_and_fit_one_message() {
        let entry = |speaker, text: &str| TranscriptEntry {
            speaker,
            text: text.to_owned(),
            at: SystemTime::UNIX_EPOCH,
        };
        let long = "x".repeat(MAX_MESSAGE_CHARS);
        let messages = transcript_messages(&[
            entry(Speaker::Customer, "I want a refund"),
            entry(Speaker::Bot, " "),
            entry(Speaker::Bot, &long),
        ]);
        assert_eq!(messages[0], "[Bot transcript] Customer: I want a refund");
        assert_eq!(messages.len(), 3);
        assert!(
            messages[1..]
                .iter()
                .all(|m| m.starts_with("[Bot transcript] Bot: "))
        );
        assert!(
            messages
                .iter()
                .all(|m| m.chars().count() <= MAX_MESSAGE_CHARS)
        );
    }

    #[test]
    fn tokens_are_stable_and_differ_with_any_input() {
        let token = client_token("message", &["key", "1", "hi"]);
        assert_eq!(token, client_token("message", &["key", "1", "hi"]));
        assert_eq!(token.len(), 64);
        assert_ne!(token, client_token("message", &["key", "2", "hi"]));
        assert_ne!(token, client_token("start", &["key", "1", "hi"]));
        assert_ne!(
            client_token("p", &["ab", "c"]),
            client_token("p", &["a", "bc"])
        );
    }
}
