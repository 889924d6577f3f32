//! [`TickQueue`] over Amazon SQS: each keep-alive is a message delayed on a queue that the
//! keep-alive function consumes.

use std::time::Duration;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_sqs::Client;
use handover::errors::Cause;
use handover::keep_alive::{KeepAliveTick, QueueError, TickQueue};
use handover::settings::Variable;

use crate::lazy::{OnFirstCall, on_first_call};

/// The URL of the SQS queue the keep-alive function consumes.
pub const KEEP_ALIVE_QUEUE_URL: Variable = Variable::required("KEEP_ALIVE_QUEUE_URL");

/// SQS delays a message by at most 15 minutes.
const MAX_DELAY: Duration = Duration::from_secs(15 * 60);

/// Schedules ticks on one SQS queue.
#[derive(Debug)]
pub struct SqsTickQueue {
    client: OnFirstCall<Client>,
    queue_url: String,
}

impl SqsTickQueue {
    /// Sends to the queue at `queue_url`.
    pub fn new(aws: &SdkConfig, queue_url: impl Into<String>) -> Self {
        Self {
            client: on_first_call({
                let aws = aws.clone();
                move || Client::new(&aws)
            }),
            queue_url: queue_url.into(),
        }
    }
}

#[async_trait]
impl TickQueue for SqsTickQueue {
    async fn schedule(&self, tick: &KeepAliveTick, delay: Duration) -> Result<(), QueueError> {
        let body = serde_json::to_string(tick).expect("a tick is plain data");
        let seconds = delay.min(MAX_DELAY).as_secs();
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .delay_seconds(i32::try_from(seconds).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(|error| QueueError(Cause::new(error)))?;
        Ok(())
    }
}
