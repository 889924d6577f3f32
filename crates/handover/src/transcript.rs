//! The bot conversation before the handover, recorded turn by turn by the Lex dialog code hook
//! and kept per Lex session, so the agent sees what the customer already told the bot.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::conversation::UnknownName;
use crate::store::lifetime::expiry;

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

/// One Lex turn as the code hook sees it.
///
/// Lex V2 gives a code hook no per-turn id (`originatingRequestId` names the session's first
/// request), so a turn is known by what the client sent: `request` identifies the text and the
/// session attributes, which are the same for both code hook invocations of one turn (dialog,
/// then fulfillment) and for a client's resend of it. The identifiers are opaque to the store,
/// which only compares them.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Turn {
    /// Identifies what the client sent for this turn.
    pub request: String,
    /// The intent Lex recognised.
    pub intent: String,
    /// What the customer typed or said.
    pub customer_text: Option<String>,
    /// Identifies the customer's text, as [`PreviousExchange::utterance`] of the next turn
    /// will if the client reports it faithfully.
    pub utterance: Option<String>,
    /// The client's account of the exchange before this turn, where it sends one (the Lex
    /// Web UI's `previousUtterance` and `previousLexResponse`).
    pub previous_exchange: Option<PreviousExchange>,
    /// The customer detail (a slot name) the code hook wants to ask for on this turn; counted
    /// in [`Transcript::prompts`].
    pub prompt: Option<String>,
}

/// The client's account of the previous exchange: what it says the customer said, and what
/// the bot answered.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PreviousExchange {
    /// Identifies the customer's text the client reports, comparable with [`Turn::utterance`].
    pub utterance: String,
    /// Identifies the whole account as the client sent it.
    pub fingerprint: String,
    /// The bot's reply, if the client reports one.
    pub bot_reply: Option<String>,
}

/// What the transcript remembers of the last turn it recorded.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LastTurn {
    /// [`Turn::request`]: an invocation with the same request is the same turn.
    pub request: String,
    /// [`Turn::utterance`].
    pub utterance: Option<String>,
    /// [`PreviousExchange::fingerprint`] of the account sent with the turn.
    pub previous_exchange: Option<String>,
    /// The turn handed the customer over; a reply to it is never recorded.
    pub escalated: bool,
}

/// An escalation the code hook started: the `ordinal`-th of the session, asked for by the
/// turn identified by `request`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escalation {
    /// 1 for the session's first escalation, 2 for the next, and so on.
    pub ordinal: u32,
    /// [`Turn::request`] of the escalating turn.
    pub request: String,
}

/// Lines kept per session unless configured.
pub const DEFAULT_MAX_ENTRIES: usize = 40;

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
            max_entries: DEFAULT_MAX_ENTRIES,
            max_entry_chars: 1024,
            max_intents: 20,
        }
    }
}

