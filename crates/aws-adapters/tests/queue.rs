//! `SqsTickQueue` against SQS in the AWS emulator that `scripts/test` starts: a tick scheduled
//! without delay is delivered as the keep-alive function reads it.

use std::time::Duration;

use aws_adapters::queue::SqsTickQueue;
use aws_sdk_sqs::Client;
use handover::conversation::ConversationKey;
use handover::keep_alive::{KeepAliveTick, TickQueue};

#[tokio::test]
async fn a_scheduled_tick_is_delivered_as_json() {
    let aws = test_support::emulator().await;
    let client = Client::new(&aws);
    let name = test_support::unique("keep-alive-");
    let created = client
        .create_queue()
        .queue_name(&name)
        .send()
        .await
        .unwrap_or_else(|err| panic!("the emulator could not create a queue: {err}"));
    let queue_url = created.queue_url().expect("a queue URL").to_owned();
    let tick = KeepAliveTick {
        connection_id: "conn-A=".into(),
        conversation: ConversationKey::generate(),
        sequence: 3,
        farewell: false,
    };

    SqsTickQueue::new(&aws, &queue_url)
        .schedule(&tick, Duration::ZERO)
        .await
        .expect("scheduled");

    let received = client
        .receive_message()
        .queue_url(&queue_url)
        .wait_time_seconds(5)
        .send()
        .await
        .expect("received");
    let bodies: Vec<_> = received
        .messages()
        .iter()
        .map(|message| serde_json::from_str::<KeepAliveTick>(message.body().unwrap()).unwrap())
        .collect();
    assert_eq!(bodies, [tick]);
}
