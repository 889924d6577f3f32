//! The smoke test: one customer's Lex session with two live chats, as the Lex Web UI and
//! Lex V2 play it, each step checked and timed, stopping at the first failure.
//!
//! The customer asks the bot for an agent and gives a name and a subject holding a unique run
//! id, opens the live chat with the reference and writes. Then, when an agent side is
//! configured, the agent finds Talkdesk's conversation id, accepts, writes and ends through
//! the callback API, and the customer must receive exactly the agent's message (never their
//! own back), then the goodbye message, `conversation_ended` and the close. With no agent
//! side, the customer ends the chat with close code 4000 instead.
//!
//! Back with the bot in the same Lex session (the old reference still echoed, and
//! `previousUtterance` and `previousLexResponse` those of the turn before the first hand-over),
//! the customer asks about an order, then for an agent again with a second subject, and must
//! get a new reference. With an agent side, that must be a new contact-center conversation;
//! the customer and the agent exchange a message, and, in the simulated contact center, its
//! bot transcript must hold exactly the turns since the first live chat. The customer ends the
//! second chat with close code 4000.

mod report;
pub(crate) mod steps;

use std::future::Future;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::{Instant, timeout};

use crate::agent::{AgentEvent, CallbackApi};
use crate::connect_agent::ConnectConsoleAgent;
use crate::lex::{BotAddress, LexSession};
use crate::live_chat::LiveChat;
use crate::lookup::{ConversationTable, TalkdeskConsole};
pub use report::{Printer, Progress, Report, StepResult, line};
use steps::SaidTurn;

/// The customer's name (a first name, which an `AMAZON.FirstName` slot takes).
pub const CUSTOMER_NAME: &str = "Alex";
/// The agent's name, in the agent's events.
pub const AGENT_NAME: &str = "Smoke Test Agent";
/// What the customer first says.
pub const ASK_FOR_AN_AGENT: &str = "I want to talk to an agent";
/// What the customer says to the bot after the first live chat.
pub const ORDER_QUESTION: &str = "Where is my order?";
/// What the customer says to ask for an agent the second time.
pub const ASK_FOR_AN_AGENT_AGAIN: &str = "Can I talk to an agent again?";

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
    /// How the agent's actions reach the handover.
    pub actions: AgentActions,
    /// Where the contact center's conversation id is found.
    pub finder: Finder,
}

/// How the agent's actions reach the handover.
pub enum AgentActions {
    /// Talkdesk: as Talkdesk Connections post them to the callback API, with its key.
    Callback(CallbackApi),
    /// Amazon Connect in the local stack: through the simulated instance's agent console,
    /// which streams them to `connect-events`.
    ConnectConsole(ConnectConsoleAgent),
}

impl AgentSide {
    /// The step names for this contact center.
    fn names(&self) -> &'static AgentStepNames {
        match self.actions {
            AgentActions::Callback(_) => &TALKDESK_STEPS,
            AgentActions::ConnectConsole(_) => &CONNECT_STEPS,
        }
    }

    /// Whether the contact center gets the bot transcript as the chat's first messages
    /// (Amazon Connect) rather than with the conversation (Talkdesk).
    fn transcript_in_messages(&self) -> bool {
        matches!(self.actions, AgentActions::ConnectConsole(_))
    }
}

