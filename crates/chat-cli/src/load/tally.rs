//! The tally: every message sent matched to its arrivals by its id, each way, and the report.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::{Duration, SystemTime};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::conversation::Outcome;
use super::watcher::Shown;
use super::{LoadConfig, MessageIds, Side, stack};

/// One direction's counts and latencies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Direction {
    /// Messages sent.
    pub sent: usize,
    /// Messages sent that arrived in their conversation, once or more.
    pub delivered: usize,
    /// Messages sent that never arrived in their conversation.
    pub lost: usize,
    /// Arrivals beyond the first of a message.
    pub duplicated: usize,
    /// Arrivals in another conversation than the message's own.
    pub misrouted: usize,
    /// Messages the stack refused to take (counted as lost too).
    pub refused: usize,
    /// The first arrival's latency of each message delivered.
    pub latencies: Latencies,
}

/// Durations, shortest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Latencies(Vec<Duration>);

impl Latencies {
    fn new(mut durations: Vec<Duration>) -> Self {
        durations.sort_unstable();
        Self(durations)
    }

    /// The duration `percent` of them are at most (nearest rank).
    pub fn percentile(&self, percent: f64) -> Option<Duration> {
        let rank = (percent / 100.0 * self.0.len() as f64).ceil() as usize;
        self.0.get(rank.max(1) - 1).copied()
    }
}

impl fmt::Display for Latencies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = |percent| {
            self.percentile(percent).map_or_else(
                || "-".to_owned(),
                |latency| format!("{:.1} ms", latency.as_secs_f64() * 1000.0),
            )
        };
        write!(
            f,
            "p50 {}, p95 {}, p99 {}, max {}",
            millis(50.0),
            millis(95.0),
            millis(99.0),
            millis(100.0)
        )
    }
}

impl Direction {
    fn is_clean(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.misrouted == 0
    }
}

/// A process's peaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StackPeaks {
    /// The process.
    pub pid: u32,
    /// Its peak resident memory (`VmHWM`), in KiB.
    pub memory_kib: Option<u64>,
    /// The most file descriptors it was seen holding open.
    pub open_files: Option<usize>,
    /// The CPU time it used, by the end.
    pub cpu: Option<Duration>,
}

/// What the load test found.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadReport {
    /// The run's id, in every subject and message.
    pub run_id: String,
    /// The contact center the stack handed over to.
    pub contact_center: String,
    /// Conversations started.
    pub conversations: usize,
    /// Messages each side wrote in each.
    pub messages: usize,
    /// New conversations per second; `None`: all at once.
    pub pace: Option<f64>,
    /// Conversations that ran through to their end.
    pub completed: usize,
    /// Conversations the customer ended.
    pub ended_by_customer: usize,
    /// Conversations the agent ended.
    pub ended_by_agent: usize,
    /// Conversations that stopped early, by the step that failed: how many, and the first
    /// reason.
    pub failures: BTreeMap<&'static str, (usize, String)>,
    /// How long the bot took to hand over (three turns), for each conversation it did.
    pub hand_overs: Latencies,
    /// The customer's messages, to the contact center's console.
    pub customer_to_agent: Direction,
    /// The agent's messages, to the customer's WebSocket.
    pub agent_to_customer: Direction,
    /// The customer's own messages that came back on their WebSocket.
    pub echoes: usize,
    /// Why the console could not be read at the end, when it could not (nothing the customer
    /// sent is counted then).
    pub console_error: Option<String>,
    /// The stack's peaks, when its process was given.
    pub stack: Option<StackPeaks>,
    /// The most live chats open at once.
    pub peak_live_chats: usize,
    /// This process's own peak memory, in KiB.
    pub client_memory_kib: Option<u64>,
    /// This process's own CPU time.
    pub client_cpu: Option<Duration>,
    /// How long the whole run took.
    pub elapsed: Duration,
}

impl LoadReport {
    /// Nothing lost, duplicated, misrouted or echoed, and every conversation ran through.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
            && self.console_error.is_none()
            && self.echoes == 0
            && self.customer_to_agent.is_clean()
            && self.agent_to_customer.is_clean()
    }
}

/// The sent messages of one direction, keyed by (conversation, index), and their arrivals.
struct Matcher<S> {
    sent: HashMap<(usize, usize), S>,
    arrivals: HashMap<(usize, usize), usize>,
    latencies: Vec<Duration>,
    misrouted: usize,
}

impl<S> Matcher<S> {
    fn new() -> Self {
        Self {
            sent: HashMap::new(),
            arrivals: HashMap::new(),
            latencies: Vec::new(),
            misrouted: 0,
        }
    }

