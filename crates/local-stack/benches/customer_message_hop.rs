//! The time from a customer's frame to the simulated Talkdesk, through `onMessage`, the
//! stand-in FIFO queue and the customer-relay function, one message at a time:
//! `cargo bench -p local-stack --bench customer_message_hop`. It bounds what the queue adds
//! locally; SQS's own hop in AWS is not measurable here (docs/websocket-api.md).

use std::time::{Duration, Instant};

use serde_json::json;
use tokio::time::sleep;

// The local-stack tests' client side; the bench uses part of it.
#[allow(dead_code)]
#[path = "../tests/local_stack/support.rs"]
mod support;

use support::{connected, hand_over, send, start, stop};

/// How many messages are timed.
const MESSAGES: usize = 200;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let stack = start().await;
    let (reference, id) = hand_over(&stack, "Cy", "Timing").await;
    let mut socket = connected(&stack, &reference).await;
    let received = || async {
        let conversations = stack.talkdesk().conversations().await;
        conversations
            .into_iter()
            .find(|conversation| conversation.id == id)
            .map_or(0, |conversation| conversation.customer_messages.len())
    };
    let mut took = Vec::with_capacity(MESSAGES);
    for n in 0..MESSAGES {
        let started = Instant::now();
        let frame = json!({"action": "onMessage", "message": format!("message {n}"), "conversationId": reference});
        send(&mut socket, frame).await;
        while received().await <= n {
            sleep(Duration::from_micros(200)).await;
        }
        took.push(started.elapsed());
    }
    took.sort();
    let ms = |at: usize| took[at.min(MESSAGES - 1)].as_secs_f64() * 1000.0;
    println!(
        "customer frame to Talkdesk, {MESSAGES} messages one at a time: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(MESSAGES / 2),
        ms(MESSAGES * 9 / 10),
        ms(MESSAGES * 99 / 100),
        ms(MESSAGES - 1),
    );
    stop(stack).await;
}
