//! The bot conversation before the handover, recorded turn by turn by the Lex dialog code hook
//! and kept per Lex session, so the agent sees what the customer already told the bot.

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::lifetime::expiry;
use crate::model::UnknownName;

/// Who said a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Speaker {
    /// The customer.
    Customer,
    /// The bot.
    Bot,
}

impl Speaker {
    /// The stored name: `customer` or `bot`.
    pub fn as_str(self) -> &'static str {
        match self {
            Speaker::Customer => "customer",
            Speaker::Bot => "bot",
        }
    }
}

impl FromStr for Speaker {
    type Err = UnknownName;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "customer" => Ok(Speaker::Customer),
            "bot" => Ok(Speaker::Bot),
            other => Err(UnknownName(format!("speaker {other:?}"))),
        }
    }
}

/// One line of the transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptEntry {
    /// Who said it.
    pub speaker: Speaker,
    /// What was said, cut to [`TranscriptLimits::max_entry_chars`].
    pub text: String,
    /// When it was recorded (millisecond precision).
    pub at: SystemTime,
}

/// One Lex turn as the dialog code hook sees it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Turn {
    /// Lex's id for the request (`originatingRequestId`), so that a retried invocation of the
    /// same turn is recorded once.
    pub request_id: Option<String>,
    /// The intent Lex recognised.
    pub intent: String,
    /// The bot's reply to the previous turn, where the client passes it back
    /// (the Lex Web UI's `previousLexResponse`).
    pub bot_reply: Option<String>,
    /// What the customer typed or said.
    pub customer_text: Option<String>,
}

/// How much of a session's history is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TranscriptLimits {
    /// Lines kept, the most recent ones.
    pub max_entries: usize,
    /// Characters kept of each line.
    pub max_entry_chars: usize,
    /// Intent names kept, the most recent ones.
    pub max_intents: usize,
}

impl Default for TranscriptLimits {
    fn default() -> Self {
        Self {
            max_entries: 40,
            max_entry_chars: 1024,
            max_intents: 20,
        }
    }
}

/// A Lex session's recorded history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transcript {
    /// The Lex session.
    pub lex_session_id: String,
    /// The lines, oldest first.
    pub entries: Vec<TranscriptEntry>,
    /// The intents recognised, oldest first, without consecutive repeats.
    pub intents: Vec<String>,
    /// The request id of the last recorded turn.
    pub last_request_id: Option<String>,
    /// When the transcript last changed (millisecond precision).
    pub updated_at: SystemTime,
    /// When it may be deleted (whole seconds).
    pub expires_at: SystemTime,
    /// Incremented on every change; writes are conditional on it.
    pub version: u64,
}

impl Transcript {
    /// A session's transcript before its first turn: nothing recorded, never written
    /// (version 0).
    pub(crate) fn empty(lex_session_id: &str) -> Self {
        Self {
            lex_session_id: lex_session_id.to_owned(),
            entries: Vec::new(),
            intents: Vec::new(),
            last_request_id: None,
            updated_at: UNIX_EPOCH,
            expires_at: UNIX_EPOCH,
            version: 0,
        }
    }

    /// The transcript after `turn` at `now`, applied by both backends in the same way, or
    /// `None` when `turn` repeats the last recorded request (a retried invocation), which
    /// changes nothing.
    pub(crate) fn record(
        &self,
        turn: &Turn,
        now: SystemTime,
        lifetime: Duration,
        limits: TranscriptLimits,
    ) -> Option<Self> {
        if turn.request_id.is_some() && turn.request_id == self.last_request_id {
            return None;
        }
        // Stored times have millisecond precision; cutting here makes both backends agree.
        let at = whole_millis(now);
        let mut next = self.clone();
        // The bot's reply answered the previous turn, so it comes before the customer's text.
        let lines = [
            (Speaker::Bot, &turn.bot_reply),
            (Speaker::Customer, &turn.customer_text),
        ];
        for (speaker, text) in lines {
            if let Some(text) = text.as_deref().filter(|text| !text.trim().is_empty()) {
                next.entries.push(TranscriptEntry {
                    speaker,
                    text: cut(text, limits.max_entry_chars),
                    at,
                });
            }
        }
        keep_last(&mut next.entries, limits.max_entries);
        if !turn.intent.trim().is_empty() && next.intents.last() != Some(&turn.intent) {
            next.intents.push(turn.intent.clone());
        }
        keep_last(&mut next.intents, limits.max_intents);
        next.last_request_id = turn.request_id.clone();
        next.updated_at = at;
        // From the exact time, so that rounding never makes the transcript expire early.
        next.expires_at = expiry(now, lifetime);
        next.version += 1;
        Some(next)
    }
}

/// The first `max_chars` characters of `text`.
fn cut(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => text[..end].to_owned(),
        None => text.to_owned(),
    }
}

/// Drops the oldest items beyond `max`.
fn keep_last<T>(items: &mut Vec<T>, max: usize) {
    let excess = items.len().saturating_sub(max);
    items.drain(..excess);
}

