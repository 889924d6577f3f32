//! In-process stand-ins for the domain's ports, shared by the handler tests: a contact center
//! and a connection poster that record what they are asked, and secrets from a map.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use handover::connections::{ConnectionPoster, Frame, PostError};
use handover::contact_center::{
    ContactCenter, ContactCenterError, CustomerText, HandoverRequest, Relayed, StartedConversation,
};
use handover::conversation::{Conversation, Provider};
use handover::keep_alive::{KeepAliveTick, QueueError, TickQueue};
use handover::relay::ordered::QueuedRecord;
use handover::relay::{CustomerMessage, EnqueueError, MessageQueue};
use handover::secrets::{SecretError, SecretSource};
use tokio::sync::Notify;
use tokio::time::Instant;

/// A Talkdesk-like contact center that records every call. Like Talkdesk, the same
/// idempotency key gives the same conversation id: `td-<key>`, and a message to a conversation
/// it has ended is refused, as its provider refuses it. It acts as Talkdesk unless told to act
/// as another provider.
pub struct FakeContactCenter {
    provider: Provider,
    started: Mutex<Vec<(HandoverRequest, String)>>,
    sent: Mutex<Vec<(String, String)>>,
    ended: Mutex<Vec<String>>,
    refusal: Mutex<Option<ContactCenterError>>,
    send_failures: Mutex<VecDeque<ContactCenterError>>,
    renewed: Mutex<Option<BTreeMap<String, String>>>,
}

impl Default for FakeContactCenter {
    fn default() -> Self {
        Self::acting_as(Provider::Talkdesk)
    }
}

impl FakeContactCenter {
    /// A fake that says it is `provider`'s contact center.
    pub fn acting_as(provider: Provider) -> Self {
        Self {
            provider,
            started: Mutex::default(),
            sent: Mutex::default(),
            ended: Mutex::default(),
            refusal: Mutex::default(),
            send_failures: Mutex::default(),
            renewed: Mutex::default(),
        }
    }

    /// From now on every send hands `provider_data` back for the conversation to keep, as an
    /// adapter that renewed a token does.
    pub fn renew_provider_data(&self, provider_data: BTreeMap<String, String>) {
        *self.renewed.lock().unwrap() = Some(provider_data);
    }

    /// From now on every call fails with `error`.
    pub fn refuse_with(&self, error: ContactCenterError) {
        *self.refusal.lock().unwrap() = Some(error);
    }

    /// The next sends fail with `errors`, one each, before any refusal applies.
    pub fn fail_next_sends(&self, errors: impl IntoIterator<Item = ContactCenterError>) {
        self.send_failures.lock().unwrap().extend(errors);
    }

    /// Every conversation started, with its idempotency key.
    pub fn starts(&self) -> Vec<(HandoverRequest, String)> {
        self.started.lock().unwrap().clone()
    }

    /// (provider conversation id, text) of every message relayed.
    pub fn sent(&self) -> Vec<(String, String)> {
        self.sent.lock().unwrap().clone()
    }

    /// The provider conversation ids of every conversation ended.
    pub fn ended(&self) -> Vec<String> {
        self.ended.lock().unwrap().clone()
    }

    fn refused(&self) -> Result<(), ContactCenterError> {
        self.refusal.lock().unwrap().clone().map_or(Ok(()), Err)
    }
}

#[async_trait]
impl ContactCenter for FakeContactCenter {
    fn provider(&self) -> Provider {
        self.provider
    }

    async fn start_conversation(
        &self,
        request: &HandoverRequest,
        idempotency_key: &str,
        _deadline: Instant,
    ) -> Result<StartedConversation, ContactCenterError> {
        self.refused()?;
        let started = (request.clone(), idempotency_key.to_owned());
        self.started.lock().unwrap().push(started);
        Ok(StartedConversation {
            provider_conversation_id: format!("td-{idempotency_key}"),
            provider_data: Default::default(),
        })
    }

    async fn send_message(
        &self,
        conversation: &Conversation,
        message: CustomerText<'_>,
        _deadline: Instant,
    ) -> Result<Relayed, ContactCenterError> {
        if let Some(error) = self.send_failures.lock().unwrap().pop_front() {
            return Err(error);
        }
        self.refused()?;
        let id = conversation.provider_conversation_id.clone();
        if self.ended.lock().unwrap().contains(&id) {
            // As each refuses it: Talkdesk's closed conversation, Connect's gone participant.
            let (code, said) = match self.provider {
                Provider::Talkdesk => (
                    "0331009",
                    "Talkdesk answered 409: the conversation is closed",
                ),
                Provider::AmazonConnect => (
                    "AccessDeniedException",
                    "Amazon Connect answered 403: the participant has disconnected",
                ),
            };
            return Err(ContactCenterError::Refused {
                code: code.into(),
                cause: handover::errors::Cause::new(std::io::Error::other(said)),
            });
        }
        self.sent
            .lock()
            .unwrap()
            .push((id, message.text.to_owned()));
        Ok(Relayed {
            provider_data: self.renewed.lock().unwrap().clone(),
        })
    }

    async fn end_conversation(
        &self,
        conversation: &Conversation,
        _deadline: Instant,
    ) -> Result<(), ContactCenterError> {
        self.refused()?;
        let id = conversation.provider_conversation_id.clone();
        self.ended.lock().unwrap().push(id);
        Ok(())
    }
}

/// One call a [`RecordingPoster`] received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    /// A frame that reached the connection.
    Post(String, Frame),
    /// A frame that was answered with an error.
    Refused(String, Frame),
    /// The connection was closed.
    Close(String),
}