    /// A message arrived; its latency, from what was noted when it was sent, if it is the
    /// first arrival of a message sent.
    fn arrived(&mut self, key: (usize, usize), latency: impl FnOnce(&S) -> Duration) {
        let count = self.arrivals.entry(key).or_default();
        *count += 1;
        if *count == 1
            && let Some(sent) = self.sent.get(&key)
        {
            self.latencies.push(latency(sent));
        }
    }

    fn direction(self, refused: usize) -> Direction {
        let delivered = self
            .sent
            .keys()
            .filter(|key| self.arrivals.contains_key(key))
            .count();
        Direction {
            sent: self.sent.len(),
            delivered,
            lost: self.sent.len() - delivered,
            duplicated: self.arrivals.values().map(|count| count - 1).sum(),
            misrouted: self.misrouted,
            refused,
            latencies: Latencies::new(self.latencies),
        }
    }
}

/// Matches what each conversation sent to what arrived.
pub(super) fn report(
    config: &LoadConfig,
    ids: &MessageIds,
    outcomes: &[Outcome],
    peak_live_chats: usize,
    shown: Result<Shown, String>,
    stack: Option<StackPeaks>,
    elapsed: Duration,
) -> LoadReport {
    let mut failures = BTreeMap::new();
    for (stage, why) in outcomes
        .iter()
        .filter_map(|outcome| outcome.failure.as_ref())
    {
        let entry = failures.entry(*stage).or_insert_with(|| (0, why.clone()));
        entry.0 += 1;
    }
    let ended_by = |side| {
        let count = outcomes.iter().filter(|o| o.ended_by == Some(side));
        count.count()
    };
    let (agent_to_customer, echoes) = agent_to_customer(outcomes);
    let (customer_to_agent, console_error) = match shown {
        Ok(shown) => (customer_to_agent(outcomes, ids, &shown), None),
        Err(why) => (Direction::default(), Some(why)),
    };
    LoadReport {
        run_id: ids.run_id.clone(),
        contact_center: config.contact_center.clone(),
        conversations: config.conversations,
        messages: config.messages,
        pace: config.pace,
        completed: outcomes.iter().filter(|o| o.failure.is_none()).count(),
        ended_by_customer: ended_by(Side::Customer),
        ended_by_agent: ended_by(Side::Agent),
        failures,
        hand_overs: Latencies::new(outcomes.iter().filter_map(|o| o.hand_over).collect()),
        customer_to_agent,
        agent_to_customer,
        echoes,
        console_error,
        stack,
        peak_live_chats,
        client_memory_kib: stack::status_kib("self", "VmHWM"),
        client_cpu: stack::cpu_time("self"),
        elapsed,
    }
}

/// The customer's messages against what the console lists in each conversation.
fn customer_to_agent(outcomes: &[Outcome], ids: &MessageIds, shown: &Shown) -> Direction {
    let mut matcher = Matcher::new();
    for outcome in outcomes {
        for &(index, at) in &outcome.customer_sent {
            matcher.sent.insert((outcome.number, index), at);
        }
    }
    for outcome in outcomes {
        let Some(view) = shown.get(&ids.subject(outcome.number)) else {
            continue;
        };
        for (text, at) in &view.customer_messages {
            let Some(id) = ids.parse(text) else { continue };
            if id.conversation != outcome.number {
                matcher.misrouted += 1;
                continue;
            }
            let arrived = OffsetDateTime::parse(at, &Rfc3339).map(SystemTime::from);
            matcher.arrived((id.conversation, id.index), |sent| {
                // Amazon Connect stamps to the millisecond, so a fast arrival may seem early.
                arrived.map_or(Duration::ZERO, |arrived| {
                    arrived.duration_since(*sent).unwrap_or_default()
                })
            });
        }
    }
    matcher.direction(0)
}

