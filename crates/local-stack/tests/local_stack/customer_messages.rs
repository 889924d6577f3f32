//! Customer messages through the stand-in FIFO queue and the customer-relay function: in the
//! order sent through a retry, once each through a second delivery.

use std::time::Duration;

use local_stack::talkdesk::Fault;
use local_stack::{FifoOptions, Options, Running};
use serde_json::json;
use tokio::time::sleep;

use crate::support::{
    Socket, connected, conversation_where, hand_over, send, start, start_with, stop,
};

/// Talkdesk's client makes 4 attempts: this many throttled answers fail one send for certain.
const ONE_SEND: usize = 4;

async fn write(socket: &mut Socket, reference: &str, text: &str) {
    let frame = json!({"action": "onMessage", "message": text, "conversationId": reference});
    send(socket, frame).await;
}

/// The customer messages the simulated Talkdesk holds for conversation `id`.
async fn received(stack: &Running, id: &str) -> Vec<String> {
    let conversations = stack.talkdesk().conversations().await;
    let conversation = conversations.into_iter().find(|c| c.id == id);
    conversation
        .map(|c| c.customer_messages)
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_quick_customer_messages_with_the_first_one_retried_arrive_at_the_agent_in_order() {
    let stack = start().await;
    let (reference, id) = hand_over(&stack, "Ada", "Late order").await;
    let mut socket = connected(&stack, &reference).await;
    // The first send is throttled to the end of the client's retries: it certainly did not go.
    stack.talkdesk().set_fault_for(Fault::Throttled, ONE_SEND);
    let sent = [
        "hi",
        "my order",
        "is late",
        "it was due Monday",
        "order 1234",
    ];

    for text in sent {
        write(&mut socket, &reference, text).await;
    }

    // 3 s of throttling, the 2-second visibility timeout, then all five in one batch.
    let arrived = conversation_where(&stack, "with all five customer messages", |c| {
        c.id == id && c.customer_messages.len() >= sent.len()
    });
    let arrived = tokio::time::timeout(Duration::from_secs(20), arrived).await;
    let got = received(&stack, &id).await;
    assert!(arrived.is_ok(), "not all five arrived: {got:?}");
    assert_eq!(got, sent, "in the order sent");
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_delivered_twice_reaches_the_agent_once() {
    let stack = start_with(Options {
        customer_messages: FifoOptions {
            deliver_twice: true,
            ..FifoOptions::default()
        },
        ..Options::default()
    })
    .await;
    let (reference, id) = hand_over(&stack, "Bo", "Refund").await;
    let mut socket = connected(&stack, &reference).await;
    let sent = ["one", "two", "three"];

    for text in sent {
        write(&mut socket, &reference, text).await;
    }

    conversation_where(&stack, "with the three messages", |c| {
        c.id == id && c.customer_messages.len() >= sent.len()
    })
    .await;
    // Time for every second delivery to be handled.
    sleep(Duration::from_millis(500)).await;
    assert_eq!(received(&stack, &id).await, sent, "each once, in order");
    stop(stack).await;
}
