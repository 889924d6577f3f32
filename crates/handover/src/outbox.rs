//! Agent messages kept for a customer who is not connected, and their delivery in order once
//! they are.
//!
//! A page reload, a dropped network or API Gateway's 2-hour cap leaves an open conversation
//! without a connection for a while. Agent messages sent meanwhile are kept in the
//! conversation's outbox (bounded, in the store, for the conversation's lifetime) and posted,
//! oldest first, when the customer's next connection is bound: by the first keep-alive tick after
//! `$connect`, or by the next agent message, whichever comes first.
//!
//! Each kept message is claimed before it is posted and forgotten only after, so two deliveries
//! racing (a tick and an agent message) never show it twice, and one that dies in between
//! leaves it kept for the next.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tracing::warn;

use crate::connections::{ConnectionPoster, Frame, PostError};
use crate::conversation::ConversationKey;
use crate::errors::{Cause, chain};
use crate::store::lifetime::expiry;
use crate::store::{Claim, ConversationStore, StoreError};

/// An agent message waiting for the customer's connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptMessage {
    /// Unique among the conversation's messages: the provider's name and its message id.
    pub id: String,
    /// The text, as the agent sent it.
    pub text: String,
    /// Who wrote it.
    pub author_name: String,
}

impl KeptMessage {
    fn size(&self) -> usize {
        self.id.len() + self.text.len() + self.author_name.len()
    }
}

/// The most a conversation's outbox holds, whatever its count: well inside DynamoDB's 400 KB
/// item limit.
pub const MAX_OUTBOX_BYTES: usize = 300 * 1024;

/// A conversation's kept messages, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outbox {
    /// The conversation they belong to.
    pub key: ConversationKey,
    /// Oldest first.
    pub messages: Vec<KeptMessage>,
    /// When the record may be deleted.
    pub expires_at: SystemTime,
    /// Incremented on every change; writes are conditional on it.
    pub version: u64,
}

/// What became of a message offered to the outbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    /// Kept, after the others.
    Kept,
    /// A message with its id was kept already.
    AlreadyKept,
    /// The outbox holds its capacity (or [`MAX_OUTBOX_BYTES`]); the message was not kept.
    Full,
}

impl Outbox {
    /// An empty outbox for `key`.
    pub fn empty(key: &ConversationKey) -> Self {
        Self {
            key: key.clone(),
            messages: Vec::new(),
            expires_at: SystemTime::UNIX_EPOCH,
            version: 0,
        }
    }

    /// The outbox with `message` appended at `now`, holding at most `capacity` messages, and
    /// what became of the message (the outbox is `None` when unchanged).
    pub fn keep(
        &self,
        message: KeptMessage,
        capacity: usize,
        now: SystemTime,
        lifetime: Duration,
    ) -> (Kept, Option<Outbox>) {
        if self.messages.iter().any(|kept| kept.id == message.id) {
            return (Kept::AlreadyKept, None);
        }
        let bytes: usize = self.messages.iter().map(KeptMessage::size).sum();
        if self.messages.len() >= capacity || bytes + message.size() > MAX_OUTBOX_BYTES {
            return (Kept::Full, None);
        }
        let mut next = self.changed(now, lifetime);
        next.messages.push(message);
        (Kept::Kept, Some(next))
    }

    /// The outbox without the message `id` (delivered), or `None` if it holds no such message.
    pub fn forget(&self, id: &str, now: SystemTime, lifetime: Duration) -> Option<Outbox> {
        let position = self.messages.iter().position(|kept| kept.id == id)?;
        let mut next = self.changed(now, lifetime);
        next.messages.remove(position);
        Some(next)
    }

    fn changed(&self, now: SystemTime, lifetime: Duration) -> Outbox {
        Outbox {
            expires_at: expiry(now, lifetime),
            version: self.version + 1,
            ..self.clone()
        }
    }
}

/// Where ids of kept messages are claimed while they are posted.
const DELIVERIES: &str = "outbox";

/// How long a delivery holds a kept message before another may take it over: longer than any
/// function's timeout, so that only a delivery that died loses its claim.
const DELIVERY_LEASE: Duration = Duration::from_secs(30);

/// How a delivery of kept messages ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Every kept message was posted; the outbox is empty.
    Done,
    /// Another delivery is posting the oldest message: it posts the rest too.
    Busy,
    /// The connection has gone; the messages stay kept.
    Gone,
}

