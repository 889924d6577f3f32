//! Whole conversations with Amazon Connect as the contact center: the real adapter against the
//! simulated Amazon Connect, and the agent's side streamed through the simulated SNS topic to
//! the real `connect-events` function, delivered twice where it says so.

use std::time::Duration;

use local_stack::connect::{ConnectFault, EndedBy};
use serde_json::{Value, json};
use tokio::time::sleep;

use crate::conversation::AGENT_ENDED;
use crate::support::{
    Customer, chat_where, closed, connect, connected, events_delivered, frames_until_closed,
    go_away, next_json, reference, replies, send, start_with, stop, with_providers,
};

const TRANSCRIPT: &str = "[Bot transcript] ";

fn agent_says(text: &str) -> Value {
    json!({"event_type": "message_created", "content": text, "author_name": "Sam"})
}

/// A customer who asks about an order, then for an agent with their name and subject given by
/// the page; answers the customer, the reference and the chat's contact id.
async fn hand_over_to_connect(
    stack: &local_stack::Running,
    name: &str,
) -> (Customer, String, String) {
    let mut customer = Customer::new(stack);
    customer
        .attributes
        .insert("customer_name".into(), name.into());
    customer
        .attributes
        .insert("subject".into(), "Refund".into());
    customer.say("Where is my order?").await;
    let handed_over = customer.say("I would like to talk to an agent").await;
    let reference = reference(&handed_over).unwrap_or_else(|| {
        panic!(
            "no talkdesk_conversation_id; the bot said {:?}",
            replies(&handed_over)
        )
    });
    let chat = chat_where(stack, &format!("for {name}"), |chat| {
        chat.display_name == name
    })
    .await;
    (customer, reference, chat.contact_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_conversation_with_every_event_delivered_twice() {
    let stack = start_with(with_providers("amazon-connect", true)).await;
    let (_customer, reference, contact_id) = hand_over_to_connect(&stack, "Ana").await;
    assert!(
        stack.talkdesk().conversations().await.is_empty(),
        "nothing went to Talkdesk"
    );

    // The agent reads the bot transcript first, as the chat's first messages.
    let chat = chat_where(&stack, "with the transcript", |chat| {
        chat.contact_id == contact_id && !chat.customer_messages.is_empty()
    })
    .await;
    assert_eq!(chat.attributes["subject"], "Refund");
    assert_eq!(
        chat.customer_messages[0],
        format!("{TRANSCRIPT}Customer: Where is my order?")
    );
    assert!(chat.streaming && chat.customer_joined, "{chat:?}");

    // The customer's messages reach the agent in order, after the transcript.
    let mut socket = connected(&stack, &reference).await;
    for text in ["First", "Second", "Third"] {
        send(
            &mut socket,
            json!({"action": "onMessage", "message": text, "conversationId": reference}),
        )
        .await;
    }
    let chat = chat_where(&stack, "with three live messages", |chat| {
        chat.contact_id == contact_id
            && chat.customer_messages.len() >= 3
            && chat
                .customer_messages
                .ends_with(&["First".into(), "Second".into(), "Third".into()])
    })
    .await;
    let live: Vec<_> = chat
        .customer_messages
        .iter()
        .filter(|text| !text.starts_with(TRANSCRIPT))
        .collect();
    assert_eq!(live, ["First", "Second", "Third"], "each once, in order");
    assert!(
        chat.customer_messages[..chat.customer_messages.len() - 3]
            .iter()
            .all(|text| text.starts_with(TRANSCRIPT)),
        "the transcript comes first: {:?}",
        chat.customer_messages
    );

    // The agent's messages are shown once each, although SNS delivers every event twice (the
    // customer's own messages, which come back on the topic, never).
    stack.connect().accept(&contact_id, "Sam").unwrap();
    stack
        .connect()
        .reply(&contact_id, "Hi Ana, I am Sam.", "Sam")
        .unwrap();
    events_delivered(&stack).await;
    stack
        .connect()
        .reply(&contact_id, "I see the refund.", "Sam")
        .unwrap();
    assert_eq!(
        next_json(&mut socket).await,
        agent_says("Hi Ana, I am Sam.")
    );
    assert_eq!(
        next_json(&mut socket).await,
        agent_says("I see the refund.")
    );
    events_delivered(&stack).await;

    // The agent ends: participant.left and chat.ended, each twice, end the chat once.
    stack.connect().end(&contact_id, "Sam").unwrap();
    let (frames, _) = frames_until_closed(&mut socket).await;
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert_eq!(frames[0]["event_type"], "message_created");
    assert_eq!(frames[0]["content"], AGENT_ENDED);
    // Whichever SNS delivers first ends it: participant.left carries the agent's name,
    // chat.ended none (then AGENT_DEFAULT_NAME).
    assert!(
        ["Sam", "Agent"].contains(&frames[0]["author_name"].as_str().unwrap_or_default()),
        "{frames:?}"
    );
    assert_eq!(frames[1], json!({"event_type": "conversation_ended"}));
    events_delivered(&stack).await;
    assert_eq!(
        connect(&stack, &reference).await.err(),
        Some(410),
        "an ended chat cannot be rejoined"
    );
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_joining_is_told_when_the_deployment_says_so() {
    let mut options = with_providers("amazon-connect", false);
    options
        .environment
        .insert("AGENT_JOINED_MESSAGE".into(), "Sam has joined.".into());
    let stack = start_with(options).await;
    let (_customer, reference, contact_id) = hand_over_to_connect(&stack, "Ana").await;
    let mut socket = connected(&stack, &reference).await;
    stack.connect().accept(&contact_id, "Sam").unwrap();
    assert_eq!(next_json(&mut socket).await, agent_says("Sam has joined."));
    stack.connect().typing(&contact_id).unwrap();
    assert_eq!(
        next_json(&mut socket).await,
        json!({"event_type": "typing", "author_name": "Sam"})
    );
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_s_end_disconnects_their_participant() {
    let stack = start_with(with_providers("amazon-connect", true)).await;
    let (_customer, reference, contact_id) = hand_over_to_connect(&stack, "Ana").await;
    let mut socket = connected(&stack, &reference).await;
    crate::support::end_live_chat(&mut socket, &reference).await;
    let chat = chat_where(&stack, "ended by the customer", |chat| {
        chat.contact_id == contact_id && chat.ended_by.is_some()
    })
    .await;
    assert_eq!(
        chat.ended_by,
        Some(EndedBy::Customer),
        "DisconnectParticipant"
    );
    // The chat has ended for Amazon Connect too: the agent can do nothing more in it, and
    // the customer's participant.left and chat.ended on the topic change nothing.
    assert!(stack.connect().reply(&contact_id, "Hello?", "Sam").is_err());
    events_delivered(&stack).await;
    assert_eq!(connect(&stack, &reference).await.err(), Some(410));
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_messages_during_a_reconnect_are_kept_and_shown_after_it() {
    let stack = start_with(with_providers("amazon-connect", true)).await;
    let (_customer, reference, contact_id) = hand_over_to_connect(&stack, "Ada").await;
    let mut first = connected(&stack, &reference).await;
    go_away(&mut first).await;
    closed(&mut first).await;
    sleep(Duration::from_millis(200)).await;
    for text in ["Are you still there?", "I found your order."] {
        stack.connect().reply(&contact_id, text, "Sam").unwrap();
        // SNS does not keep order between events: the test waits for each to arrive.
        events_delivered(&stack).await;
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
    stack
        .connect()
        .reply(&contact_id, "It ships today.", "Sam")
        .unwrap();
    assert_eq!(next_json(&mut second).await, agent_says("It ships today."));
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_agent_capacity_the_customer_stays_with_the_bot() {
    let mut options = with_providers("amazon-connect", false);
    options.connect_fault = ConnectFault::NoCapacity;
    let stack = start_with(options).await;
    let mut customer = Customer::new(&stack);
    customer
        .attributes
        .insert("customer_name".into(), "Ana".into());
    customer
        .attributes
        .insert("subject".into(), "Refund".into());
    let declined = customer.say("I would like to talk to an agent").await;
    assert_eq!(reference(&declined).filter(|value| !value.is_empty()), None);
    assert_eq!(
        replies(&declined),
        [
            "Sorry, no agent is free right now. I can keep helping you here, or you can ask for an agent again in a few minutes."
        ]
    );
    assert!(stack.connect().chats().is_empty());
    // The bot goes on.
    let order = customer.say("Where is my order?").await;
    assert_eq!(crate::support::intent_name(&order), "CheckOrderStatus");
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_message_is_retried_and_reaches_the_agent_once() {
    let stack = start_with(with_providers("amazon-connect", false)).await;
    let (_customer, reference, contact_id) = hand_over_to_connect(&stack, "Ana").await;
    let mut socket = connected(&stack, &reference).await;
    stack.connect().set_fault_for(ConnectFault::Throttled, 1);
    send(
        &mut socket,
        json!({"action": "onMessage", "message": "Hello", "conversationId": reference}),
    )
    .await;
    let chat = chat_where(&stack, "with the message", |chat| {
        chat.contact_id == contact_id && chat.customer_messages.ends_with(&["Hello".into()])
    })
    .await;
    let hellos = chat
        .customer_messages
        .iter()
        .filter(|text| *text == "Hello");
    assert_eq!(hellos.count(), 1, "{:?}", chat.customer_messages);
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_console_drives_a_connect_chat() {
    let stack = start_with(with_providers("amazon-connect", false)).await;
    let (_customer, reference, contact_id) = hand_over_to_connect(&stack, "Ana").await;
    let mut socket = connected(&stack, &reference).await;
    let http = reqwest::Client::new();
    let console = stack.urls().connect_console.clone();
    let page = http.get(&console).send().await.expect("the console page");
    assert_eq!(page.status().as_u16(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Simulated Amazon Connect")
    );

    let listed: Value = http
        .get(format!("{console}console/api/conversations"))
        .send()
        .await
        .expect("the list")
        .json()
        .await
        .expect("JSON");
    let waiting = &listed["conversations"][0];
    assert_eq!(waiting["id"], contact_id.as_str());
    assert_eq!(waiting["subject"], "Refund");
    assert_eq!(waiting["contact_name"], "Ana");
    assert_eq!(waiting["accepted"], false);

    let act = |action: &str, body: Value| {
        let url = format!("{console}console/api/conversations/{contact_id}/{action}");
        let request = http.post(url).json(&body);
        async move {
            let response = request.send().await.expect("the console answers");
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.expect("JSON"))
        }
    };
    let (status, accepted) = act("accept", json!({"author": "Sam"})).await;
    assert_eq!(
        (status, &accepted["event"]),
        (200, &json!("participant.joined"))
    );
    let (status, _) = act("accept", json!({"author": "Sam"})).await;
    assert_eq!(status, 409, "an agent joined already");
    let (status, _) = act("reply", json!({"author": "Sam", "text": "Hi Ana"})).await;
    assert_eq!(status, 200);
    assert_eq!(next_json(&mut socket).await, agent_says("Hi Ana"));
    let (status, _) = act("end", json!({"author": "Sam"})).await;
    assert_eq!(status, 200);
    let (frames, _) = frames_until_closed(&mut socket).await;
    assert_eq!(
        frames.last(),
        Some(&json!({"event_type": "conversation_ended"}))
    );
    let (status, refused) = act("reply", json!({"author": "Sam", "text": "Hello?"})).await;
    assert_eq!((status, &refused["error"]), (409, &json!("ended")));
    stop(stack).await;
}
