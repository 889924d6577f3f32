//! The dialog code hook: record the turn, let Lex carry on, ask for missing details.

use super::*;

#[tokio::test]
async fn the_real_dialog_event_is_delegated_and_recorded() {
    let rig = rig(EscalationSettings::default());
    let event = fixture("dialog-code-hook.json");
    let (_, json) = run(&rig, event.clone()).await;

    assert_eq!(action(&json), "Delegate");
    assert_eq!(
        json["sessionState"]["intent"],
        event["sessionState"]["intent"]
    );
    assert_eq!(json["sessionState"]["sessionAttributes"], json!({}));
    assert!(json.get("messages").is_none());

    let transcript = rig
        .store
        .transcript("123456789123456")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(transcript.intents, vec!["BookHotel".to_owned()]);
    assert_eq!(transcript.entries.len(), 1);
    assert_eq!(transcript.entries[0].speaker, Speaker::Customer);
    assert_eq!(transcript.entries[0].text, "deluxe");
    assert!(rig.contact_center.starts().is_empty());
}

#[tokio::test]
async fn every_turn_of_a_session_is_recorded_once_with_the_bots_replies() {
    let rig = rig(EscalationSettings::default());
    // Every turn of a real Lex session carries the session's first request id.
    let turn = |text: &str, intent: &str, attributes: Value| {
        let mut event = fixture("dialog-code-hook.json");
        event["sessionState"]["originatingRequestId"] = json!("first-request-of-the-session");
        event["sessionState"]["intent"]["name"] = json!(intent);
        event["inputTranscript"] = json!(text);
        event["sessionState"]["sessionAttributes"] = attributes;
        event
    };
    let first = turn("I want to book a trip", "BookHotel", json!({}));
    run(&rig, first.clone()).await;
    // The same turn again (its fulfillment invocation, or the client resending it).
    run(&rig, first).await;
    let reply = r#"{"messages":[{"type":"PlainText","value":"Where to?"}]}"#;
    let second = turn(
        "talk to an agent",
        "TalkToAgent",
        json!({"previousUtterance": "I want to book a trip", "previousLexResponse": reply}),
    );
    run(&rig, second).await;
    // The client says the same again, after the bot asked for the name.
    let name_prompt = r#"{"messages":[{"type":"PlainText","value":"Your name?"}]}"#;
    let third = turn(
        "talk to an agent",
        "TalkToAgent",
        json!({"previousUtterance": "talk to an agent", "previousLexResponse": name_prompt}),
    );
    run(&rig, third).await;

    let transcript = rig
        .store
        .transcript("123456789123456")
        .await
        .unwrap()
        .unwrap();
    let lines: Vec<_> = transcript
        .entries
        .iter()
        .map(|entry| (entry.speaker, entry.text.as_str()))
        .collect();
    assert_eq!(
        lines,
        vec![
            (Speaker::Customer, "I want to book a trip"),
            (Speaker::Bot, "Where to?"),
            (Speaker::Customer, "talk to an agent"),
            (Speaker::Bot, "Your name?"),
            (Speaker::Customer, "talk to an agent"),
        ]
    );
    assert_eq!(transcript.intents, vec!["BookHotel", "TalkToAgent"]);
}

#[tokio::test]
async fn the_escalation_intent_asks_for_a_missing_name_then_subject() {
    let rig = rig(EscalationSettings::default());
    let mut event = escalation_event();
    event["invocationSource"] = json!("DialogCodeHook");
    let attributes = event["sessionState"]["sessionAttributes"]
        .as_object_mut()
        .unwrap();
    attributes.remove("customer_name");
    attributes.remove("subject");

    let (_, json) = run(&rig, event.clone()).await;
    assert_eq!(action(&json), "ElicitSlot");
    assert_eq!(
        json["sessionState"]["dialogAction"]["slotToElicit"],
        "CustomerName"
    );
    assert_eq!(
        json["messages"][0]["content"],
        "Before I connect you, what is your name?"
    );

    event["sessionState"]["intent"]["slots"]["CustomerName"] =
        json!({"value": {"originalValue": "zoe", "interpretedValue": "Zoë", "resolvedValues": []}});
    let (_, json) = run(&rig, event.clone()).await;
    assert_eq!(
        json["sessionState"]["dialogAction"]["slotToElicit"],
        "Subject"
    );

    event["sessionState"]["sessionAttributes"]["subject"] = json!("Refund");
    let (_, json) = run(&rig, event).await;
    assert_eq!(action(&json), "Delegate");
}

#[tokio::test]
async fn without_prompts_the_dialog_hook_does_not_ask() {
    let rig = rig(EscalationSettings {
        max_detail_prompts: 0,
        when_details_missing: MissingDetails::Fail,
        ..EscalationSettings::default()
    });
    let mut event = escalation_event();
    event["invocationSource"] = json!("DialogCodeHook");
    event["sessionState"]["sessionAttributes"]
        .as_object_mut()
        .unwrap()
        .remove("customer_name");
    let (_, json) = run(&rig, event).await;
    assert_eq!(action(&json), "Delegate");
}