/// Kept messages that could not be delivered now; they stay kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// The store failed.
    #[error("the conversation store failed")]
    Store(#[from] StoreError),
    /// The connection could not be reached (other than being gone).
    #[error("the customer's connection could not be reached")]
    Connection(#[source] Cause),
}

/// Posts a conversation's kept messages to its connection, in order.
pub struct KeptDelivery {
    store: Arc<dyn ConversationStore>,
    connections: Arc<dyn ConnectionPoster>,
}

impl KeptDelivery {
    /// Deliveries through these ports.
    pub fn new(store: Arc<dyn ConversationStore>, connections: Arc<dyn ConnectionPoster>) -> Self {
        Self { store, connections }
    }

    /// Posts the conversation's kept messages to `connection_id`, oldest first, until none is
    /// left. Reads the outbox again after each round, so that a message kept meanwhile by an
    /// agent event that found this delivery [`Delivery::Busy`] is posted too.
    pub async fn deliver(
        &self,
        key: &ConversationKey,
        connection_id: &str,
    ) -> Result<Delivery, DeliveryError> {
        loop {
            let kept = self.store.kept_messages(key).await?;
            if kept.is_empty() {
                return Ok(Delivery::Done);
            }
            for message in kept {
                match self
                    .store
                    .claim_event(DELIVERIES, &message.id, DELIVERY_LEASE)
                    .await?
                {
                    Claim::Claimed => {}
                    // Posted by a delivery whose forgetting failed.
                    Claim::Handled => {
                        self.store.forget_message(key, &message.id).await?;
                        continue;
                    }
                    // Stopping keeps the order: the delivery holding it posts what follows.
                    Claim::InProgress => return Ok(Delivery::Busy),
                }
                let frame = Frame::message(&message.text, &message.author_name);
                let posted = self.connections.post(connection_id, &frame).await;
                let settled = match posted {
                    Ok(()) => self.store.complete_event(DELIVERIES, &message.id).await,
                    Err(_) => self.store.release_event(DELIVERIES, &message.id).await,
                };
                if let Err(err) = settled {
                    // Completing failed: the claim lapses and the message is shown again, which
                    // beats losing it. Releasing failed: the next delivery waits for the lease.
                    warn!(conversation = %key, error = %chain(&err), "could not settle a kept message's claim");
                }
                match posted {
                    Ok(()) => self.store.forget_message(key, &message.id).await?,
                    Err(PostError::Gone) => return Ok(Delivery::Gone),
                    Err(PostError::Failed(cause)) => return Err(DeliveryError::Connection(cause)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: &str, text: &str) -> KeptMessage {
        KeptMessage {
            id: id.into(),
            text: text.into(),
            author_name: "Sam".into(),
        }
    }

    fn outbox() -> Outbox {
        Outbox::empty(&ConversationKey::parse("k1").unwrap())
    }

    const LIFETIME: Duration = Duration::from_secs(3600);

    #[test]
    fn messages_are_kept_in_order_once_each() {
        let now = SystemTime::now();
        let (kept, one) = outbox().keep(message("a", "hi"), 5, now, LIFETIME);
        assert_eq!(kept, Kept::Kept);
        let one = one.unwrap();
        let (_, two) = one.keep(message("b", "there"), 5, now, LIFETIME);
        let two = two.unwrap();
        assert_eq!(
            two.messages
                .iter()
                .map(|m| m.id.as_str())
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(two.version, 2);
        assert_eq!(
            two.keep(message("a", "hi"), 5, now, LIFETIME),
            (Kept::AlreadyKept, None)
        );
    }

    #[test]
    fn a_full_outbox_refuses_by_count_and_by_size() {
        let now = SystemTime::now();
        let (_, one) = outbox().keep(message("a", "hi"), 1, now, LIFETIME);
        assert_eq!(
            one.unwrap().keep(message("b", "x"), 1, now, LIFETIME),
            (Kept::Full, None)
        );
        let huge = message("c", &"x".repeat(MAX_OUTBOX_BYTES));
        assert_eq!(outbox().keep(huge, 10, now, LIFETIME), (Kept::Full, None));
    }

    #[test]
    fn forgetting_removes_only_that_message() {
        let now = SystemTime::now();
        let (_, one) = outbox().keep(message("a", "hi"), 5, now, LIFETIME);
        let (_, two) = one.unwrap().keep(message("b", "x"), 5, now, LIFETIME);
        let two = two.unwrap();
        let left = two.forget("a", now, LIFETIME).unwrap();
        assert_eq!(left.messages, [message("b", "x")]);
        assert_eq!(left.forget("a", now, LIFETIME), None);
    }
}
