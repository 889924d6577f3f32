//! Whole conversations through the local stack, following the live-chat protocol as the Lex Web UI
//! does: the bot, the handover, the live chat, and each side ending it.

use local_stack::talkdesk::Fault;
use serde_json::json;

use crate::support::{
    Customer, closed, connect, connected, conversation_where, dialog_action, end_live_chat,
    hand_over, intent_name, next_json, reference, replies, send, start, stop,
};

pub(crate) const AGENT_ENDED: &str =
    "The agent has ended the chat. Press End Live Chat to go back to the bot.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_hands_over_and_the_agent_ends_the_chat() {
    let stack = start().await;
    let mut customer = Customer::new(&stack);
    customer.attributes.insert("page".into(), "checkout".into());

    let greeting = customer.say("Hello").await;
    assert_eq!(intent_name(&greeting), "Greeting");
    let order = customer.say("Where is my order?").await;
    assert_eq!(intent_name(&order), "CheckOrderStatus");
    let order_reply = replies(&order);
    assert_eq!(order_reply.len(), 1, "the order intent's closing response");

    let asked_name = customer.say("I want to talk to an agent").await;
    assert_eq!(
        dialog_action(&asked_name),
        ("ElicitSlot".into(), Some("CustomerName".into()))
    );
    assert_eq!(
        replies(&asked_name),
        ["Before I connect you, what is your name?"]
    );
    assert_eq!(reference(&asked_name), None);
    let asked_subject = customer.say("Ana").await;
    assert_eq!(
        dialog_action(&asked_subject),
        ("ElicitSlot".into(), Some("Subject".into()))
    );
    let handed_over = customer.say("I was charged twice for order 1234").await;
    assert_eq!(dialog_action(&handed_over), ("Close".into(), None));
    assert_eq!(intent_name(&handed_over), "TalkToAgent");
    assert_eq!(
        replies(&handed_over),
        ["Connecting you to an agent. Please wait."]
    );
    assert_eq!(
        customer.attributes.get("page").map(String::as_str),
        Some("checkout"),
        "the client's session attributes come back"
    );
    let reference = reference(&handed_over).expect("a talkdesk_conversation_id");
    assert!(reference.len() <= 108, "{reference}");
    let url_safe = |c: char| c.is_ascii_alphanumeric() || "-_.~".contains(c);
    assert!(reference.chars().all(url_safe), "{reference}");

    // Talkdesk got the conversation with the customer's details and the bot transcript.
    let conversation = conversation_where(&stack, "for Ana", |c| {
        c.contact_name.as_deref() == Some("Ana")
    })
    .await;
    assert_eq!(conversation.subject, "I was charged twice for order 1234");
    assert_eq!(conversation.context_parameters["customer_name"], "Ana");
    let history = &conversation.context_parameters["intent_history"];
    assert!(
        history.contains("CheckOrderStatus") && history.contains("TalkToAgent"),
        "{history}"
    );
    let said = |kind: &str, text: &str| (kind.to_owned(), text.to_owned());
    assert!(
        conversation
            .previous_messages
            .contains(&said("USER", "Where is my order?")),
        "{:?}",
        conversation.previous_messages
    );
    assert!(
        conversation
            .previous_messages
            .contains(&said("EXTERNAL", &order_reply[0])),
        "{:?}",
        conversation.previous_messages
    );

    // Live chat: the customer writes, the agent sees it and answers.
    let mut socket = connected(&stack, &reference).await;
    send(
        &mut socket,
        json!({"action": "onMessage", "message": "Are you there?", "conversationId": reference}),
    )
    .await;
    let id = conversation.id.clone();
    conversation_where(&stack, "with the customer's message", |c| {
        c.id == id && c.customer_messages == ["Are you there?"]
    })
    .await;
    let reply = "Hi Ana, I am Sam. I can see the double charge.";
    assert_eq!(stack.talkdesk().reply(&id, reply, "Sam").await, Ok(200));
    // The first frame is the agent's: the customer's own message never comes back.
    assert_eq!(
        next_json(&mut socket).await,
        json!({"event_type": "message_created", "content": reply, "author_name": "Sam"})
    );

    // The agent ends: the customer is told, then `conversation_ended`, then the close.
    assert_eq!(stack.talkdesk().end(&id, "Sam").await, Ok(200));
    assert_eq!(
        next_json(&mut socket).await,
        json!({"event_type": "message_created", "content": AGENT_ENDED, "author_name": "Sam"})
    );
    assert_eq!(
        next_json(&mut socket).await,
        json!({"event_type": "conversation_ended"})
    );
    closed(&mut socket).await;
    assert_eq!(
        connect(&stack, &reference).await.err(),
        Some(410),
        "an ended chat cannot be rejoined"
    );
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_ends_the_chat_with_close_code_4000() {
    let stack = start().await;
    let mut customer = Customer::new(&stack);
    // The page may give the name and subject, so the bot asks for neither.
    customer
        .attributes
        .insert("customer_name".into(), "Ben".into());
    customer
        .attributes
        .insert("subject".into(), "Change my address".into());
    let handed_over = customer.say("live chat please").await;
    assert_eq!(dialog_action(&handed_over), ("Close".into(), None));
    let reference = reference(&handed_over).expect("a talkdesk_conversation_id");
    let conversation = conversation_where(&stack, "for Ben", |c| {
        c.contact_name.as_deref() == Some("Ben")
    })
    .await;
    assert_eq!(conversation.subject, "Change my address");

    let mut socket = connected(&stack, &reference).await;
    send(
        &mut socket,
        json!({"action": "onMessage", "message": "Never mind, bye.", "conversationId": reference}),
    )
    .await;
    let id = conversation.id.clone();
    // At once: the end is queued behind the message, which must reach the agent all the same.
    end_live_chat(&mut socket, &reference).await;
    assert_eq!(
        closed(&mut socket).await,
        Some(4000),
        "the server answers the close, completing the closing handshake"
    );

    let ended = conversation_where(&stack, "ended by the customer", |c| {
        c.id == id && c.ended_by_customer
    })
    .await;
    assert_eq!(ended.customer_messages, ["Never mind, bye."]);
    assert_eq!(
        stack
            .talkdesk()
            .reply(&id, "Are you still there?", "Sam")
            .await,
        Ok(410),
        "the callback tells the agent the customer has left"
    );
    assert_eq!(connect(&stack, &reference).await.err(), Some(410));
    stop(stack).await;
}