/// Where Talkdesk's conversation id is found.
pub enum Finder {
    /// The simulated contact center's console (the local stack), by subject.
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

/// Both live chats of one Lex session; `None` once a step failed.
async fn conversation<P: Progress>(
    config: &SmokeConfig,
    run_id: &str,
    runner: &mut Runner<'_, P>,
) -> Option<()> {
    let mut lex = LexSession::new(config.lex.clone(), config.bot.clone());
    let first = first_live_chat(config, &mut lex, run_id, runner).await?;
    second_live_chat(config, &mut lex, run_id, &first, runner).await
}

/// What the second live chat needs of the first.
struct FirstChat {
    /// Talkdesk's id of the first conversation, when the agent's side found it.
    talkdesk_id: Option<String>,
}

/// The first hand-over and live chat, which the agent ends (or, with no agent side, the
/// customer).
async fn first_live_chat<P: Progress>(
    config: &SmokeConfig,
    lex: &mut LexSession,
    run_id: &str,
    runner: &mut Runner<'_, P>,
) -> Option<FirstChat> {
    let subject = format!("lex-chat smoke test {run_id}, first question");
    let (reference, _) = runner
        .step(
            "the bot hands over to an agent",
            steps::hand_over(lex, ASK_FOR_AN_AGENT, &subject),
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
                .await
                .map(|()| FirstChat { talkdesk_id: None });
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
    // The server has closed the connection. The Lex Web UI stays in live chat until the
    // customer presses End Live Chat, which sends nothing on a closed connection.
    ended.map(|id| FirstChat {
        talkdesk_id: Some(id),
    })
}

/// What the agent's side needs of the customer's.
struct Customer<'a> {
    chat: &'a mut LiveChat,
    reference: &'a str,
    subject: &'a str,
    said: &'a str,
}

/// The agent accepts, writes and ends; the customer sees each. Answers Talkdesk's id of the
/// conversation.
async fn agent_side<P: Progress>(
    agent: &AgentSide,
    customer: Customer<'_>,
    run_id: &str,
    runner: &mut Runner<'_, P>,
) -> Option<String> {
    let Customer {
        chat,
        reference,
        subject,
        said,
    } = customer;
    let names = agent.names();
    let id = runner
        .step(
            names.finds,
            steps::find_conversation(&agent.finder, subject, reference),
        )
        .await?;
    let written = format!("Hello from the smoke test agent ({run_id})");
    exchange(agent, chat, &id, said, &written, &names.first, runner).await?;
    runner
        .step(
            names.ends,
            steps::agent_event(&agent.actions, AgentEvent::Ended, &id, None),
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
        .await?;
    Some(id)
}

/// Back with the bot, the second hand-over in the same Lex session and its live chat, which
/// the customer ends.
async fn second_live_chat<P: Progress>(
    config: &SmokeConfig,
    lex: &mut LexSession,
    run_id: &str,
    first: &FirstChat,
    runner: &mut Runner<'_, P>,
) -> Option<()> {
    let order = runner
        .step(
            "back with the bot, the customer asks about an order and stays with the bot",
            steps::bot_answers(lex, ORDER_QUESTION),
        )
        .await?;
    let subject = format!("lex-chat smoke test {run_id}, second question");
    let (reference, turns) = runner
        .step(
            "the bot hands over again, with a new talkdesk_conversation_id",
            steps::hand_over(lex, ASK_FOR_AN_AGENT_AGAIN, &subject),
        )
        .await?;
    let mut chat = runner
        .step(
            "the customer opens the second live chat",
            steps::connect(&config.websocket_url, &reference),
        )
        .await?;
    let said = format!("Hello again from the smoke test customer ({run_id})");
    let sent = runner
        .step(
            "the customer sends a message in the second chat",
            steps::send(&mut chat, &said),
        )
        .await;
    let answered = match (&config.agent, sent) {
        (_, None) => None,
        (None, Some(())) => Some(()),
        (Some(agent), Some(())) => {
            let since_first_chat: Vec<SaidTurn> = std::iter::once(order).chain(turns).collect();
            let customer = Customer {
                chat: &mut chat,
                reference: &reference,
                subject: &subject,
                said: &said,
            };
            let second = SecondConversation {
                earlier_talkdesk_id: first.talkdesk_id.as_deref(),
                since_first_chat: &since_first_chat,
            };
            agent_answers_again(agent, customer, second, run_id, runner).await
        }
    };
    match answered {
        Some(()) => {
            runner
                .step(
                    "the customer ends the second chat (close code 4000)",
                    steps::customer_ends(chat),
                )
                .await
        }
        None => {
            let _ = chat.end().await;
            None
        }
    }
}

/// What is checked of the second conversation beyond the customer's side.
struct SecondConversation<'a> {
    /// Talkdesk's id of the first conversation, which the second must not be.
    earlier_talkdesk_id: Option<&'a str>,
    /// The bot turns since the first live chat, the hand-over last.
    since_first_chat: &'a [SaidTurn],
}

/// The agent finds the second conversation, accepts and writes; the customer sees it; in the
/// simulated Talkdesk, the conversation's bot transcript is the turns since the first chat.
async fn agent_answers_again<P: Progress>(
    agent: &AgentSide,
    customer: Customer<'_>,
    second: SecondConversation<'_>,
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
            "the agent's side finds the second conversation, a new one",
            steps::find_new_conversation(
                &agent.finder,
                subject,
                reference,
                second.earlier_talkdesk_id,
            ),
        )
        .await?;
    let written = format!("Hello again from the smoke test agent ({run_id})");
    let names = agent.names();
    exchange(agent, chat, &id, said, &written, &names.second, runner).await?;
    if let Finder::Console(console) = &agent.finder {
        let transcript = steps::transcript_since_first_chat(
            console,
            &id,
            second.since_first_chat,
            agent.transcript_in_messages(),
        );
        runner.step(names.transcript, transcript).await?;
    }
    Some(())
}

