//! Whole Lex sessions as real Lex V2 and the real Lex Web UI play them: one
//! `originatingRequestId` for every turn, the client's stale attributes after a handover, and
//! more than one escalation in a session.

use handover::conversation::ConversationKey;
use test_support::lex::{BotIntent, Seen, WebUiSession};

use super::*;

fn bot() -> Vec<BotIntent> {
    let answer = |name, closing_response| BotIntent {
        name,
        slots: &[],
        fulfillment_hook: false,
        closing_response: Some(closing_response),
    };
    vec![
        answer("Greeting", "Hello! How can I help?"),
        answer("CheckOrderStatus", "Your order has shipped."),
        BotIntent {
            name: "TalkToAgent",
            slots: &["CustomerName", "Subject"],
            fulfillment_hook: true,
            closing_response: None,
        },
    ]
}

async fn say(rig: &Rig, session: &mut WebUiSession, text: &str, intent: &str) -> Seen {
    let hook = async |event: Value| -> Result<Value, std::convert::Infallible> {
        Ok(run(rig, event).await.1)
    };
    session.say(text, intent, hook).await.unwrap()
}

fn lines(request: &handover::contact_center::HandoverRequest) -> Vec<(Speaker, &str)> {
    request
        .transcript
        .iter()
        .map(|entry| (entry.speaker, entry.text.as_str()))
        .collect()
}

fn reference_key(reference: &str) -> ConversationKey {
    let signer = ReferenceSigner::new(REFERENCE_KEY.as_bytes()).unwrap();
    signer.verify(reference, START).unwrap().conversation_key
}

/// Asks for an agent with a name and `subject`; returns the reference the client switched on.
async fn escalate(rig: &Rig, session: &mut WebUiSession, ask: &str, subject: &str) -> String {
    let name_prompt = EscalationSettings::default().customer_name.prompt;
    let subject_prompt = EscalationSettings::default().subject.prompt;
    assert_eq!(
        say(rig, session, ask, "TalkToAgent").await,
        Seen::Reply(vec![name_prompt])
    );
    assert_eq!(
        say(rig, session, "Ana", "TalkToAgent").await,
        Seen::Reply(vec![subject_prompt])
    );
    match say(rig, session, subject, "TalkToAgent").await {
        Seen::LiveChat(reference) => reference,
        other => panic!("the client did not switch to live chat: {other:?}"),
    }
}

#[tokio::test]
async fn a_session_escalates_twice_and_each_agent_sees_only_its_part() {
    let rig = rig(EscalationSettings::default());
    let mut session = WebUiSession::new("us-east-1:7f3e-twice", bot(), &[]);

    say(&rig, &mut session, "hi", "Greeting").await;
    say(&rig, &mut session, "where is my order", "CheckOrderStatus").await;
    let first = escalate(
        &rig,
        &mut session,
        "I want an agent",
        "Refund for order 1234",
    )
    .await;

    let starts = rig.contact_center.starts();
    assert_eq!(starts.len(), 1);
    let (request, first_key) = &starts[0];
    assert_eq!(
        lines(request),
        vec![
            (Speaker::Customer, "hi"),
            (Speaker::Bot, "Hello! How can I help?"),
            (Speaker::Customer, "where is my order"),
            (Speaker::Bot, "Your order has shipped."),
            (Speaker::Customer, "I want an agent"),
            (Speaker::Bot, "Before I connect you, what is your name?"),
            (Speaker::Customer, "Ana"),
            (
                Speaker::Bot,
                "What would you like to talk to an agent about?"
            ),
            (Speaker::Customer, "Refund for order 1234"),
        ]
    );
    assert_eq!(
        request.context_parameters["intent_history"],
        "Greeting > CheckOrderStatus > TalkToAgent"
    );
    assert_eq!(reference_key(&first).as_str(), first_key);

    // The customer ends the chat (close code 4000).
    rig.store.mark_ended(&reference_key(&first)).await.unwrap();

    // Back with the bot: the client still sends the first reference, and its account of the
    // previous exchange is the one before the handover.
    assert_eq!(session.attributes()[SESSION_ATTRIBUTE], first);
    assert_eq!(session.attributes()["previousUtterance"], "Ana");
    say(&rig, &mut session, "where is my order", "CheckOrderStatus").await;
    let second = escalate(&rig, &mut session, "agent please", "Late delivery").await;

    assert_ne!(second, first, "a new reference");
    let starts = rig.contact_center.starts();
    assert_eq!(starts.len(), 2, "a new conversation");
    let (request, second_key) = &starts[1];
    assert_ne!(second_key, first_key, "a new idempotency key");
    assert_eq!(
        lines(request),
        vec![
            (Speaker::Customer, "where is my order"),
            (Speaker::Bot, "Your order has shipped."),
            (Speaker::Customer, "agent please"),
            (Speaker::Bot, "Before I connect you, what is your name?"),
            (Speaker::Customer, "Ana"),
            (
                Speaker::Bot,
                "What would you like to talk to an agent about?"
            ),
            (Speaker::Customer, "Late delivery"),
        ],
        "only the turns since the first escalation, and no stale bot line"
    );
    assert_eq!(
        request.context_parameters["intent_history"],
        "CheckOrderStatus > TalkToAgent"
    );
    assert_eq!(request.subject, "Late delivery");
    let stored = rig
        .store
        .conversation(&reference_key(&second))
        .await
        .unwrap();
    assert_eq!(stored.unwrap().status, ConversationStatus::Pending);

    // A third, while the second is still open (the customer left the live chat without
    // ending it): a conversation of its own.
    let third = escalate(&rig, &mut session, "agent", "Still late").await;
    assert_ne!(reference_key(&third), reference_key(&second));
    assert_ne!(reference_key(&third), reference_key(&first));
    assert_eq!(rig.contact_center.starts().len(), 3);
}

#[tokio::test]
async fn a_resent_escalation_answers_with_its_conversation_until_it_ends() {
    let rig = rig(EscalationSettings::default());
    let mut event = escalation_event();
    event["sessionState"]["originatingRequestId"] = json!("first-request-of-the-session");
    let (_, first) = run(&rig, event.clone()).await;
    let first = first["sessionState"]["sessionAttributes"][SESSION_ATTRIBUTE]
        .as_str()
        .unwrap()
        .to_owned();

    // The client resends the same RecognizeText (its response was lost): the same conversation.
    let (_, again) = run(&rig, event.clone()).await;
    let again = again["sessionState"]["sessionAttributes"][SESSION_ATTRIBUTE]
        .as_str()
        .unwrap();
    assert_eq!(reference_key(again), reference_key(&first));
    assert_eq!(rig.contact_center.starts().len(), 1);

    // Once that chat has ended, the same request is a customer asking again (a client that
    // sends nothing that changes between turns): a new conversation, not a failure.
    rig.store.mark_ended(&reference_key(&first)).await.unwrap();
    let (response, later) = run(&rig, event).await;
    assert_eq!(
        response.session_state.intent.state,
        Some(IntentState::Fulfilled)
    );
    let later = later["sessionState"]["sessionAttributes"][SESSION_ATTRIBUTE]
        .as_str()
        .unwrap();
    assert_ne!(reference_key(later), reference_key(&first));
    assert_eq!(rig.contact_center.starts().len(), 2);
}
