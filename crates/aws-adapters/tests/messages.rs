//! `SqsMessageQueue` against an SQS FIFO queue in the AWS emulator that `scripts/test` starts:
//! each conversation is a message group, and a frame queued twice is delivered once.

use aws_adapters::messages::SqsMessageQueue;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::MessageSystemAttributeName;
use handover::conversation::ConversationKey;
use handover::relay::{CustomerMessage, MessageQueue};

#[tokio::test]
async fn messages_are_grouped_by_conversation_and_deduplicated_by_frame() {
    let aws = test_support::emulator().await;
    let queue_url = test_support::customer_message_queue(&aws).await;
    let queue = SqsMessageQueue::new(&aws, &queue_url);
    let conversation = ConversationKey::generate();
    let message = |id: &str, text: &str| CustomerMessage {
        conversation: conversation.clone(),
        connection_id: "conn-A=".into(),
        message_id: id.into(),
        text: text.into(),
        ends_chat: false,
    };
    let sent = [message("req-1", "hi"), message("req-2", "my order")];
    for message in [&sent[0], &sent[0], &sent[1]] {
        queue.enqueue(message).await.expect("queued");
    }

    let received = Client::new(&aws)
        .receive_message()
        .queue_url(&queue_url)
        .max_number_of_messages(10)
        .message_system_attribute_names(MessageSystemAttributeName::MessageGroupId)
        .wait_time_seconds(5)
        .send()
        .await
        .expect("received");
    let messages = received.messages();
    let bodies: Vec<_> = messages
        .iter()
        .map(|m| serde_json::from_str::<CustomerMessage>(m.body().unwrap()).unwrap())
        .collect();
    assert_eq!(bodies, sent, "in order, the repeated frame once");
    for m in messages {
        let group = m.attributes().unwrap()[&MessageSystemAttributeName::MessageGroupId].clone();
        assert_eq!(group, conversation.as_str());
    }
}
