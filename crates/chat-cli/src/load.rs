//! The load test: many conversations at once against the local stack, each played as the smoke
//! test plays one (the bot hands over, the customer writes on the WebSocket as the Lex Web UI
//! opens it, the agent acts in the simulated contact center's console), and every message
//! counted.
//!
//! Each message carries a unique id in its text, so what arrived is matched to what was sent:
//! a message never seen is lost, one seen twice is duplicated. A customer's message is
//! delivered when the contact center's console lists it, and its latency runs from the frame
//! sent to the console's own time stamp of it (client and stack share the clock); an agent's
//! message is delivered when the customer's WebSocket receives it, and its latency runs from
//! the console request to that frame. Every conversation is a task on the one runtime.

mod conversation;
mod stack;
mod tally;
mod watcher;

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until};

use crate::connect_agent::ConnectConsoleAgent;
use crate::lex::BotAddress;
use crate::lookup::TalkdeskConsole;
use conversation::{LiveChats, Outcome, Shared};
pub use tally::{Direction, Latencies, LoadReport, StackPeaks};
use watcher::Watcher;

/// What the load test runs against, and how hard.
pub struct LoadConfig {
    /// The Lex V2 runtime client.
    pub lex: aws_sdk_lexruntimev2::Client,
    /// The bot.
    pub bot: BotAddress,
    /// The WebSocket API, as the Lex Web UI's `talkDeskWebsocketEndpoint`.
    pub websocket_url: String,
    /// The console of the simulated contact center the stack hands over to, where the agent
    /// acts and the customer's messages are seen.
    pub console: String,
    /// That contact center's name, for the report.
    pub contact_center: String,
    /// How many conversations.
    pub conversations: usize,
    /// How many messages each side writes in each conversation.
    pub messages: usize,
    /// New conversations per second; `None` starts them all at once.
    pub pace: Option<f64>,
    /// The stack's process, whose peak memory and open file descriptors are reported.
    pub stack_pid: Option<u32>,
    /// The longest one step of a conversation may take.
    pub step_timeout: Duration,
}

/// Runs the load test.
pub async fn run(config: LoadConfig) -> LoadReport {
    let run_id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let started = Instant::now();
    let sampler = config.stack_pid.map(stack::Sampler::start);
    let ids = MessageIds::new(&run_id);
    let (watcher, shown) = Watcher::start(TalkdeskConsole::new(&config.console), ids.clone());
    let shared = Arc::new(Shared {
        lex: config.lex.clone(),
        bot: config.bot.clone(),
        websocket_url: config.websocket_url.clone(),
        agent: ConnectConsoleAgent::new(&config.console),
        shown,
        ids,
        messages: config.messages,
        step_timeout: config.step_timeout,
        live_chats: LiveChats::default(),
    });
    let mut tasks = JoinSet::new();
    for number in 0..config.conversations {
        if let Some(pace) = config.pace {
            sleep_until(started + Duration::from_secs_f64(number as f64 / pace)).await;
        }
        tasks.spawn(conversation::run(Arc::clone(&shared), number));
    }
    let mut outcomes = Vec::with_capacity(config.conversations);
    while let Some(joined) = tasks.join_next().await {
        outcomes.push(joined.unwrap_or_else(|err| Outcome::panicked(&err)));
    }
    let sent = outcomes.iter().map(|outcome| outcome.customer_sent.len());
    let shown = watcher.finish(sent.sum(), config.step_timeout).await;
    let stack = sampler.map(stack::Sampler::finish);
    let peak_live_chats = shared.live_chats.peak();
    tally::report(
        &config,
        &shared.ids,
        &outcomes,
        peak_live_chats,
        shown,
        stack,
        started.elapsed(),
    )
}

/// Who wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Side {
    Customer,
    Agent,
}

/// A message's unique id: its conversation, its writer and its place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct MessageId {
    conversation: usize,
    from: Side,
    index: usize,
}

/// The run's texts: subjects and messages that carry the run id and their own.
#[derive(Clone, Debug)]
struct MessageIds {
    run_id: String,
}

impl MessageIds {
    fn new(run_id: &str) -> Self {
        Self {
            run_id: run_id.to_owned(),
        }
    }

    /// What every subject of the run starts with.
    fn subject_prefix(&self) -> String {
        format!("lex-chat load {} conversation ", self.run_id)
    }

    /// The subject the customer gives the bot in conversation `number`.
    fn subject(&self, number: usize) -> String {
        format!("{}{number}", self.subject_prefix())
    }

    /// The text of message `id`.
    fn text(&self, id: MessageId) -> String {
        let from = match id.from {
            Side::Customer => "customer",
            Side::Agent => "agent",
        };
        format!(
            "Load {} conversation {} {from} message {}",
            self.run_id, id.conversation, id.index
        )
    }

    /// The id in a text of this run, if it is one.
    fn parse(&self, text: &str) -> Option<MessageId> {
        let rest = text
            .strip_prefix("Load ")?
            .strip_prefix(self.run_id.as_str())?;
        let mut words = rest.split_whitespace();
        let conversation = match (words.next(), words.next()) {
            (Some("conversation"), Some(number)) => number.parse().ok()?,
            _ => return None,
        };
        let from = match words.next()? {
            "customer" => Side::Customer,
            "agent" => Side::Agent,
            _ => return None,
        };
        let index = match (words.next(), words.next(), words.next()) {
            (Some("message"), Some(index), None) => index.parse().ok()?,
            _ => return None,
        };
        Some(MessageId {
            conversation,
            from,
            index,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_s_text_gives_back_its_id_and_only_this_run_s() {
        let ids = MessageIds::new("1a2b3c4d");
        let id = MessageId {
            conversation: 17,
            from: Side::Agent,
            index: 9,
        };
        assert_eq!(ids.parse(&ids.text(id)), Some(id));
        let customer = MessageId {
            from: Side::Customer,
            ..id
        };
        assert_eq!(ids.parse(&ids.text(customer)), Some(customer));
        let other_run = MessageIds::new("ffffffff").text(id);
        assert_eq!(ids.parse(&other_run), None);
        assert_eq!(ids.parse("[Bot transcript] Customer: hello"), None);
        assert_eq!(ids.parse(&format!("{} and more", ids.text(id))), None);
    }
}
