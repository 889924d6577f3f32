//! A stand-in for the SQS FIFO queue of customer messages: each conversation's messages are
//! delivered in the order queued to the customer-relay Lambda's own entry point, up to 10 a
//! batch; a group is never delivered again while a batch of it is being handled, and records
//! reported as failed come back, still first in their group, after the visibility timeout
//! (shortened: see [`VISIBILITY_TIMEOUT`]). Like SQS, it delivers at least once: with
//! [`FifoOptions::deliver_twice`] every batch is handed over a second time once handled, as SQS
//! does when a visibility timeout ends before the function has deleted the batch.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use handover::relay::ordered::OrderedRelay;
use handover::relay::{CustomerMessage, EnqueueError, MessageQueue};
use lambda_runtime::LambdaEvent;
use tokio::sync::Notify;
use tokio::time::sleep;
use tracing::error;
use uuid::Uuid;

use crate::handlers::lambda_context;

/// How long a failed record stays hidden: the template's 120 s, shortened so that a retry is
/// seen within a test or a demo.
pub const VISIBILITY_TIMEOUT: Duration = Duration::from_secs(2);

/// The customer-relay function's timeout in the template.
const FUNCTION_TIMEOUT: Duration = Duration::from_secs(20);

/// A FIFO batch holds at most 10 records.
const BATCH_SIZE: usize = 10;

/// How the stand-in queue behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FifoOptions {
    /// How long a record reported as failed stays hidden.
    pub visibility_timeout: Duration,
    /// Every batch is delivered a second time once handled (SQS's at-least-once delivery).
    pub deliver_twice: bool,
}

impl Default for FifoOptions {
    fn default() -> Self {
        Self {
            visibility_timeout: VISIBILITY_TIMEOUT,
            deliver_twice: false,
        }
    }
}

/// The queue; clones share it.
#[derive(Clone, Default)]
pub(crate) struct LocalFifoQueue {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    options: Mutex<FifoOptions>,
    consumer: OnceLock<Arc<OrderedRelay>>,
    groups: Mutex<HashMap<String, Arc<Group>>>,
    /// Deduplication ids seen (SQS forgets them after 5 minutes; a local stack is shorter).
    seen: Mutex<HashSet<String>>,
}

#[derive(Default)]
struct Group {
    records: Mutex<VecDeque<Record>>,
    arrived: Notify,
}

#[derive(Clone)]
struct Record {
    id: String,
    body: String,
    receive_count: u32,
}

impl LocalFifoQueue {
    /// A queue behaving as `options` says.
    pub(crate) fn new(options: FifoOptions) -> Self {
        let queue = Self::default();
        *queue
            .inner
            .options
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = options;
        queue
    }

    /// Records go to `relay` from now on.
    pub(crate) fn consume_with(&self, relay: Arc<OrderedRelay>) {
        let _ = self.inner.consumer.set(relay);
    }
}

#[async_trait]
impl MessageQueue for LocalFifoQueue {
    async fn enqueue(&self, message: &CustomerMessage) -> Result<(), EnqueueError> {
        let inner = &self.inner;
        let new_id = inner
            .seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(message.message_id.clone());
        if !new_id {
            return Ok(());
        }
        let record = Record {
            id: Uuid::new_v4().to_string(),
            body: serde_json::to_string(message).expect("a message is plain data"),
            receive_count: 0,
        };
        let group_id = message.conversation.to_string();
        let (group, new_group) = {
            let mut groups = inner.groups.lock().unwrap_or_else(PoisonError::into_inner);
            let new_group = !groups.contains_key(&group_id);
            (groups.entry(group_id).or_default().clone(), new_group)
        };
        group.lock().push_back(record);
        group.arrived.notify_one();
        if new_group {
            tokio::spawn(deliver(inner.clone(), group));
        }
        Ok(())
    }
}

impl Group {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Record>> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Delivers one group's records, one batch at a time, for as long as the stack runs.
async fn deliver(inner: Arc<Inner>, group: Arc<Group>) {
    loop {
        let batch: Vec<Record> = {
            let mut records = group.lock();
            records
                .iter_mut()
                .take(BATCH_SIZE)
                .for_each(|r| r.receive_count += 1);
            records.iter().take(BATCH_SIZE).cloned().collect()
        };
        if batch.is_empty() {
            group.arrived.notified().await;
            continue;
        }
        let Some(relay) = inner.consumer.get() else {
            sleep(Duration::from_millis(50)).await;
            continue;
        };
        let options = *inner.options.lock().unwrap_or_else(PoisonError::into_inner);
        let failed = invoke(relay, &batch).await;
        group.lock().retain(|record| {
            let handled = batch.iter().any(|sent| sent.id == record.id);
            !handled || failed.contains(&record.id)
        });
        if options.deliver_twice {
            let again: Vec<_> = batch
                .iter()
                .map(|r| Record {
                    receive_count: r.receive_count + 1,
                    ..r.clone()
                })
                .collect();
            invoke(relay, &again).await;
        }
        if !failed.is_empty() {
            sleep(options.visibility_timeout).await;
        }
    }
}

/// Calls the customer-relay Lambda's entry point; answers the ids of the records to deliver
/// again (all of them when the invocation fails).
async fn invoke(relay: &OrderedRelay, batch: &[Record]) -> HashSet<String> {
    let mut event = SqsEvent::default();
    for record in batch {
        let mut message = SqsMessage::default();
        message.message_id = Some(record.id.clone());
        message.body = Some(record.body.clone());
        let count = record.receive_count.to_string();
        message
            .attributes
            .insert("ApproximateReceiveCount".into(), count);
        event.records.push(message);
    }
    let event = LambdaEvent::new(event, lambda_context(FUNCTION_TIMEOUT));
    match customer_relay::handle(relay, event).await {
        Ok(response) => response
            .batch_item_failures
            .into_iter()
            .map(|failure| failure.item_identifier)
            .collect(),
        Err(err) => {
            error!(error = %err, "the customer-relay Lambda failed");
            batch.iter().map(|record| record.id.clone()).collect()
        }
    }
}
