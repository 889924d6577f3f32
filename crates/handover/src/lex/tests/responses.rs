use super::*;

#[test]
fn delegate_returns_the_intent_and_every_session_attribute_unchanged() {
    let event = web_ui_event_with_attributes();
    let response = delegate(&event);

    let state = &response.session_state;
    assert_eq!(
        state.session_attributes,
        event.session_state.session_attributes
    );
    assert_eq!(state.session_attributes.len(), 3);
    assert_eq!(state.intent, event.session_state.intent);
    assert_eq!(
        state.dialog_action.as_ref().unwrap().action_type,
        DialogActionType::Delegate
    );
    let json = serde_json::to_value(&response).unwrap();
    assert!(json.get("messages").is_none());
    assert!(json["sessionState"].get("originatingRequestId").is_none());
}

#[test]
fn close_adds_its_attributes_on_top_of_the_echoed_ones() {
    let event = web_ui_event_with_attributes();
    let response = close(
        &event,
        FulfillmentState::Fulfilled,
        Some("Connecting you to an agent.".to_owned()),
        [
            ("talkdesk_conversation_id".to_owned(), "v1.abc".to_owned()),
            ("topic".to_owned(), "handover".to_owned()),
        ],
    );

    assert_eq!(
        serde_json::to_value(&response).unwrap(),
        json!({
            "sessionState": {
                "sessionAttributes": {
                    "idtokenjwt": "<token redacted>",
                    "previousUtterance": "I want a human",
                    "topic": "handover",
                    "talkdesk_conversation_id": "v1.abc"
                },
                "dialogAction": { "type": "Close" },
                "intent": {
                    "name": "FallbackIntent",
                    "slots": {},
                    "state": "Fulfilled",
                    "confirmationState": "None"
                }
            },
            "messages": [{ "contentType": "PlainText", "content": "Connecting you to an agent." }]
        })
    );
}

#[test]
fn close_without_a_message_leaves_the_closing_response_to_lex() {
    let event = web_ui_event_with_attributes();
    let response = close(&event, FulfillmentState::Fulfilled, None, []);
    let json = serde_json::to_value(&response).unwrap();

    assert!(json.get("messages").is_none());
    assert_eq!(json["sessionState"]["dialogAction"]["type"], "Close");
    assert_eq!(json["sessionState"]["intent"]["state"], "Fulfilled");
}

#[test]
fn close_failed_on_an_event_without_session_attributes_writes_an_empty_map() {
    let event = LexEvent::from_slice(&fixture(DIALOG_CODE_HOOK)).unwrap();
    let response = close(
        &event,
        FulfillmentState::Failed,
        Some("Sorry.".to_owned()),
        [],
    );
    let json = serde_json::to_value(&response).unwrap();

    assert_eq!(json["sessionState"]["sessionAttributes"], json!({}));
    assert_eq!(json["sessionState"]["intent"]["state"], "Failed");
    assert_eq!(json["sessionState"]["activeContexts"], json!([]));
    assert_eq!(
        json["sessionState"]["intent"]["slots"],
        fixture_json(DIALOG_CODE_HOOK)["sessionState"]["intent"]["slots"]
    );
}

#[test]
fn elicit_slot_asks_for_the_slot_and_echoes_the_session() {
    let event = web_ui_event_with_attributes();
    let response = elicit_slot(&event, "qnaslot", "What is your question?");

    let state = &response.session_state;
    assert_eq!(
        state.session_attributes,
        event.session_state.session_attributes
    );
    assert_eq!(
        state.dialog_action,
        Some(DialogAction {
            action_type: DialogActionType::ElicitSlot,
            slot_to_elicit: Some("qnaslot".to_owned()),
        })
    );
    assert_eq!(state.intent.state, Some(IntentState::InProgress));
    assert_eq!(
        response.messages,
        [Message::plain_text("What is your question?")]
    );
}