#[tokio::test]
async fn connections_without_a_valid_reference_are_refused_at_the_handshake() {
    let stack = start().await;
    let cases = [
        ("undefined", 400),
        ("", 400),
        (
            "v1.3f6c1e0d9a8b4c7d8e9f0a1b2c3d4e5f.1795262400.3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            403,
        ),
        ("8a3f1b2c9d7e4f60a1b2c3d4e5f60718", 403),
    ];
    for (value, status) in cases {
        assert_eq!(
            connect(&stack, value).await.err(),
            Some(status),
            "conversationId={value}"
        );
    }
    assert!(stack.connection_ids().is_empty());
    stop(stack).await;
}

#[tokio::test]
async fn shutdown_closes_open_chats_as_api_gateway_going_away() {
    let stack = start().await;
    let (reference, _) = hand_over(&stack, "Cy", "Billing").await;
    let mut socket = connected(&stack, &reference).await;
    assert_eq!(stack.connection_ids().len(), 1);
    let stopping = tokio::spawn(stop(stack));
    assert_eq!(closed(&mut socket).await, Some(1001));
    stopping.await.expect("the stack stopped");
}

#[tokio::test]
async fn a_misbehaving_talkdesk_is_told_to_the_customer_truthfully() {
    let stack = start().await;
    let (reference, id) = hand_over(&stack, "Dana", "Parcel missing").await;
    let mut socket = connected(&stack, &reference).await;

    // Talkdesk stores the message, then fails: it is tried once more at the most.
    stack.talkdesk().set_fault(Fault::ServerError);
    send(
        &mut socket,
        json!({"action": "onMessage", "message": "Is anyone there?"}),
    )
    .await;
    let told = next_json(&mut socket).await;
    assert_eq!(
        told["content"],
        "Sorry, your last message may not have reached the agent. If they do not answer it, \
         please send it again.",
        "Talkdesk may have stored it: the customer is not told it failed"
    );
    let conversation = conversation_where(&stack, "with the message stored", |c| c.id == id).await;
    assert_eq!(
        conversation.customer_messages,
        ["Is anyone there?", "Is anyone there?"],
        "a message Talkdesk may have stored reaches the agent at most twice"
    );

    // Talkdesk has closed the conversation: the customer is told the chat has ended.
    stack.talkdesk().set_fault(Fault::Closed);
    send(
        &mut socket,
        json!({"action": "onMessage", "message": "Hello?"}),
    )
    .await;
    let told = next_json(&mut socket).await;
    assert_eq!(
        told["content"],
        "This chat has ended. Press End Live Chat to go back to the bot."
    );
    assert_eq!(
        next_json(&mut socket).await["event_type"],
        "conversation_ended"
    );
    assert_eq!(connect(&stack, &reference).await.err(), Some(410));
    stop(stack).await;
}
