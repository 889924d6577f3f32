//! [`MessageQueue`] over an Amazon SQS FIFO queue: each conversation is a message group, so
//! its messages are delivered in the order queued, and the frame's id is the deduplication id,
//! so a frame queued twice within SQS's 5-minute window is delivered once.

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_sqs::Client;
use handover::errors::Cause;
use handover::relay::{CustomerMessage, EnqueueError, MessageQueue};
use handover::settings::Variable;

use crate::lazy::{OnFirstCall, on_first_call};

/// The URL of the SQS FIFO queue of customer messages (`CustomerMessageQueue`).
pub const CUSTOMER_MESSAGE_QUEUE_URL: Variable = Variable::required("CUSTOMER_MESSAGE_QUEUE_URL");

/// Queues customer messages on one SQS FIFO queue.
#[derive(Debug)]
pub struct SqsMessageQueue {
    client: OnFirstCall<Client>,
    queue_url: String,
}

impl SqsMessageQueue {
    /// Sends to the FIFO queue at `queue_url`.
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
impl MessageQueue for SqsMessageQueue {
    async fn enqueue(&self, message: &CustomerMessage) -> Result<(), EnqueueError> {
        let body = serde_json::to_string(message).expect("a message is plain data");
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .message_group_id(message.conversation.as_str())
            .message_deduplication_id(&message.message_id)
            .send()
            .await
            .map_err(|error| EnqueueError(Cause::new(error)))?;
        Ok(())
    }
}
