//! Keep-alives for customers' WebSockets, fully serverless.
//!
//! API Gateway closes a WebSocket after 10 minutes without a frame either way, and the Lex Web
//! UI sends nothing while the customer waits in the queue. So every bound connection gets a
//! frame the Lex Web UI ignores (`{"event_type":"keep_alive"}`) every interval, until its
//! conversation ends or another connection replaces it. No function waits: each keep-alive is
//! a message delayed on a queue ([`TickQueue`]), and the function that posts it schedules the
//! next one. Queues deliver at least once, so each tick is claimed in the store before it is
//! acted on: a redelivered tick never starts a second chain.
//!
//! The keep-alive function also delivers the agent messages kept while the customer was away
//! (see [`crate::outbox`]): before each keep-alive, and in a delivery tick (sequence 0) a
//! moment after a `$connect` that found messages waiting. A connection bound to a chat the agent
//! ended while the customer was away gets no keep-alives but a farewell: the kept messages (the
//! agent's goodbye last), then `conversation_ended`, then the close.
//!
//! API Gateway also closes every WebSocket 2 hours after it opened, and the Lex Web UI does not
//! notice: the keep-alive due 10 minutes before that is replaced by a message telling the
//! customer what will happen and how to continue the same chat (End Live Chat, then the
//! live-chat phrase, which reconnects with the same reference while it is valid).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tracing::{info, warn};

use crate::connections::{ConnectionPoster, Frame, PostError};
use crate::conversation::{ConversationKey, ConversationStatus};
use crate::errors::{Cause, chain};
use crate::metrics::{self, DuplicateSource};
use crate::outbox::{Delivery, DeliveryError, KeptDelivery};
use crate::settings::{self, SettingError, Variable};
use crate::store::{Claim, ConversationStore, StoreError};

/// The longest wait between keep-alives: half API Gateway's 10-minute idle timeout.
pub const MAX_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// How often a connection gets a keep-alive, in seconds (at most 300).
pub const KEEP_ALIVE_SECONDS: Variable = Variable::with_default_number("KEEP_ALIVE_SECONDS", 240);

/// [`KEEP_ALIVE_SECONDS`] read through `var`.
pub fn interval(var: &impl Fn(&str) -> Option<String>) -> Result<Duration, SettingError> {
    let interval = settings::seconds(var, &KEEP_ALIVE_SECONDS)?;
    if interval > MAX_INTERVAL {
        let expected = format!("at most {} seconds", MAX_INTERVAL.as_secs());
        return Err(KEEP_ALIVE_SECONDS.invalid(expected, &interval.as_secs().to_string()));
    }
    Ok(interval)
}

/// API Gateway closes every WebSocket this long after it opened.
pub const CONNECTION_CAP: Duration = Duration::from_secs(2 * 60 * 60);

/// How long before [`CONNECTION_CAP`] the customer is told.
pub const CAP_WARNING_LEAD: Duration = Duration::from_secs(10 * 60);

/// What the customer is told before [`CONNECTION_CAP`] closes their connection. The Lex Web UI
/// never reconnects by itself, but End Live Chat (which sends nothing on a closed socket) and
/// then its live-chat phrase (`ui.liveChatTerms`) reopen the socket with the same reference.
pub const CONNECTION_CAP_MESSAGE: Variable = Variable::with_default(
    "CONNECTION_CAP_MESSAGE",
    "This chat window can stay connected for 2 hours and will disconnect in about 10 minutes. If the agent's replies stop, press End Live Chat, then type live chat to continue with the same agent.",
);

/// The sequence number of the tick that warns of the cap: the first due at or after `lead`
/// before `cap`, ticks being due every `interval` from the connection's start. A tick never
/// comes before it is due, so the warning is never early; a lead as long as the cap warns at
/// the first tick.
fn warning_sequence(interval: Duration, cap: Duration, lead: Duration) -> u64 {
    let warn_at = cap.saturating_sub(lead).as_nanos();
    // `KeepAlive::new` takes any interval: a zero one must not divide by zero.
    let ticks = warn_at.div_ceil(interval.as_nanos().max(1)).max(1);
    u64::try_from(ticks).unwrap_or(u64::MAX)
}

/// The author name of the warning (the Lex Web UI does not show it).
const SYSTEM_AUTHOR: &str = "System";