/// A Lex session's recorded history since its last escalation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transcript {
    /// The Lex session.
    pub lex_session_id: String,
    /// The lines since the last escalation, oldest first.
    pub entries: Vec<TranscriptEntry>,
    /// The intents recognised since the last escalation, oldest first, without consecutive
    /// repeats.
    pub intents: Vec<String>,
    /// The last recorded turn.
    pub last_turn: Option<LastTurn>,
    /// How often each customer detail (by slot name) was asked for since the last escalation.
    pub prompts: BTreeMap<String, u32>,
    /// How many escalations the session has started.
    pub escalations: u32,
    /// [`Escalation::request`] of the last one.
    pub last_escalation: Option<String>,
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
    pub fn empty(lex_session_id: &str) -> Self {
        Self {
            lex_session_id: lex_session_id.to_owned(),
            entries: Vec::new(),
            intents: Vec::new(),
            last_turn: None,
            prompts: BTreeMap::new(),
            escalations: 0,
            last_escalation: None,
            updated_at: UNIX_EPOCH,
            expires_at: UNIX_EPOCH,
            version: 0,
        }
    }

    /// How often `slot` was asked for since the last escalation.
    pub fn prompts_for(&self, slot: &str) -> u32 {
        self.prompts.get(slot).copied().unwrap_or(0)
    }

    /// The transcript after `turn` at `now`, applied by both backends in the same way, or
    /// `None` when `turn` is the last recorded one again (its second code hook invocation,
    /// or a client's resend), which changes nothing.
    pub fn record(
        &self,
        turn: &Turn,
        now: SystemTime,
        lifetime: Duration,
        limits: TranscriptLimits,
    ) -> Option<Self> {
        if self
            .last_turn
            .as_ref()
            .is_some_and(|last| last.request == turn.request)
        {
            return None;
        }
        // Stored times have millisecond precision; cutting here makes both backends agree.
        let at = whole_millis(now);
        let mut next = self.clone();
        // The bot's reply answered the previous turn, so it comes before the customer's text.
        let lines = [
            (Speaker::Bot, self.reply_to_last_turn(turn)),
            (Speaker::Customer, turn.customer_text.as_deref()),
        ];
        for (speaker, text) in lines {
            if let Some(text) = text.filter(|text| !text.trim().is_empty()) {
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
        if let Some(slot) = &turn.prompt {
            *next.prompts.entry(slot.clone()).or_default() += 1;
        }
        next.last_turn = Some(LastTurn {
            request: turn.request.clone(),
            utterance: turn.utterance.clone(),
            previous_exchange: turn
                .previous_exchange
                .as_ref()
                .map(|exchange| exchange.fingerprint.clone()),
            escalated: false,
        });
        Some(next.stamped(now, lifetime))
    }

    /// The bot's reply to the last recorded turn, as `turn`'s client reports it, if the
    /// report is about that turn: it names the same utterance, and it changed since the last
    /// turn (a client that did not update its account, as the Lex Web UI does on the turn
    /// that escalates, repeats the one before). A reply to an escalating turn is never shown
    /// to the customer, so it is never taken.
    fn reply_to_last_turn<'t>(&self, turn: &'t Turn) -> Option<&'t str> {
        let last = self.last_turn.as_ref()?;
        let exchange = turn.previous_exchange.as_ref()?;
        let about_last_turn = !last.escalated
            && last.utterance.as_deref() == Some(exchange.utterance.as_str())
            && last.previous_exchange.as_deref() != Some(exchange.fingerprint.as_str());
        about_last_turn
            .then_some(exchange.bot_reply.as_deref())
            .flatten()
    }

    /// The transcript after `escalation` started at `now`: its lines, intents and prompts are
    /// handed over, so the next escalation gets only what follows. `None` when this escalation
    /// (or a later one) is recorded already.
    pub fn escalate(
        &self,
        escalation: &Escalation,
        now: SystemTime,
        lifetime: Duration,
    ) -> Option<Self> {
        if self.escalations >= escalation.ordinal {
            return None;
        }
        let mut next = self.clone();
        next.entries.clear();
        next.intents.clear();
        next.prompts.clear();
        next.escalations = escalation.ordinal;
        next.last_escalation = Some(escalation.request.clone());
        if let Some(last) = next
            .last_turn
            .as_mut()
            .filter(|last| last.request == escalation.request)
        {
            last.escalated = true;
        }
        Some(next.stamped(now, lifetime))
    }

    /// Marks a change written at `now`.
    fn stamped(mut self, now: SystemTime, lifetime: Duration) -> Self {
        self.updated_at = whole_millis(now);
        // From the exact time, so that rounding never makes the transcript expire early.
        self.expires_at = expiry(now, lifetime);
        self.version += 1;
        self
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

    /// A turn whose request and utterance are identified by the text itself.
    fn turn(intent: &str, customer: &str) -> Turn {
        Turn {
            request: format!("request:{customer}"),
            intent: intent.to_owned(),
            customer_text: Some(customer.to_owned()),
            utterance: Some(customer.to_owned()),
            previous_exchange: None,
            prompt: None,
        }
    }

    /// `turn`, whose client reports that the bot answered `reply` to `utterance`.
    fn after(turn: Turn, utterance: &str, reply: &str) -> Turn {
        Turn {
            request: format!("{}|{utterance}|{reply}", turn.request),
            previous_exchange: Some(PreviousExchange {
                utterance: utterance.to_owned(),
                fingerprint: format!("{utterance}|{reply}"),
                bot_reply: Some(reply.to_owned()),
            }),
            ..turn
        }
    }

    fn said(transcript: &Transcript) -> Vec<(Speaker, &str)> {
        transcript
            .entries
            .iter()
            .map(|entry| (entry.speaker, entry.text.as_str()))
            .collect()
    }

    /// Records `turns` one after another, a second apart, on `transcript`.
    fn record_all(transcript: Transcript, turns: &[Turn], limits: TranscriptLimits) -> Transcript {
        turns
            .iter()
            .zip(1..)
            .fold(transcript, |transcript, (turn, second)| {
                transcript
                    .record(turn, at_millis(second * 1_000), LIFETIME, limits)
                    .expect("every turn is new")
            })
    }

    fn fresh(turns: &[Turn]) -> Transcript {
        record_all(Transcript::empty("s1"), turns, TranscriptLimits::default())
    }

    #[test]
    fn a_turn_records_the_reply_to_the_last_turn_then_the_text_and_stamps_the_write() {
        let first = fresh(&[turn("Greeting", "hello")]);
        // 1.5 µs past the millisecond: times keep the millisecond, the expiry rounds up.
        let now = at_millis(1_800_000_000_250) + Duration::from_nanos(1_500);
        let second = after(turn("Agent", "I need a person"), "hello", "How can I help?");
        let next = first
            .record(&second, now, LIFETIME, TranscriptLimits::default())
            .unwrap();
        assert_eq!(
            said(&next),
            vec![
                (Speaker::Customer, "hello"),
                (Speaker::Bot, "How can I help?"),
                (Speaker::Customer, "I need a person")
            ]
        );
        assert_eq!(next.entries[2].at, at_millis(1_800_000_000_250));
        assert_eq!(next.intents, vec!["Greeting", "Agent"]);
        let last = next.last_turn.as_ref().unwrap();
        assert_eq!(last.request, second.request);
        assert_eq!(last.utterance.as_deref(), Some("I need a person"));
        assert_eq!(
            last.previous_exchange.as_deref(),
            Some("hello|How can I help?")
        );
        assert!(!last.escalated);
        assert_eq!(next.updated_at, at_millis(1_800_000_000_250));
        assert_eq!(next.expires_at, at_millis(1_800_000_001_000) + LIFETIME);
        assert_eq!(next.version, 2);
        assert_eq!(next.lex_session_id, "s1");
    }

    #[test]
    fn every_turn_is_recorded_in_order_however_alike() {
        let limits = TranscriptLimits::default();
        let turns = [
            turn("A", "yes"),
            after(turn("A", "yes"), "yes", "Sure?"),
            after(turn("A", "yes"), "yes", "Really sure?"),
        ];
        let next = record_all(Transcript::empty("s1"), &turns, limits);
        assert_eq!(
            said(&next),
            vec![
                (Speaker::Customer, "yes"),
                (Speaker::Bot, "Sure?"),
                (Speaker::Customer, "yes"),
                (Speaker::Bot, "Really sure?"),
                (Speaker::Customer, "yes"),
            ]
        );
        assert_eq!(next.version, 3);
    }

    #[test]
    fn the_same_request_again_changes_nothing() {
        let limits = TranscriptLimits::default();
        let hello = turn("A", "hi");
        let first = fresh(std::slice::from_ref(&hello));
        // Its fulfillment invocation, or a resend: the prompt is not counted twice either.
        let again = Turn {
            prompt: Some("Subject".into()),
            ..hello
        };
        assert_eq!(
            first.record(&again, at_millis(9_000), LIFETIME, limits),
            None
        );
    }

    #[test]
    fn a_stale_account_of_the_previous_exchange_gives_no_bot_line() {
        let limits = TranscriptLimits::default();
        let before = fresh(&[
            turn("A", "order"),
            after(turn("A", "late"), "order", "Which order?"),
        ]);
        // The client reports the exchange before the last one: not about the last turn.
        let stale = after(turn("B", "hello"), "order", "Which order?");
        let next = before
            .record(&stale, at_millis(9_000), LIFETIME, limits)
            .unwrap();
        assert_eq!(said(&next).last(), Some(&(Speaker::Customer, "hello")));
        assert_eq!(said(&next).len(), 4, "no bot line was added");

        // The same utterance twice, but the client did not update its account.
        let repeated = fresh(&[
            turn("A", "agent"),
            after(turn("A", "agent"), "agent", "Your name?"),
        ]);
        let unchanged = Turn {
            request: "another request".into(),
            ..after(turn("B", "hi"), "agent", "Your name?")
        };
        let next = repeated
            .record(&unchanged, at_millis(9_000), LIFETIME, limits)
            .unwrap();
        assert_eq!(
            said(&next),
            vec![
                (Speaker::Customer, "agent"),
                (Speaker::Bot, "Your name?"),
                (Speaker::Customer, "agent"),
                (Speaker::Customer, "hi"),
            ]
        );
    }

    #[test]
    fn a_reply_to_a_turn_that_was_not_recorded_is_left_out() {
        // "it is late" was never recorded (the store failed on that turn); the client reports
        // the bot's reply to it, which must not be put after "order".
        let before = fresh(&[turn("A", "order")]);
        let next = after(turn("B", "thanks"), "it is late", "Sorry about that.");
        let next = before
            .record(
                &next,
                at_millis(9_000),
                LIFETIME,
                TranscriptLimits::default(),
            )
            .unwrap();
        assert_eq!(
            said(&next),
            vec![(Speaker::Customer, "order"), (Speaker::Customer, "thanks")]
        );
    }

    #[test]
    fn without_a_previous_turn_or_an_account_there_is_no_bot_line() {
        let orphan = fresh(&[after(turn("A", "hi"), "earlier", "Hello!")]);
        assert_eq!(said(&orphan), vec![(Speaker::Customer, "hi")]);
        let silent = fresh(&[turn("A", "one"), turn("A", "two")]);
        assert_eq!(
            said(&silent),
            vec![(Speaker::Customer, "one"), (Speaker::Customer, "two")]
        );
    }

    #[test]
    fn an_escalation_hands_over_the_lines_and_remembers_its_turn() {
        let limits = TranscriptLimits::default();
        let subject = after(turn("Agent", "billing"), "Sam", "What about?");
        let before = fresh(&[
            Turn {
                prompt: Some("CustomerName".into()),
                ..turn("Agent", "agent")
            },
            after(turn("Agent", "Sam"), "agent", "Your name?"),
            subject.clone(),
        ]);
        assert_eq!(before.prompts_for("CustomerName"), 1);
        let escalation = Escalation {
            ordinal: 1,
            request: subject.request.clone(),
        };
        let escalated = before
            .escalate(&escalation, at_millis(9_000), LIFETIME)
            .unwrap();
        assert!(escalated.entries.is_empty());
        assert!(escalated.intents.is_empty());
        assert_eq!(escalated.prompts_for("CustomerName"), 0);
        assert_eq!(escalated.escalations, 1);
        assert_eq!(
            escalated.last_escalation.as_deref(),
            Some(subject.request.as_str())
        );
        assert!(escalated.last_turn.as_ref().unwrap().escalated);
        assert_eq!(escalated.version, before.version + 1);
        assert_eq!(
            escalated.escalate(&escalation, at_millis(9_500), LIFETIME),
            None,
            "an escalation is recorded once"
        );

        // The escalating turn resent: still the same turn.
        assert_eq!(
            escalated.record(&subject, at_millis(9_600), LIFETIME, limits),
            None
        );
        // The client's account after a live chat is at best about the escalating turn, whose
        // reply the customer never saw.
        let back = after(
            turn("Order", "where is my order"),
            "billing",
            "Connecting you",
        );
        let next = escalated
            .record(&back, at_millis(10_000), LIFETIME, limits)
            .unwrap();
        assert_eq!(said(&next), vec![(Speaker::Customer, "where is my order")]);
        assert_eq!(next.intents, vec!["Order"]);
        assert_eq!(next.escalations, 1);
    }

    #[test]
    fn an_escalation_of_another_turn_leaves_the_last_turn_open() {
        let before = fresh(&[turn("A", "one"), turn("A", "two")]);
        let escalation = Escalation {
            ordinal: 1,
            request: "request:one".into(),
        };
        let escalated = before
            .escalate(&escalation, at_millis(9_000), LIFETIME)
            .unwrap();
        assert!(!escalated.last_turn.unwrap().escalated);
    }

    #[test]
    fn prompts_are_counted_per_slot() {
        let asking = |slot: &str, text: &str| Turn {
            prompt: Some(slot.to_owned()),
            ..turn("Agent", text)
        };
        let next = fresh(&[
            asking("CustomerName", "agent"),
            asking("CustomerName", "?"),
            asking("Subject", "Sam"),
        ]);
        assert_eq!(next.prompts_for("CustomerName"), 2);
        assert_eq!(next.prompts_for("Subject"), 1);
        assert_eq!(next.prompts_for("Other"), 0);
    }

    #[test]
    fn long_lines_are_cut_on_a_character_boundary() {
        let limits = TranscriptLimits {
            max_entry_chars: 4,
            ..TranscriptLimits::default()
        };
        // "é" is two bytes and "😀" four, so a byte cut at 4 would split a character.
        let turns = [
            turn("I", "go"),
            after(turn("I", "a😀😀😀😀b"), "go", "héllo"),
        ];
        let next = record_all(Transcript::empty("s1"), &turns, limits);
        assert_eq!(
            said(&next),
            vec![
                (Speaker::Customer, "go"),
                (Speaker::Bot, "héll"),
                (Speaker::Customer, "a😀😀😀")
            ]
        );
    }

    #[test]
    fn only_the_latest_lines_and_intents_are_kept() {
        let limits = TranscriptLimits {
            max_entries: 3,
            max_entry_chars: 100,
            max_intents: 2,
        };
        let turns = [
            turn("A", "c1"),
            after(turn("B", "c2"), "c1", "b1"),
            turn("C", "c3"),
        ];
        let next = record_all(Transcript::empty("s1"), &turns, limits);
        assert_eq!(
            said(&next),
            vec![
                (Speaker::Bot, "b1"),
                (Speaker::Customer, "c2"),
                (Speaker::Customer, "c3")
            ]
        );
        assert_eq!(next.intents, vec!["B", "C"]);
        assert_eq!(next.version, 3);
    }

    #[test]
    fn an_intent_is_recorded_once_per_run() {
        let turns: Vec<_> = ["A", "A", "B", "A", "A"]
            .iter()
            .enumerate()
            .map(|(i, intent)| turn(intent, &format!("hi {i}")))
            .collect();
        let next = fresh(&turns);
        assert_eq!(next.intents, vec!["A", "B", "A"]);
        assert_eq!(next.entries.len(), 5);
    }

    #[test]
    fn blank_lines_are_skipped_but_the_turn_still_counts() {
        let blank = Turn {
            customer_text: Some(" \n\t".into()),
            ..turn("A", "")
        };
        let next = fresh(std::slice::from_ref(&blank));
        assert!(next.entries.is_empty());
        assert_eq!(next.intents, vec!["A"]);
        assert_eq!(next.last_turn.unwrap().request, blank.request);
        let blank_intent = fresh(&[turn(" ", "hi")]);
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
