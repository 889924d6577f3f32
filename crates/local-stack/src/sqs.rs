//! A stand-in for the keep-alive SQS queue: each tick is delivered after its delay to the
//! keep-alive Lambda's own entry point, one record per batch; a tick reported as failed is
//! delivered again after the queue's visibility timeout, as SQS does.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use handover::keep_alive::{KeepAlive, KeepAliveTick, QueueError, TickQueue};
use lambda_runtime::LambdaEvent;
use tokio::time::sleep;
use uuid::Uuid;

use crate::handlers::lambda_context;

/// How long SQS hides a record the function failed before delivering it again (the template's
/// visibility timeout).
const VISIBILITY_TIMEOUT: Duration = Duration::from_secs(60);

/// The keep-alive function's timeout in the template.
const FUNCTION_TIMEOUT: Duration = Duration::from_secs(10);

/// The queue; clones share it.
#[derive(Clone, Default)]
pub(crate) struct LocalTickQueue {
    consumer: Arc<OnceLock<Arc<KeepAlive>>>,
}

impl LocalTickQueue {
    /// Ticks go to `keep_alive` from now on (it needs the queue itself to schedule the next).
    pub(crate) fn consume_with(&self, keep_alive: Arc<KeepAlive>) {
        let _ = self.consumer.set(keep_alive);
    }
}

#[async_trait]
impl TickQueue for LocalTickQueue {
    async fn schedule(&self, tick: &KeepAliveTick, delay: Duration) -> Result<(), QueueError> {
        let body = serde_json::to_string(tick).expect("a tick is plain data");
        let consumer = self.consumer.clone();
        tokio::spawn(async move {
            sleep(delay).await;
            while let Some(keep_alive) = consumer.get() {
                let mut record = SqsMessage::default();
                record.message_id = Some(Uuid::new_v4().to_string());
                record.body = Some(body.clone());
                let mut event = SqsEvent::default();
                event.records = vec![record];
                let event = LambdaEvent::new(event, lambda_context(FUNCTION_TIMEOUT));
                match keep_alive::handle(keep_alive, event).await {
                    Ok(response) if response.batch_item_failures.is_empty() => return,
                    _ => sleep(VISIBILITY_TIMEOUT).await,
                }
            }
        });
        Ok(())
    }
}