/// Where ticks are recorded as handled in the store.
const TICKS: &str = "keep-alive";

/// How long a tick is held by the attempt acting on it.
const TICK_LEASE: Duration = Duration::from_secs(60);

/// How long after `$connect` kept messages are delivered: API Gateway accepts posts to a
/// connection only once `$connect` has answered.
pub const DELIVERY_DELAY: Duration = Duration::from_secs(2);

/// The `sequence`-th keep-alive of a connection bound to a conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeepAliveTick {
    /// The customer's connection.
    pub connection_id: String,
    /// The conversation it was bound to when the chain started.
    pub conversation: ConversationKey,
    /// 1 for the first keep-alive after `$connect`, 2 for the next, and so on; 0 for the
    /// delivery of kept messages right after `$connect`.
    pub sequence: u64,
    /// The farewell of an ended chat rather than a keep-alive. Absent from ticks queued before
    /// farewells were.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub farewell: bool,
}

/// A queue that delivers a tick after a delay.
#[async_trait]
pub trait TickQueue: Send + Sync {
    /// Delivers `tick` to the keep-alive function after `delay`.
    async fn schedule(&self, tick: &KeepAliveTick, delay: Duration) -> Result<(), QueueError>;
}

/// A tick that could not be put on the queue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not schedule a keep-alive")]
pub struct QueueError(#[source] pub Cause);

/// What became of a tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TickOutcome {
    /// The keep-alive was posted and the next one scheduled (for a delivery tick: the kept
    /// messages were posted; for a farewell: they and the end were, and the connection closed).
    Sent,
    /// The chain stops: the conversation ended, or the connection was replaced or is gone.
    Stopped,
    /// A redelivered tick, handled already.
    Duplicate,
}

