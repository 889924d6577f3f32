//! The customer-relay function's work: customer messages taken from the FIFO queue that
//! `onMessage` fills, and sent to the conversation's contact center one after another, in the
//! order the customer sent them.
//!
//! The queue delivers a batch with each conversation's messages in order, and delivers again
//! what the batch reports as failed. So a message that certainly did not go is reported with
//! every later message of its conversation in the batch, none of which is sent now: the queue
//! brings them back, in order, after its visibility timeout. On its last allowed delivery a
//! message that fails is told to the customer instead, so that it never holds up the chat.
//!
//! The customer's end of the chat comes the same way, after their messages: the conversation
//! is marked ended, then ended at its contact center.
//!
//! Queues deliver at least once, and a function can die half-way, so each message is claimed
//! in the store before it is sent and completed after: a redelivery of a sent message sends
//! nothing, and one that overlaps an attempt holding the claim waits for the queue again.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::{Instant, timeout_at};
use tracing::{Instrument, error, info, info_span, warn};

use super::end_at_contact_center;
use super::queue::CustomerMessage;
use super::settings::OrderedSettings;
use super::tell::Teller;
use crate::clock::{Clock, SystemClock};
use crate::connections::ConnectionPoster;
use crate::contact_center::{ContactCenterError, ContactCenters, CustomerText};
use crate::conversation::ConversationStatus;
use crate::errors::chain;
use crate::metrics::{self, Direction, DuplicateSource};
use crate::store::lifetime::is_due_refresh;
use crate::store::{Claim, ConversationStore, StoreError};

/// How long an attempt holds a message: longer than the customer-relay function's timeout
/// (20 s in the template), so that only an attempt that died loses it, and shorter than the
/// queue's visibility timeout (120 s), so that the redelivery after a death finds it free.
pub const MESSAGE_LEASE: Duration = Duration::from_secs(30);

/// Where customer messages are recorded as handled in the store.
const SOURCE: &str = "customer";

/// One record of a batch, as the queue delivered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedRecord {
    /// The queue's id of the record, which a failure is reported by.
    pub record_id: String,
    /// The record's body: a [`CustomerMessage`] as JSON, if the record is ours.
    pub body: Option<String>,
    /// How many times the queue has delivered the record, this time included.
    pub receive_count: u32,
}

/// What became of one message.
enum Step {
    /// Sent, or the customer told why not: the queue may forget it.
    Done,
    /// Not sent, certainly: the queue delivers it again.
    Retry,
}

/// What a send attempt came to.
enum Sent {
    /// Sent, or told: nothing more to do.
    Done,
    /// Certainly not sent; the customer is on `connection_id`.
    Failed { connection_id: String },
}

/// Sends queued customer messages through these ports.
pub struct OrderedRelay {
    store: Arc<dyn ConversationStore>,
    contact_centers: ContactCenters,
    teller: Teller,
    settings: OrderedSettings,
    clock: Arc<dyn Clock>,
}

impl OrderedRelay {
    /// A relay over these ports; each conversation's messages go to the contact center of its
    /// provider among `contact_centers`.
    pub fn new(
        store: Arc<dyn ConversationStore>,
        contact_centers: ContactCenters,
        connections: Arc<dyn ConnectionPoster>,
        settings: OrderedSettings,
    ) -> Self {
        Self {
            teller: Teller::new(store.clone(), connections, &settings.author_name),
            store,
            contact_centers,
            settings,
            clock: Arc::new(SystemClock),
        }
    }

