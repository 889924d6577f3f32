//! One conversation of the load test: the bot hands over, the customer opens the live chat,
//! the agent accepts, then each side writes in turn (the customer's message, then the agent's,
//! which the customer must receive before writing again); then the customer ends
//! even-numbered conversations at once (close code 4000), and the agent odd-numbered ones once
//! the console lists the customer's messages. Everything seen is recorded for the tally; a
//! step that fails ends the conversation there.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use tokio::sync::watch;
use tokio::task::JoinError;
use tokio::time::{Instant, timeout};

use super::watcher::{self, Shown};
use super::{MessageId, MessageIds, Side};
use crate::agent::AgentEvent;
use crate::connect_agent::ConnectConsoleAgent;
use crate::lex::{BotAddress, LexSession};
use crate::live_chat::{Frame, LiveChat};
use crate::smoke::{AGENT_NAME, ASK_FOR_AN_AGENT, steps};

/// What every conversation shares.
pub(super) struct Shared {
    pub(super) lex: aws_sdk_lexruntimev2::Client,
    pub(super) bot: BotAddress,
    pub(super) websocket_url: String,
    pub(super) agent: ConnectConsoleAgent,
    pub(super) shown: watch::Receiver<Arc<Shown>>,
    pub(super) ids: MessageIds,
    pub(super) messages: usize,
    pub(super) step_timeout: Duration,
    pub(super) live_chats: LiveChats,
}

/// How many live chats are open, and the most that were.
#[derive(Default)]
pub(super) struct LiveChats {
    open: AtomicUsize,
    peak: AtomicUsize,
}

impl LiveChats {
    fn opened(&self) {
        let open = self.open.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(open, Ordering::Relaxed);
    }

    fn closed(&self) {
        self.open.fetch_sub(1, Ordering::Relaxed);
    }

    /// The most that were open at once.
    pub(super) fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }
}

/// Why a conversation stopped early: the step, and what went wrong.
pub(super) type Failure = (&'static str, String);

/// Everything one conversation saw.
#[derive(Debug)]
pub(super) struct Outcome {
    pub(super) number: usize,
    /// The customer's messages sent, each with when.
    pub(super) customer_sent: Vec<(usize, SystemTime)>,
    /// The agent's messages requested in the console, each with when.
    pub(super) agent_posted: Vec<(usize, Instant)>,
    /// The agent's messages the console refused (or the stack behind it), with why.
    pub(super) agent_refused: Vec<String>,
    /// Every message of the run the customer's WebSocket received, with when.
    pub(super) received: Vec<(MessageId, Instant)>,
    /// How long the bot took to hand over, if it did.
    pub(super) hand_over: Option<Duration>,
    /// Who ended the conversation, once it ended as it should.
    pub(super) ended_by: Option<Side>,
    pub(super) failure: Option<Failure>,
}

impl Outcome {
    fn new(number: usize) -> Self {
        Self {
            number,
            customer_sent: Vec::new(),
            agent_posted: Vec::new(),
            agent_refused: Vec::new(),
            received: Vec::new(),
            hand_over: None,
            ended_by: None,
            failure: None,
        }
    }

    /// The outcome of a conversation whose task panicked.
    pub(super) fn panicked(err: &JoinError) -> Self {
        Self {
            failure: Some(("running the conversation", err.to_string())),
            ..Self::new(usize::MAX)
        }
    }
}

/// Runs conversation `number`.
pub(super) async fn run(shared: Arc<Shared>, number: usize) -> Outcome {
    let mut outcome = Outcome::new(number);
    if let Err(failure) = play(&shared, &mut outcome).await {
        outcome.failure = Some(failure);
    }
    outcome
}

async fn play(shared: &Shared, outcome: &mut Outcome) -> Result<(), Failure> {
    let limit = shared.step_timeout;
    let subject = shared.ids.subject(outcome.number);
    let mut lex = LexSession::new(shared.lex.clone(), shared.bot.clone());
    let handed_over = async {
        let ((reference, _turns), _) =
            steps::hand_over(&mut lex, ASK_FOR_AN_AGENT, &subject).await?;
        Ok::<_, String>(reference)
    };
    let asked = Instant::now();
    let reference = step(limit, "the bot handing over", handed_over).await?;
    outcome.hand_over = Some(asked.elapsed());
    let opened = async {
        LiveChat::connect(&shared.websocket_url, &reference)
            .await
            .map_err(|err| err.to_string())
    };
    let chat = step(limit, "opening the WebSocket", opened).await?;
    shared.live_chats.opened();
    let chatted = live_chat(shared, chat, &subject, outcome).await;
    shared.live_chats.closed();
    chatted
}

/// The live chat, from the agent accepting to its end.
async fn live_chat(
    shared: &Shared,
    mut chat: LiveChat,
    subject: &str,
    outcome: &mut Outcome,
) -> Result<(), Failure> {
    let limit = shared.step_timeout;
    let found = watcher::conversation_id(shared.shown.clone(), subject);
    let id = step(limit, "finding the conversation in the console", found).await?;
    let accepted = shared.agent.act(AgentEvent::Started, &id, AGENT_NAME, None);
    step(limit, "the agent accepting", accepted).await?;
    for index in 0..shared.messages {
        let said = shared
            .ids
            .text(message(outcome.number, Side::Customer, index));
        let sent_at = SystemTime::now();
        let sent = async { chat.send(&said).await.map_err(|err| err.to_string()) };
        step(limit, "the customer writing", sent).await?;
        outcome.customer_sent.push((index, sent_at));
        agent_writes(shared, &mut chat, &id, index, outcome).await?;
    }
    if outcome.number.is_multiple_of(2) {
        // At once: the customer's end is queued behind their messages, so none may be lost.
        customer_ends(shared, chat, outcome).await
    } else {
        // An agent who ends the chat before the customer's last message reaches them loses
        // it, as they would: wait for it. A message still missing after this wait is counted
        // as lost.
        let shown =
            watcher::customer_messages_shown(shared.shown.clone(), subject, shared.messages);
        let _ = timeout(limit, shown).await;
        agent_ends(shared, chat, &id, outcome).await
    }
}

/// The agent writes message `index`; the customer must receive it. The frame is waited for
/// while the console request is under way, since the stack may deliver it before answering.
async fn agent_writes(
    shared: &Shared,
    chat: &mut LiveChat,
    id: &str,
    index: usize,
    outcome: &mut Outcome,
) -> Result<(), Failure> {
    let wanted = message(outcome.number, Side::Agent, index);
    let written = shared.ids.text(wanted);
    outcome.agent_posted.push((index, Instant::now()));
    let mut post = pin!(
        shared
            .agent
            .act(AgentEvent::Message, id, AGENT_NAME, Some(&written))
    );
    let receiving = receive_until(chat, &shared.ids, Some(wanted), &mut outcome.received);
    let mut receive = pin!(timeout(shared.step_timeout, receiving));
    let received = tokio::select! {
        received = &mut receive => {
            if let Err(why) = post.await {
                outcome.agent_refused.push(why);
            }
            received
        }
        posted = &mut post => match posted {
            Ok(()) => receive.await,
            Err(why) => {
                outcome.agent_refused.push(why);
                return Ok(());
            }
        },
    };
    match received {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(why)) => Err(("receiving the agent's messages", why)),
        // Not received in time: counted as lost, and the conversation goes on.
        Err(_) => Ok(()),
    }
}