/// The names of one live chat's exchange steps, as the report shows them.
struct ExchangeSteps {
    received: &'static str,
    accepts: &'static str,
    writes: &'static str,
    receives: &'static str,
}

/// The names of the agent's steps with one contact center.
struct AgentStepNames {
    finds: &'static str,
    first: ExchangeSteps,
    ends: &'static str,
    second: ExchangeSteps,
    transcript: &'static str,
}

const TALKDESK_STEPS: AgentStepNames = AgentStepNames {
    finds: "the agent's side finds Talkdesk's conversation id",
    first: ExchangeSteps {
        received: "Talkdesk received the customer's message",
        accepts: "the agent accepts (conversation_started)",
        writes: "the agent writes (message_created)",
        receives: "the customer receives exactly the agent's message, and no echo",
    },
    ends: "the agent ends (conversation_ended)",
    second: ExchangeSteps {
        received: "Talkdesk received the customer's message in the second chat",
        accepts: "the agent accepts the second conversation (conversation_started)",
        writes: "the agent writes in the second chat (message_created)",
        receives: "the customer receives exactly the agent's second message, and no echo",
    },
    transcript: "Talkdesk's bot transcript holds only the turns since the first chat, none stale",
};

const CONNECT_STEPS: AgentStepNames = AgentStepNames {
    finds: "the agent's side finds the Amazon Connect contact id",
    first: ExchangeSteps {
        received: "Amazon Connect received the customer's message, after the bot transcript",
        accepts: "the agent accepts (participant.joined)",
        writes: "the agent writes (an AGENT message on the stream)",
        receives: "the customer receives exactly the agent's message, and no echo",
    },
    ends: "the agent ends (participant.left and chat.ended)",
    second: ExchangeSteps {
        received: "Amazon Connect received the customer's message in the second chat",
        accepts: "the agent accepts the second chat (participant.joined)",
        writes: "the agent writes in the second chat (an AGENT message on the stream)",
        receives: "the customer receives exactly the agent's second message, and no echo",
    },
    transcript: "the chat's bot transcript messages are only the turns since the first chat, none stale",
};

/// Talkdesk got the customer's message (where the console shows it), the agent accepts and
/// writes `written`, and the customer receives exactly that.
async fn exchange<P: Progress>(
    agent: &AgentSide,
    chat: &mut LiveChat,
    id: &str,
    said: &str,
    written: &str,
    names: &ExchangeSteps,
    runner: &mut Runner<'_, P>,
) -> Option<()> {
    if let Finder::Console(console) = &agent.finder {
        let transcript_first = agent.transcript_in_messages();
        runner
            .step(
                names.received,
                steps::talkdesk_received(console, id, said, transcript_first),
            )
            .await?;
    }
    let actions = &agent.actions;
    runner
        .step(
            names.accepts,
            steps::agent_event(actions, AgentEvent::Started, id, None),
        )
        .await?;
    runner
        .step(
            names.writes,
            steps::agent_event(actions, AgentEvent::Message, id, Some(written)),
        )
        .await?;
    runner
        .step(
            names.receives,
            steps::receive_agent_message(chat, &agent_message(written), said),
        )
        .await
}

/// The frame the customer must receive for the agent's `written` message.
fn agent_message(written: &str) -> Value {
    json!({
        "event_type": "message_created",
        "content": written,
        "author_name": AGENT_NAME,
    })
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