    /// Reads the time from `clock` (for the conversation's lifetime).
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self }
    }

    /// Relays a batch in order; answers the ids of the records to deliver again. A record that
    /// is not a customer message is dropped with a log line, never failing the batch.
    pub async fn relay_batch(&self, records: Vec<QueuedRecord>, deadline: Instant) -> Vec<String> {
        let mut again = Vec::new();
        let mut held_back = HashSet::new();
        for record in records {
            let message = record
                .body
                .as_deref()
                .map(serde_json::from_str::<CustomerMessage>);
            let Some(Ok(message)) = message else {
                warn!(record = %record.record_id, "dropping a queue record that is not a customer message");
                continue;
            };
            // A later message never overtakes one that is to be delivered again.
            if held_back.contains(&message.conversation) {
                again.push(record.record_id);
                continue;
            }
            let last = record.receive_count >= self.settings.max_receives;
            let span = info_span!(
                "customer_message",
                conversation = %message.conversation,
                connection = message.connection_id,
            );
            if let Step::Retry = self.relay(&message, last, deadline).instrument(span).await {
                held_back.insert(message.conversation);
                again.push(record.record_id);
            }
        }
        again
    }

    /// Claims `message`, sends it, and settles the claim.
    async fn relay(&self, message: &CustomerMessage, last: bool, deadline: Instant) -> Step {
        let key = &message.conversation;
        // Out of time: the next invocation has its own.
        if Instant::now() >= deadline {
            warn!(conversation = %key, "no time left for a customer message; the queue delivers it again");
            return Step::Retry;
        }
        let claim = timeout_at(
            deadline,
            self.store
                .claim_event(SOURCE, &message.message_id, MESSAGE_LEASE),
        )
        .await;
        match claim {
            Ok(Ok(Claim::Claimed)) => {}
            Ok(Ok(Claim::Handled)) => {
                info!(conversation = %key, "a customer message delivered again was relayed already");
                metrics::duplicate_dropped(DuplicateSource::CustomerMessage);
                return Step::Done;
            }
            // Its lease ends before the queue delivers it again.
            Ok(Ok(Claim::InProgress)) => {
                info!(conversation = %key, "another attempt holds this customer message");
                return Step::Retry;
            }
            Ok(Err(err)) => {
                error!(conversation = %key, error = %chain(&err), "could not claim a customer message");
                return self.failed(&message.connection_id, last).await;
            }
            Err(_) => {
                error!(conversation = %key, "ran out of time claiming a customer message");
                return Step::Retry;
            }
        }
        let step = if message.ends_chat {
            self.end(message, last, deadline).await
        } else {
            let sent = timeout_at(deadline, self.send(message, deadline))
                .await
                .unwrap_or_else(|_| {
                    error!(conversation = %key, "ran out of time relaying a customer message");
                    Sent::Failed {
                        connection_id: message.connection_id.clone(),
                    }
                });
            match sent {
                Sent::Done => Step::Done,
                Sent::Failed { connection_id } => self.failed(&connection_id, last).await,
            }
        };
        let settled = match step {
            Step::Done => self.store.complete_event(SOURCE, &message.message_id).await,
            Step::Retry => self.store.release_event(SOURCE, &message.message_id).await,
        };
        if let Err(err) = settled {
            // Completing failed: a redelivery sends it again (at most twice, as before the
            // queue). Releasing failed: the redelivery waits for the lease.
            warn!(conversation = %key, error = %chain(&err), "could not settle a customer message's claim");
        }
        step
    }

    /// The customer's end: marks the conversation ended and ends it at its contact center. A
    /// chat that ended before (the agent's end, a contact center's refusal) is left alone.
    async fn end(&self, end: &CustomerMessage, last: bool, deadline: Instant) -> Step {
        let key = &end.conversation;
        let conversation = match self.store.mark_ended(key).await {
            Ok(conversation) => conversation,
            Err(StoreError::AlreadyEnded(_) | StoreError::NotFound(_)) => {
                info!(conversation = %key, "the customer's end found the chat over already");
                return Step::Done;
            }
            Err(err) if last => {
                error!(conversation = %key, error = %chain(&err), "could not mark the conversation ended; the customer's end is dropped");
                return Step::Done;
            }
            Err(err) => {
                error!(conversation = %key, error = %chain(&err), "could not mark the conversation ended; the queue delivers the customer's end again");
                return Step::Retry;
            }
        };
        let ending = end_at_contact_center(&self.contact_centers, &conversation, deadline);
        if timeout_at(deadline, ending).await.is_err() {
            error!(conversation = %key, "ran out of time ending the conversation at the contact center");
        }
        // Reconnected with the same reference before the end came through.
        if let Some(connection_id) = &conversation.connection_id {
            let ended = &self.settings.ended_message;
            self.teller
                .close_ended_chat(key, connection_id, ended)
                .await;
        }
        Step::Done
    }

    /// A message that certainly did not go: delivered again, or on its last delivery told.
    async fn failed(&self, connection_id: &str, last: bool) -> Step {
        if !last {
            return Step::Retry;
        }
        metrics::delivery_failed(Direction::ToAgent);
        self.teller
            .say(connection_id, &self.settings.relay_failed_message)
            .await;
        Step::Done
    }

    /// Sends `message` to the agent through its conversation's contact center, and tells the
    /// customer whatever is final about it.
    async fn send(&self, message: &CustomerMessage, deadline: Instant) -> Sent {
        let key = &message.conversation;
        let conversation = match self.store.conversation(key).await {
            Ok(Some(conversation)) if conversation.status != ConversationStatus::Ended => {
                conversation
            }
            Ok(_) => {
                info!(conversation = %key, "a queued customer message found its chat ended");
                let connection_id = &message.connection_id;
                self.teller
                    .say(connection_id, &self.settings.ended_message)
                    .await;
                return Sent::Done;
            }
            Err(err) => {
                error!(conversation = %key, error = %chain(&err), "could not read a queued message's conversation");
                return Sent::Failed {
                    connection_id: message.connection_id.clone(),
                };
            }
        };
        // The customer may have reconnected since: they are told where they are now.
        let connection_id = conversation
            .connection_id
            .clone()
            .unwrap_or_else(|| message.connection_id.clone());
        let sent = match self.contact_centers.of(conversation.provider) {
            Ok(center) => {
                let text = CustomerText {
                    id: &message.message_id,
                    text: &message.text,
                };
                center.send_message(&conversation, text, deadline).await
            }
            Err(not_enabled) => Err(not_enabled),
        };
        let told = match sent {
            Ok(relayed) => {
                // At most one write: what the contact center asked to keep, or the lifetime
                // when it is due (see `store::lifetime`); on most messages none.
                let due = is_due_refresh(
                    conversation.updated_at,
                    conversation.expires_at,
                    self.clock.now(),
                );
                let kept = match &relayed.provider_data {
                    Some(provider_data) => self
                        .store
                        .keep_provider_data(key, provider_data)
                        .await
                        .map(drop),
                    None if due => self.store.touch(key).await.map(drop),
                    None => Ok(()),
                };
                if let Err(err) = kept {
                    warn!(conversation = %key, error = %chain(&err), "could not update the conversation after relaying");
                }
                info!(conversation = %key, "customer message relayed");
                metrics::message_relayed(Direction::ToAgent, conversation.provider);
                return Sent::Done;
            }
            // Retrying will not help: the chat is over at the contact center.
            Err(err @ ContactCenterError::Refused { .. }) => {
                warn!(conversation = %key, code = err.code(), error = %chain(&err), "the contact center refused the customer's message for good: the chat has ended");
                metrics::delivery_failed(Direction::ToAgent);
                let ended = &self.settings.ended_message;
                self.teller
                    .end_refused_chat(&conversation, &connection_id, ended)
                    .await;
                return Sent::Done;
            }
            // Sending it again may show it twice more: the customer decides.
            Err(err @ ContactCenterError::Unknown { .. }) => {
                error!(conversation = %key, code = err.code(), error = %chain(&err), "the customer's message may not have been relayed");
                metrics::delivery_failed(Direction::ToAgent);
                &self.settings.relay_uncertain_message
            }
            // No retry enables a contact center.
            Err(err @ ContactCenterError::NotEnabled(_)) => {
                error!(conversation = %key, code = err.code(), error = %chain(&err), "could not relay the customer's message");
                metrics::delivery_failed(Direction::ToAgent);
                &self.settings.relay_failed_message
            }
            Err(err) => {
                error!(conversation = %key, code = err.code(), error = %chain(&err), "could not relay the customer's message for now");
                return Sent::Failed { connection_id };
            }
        };
        self.teller.say(&connection_id, told).await;
        Sent::Done
    }
}