/// A tick that could not be handled now; the queue delivers it again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TickError {
    /// Another attempt is handling this tick, or (for a farewell) another delivery the kept
    /// messages.
    #[error("another attempt is handling this keep-alive")]
    InProgress,
    /// The store failed.
    #[error("the conversation store failed")]
    Store(#[from] StoreError),
    /// The connection could not be reached (other than being gone).
    #[error("the customer's connection could not be reached")]
    Connection(#[source] Cause),
    /// The next tick could not be scheduled.
    #[error(transparent)]
    Queue(#[from] QueueError),
}

impl From<DeliveryError> for TickError {
    fn from(err: DeliveryError) -> Self {
        match err {
            DeliveryError::Store(err) => TickError::Store(err),
            DeliveryError::Connection(cause) => TickError::Connection(cause),
        }
    }
}

/// Sends keep-alives through these ports.
pub struct KeepAlive {
    store: Arc<dyn ConversationStore>,
    connections: Arc<dyn ConnectionPoster>,
    delivery: KeptDelivery,
    queue: Arc<dyn TickQueue>,
    interval: Duration,
    cap_message: String,
    warning_sequence: u64,
}

impl KeepAlive {
    /// Keep-alives every `interval`, [`MAX_INTERVAL`] at the most.
    pub fn new(
        store: Arc<dyn ConversationStore>,
        connections: Arc<dyn ConnectionPoster>,
        queue: Arc<dyn TickQueue>,
        interval: Duration,
    ) -> Self {
        let interval = interval.min(MAX_INTERVAL);
        Self {
            delivery: KeptDelivery::new(store.clone(), connections.clone()),
            store,
            connections,
            queue,
            interval,
            cap_message: CONNECTION_CAP_MESSAGE
                .default()
                .map(String::from)
                .unwrap_or_default(),
            warning_sequence: warning_sequence(interval, CONNECTION_CAP, CAP_WARNING_LEAD),
        }
    }

    /// Tells the customer `cap_message` instead of the keep-alive that comes
    /// [`CAP_WARNING_LEAD`] before [`CONNECTION_CAP`].
    pub fn with_cap_message(self, cap_message: impl Into<String>) -> Self {
        Self {
            cap_message: cap_message.into(),
            ..self
        }
    }

    /// Warns `lead` before connections are closed `cap` after they opened, instead of
    /// [`CAP_WARNING_LEAD`] before [`CONNECTION_CAP`]: for an API Gateway stand-in with
    /// shorter limits.
    pub fn with_connection_cap(self, cap: Duration, lead: Duration) -> Self {
        Self {
            warning_sequence: warning_sequence(self.interval, cap, lead),
            ..self
        }
    }

    /// The frame of the `sequence`-th tick: the warning once, at [`warning_sequence`]; a
    /// keep-alive otherwise.
    fn frame(&self, sequence: u64) -> Frame {
        if sequence == self.warning_sequence {
            Frame::message(&self.cap_message, SYSTEM_AUTHOR)
        } else {
            Frame::KeepAlive
        }
    }

    /// Starts the chain of a connection just bound to `conversation`, and schedules the
    /// delivery of the messages kept for it, if any.
    pub async fn start(
        &self,
        connection_id: &str,
        conversation: &ConversationKey,
    ) -> Result<(), QueueError> {
        let tick = |sequence| KeepAliveTick {
            connection_id: connection_id.to_owned(),
            conversation: conversation.clone(),
            sequence,
            farewell: false,
        };
        let waiting = match self.store.kept_messages(conversation).await {
            Ok(kept) => !kept.is_empty(),
            // The first keep-alive delivers them.
            Err(err) => {
                warn!(conversation = %conversation, error = %chain(&err), "could not look for kept messages");
                false
            }
        };
        if waiting {
            self.queue.schedule(&tick(0), DELIVERY_DELAY).await?;
        }
        self.queue.schedule(&tick(1), self.interval).await
    }

    /// Schedules the farewell of a connection just bound to `conversation`, which has ended
    /// with messages kept for the customer. No keep-alives: the farewell closes the connection.
    pub async fn farewell(
        &self,
        connection_id: &str,
        conversation: &ConversationKey,
    ) -> Result<(), QueueError> {
        let tick = KeepAliveTick {
            connection_id: connection_id.to_owned(),
            conversation: conversation.clone(),
            sequence: 0,
            farewell: true,
        };
        self.queue.schedule(&tick, DELIVERY_DELAY).await
    }

    /// Posts the keep-alive `tick` stands for, if its connection still carries its open
    /// conversation, and schedules the next one.
    pub async fn tick(&self, tick: &KeepAliveTick) -> Result<TickOutcome, TickError> {
        let id = format!("{}#{}", tick.connection_id, tick.sequence);
        match self.store.claim_event(TICKS, &id, TICK_LEASE).await? {
            Claim::Claimed => {}
            Claim::InProgress => return Err(TickError::InProgress),
            Claim::Handled => {
                metrics::duplicate_dropped(DuplicateSource::KeepAlive);
                return Ok(TickOutcome::Duplicate);
            }
        }
        let outcome = self.keep_alive(tick).await;
        let settled = match &outcome {
            Ok(_) => self.store.complete_event(TICKS, &id).await,
            Err(_) => self.store.release_event(TICKS, &id).await,
        };
        if let Err(err) = settled {
            // Completing failed: a redelivery posts once more. Releasing failed: the
            // redelivery waits for the lease.
            warn!(conversation = %tick.conversation, error = %chain(&err), "could not settle a keep-alive's claim");
        }
        outcome
    }

    async fn keep_alive(&self, tick: &KeepAliveTick) -> Result<TickOutcome, TickError> {
        let conversation = self.store.conversation(&tick.conversation).await?;
        let still_bound = conversation.is_some_and(|conversation| {
            (tick.farewell || conversation.status != ConversationStatus::Ended)
                && conversation.connection_id.as_deref() == Some(tick.connection_id.as_str())
        });
        if !still_bound {
            info!(conversation = %tick.conversation, sequence = tick.sequence, "keep-alives stop: the connection no longer carries the chat");
            return Ok(TickOutcome::Stopped);
        }
        if tick.farewell {
            return self.farewell_tick(tick).await;
        }
        match self
            .delivery
            .deliver(&tick.conversation, &tick.connection_id)
            .await?
        {
            Delivery::Done | Delivery::Busy => {}
            // Right after `$connect` a refusal may only mean the connection is not open yet:
            // the messages stay kept for the first keep-alive, and `$disconnect` unbinds a
            // connection that has really gone.
            Delivery::Gone if tick.sequence == 0 => return Ok(TickOutcome::Stopped),
            Delivery::Gone => {
                self.unbind_gone(&tick.connection_id).await;
                return Ok(TickOutcome::Stopped);
            }
        }
        if tick.sequence == 0 {
            return Ok(TickOutcome::Sent);
        }
        match self
            .connections
            .post(&tick.connection_id, &self.frame(tick.sequence))
            .await
        {
            Ok(()) => {}
            Err(PostError::Gone) => {
                self.unbind_gone(&tick.connection_id).await;
                return Ok(TickOutcome::Stopped);
            }
            Err(PostError::Failed(cause)) => return Err(TickError::Connection(cause)),
        }
        metrics::keep_alive_sent();
        self.queue.schedule(&next(tick), self.interval).await?;
        Ok(TickOutcome::Sent)
    }

    /// Delivers what was kept for the customer of an ended chat, the agent's goodbye last, then
    /// tells the Lex Web UI the chat ended and closes the connection.
    async fn farewell_tick(&self, tick: &KeepAliveTick) -> Result<TickOutcome, TickError> {
        match self
            .delivery
            .deliver(&tick.conversation, &tick.connection_id)
            .await?
        {
            Delivery::Done => {}
            // Ending now would overtake the message another delivery is posting.
            Delivery::Busy => return Err(TickError::InProgress),
            // Right after `$connect` a refusal may only mean the connection is not open yet,
            // as for a delivery tick: tried once more, when the first keep-alive would come.
            Delivery::Gone if tick.sequence == 0 => {
                self.queue.schedule(&next(tick), self.interval).await?;
                return Ok(TickOutcome::Stopped);
            }
            Delivery::Gone => {
                self.unbind_gone(&tick.connection_id).await;
                return Ok(TickOutcome::Stopped);
            }
        }
        match self
            .connections
            .post(&tick.connection_id, &Frame::ConversationEnded)
            .await
        {
            Ok(()) | Err(PostError::Gone) => {}
            Err(PostError::Failed(cause)) => return Err(TickError::Connection(cause)),
        }
        if let Err(err) = self.connections.close(&tick.connection_id).await {
            // The customer has been told; the connection ends when they press End Live Chat.
            warn!(conversation = %tick.conversation, error = %chain(&err), "could not close the connection after a farewell");
        }
        info!(conversation = %tick.conversation, "farewell delivered");
        Ok(TickOutcome::Sent)
    }

    async fn unbind_gone(&self, connection_id: &str) {
        if let Err(err) = self.store.unbind_connection(connection_id).await {
            warn!(error = %chain(&err), "could not unbind a gone connection");
        }
    }
}

/// The tick after `tick`, of the same kind.
fn next(tick: &KeepAliveTick) -> KeepAliveTick {
    KeepAliveTick {
        sequence: tick.sequence + 1,
        ..tick.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn the_warning_is_the_first_tick_due_at_or_after_the_lead_before_the_cap() {
        // 110 minutes at 240 s: 27.5 intervals, so the 28th tick (112 minutes).
        assert_eq!(
            warning_sequence(240 * SECOND, CONNECTION_CAP, CAP_WARNING_LEAD),
            28
        );
        // Due exactly then: that tick, not the next.
        assert_eq!(
            warning_sequence(300 * SECOND, CONNECTION_CAP, CAP_WARNING_LEAD),
            22
        );
    }

    #[test]
    fn a_custom_cap_moves_the_warning() {
        // A 4-second cap warned 2 seconds before: the 2nd tick at 1 s, the 4th at 500 ms.
        assert_eq!(warning_sequence(SECOND, 4 * SECOND, 2 * SECOND), 2);
        assert_eq!(warning_sequence(SECOND / 2, 4 * SECOND, 2 * SECOND), 4);
        // 2.5 s before a 7-second cap is 4.5 s: the 5th tick at 1 s.
        assert_eq!(warning_sequence(SECOND, 7 * SECOND, SECOND * 5 / 2), 5);
    }

    #[test]
    fn a_lead_as_long_as_the_cap_warns_at_the_first_tick() {
        assert_eq!(warning_sequence(SECOND, 3 * SECOND, 3 * SECOND), 1);
        assert_eq!(warning_sequence(SECOND, 3 * SECOND, 10 * SECOND), 1);
    }
}