/// The customer ends the chat with close code 4000; the server must close in turn.
async fn customer_ends(
    shared: &Shared,
    chat: LiveChat,
    outcome: &mut Outcome,
) -> Result<(), Failure> {
    let ended = async {
        chat.end_keeping_frames()
            .await
            .map_err(|err| err.to_string())
    };
    let (_, frames) = step(shared.step_timeout, "the customer ending", ended).await?;
    let at = Instant::now();
    for frame in &frames {
        if let Some(id) = message_in(frame, &shared.ids) {
            outcome.received.push((id, at));
        }
    }
    outcome.ended_by = Some(Side::Customer);
    Ok(())
}

/// The agent ends the chat; the customer must be told (`conversation_ended`), then closed.
async fn agent_ends(
    shared: &Shared,
    mut chat: LiveChat,
    id: &str,
    outcome: &mut Outcome,
) -> Result<(), Failure> {
    let limit = shared.step_timeout;
    let ended = shared.agent.act(AgentEvent::Ended, id, AGENT_NAME, None);
    step(limit, "the agent ending", ended).await?;
    let closed = receive_until(&mut chat, &shared.ids, None, &mut outcome.received);
    let told = step(limit, "the customer being told the chat ended", closed).await?;
    if !told {
        return Err((
            "the customer being told the chat ended",
            "the connection closed with no conversation_ended".into(),
        ));
    }
    outcome.ended_by = Some(Side::Agent);
    Ok(())
}

/// Reads frames, recording the run's messages, until `wanted` arrives (answering `false`), or,
/// with none wanted, until the server closes (answering whether `conversation_ended` came).
async fn receive_until(
    chat: &mut LiveChat,
    ids: &MessageIds,
    wanted: Option<MessageId>,
    received: &mut Vec<(MessageId, Instant)>,
) -> Result<bool, String> {
    let mut told_ended = false;
    loop {
        let frame = chat.next_frame().await.map_err(|err| err.to_string())?;
        let at = Instant::now();
        if let Some(id) = message_in(&frame, ids) {
            received.push((id, at));
            if Some(id) == wanted {
                return Ok(false);
            }
        }
        match frame {
            Frame::Json(json) if json["event_type"] == "conversation_ended" => told_ended = true,
            Frame::Closed(code) if wanted.is_some() => {
                return Err(format!("the server closed the WebSocket (code {code:?})"));
            }
            Frame::Closed(_) => return Ok(told_ended),
            Frame::NotJson(_) => return Err("a frame that is not JSON".into()),
            Frame::Json(_) => {}
        }
    }
}

/// The run's message a frame carries, if any.
fn message_in(frame: &Frame, ids: &MessageIds) -> Option<MessageId> {
    let Frame::Json(json) = frame else {
        return None;
    };
    (json["event_type"] == "message_created")
        .then(|| json["content"].as_str())
        .flatten()
        .and_then(|content| ids.parse(content))
}

fn message(conversation: usize, from: Side, index: usize) -> MessageId {
    MessageId {
        conversation,
        from,
        index,
    }
}

/// `work` within `limit`, its failure named after `stage`.
async fn step<T>(
    limit: Duration,
    stage: &'static str,
    work: impl Future<Output = Result<T, String>>,
) -> Result<T, Failure> {
    match timeout(limit, work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(why)) => Err((stage, why)),
        Err(_) => Err((stage, format!("no answer within {limit:?}"))),
    }
}
