//! The smoke test: one whole conversation, each step checked and timed, stopping at the first
//! failure.
//!
//! The customer asks the bot for an agent and gives a name and a subject holding a unique run
//! id, opens the live chat with the reference and writes. Then, when an agent side is
//! configured, the agent finds Talkdesk's conversation id, accepts, writes and ends through
//! the callback API, and the customer must receive exactly the agent's message (never their
//! own back), then the goodbye message, `conversation_ended` and the close. With no agent
//! side, the customer ends the chat with close code 4000 instead.

mod report;
mod steps;

use std::future::Future;
use std::time::Duration;

use serde_json::json;
use tokio::time::{Instant, timeout};

use crate::agent::{AgentEvent, CallbackApi};
use crate::lex::{BotAddress, LexSession};
use crate::live_chat::LiveChat;
use crate::lookup::{ConversationTable, TalkdeskConsole};
pub use report::{Printer, Progress, Report, StepResult, line};

/// The customer's name (a first name, which an `AMAZON.FirstName` slot takes).
pub const CUSTOMER_NAME: &str = "Alex";
/// The agent's name, in the agent's events.
pub const AGENT_NAME: &str = "Smoke Test Agent";

/// What the smoke test talks to.
pub struct SmokeConfig {
    /// The Lex V2 runtime client.
    pub lex: aws_sdk_lexruntimev2::Client,
    /// The bot.
    pub bot: BotAddress,
    /// The WebSocket API, as the Lex Web UI's `talkDeskWebsocketEndpoint`.
    pub websocket_url: String,
    /// The agent's side; `None` to check the customer's side only.
    pub agent: Option<AgentSide>,
    /// The longest any one step may take.
    pub step_timeout: Duration,
}

/// How the smoke test acts as the agent.
pub struct AgentSide {
    /// The callback API, with its key.
    pub callback: CallbackApi,
    /// Where Talkdesk's conversation id is found.
    pub finder: Finder,
}

/// Where Talkdesk's conversation id is found.
pub enum Finder {
    /// The simulated Talkdesk's console (the local stack), by subject.
    Console(TalkdeskConsole),
    /// The conversation table (a deployment), by the reference's conversation key.
    Table(ConversationTable),
}

/// Runs the smoke test, telling `progress` of each step as it finishes.
pub async fn run(config: &SmokeConfig, progress: &mut impl Progress) -> Report {
    let run_id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let mut runner = Runner {
        progress,
        steps: Vec::new(),
        timeout: config.step_timeout,
    };
    // A failed step is in the report already; the sequence just stops there.
    let _ = conversation(config, &run_id, &mut runner).await;
    Report {
        run_id,
        steps: runner.steps,
        agent_skipped: config.agent.is_none(),
    }
}

/// The customer's side, then the agent's; `None` once a step failed.
async fn conversation<P: Progress>(
    config: &SmokeConfig,
    run_id: &str,
    runner: &mut Runner<'_, P>,
) -> Option<()> {
    let subject = format!("lex-chat smoke test {run_id}");
    let mut lex = LexSession::new(config.lex.clone(), config.bot.clone());
    let reference = runner
        .step(
            "the bot hands over to an agent",
            steps::hand_over(&mut lex, &subject),
        )
        .await?;
    let mut chat = runner
        .step(
            "the customer opens the live chat",
            steps::connect(&config.websocket_url, &reference),
        )
        .await?;
    let said = format!("Hello from the smoke test customer ({run_id})");
    let sent = runner
        .step(
            "the customer sends a message",
            steps::send(&mut chat, &said),
        )
        .await;
    let ended = match (&config.agent, sent) {
        (_, None) => None,
        (None, Some(())) => {
            return runner
                .step(
                    "the customer ends the chat (close code 4000)",
                    steps::customer_ends(chat),
                )
                .await;
        }
        (Some(agent), Some(())) => {
            let customer = Customer {
                chat: &mut chat,
                reference: &reference,
                subject: &subject,
                said: &said,
            };
            agent_side(agent, customer, run_id, runner).await
        }
    };
    if ended.is_none() {
        // Leave nothing open at the contact center: the customer ends the chat as they would.
        let _ = chat.end().await;
    }
    ended
}

/// What the agent's side needs of the customer's.
struct Customer<'a> {
    chat: &'a mut LiveChat,
    reference: &'a str,
    subject: &'a str,
    said: &'a str,
}

/// The agent accepts, writes and ends; the customer sees each.
async fn agent_side<P: Progress>(
    agent: &AgentSide,
    customer: Customer<'_>,
    run_id: &str,
    runner: &mut Runner<'_, P>,
) -> Option<()> {
    let Customer {
        chat,
        reference,
        subject,
        said,
    } = customer;
    let id = runner
        .step(
            "the agent's side finds Talkdesk's conversation id",
            steps::find_conversation(&agent.finder, subject, reference),
        )
        .await?;
    if let Finder::Console(console) = &agent.finder {
        runner
            .step(
                "Talkdesk received the customer's message",
                steps::talkdesk_received(console, &id, said),
            )
            .await?;
    }
    let callback = &agent.callback;
    runner
        .step(
            "the agent accepts (conversation_started)",
            steps::agent_event(callback, AgentEvent::Started, &id, None),
        )
        .await?;
    let written = format!("Hello from the smoke test agent ({run_id})");
    runner
        .step(
            "the agent writes (message_created)",
            steps::agent_event(callback, AgentEvent::Message, &id, Some(&written)),
        )
        .await?;
    let expected = json!({
        "event_type": "message_created",
        "content": written,
        "author_name": AGENT_NAME,
    });
    runner
        .step(
            "the customer receives exactly the agent's message, and no echo",
            steps::receive_agent_message(chat, &expected, said),
        )
        .await?;
    runner
        .step(
            "the agent ends (conversation_ended)",
            steps::agent_event(callback, AgentEvent::Ended, &id, None),
        )
        .await?;
    runner
        .step(
            "the customer is told the chat ended (message_created)",
            steps::receive_goodbye(chat),
        )
        .await?;
    runner
        .step(
            "the customer receives conversation_ended",
            steps::receive_ended(chat),
        )
        .await?;
    runner
        .step(
            "the server closes the connection",
            steps::receive_close(chat),
        )
        .await
}

/// Runs steps, each bounded in time, and records them.
struct Runner<'p, P> {
    progress: &'p mut P,
    steps: Vec<StepResult>,
    timeout: Duration,
}

impl<P: Progress> Runner<'_, P> {
    /// Runs one step; its value if it passed.
    async fn step<T>(
        &mut self,
        name: &'static str,
        work: impl Future<Output = steps::Outcome<T>>,
    ) -> Option<T> {
        let started = Instant::now();
        let outcome = timeout(self.timeout, work)
            .await
            .unwrap_or_else(|_| Err(format!("did not finish within {:?}", self.timeout)));
        let (value, outcome) = match outcome {
            Ok((value, detail)) => (Some(value), Ok(detail)),
            Err(why) => (None, Err(why)),
        };
        let result = StepResult {
            name,
            outcome,
            elapsed: started.elapsed(),
        };
        self.progress.step(&result);
        self.steps.push(result);
        value
    }
}