/// A connection poster that records every call and answers queued errors first.
#[derive(Default)]
pub struct RecordingPoster {
    calls: Mutex<Vec<Call>>,
    errors: Mutex<VecDeque<PostError>>,
    hold: Mutex<Option<PostHold>>,
}

/// A post kept waiting, to overlap another attempt with it: see
/// [`RecordingPoster::hold_next_post`].
#[derive(Clone, Default)]
pub struct PostHold {
    entered: Arc<Notify>,
    released: Arc<Notify>,
}

impl PostHold {
    /// Returns once the held post has started.
    pub async fn entered(&self) {
        self.entered.notified().await;
    }

    /// Lets the held post go on.
    pub fn release(&self) {
        self.released.notify_one();
    }
}

impl RecordingPoster {
    /// The next post waits, before it is recorded or answered, until the hold is released.
    pub fn hold_next_post(&self) -> PostHold {
        let hold = PostHold::default();
        *self.hold.lock().unwrap() = Some(hold.clone());
        hold
    }

    /// The next posts answer these errors, in order.
    pub fn fail_next(&self, errors: impl IntoIterator<Item = PostError>) {
        self.errors.lock().unwrap().extend(errors);
    }

    /// Every call, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// The frames that reached `connection_id`, in order.
    pub fn frames(&self, connection_id: &str) -> Vec<Frame> {
        self.calls()
            .into_iter()
            .filter_map(|call| match call {
                Call::Post(id, frame) if id == connection_id => Some(frame),
                _ => None,
            })
            .collect()
    }

    /// The connections closed, in order.
    pub fn closed(&self) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter_map(|call| match call {
                Call::Close(id) => Some(id),
                _ => None,
            })
            .collect()
    }
}

#[async_trait]
impl ConnectionPoster for RecordingPoster {
    async fn post(&self, connection_id: &str, frame: &Frame) -> Result<(), PostError> {
        let hold = self.hold.lock().unwrap().take();
        if let Some(hold) = hold {
            hold.entered.notify_one();
            hold.released.notified().await;
        }
        let error = self.errors.lock().unwrap().pop_front();
        let (call, result) = match error {
            None => (Call::Post(connection_id.into(), frame.clone()), Ok(())),
            Some(error) => (
                Call::Refused(connection_id.into(), frame.clone()),
                Err(error),
            ),
        };
        self.calls.lock().unwrap().push(call);
        result
    }

    async fn close(&self, connection_id: &str) -> Result<(), PostError> {
        self.calls
            .lock()
            .unwrap()
            .push(Call::Close(connection_id.into()));
        Ok(())
    }
}

/// Secrets from a map; a name it lacks is [`SecretError::NotFound`].
#[derive(Default)]
pub struct MapSecrets(pub HashMap<String, String>);

impl MapSecrets {
    /// A map holding one secret.
    pub fn with(name: &str, value: &str) -> Self {
        Self(HashMap::from([(name.to_owned(), value.to_owned())]))
    }
}

#[async_trait]
impl SecretSource for MapSecrets {
    async fn secret_string(&self, name: &str) -> Result<String, SecretError> {
        self.0
            .get(name)
            .cloned()
            .ok_or_else(|| SecretError::NotFound {
                name: name.to_owned(),
            })
    }
}

/// A keep-alive queue that records what it is asked to deliver, and when.
#[derive(Default)]
pub struct RecordingQueue {
    scheduled: Mutex<Vec<(KeepAliveTick, Duration)>>,
}

impl RecordingQueue {
    /// Every tick scheduled, with its delay, in order.
    pub fn scheduled(&self) -> Vec<(KeepAliveTick, Duration)> {
        self.scheduled.lock().unwrap().clone()
    }
}

#[async_trait]
impl TickQueue for RecordingQueue {
    async fn schedule(&self, tick: &KeepAliveTick, delay: Duration) -> Result<(), QueueError> {
        self.scheduled.lock().unwrap().push((tick.clone(), delay));
        Ok(())
    }
}

/// A customer-message queue that records what it is given, or fails when told to.
#[derive(Default)]
pub struct RecordingMessageQueue {
    queued: Mutex<Vec<CustomerMessage>>,
    failing: Mutex<bool>,
}

impl RecordingMessageQueue {
    /// Every message queued, in order.
    pub fn queued(&self) -> Vec<CustomerMessage> {
        self.queued.lock().unwrap().clone()
    }

    /// From now on every enqueue fails (or works again).
    pub fn fail(&self, failing: bool) {
        *self.failing.lock().unwrap() = failing;
    }

    /// Takes the messages queued so far as a batch's records, first delivery each.
    pub fn drain(&self) -> Vec<QueuedRecord> {
        let taken = std::mem::take(&mut *self.queued.lock().unwrap());
        taken.iter().map(|message| record(message, 1)).collect()
    }
}

/// `message` as the queue delivers it for the `receive_count`-th time, its record id the
/// message id.
pub fn record(message: &CustomerMessage, receive_count: u32) -> QueuedRecord {
    QueuedRecord {
        record_id: message.message_id.clone(),
        body: Some(serde_json::to_string(message).expect("a message is plain data")),
        receive_count,
    }
}

#[async_trait]
impl MessageQueue for RecordingMessageQueue {
    async fn enqueue(&self, message: &CustomerMessage) -> Result<(), EnqueueError> {
        if *self.failing.lock().unwrap() {
            let cause = std::io::Error::other("the queue is unavailable");
            return Err(EnqueueError(handover::errors::Cause::new(cause)));
        }
        self.queued.lock().unwrap().push(message.clone());
        Ok(())
    }
}
