//! A stack with Talkdesk and Amazon Connect both enabled (`--provider a,b`): the first takes
//! new escalations, and each conversation's messages, agent events and end stay with its own
//! contact center.

use serde_json::{Value, json};

use crate::support::{
    chat_where, connected, conversation_where, end_live_chat, events_delivered, hand_over,
    next_json, send, start_with, stop, with_providers,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_talkdesk_first_the_conversation_is_talkdesk_s_alone() {
    let stack = start_with(with_providers("talkdesk,amazon-connect", false)).await;
    let (reference, id) = hand_over(&stack, "Ana", "Refund").await;
    let mut socket = connected(&stack, &reference).await;
    send(
        &mut socket,
        json!({"action": "onMessage", "message": "Hello", "conversationId": reference}),
    )
    .await;
    conversation_where(&stack, "with the message", |c| {
        c.id == id && c.customer_messages == ["Hello"]
    })
    .await;
    assert_eq!(stack.talkdesk().reply(&id, "Hi Ana", "Sam").await, Ok(200));
    assert_eq!(
        next_json(&mut socket).await,
        json!({"event_type": "message_created", "content": "Hi Ana", "author_name": "Sam"})
    );
    end_live_chat(&mut socket, &reference).await;
    conversation_where(&stack, "ended by the customer", |c| {
        c.id == id && c.ended_by_customer
    })
    .await;
    assert!(
        stack.connect().chats().is_empty(),
        "nothing reached Amazon Connect"
    );
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_amazon_connect_first_talkdesk_cannot_reach_its_conversation() {
    let stack = start_with(with_providers("amazon-connect,talkdesk", false)).await;
    let (reference, contact_id) = {
        let mut customer = crate::support::Customer::new(&stack);
        customer
            .attributes
            .insert("customer_name".into(), "Ana".into());
        customer
            .attributes
            .insert("subject".into(), "Refund".into());
        let handed_over = customer.say("I would like to talk to an agent").await;
        let reference = crate::support::reference(&handed_over).expect("a reference");
        let chat = chat_where(&stack, "for Ana", |chat| chat.display_name == "Ana").await;
        (reference, chat.contact_id)
    };
    let mut socket = connected(&stack, &reference).await;
    send(
        &mut socket,
        json!({"action": "onMessage", "message": "Hello", "conversationId": reference}),
    )
    .await;
    chat_where(&stack, "with the message", |chat| {
        chat.contact_id == contact_id && chat.customer_messages.ends_with(&["Hello".into()])
    })
    .await;
    assert!(
        stack.talkdesk().conversations().await.is_empty(),
        "nothing reached Talkdesk"
    );

    // Talkdesk's callback naming the Amazon Connect chat's id finds no Talkdesk conversation.
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{}/message_created", stack.urls().callback))
        .header("x-api-key", stack.callback_api_key())
        .json(&json!({
            "conversation_id": contact_id, "event_type": "message_created",
            "message_id": "m-1", "content": "Not for you", "author_name": "Intruder"
        }))
        .send()
        .await
        .expect("the callback answers");
    assert_eq!(response.status().as_u16(), 404);
    let body: Value = response.json().await.expect("a JSON answer");
    assert_eq!(body["error"], "unknown_conversation");

    // Its own agent's message is what the customer sees next.
    stack.connect().reply(&contact_id, "Hi Ana", "Sam").unwrap();
    assert_eq!(
        next_json(&mut socket).await,
        json!({"event_type": "message_created", "content": "Hi Ana", "author_name": "Sam"})
    );
    events_delivered(&stack).await;
    stop(stack).await;
}