/// The agent's messages against what each customer's WebSocket received; and the customer's
/// own messages that came back.
fn agent_to_customer(outcomes: &[Outcome]) -> (Direction, usize) {
    let mut matcher = Matcher::new();
    let mut echoes = 0;
    for outcome in outcomes {
        for &(index, at) in &outcome.agent_posted {
            matcher.sent.insert((outcome.number, index), at);
        }
    }
    for outcome in outcomes {
        for &(id, at) in &outcome.received {
            if id.from == Side::Customer {
                echoes += 1;
            } else if id.conversation != outcome.number {
                matcher.misrouted += 1;
            } else {
                matcher.arrived((id.conversation, id.index), |posted| {
                    at.saturating_duration_since(*posted)
                });
            }
        }
    }
    let refused = outcomes.iter().map(|o| o.agent_refused.len()).sum();
    (matcher.direction(refused), echoes)
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pace = self.pace.map_or_else(
            || "all at once".to_owned(),
            |pace| format!("{pace} new per second"),
        );
        writeln!(
            f,
            "Load test {}: {} conversations ({pace}), {} customer and {} agent messages each, \
             contact center {}",
            self.run_id, self.conversations, self.messages, self.messages, self.contact_center
        )?;
        writeln!(
            f,
            "conversations: {} run through, {} failed; ended by the customer {}, by the agent {}; \
             at most {} live chats open at once",
            self.completed,
            self.conversations - self.completed,
            self.ended_by_customer,
            self.ended_by_agent,
            self.peak_live_chats
        )?;
        for (stage, (count, why)) in &self.failures {
            writeln!(f, "  {count} failed at {stage}; the first: {why}")?;
        }
        writeln!(f, "hand-over by the bot (3 turns): {}", self.hand_overs)?;
        direction(f, "customer → agent console", &self.customer_to_agent)?;
        direction(f, "agent → customer WebSocket", &self.agent_to_customer)?;
        if let Some(why) = &self.console_error {
            writeln!(f, "  the console could not be read at the end: {why}")?;
        }
        if self.echoes > 0 {
            writeln!(
                f,
                "  {} customer messages came back to the customer",
                self.echoes
            )?;
        }
        if let Some(stack) = &self.stack {
            writeln!(
                f,
                "stack (pid {}): peak memory (VmHWM) {}, peak open file descriptors {}, CPU {}",
                stack.pid,
                megabytes(stack.memory_kib),
                stack
                    .open_files
                    .map_or_else(|| "unknown".to_owned(), |count| count.to_string()),
                seconds(stack.cpu)
            )?;
        }
        writeln!(
            f,
            "load generator: peak memory (VmHWM) {}, CPU {}",
            megabytes(self.client_memory_kib),
            seconds(self.client_cpu)
        )?;
        let verdict = if self.passed() { "PASSED" } else { "FAILED" };
        write!(
            f,
            "{verdict} in {:.1} s: lost {}, duplicated {}",
            self.elapsed.as_secs_f64(),
            self.customer_to_agent.lost + self.agent_to_customer.lost,
            self.customer_to_agent.duplicated + self.agent_to_customer.duplicated
        )
    }
}

fn direction(f: &mut fmt::Formatter<'_>, name: &str, counts: &Direction) -> fmt::Result {
    write!(
        f,
        "{name}: sent {}, delivered {}, lost {}, duplicated {}",
        counts.sent, counts.delivered, counts.lost, counts.duplicated
    )?;
    if counts.refused > 0 {
        write!(f, " (refused by the stack: {})", counts.refused)?;
    }
    if counts.misrouted > 0 {
        write!(f, ", misrouted {}", counts.misrouted)?;
    }
    writeln!(f, "\n  latency {}", counts.latencies)
}

fn seconds(time: Option<Duration>) -> String {
    time.map_or_else(
        || "unknown".to_owned(),
        |time| format!("{:.1} s", time.as_secs_f64()),
    )
}

fn megabytes(kib: Option<u64>) -> String {
    kib.map_or_else(
        || "unknown".to_owned(),
        |kib| format!("{:.1} MB", kib as f64 / 1024.0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrivals_are_matched_to_what_was_sent() {
        let mut matcher = Matcher::new();
        for index in 0..4 {
            matcher.sent.insert((7, index), Duration::from_millis(10));
        }
        let after = |ms| move |sent: &Duration| Duration::from_millis(ms) - *sent;
        matcher.arrived((7, 0), after(12));
        matcher.arrived((7, 1), after(30));
        matcher.arrived((7, 1), after(31));
        matcher.arrived((7, 3), after(50));
        matcher.arrived((8, 0), after(11));
        let counts = matcher.direction(1);
        assert_eq!(
            (
                counts.sent,
                counts.delivered,
                counts.lost,
                counts.duplicated
            ),
            (4, 3, 1, 1)
        );
        assert_eq!(counts.refused, 1);
        let latencies = &counts.latencies;
        assert_eq!(latencies.percentile(50.0), Some(Duration::from_millis(20)));
        assert_eq!(latencies.percentile(100.0), Some(Duration::from_millis(40)));
        assert_eq!(latencies.percentile(1.0), Some(Duration::from_millis(2)));
        assert_eq!(Latencies::default().percentile(99.0), None);
        assert_eq!(
            latencies.to_string(),
            "p50 20.0 ms, p95 40.0 ms, p99 40.0 ms, max 40.0 ms"
        );
    }
}