/// `at` without its fraction of a millisecond.
fn whole_millis(at: SystemTime) -> SystemTime {
    let since_epoch = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    UNIX_EPOCH
        + Duration::new(
            since_epoch.as_secs(),
            since_epoch.subsec_millis() * 1_000_000,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIFETIME: Duration = Duration::from_secs(3_600);

    fn at_millis(millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(millis)
    }

    fn turn(request_id: &str, intent: &str, bot: Option<&str>, customer: Option<&str>) -> Turn {
        Turn {
            request_id: Some(request_id.to_owned()),
            intent: intent.to_owned(),
            bot_reply: bot.map(str::to_owned),
            customer_text: customer.map(str::to_owned),
        }
    }

    fn said(transcript: &Transcript) -> Vec<(Speaker, &str)> {
        transcript
            .entries
            .iter()
            .map(|entry| (entry.speaker, entry.text.as_str()))
            .collect()
    }

    /// Records `turns` one after another, a second apart, on a fresh transcript.
    fn record_all(turns: &[Turn], limits: TranscriptLimits) -> Transcript {
        turns
            .iter()
            .zip(1..)
            .fold(Transcript::empty("s1"), |transcript, (turn, second)| {
                transcript
                    .record(turn, at_millis(second * 1_000), LIFETIME, limits)
                    .expect("every turn is new")
            })
    }

    #[test]
    fn a_turn_records_the_reply_then_the_text_and_stamps_the_write() {
        // 1.5 µs past the millisecond: times keep the millisecond, the expiry rounds up.
        let now = at_millis(1_800_000_000_250) + Duration::from_nanos(1_500);
        let hello = turn(
            "r1",
            "Greeting",
            Some("How can I help?"),
            Some("I need a person"),
        );
        let next = Transcript::empty("s1")
            .record(&hello, now, LIFETIME, TranscriptLimits::default())
            .unwrap();
        assert_eq!(
            said(&next),
            vec![
                (Speaker::Bot, "How can I help?"),
                (Speaker::Customer, "I need a person")
            ]
        );
        assert!(
            next.entries
                .iter()
                .all(|e| e.at == at_millis(1_800_000_000_250))
        );
        assert_eq!(next.intents, vec!["Greeting".to_owned()]);
        assert_eq!(next.last_request_id.as_deref(), Some("r1"));
        assert_eq!(next.updated_at, at_millis(1_800_000_000_250));
        assert_eq!(next.expires_at, at_millis(1_800_000_001_000) + LIFETIME);
        assert_eq!(next.version, 1);
        assert_eq!(next.lex_session_id, "s1");
    }

    #[test]
    fn long_lines_are_cut_on_a_character_boundary() {
        let limits = TranscriptLimits {
            max_entry_chars: 4,
            ..TranscriptLimits::default()
        };
        // "é" is two bytes and "😀" four, so a byte cut at 4 would split a character.
        let next = record_all(
            &[turn("r1", "I", Some("héllo"), Some("a😀😀😀😀b"))],
            limits,
        );
        assert_eq!(
            said(&next),
            vec![(Speaker::Bot, "héll"), (Speaker::Customer, "a😀😀😀")]
        );
        let short = record_all(&[turn("r1", "I", None, Some("né"))], limits);
        assert_eq!(said(&short), vec![(Speaker::Customer, "né")]);
    }

    #[test]
    fn only_the_latest_lines_and_intents_are_kept() {
        let limits = TranscriptLimits {
            max_entries: 3,
            max_entry_chars: 100,
            max_intents: 2,
        };
        let next = record_all(
            &[
                turn("r1", "A", Some("b1"), Some("c1")),
                turn("r2", "B", Some("b2"), Some("c2")),
                turn("r3", "C", None, Some("c3")),
            ],
            limits,
        );
        assert_eq!(
            said(&next),
            vec![
                (Speaker::Bot, "b2"),
                (Speaker::Customer, "c2"),
                (Speaker::Customer, "c3")
            ]
        );
        assert_eq!(next.intents, vec!["B".to_owned(), "C".to_owned()]);
        assert_eq!(next.version, 3);
    }

    #[test]
    fn an_intent_is_recorded_once_per_run() {
        let intents = ["A", "A", "B", "A", "A"];
        let turns: Vec<_> = intents
            .iter()
            .enumerate()
            .map(|(i, intent)| turn(&format!("r{i}"), intent, None, Some("hi")))
            .collect();
        let next = record_all(&turns, TranscriptLimits::default());
        assert_eq!(next.intents, vec!["A", "B", "A"]);
        assert_eq!(next.entries.len(), 5);
    }

    #[test]
    fn a_retried_request_changes_nothing() {
        let limits = TranscriptLimits::default();
        let first = record_all(&[turn("r1", "A", None, Some("hi"))], limits);
        let retried = turn("r1", "B", Some("again"), Some("hi again"));
        assert_eq!(
            first.record(&retried, at_millis(9_000), LIFETIME, limits),
            None
        );

        // Without a request id a turn cannot be told from a retry, so each one counts.
        let anonymous = Turn {
            request_id: None,
            ..retried
        };
        let once = first
            .record(&anonymous, at_millis(9_000), LIFETIME, limits)
            .unwrap();
        let twice = once
            .record(&anonymous, at_millis(9_500), LIFETIME, limits)
            .unwrap();
        assert_eq!(twice.entries.len(), 5);
        assert_eq!(twice.version, 3);
    }

    #[test]
    fn blank_lines_are_skipped_but_the_turn_still_counts() {
        let next = record_all(
            &[turn("r1", "A", Some(" \n\t"), Some(""))],
            TranscriptLimits::default(),
        );
        assert!(next.entries.is_empty());
        assert_eq!(next.intents, vec!["A"]);
        assert_eq!(next.last_request_id.as_deref(), Some("r1"));
        assert_eq!(next.version, 1);
        let blank_intent = record_all(
            &[turn("r1", " ", None, Some("hi"))],
            TranscriptLimits::default(),
        );
        assert!(blank_intent.intents.is_empty());
    }

    #[test]
    fn speaker_names_round_trip() {
        for speaker in [Speaker::Customer, Speaker::Bot] {
            assert_eq!(speaker.as_str().parse(), Ok(speaker));
        }
        assert!("agent".parse::<Speaker>().is_err());
    }
}
