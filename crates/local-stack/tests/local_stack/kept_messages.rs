//! Agent messages sent while the customer is between connections (a page reload, a dropped
//! network): kept, then shown once each, in order, on the connection that comes back, and the
//! agent's end after them.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::sleep;

use crate::support::{
    closed, connect, connected, frames_until_closed, go_away, hand_over, next_json, start, stop,
};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_end_while_the_customer_is_away_is_shown_after_the_kept_messages() {
    let stack = start().await;
    let (reference, id) = hand_over(&stack, "Ada", "Refund").await;
    let mut first = connected(&stack, &reference).await;
    go_away(&mut first).await;
    closed(&mut first).await;
    sleep(Duration::from_millis(200)).await;
    assert_eq!(
        stack
            .talkdesk()
            .reply(&id, "I found your order.", "Sam")
            .await,
        Ok(200)
    );
    assert_eq!(stack.talkdesk().end(&id, "Sam").await, Ok(200));

    // The same reference is let in for the farewell: what was kept, the goodbye, the end.
    let mut second = connected(&stack, &reference).await;
    let (frames, _) = frames_until_closed(&mut second).await;
    assert_eq!(
        frames,
        [
            agent_says("I found your order."),
            agent_says(crate::conversation::AGENT_ENDED),
            json!({"event_type": "conversation_ended"}),
        ]
    );
    assert_eq!(
        connect(&stack, &reference).await.err(),
        Some(410),
        "with nothing left to show, the ended chat is refused"
    );
    stop(stack).await;
}
