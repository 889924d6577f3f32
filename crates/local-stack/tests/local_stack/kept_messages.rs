//! Agent messages sent while the customer is between connections (a page reload, a dropped
//! network): kept, then shown once each, in order, on the connection that comes back.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::sleep;

use crate::support::{closed, connected, go_away, hand_over, next_json, start, stop};

fn agent_says(text: &str) -> Value {
    json!({"event_type": "message_created", "content": text, "author_name": "Sam"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_messages_sent_during_a_reconnect_are_shown_once_each_after_it() {
    let stack = start().await;
    let (reference, id) = hand_over(&stack, "Ada", "Refund").await;
    let mut first = connected(&stack, &reference).await;
    go_away(&mut first).await;
    closed(&mut first).await;
    // A frame API Gateway accepts in the instant the page unloads is lost with the page, here
    // as there: the messages come once the connection has gone.
    sleep(Duration::from_millis(200)).await;
    for text in ["Are you still there?", "I found your order."] {
        assert_eq!(stack.talkdesk().reply(&id, text, "Sam").await, Ok(200));
    }

    let mut second = connected(&stack, &reference).await;
    assert_eq!(
        next_json(&mut second).await,
        agent_says("Are you still there?")
    );
    assert_eq!(
        next_json(&mut second).await,
        agent_says("I found your order.")
    );
    // The next message comes after them, and neither comes again.
    assert_eq!(
        stack.talkdesk().reply(&id, "It ships today.", "Sam").await,
        Ok(200)
    );
    assert_eq!(next_json(&mut second).await, agent_says("It ships today."));
    stop(stack).await;
}
