use super::*;

#[test]
fn every_fixture_parses() {
    let mut events = 0;
    let mut responses = 0;
    for entry in std::fs::read_dir(fixture_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".json") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        if name.starts_with("response") {
            serde_json::from_slice::<LexResponse>(&bytes)
                .unwrap_or_else(|error| panic!("{name}: {error}"));
            responses += 1;
        } else {
            LexEvent::from_slice(&bytes).unwrap_or_else(|error| panic!("{name}: {error}"));
            events += 1;
        }
    }
    assert_eq!((events, responses), (2, 1));
}

#[test]
fn dialog_code_hook_event_without_session_attributes_parses() {
    assert!(
        fixture_json(DIALOG_CODE_HOOK)["sessionState"]
            .get("sessionAttributes")
            .is_none()
    );
    let event = LexEvent::from_slice(&fixture(DIALOG_CODE_HOOK)).unwrap();

    assert_eq!(event.invocation_source, InvocationSource::DialogCodeHook);
    assert_eq!(event.session_id, "123456789123456");
    assert_eq!(event.intent_name(), "BookHotel");
    assert!(event.session_state.session_attributes.is_empty());
    assert_eq!(event.session_state.active_contexts, Some(Vec::new()));
    assert_eq!(
        event.session_state.intent.state,
        Some(IntentState::InProgress)
    );
    assert_eq!(
        event.session_state.intent.confirmation_state,
        Some(ConfirmationState::None)
    );
    assert_eq!(event.slot_value("CheckInDate"), Some("2022-05-05"));
    assert_eq!(event.slot_value("NoSuchSlot"), None);
    assert_eq!(event.bot.alias_id, "TSTALIASID");
    assert_eq!(event.interpretations[0].nlu_confidence, Some(1.0));
    assert_eq!(event.interpretations[1].nlu_confidence, None);
}

#[test]
fn null_slots_parse_as_unfilled() {
    let event = LexEvent::from_slice(&fixture(DIALOG_CODE_HOOK)).unwrap();
    let book_car = &event.interpretations[2].intent;
    assert_eq!(book_car.name, "BookCar");
    assert_eq!(book_car.slots.len(), 5);
    assert!(book_car.slots.values().all(Option::is_none));
}

#[test]
fn lex_web_ui_event_parses_with_a_bare_nlu_confidence() {
    let event = LexEvent::from_slice(&fixture(FROM_LEX_WEB_UI)).unwrap();

    assert_eq!(
        event.invocation_source,
        InvocationSource::FulfillmentCodeHook
    );
    assert_eq!(
        event.session_id,
        "us-east-1:24ac4405-504c-4787-9b11-aa5633788026"
    );
    assert_eq!(event.intent_name(), "FallbackIntent");
    assert_eq!(
        event.session_attribute("idtokenjwt"),
        Some("<token redacted>")
    );
    assert_eq!(event.session_attribute("absent"), None);
    assert_eq!(event.interpretations[1].nlu_confidence, Some(0.7));
    assert_eq!(event.session_state.active_contexts, None);
    assert_eq!(event.request_attributes, None);
    assert_eq!(event.transcriptions.as_ref().map(Vec::len), Some(1));
}

#[test]
fn response_fixture_round_trips() {
    let original = fixture_json(RESPONSE_CLOSE);
    let response: LexResponse = serde_json::from_value(original.clone()).unwrap();
    assert_eq!(serde_json::to_value(&response).unwrap(), original);
}

#[test]
fn event_with_a_byte_order_mark_parses() {
    let bytes = [b"\xEF\xBB\xBF".as_slice(), &fixture(FROM_LEX_WEB_UI)].concat();
    let event = LexEvent::from_slice(&bytes).unwrap();
    assert_eq!(event.intent_name(), "FallbackIntent");
}

#[test]
fn nlu_confidence_as_a_score_object_parses() {
    let event = edited_event(DIALOG_CODE_HOOK, |json| {
        json["interpretations"][0]["nluConfidence"] = json!({ "score": 0.93 });
    })
    .unwrap();
    assert_eq!(event.interpretations[0].nlu_confidence, Some(0.93));
}

#[test]
fn null_maps_parse_as_empty() {
    let event = edited_event(DIALOG_CODE_HOOK, |json| {
        json["sessionState"]["sessionAttributes"] = Value::Null;
        json["sessionState"]["activeContexts"] = Value::Null;
        json["sessionState"]["intent"]["slots"] = Value::Null;
        json["requestAttributes"] = Value::Null;
        json["interpretations"] = Value::Null;
    })
    .unwrap();
    assert!(event.session_state.session_attributes.is_empty());
    assert!(event.session_state.intent.slots.is_empty());
    assert!(event.interpretations.is_empty());
    assert_eq!(event.session_state.active_contexts, None);
    assert_eq!(event.request_attributes, None);
}

#[test]
fn unknown_fields_are_tolerated_and_kept_on_the_intent() {
    let event = edited_event(DIALOG_CODE_HOOK, |json| {
        json["newTopLevelField"] = json!(true);
        json["sessionState"]["newStateField"] = json!({ "nested": 1 });
        let intent = &mut json["sessionState"]["intent"];
        intent["kendraResponse"] = json!({ "resultItems": [] });
        intent["slots"]["RoomType"]["subSlots"] = json!({});
        intent["slots"]["RoomType"]["value"]["newValueField"] = json!("kept");
    })
    .unwrap();

    let intent = &event.session_state.intent;
    assert_eq!(intent.extra["kendraResponse"], json!({ "resultItems": [] }));
    let room_type = intent.slots["RoomType"].as_ref().unwrap();
    assert_eq!(room_type.extra["subSlots"], json!({}));

    let echoed = serde_json::to_value(delegate(&event)).unwrap();
    let echoed_intent = &echoed["sessionState"]["intent"];
    assert_eq!(
        echoed_intent["kendraResponse"],
        json!({ "resultItems": [] })
    );
    assert_eq!(
        echoed_intent["slots"]["RoomType"]["value"]["newValueField"],
        json!("kept")
    );
}

#[test]
fn values_newer_than_this_crate_are_kept() {
    let event = edited_event(DIALOG_CODE_HOOK, |json| {
        json["sessionState"]["intent"]["state"] = json!("SomeFutureState");
        json["sessionState"]["intent"]["slots"]["Nights"]["shape"] = json!("Matrix");
    })
    .unwrap();
    let intent = &event.session_state.intent;
    assert_eq!(
        intent.state,
        Some(IntentState::Other("SomeFutureState".to_owned()))
    );

    let echoed = serde_json::to_value(delegate(&event)).unwrap();
    assert_eq!(echoed["sessionState"]["intent"]["state"], "SomeFutureState");
    assert_eq!(
        echoed["sessionState"]["intent"]["slots"]["Nights"]["shape"],
        "Matrix"
    );
}

#[test]
fn missing_required_fields_are_named_in_the_error() {
    type Edit = fn(&mut Value);
    let cases: [(&str, Edit); 4] = [
        ("sessionState.intent.name", |json| {
            json["sessionState"]["intent"]
                .as_object_mut()
                .unwrap()
                .remove("name");
        }),
        ("sessionState.intent.name", |json| {
            json["sessionState"]["intent"]["name"] = json!("");
        }),
        ("sessionId", |json| {
            json.as_object_mut().unwrap().remove("sessionId");
        }),
        ("invocationSource", |json| {
            json["invocationSource"] = Value::Null;
        }),
    ];
    for (field, edit) in cases {
        let error = edited_event(FROM_LEX_WEB_UI, edit).unwrap_err();
        assert!(
            matches!(error, LexEventError::MissingField(name) if name == field),
            "{error}"
        );
        assert!(error.to_string().contains(field), "{error}");
    }
}

#[test]
fn invalid_input_gives_a_clear_error() {
    let error = LexEvent::from_slice(b"not json").unwrap_err();
    assert!(matches!(error, LexEventError::NotJson(_)), "{error}");

    let error = edited_event(FROM_LEX_WEB_UI, |json| {
        json["invocationSource"] = json!("SomethingElse");
    })
    .unwrap_err();
    assert!(matches!(error, LexEventError::Format(_)), "{error}");
    assert!(error.to_string().contains("SomethingElse"), "{error}");
}

#[test]
fn top_sentiment_comes_from_the_first_interpretation() {
    let event = edited_event(DIALOG_CODE_HOOK, |json| {
        json["interpretations"][0]["sentimentResponse"] = json!({
            "sentiment": "NEGATIVE",
            "sentimentScore": { "positive": 0.01, "negative": 0.95, "neutral": 0.03, "mixed": 0.01 }
        });
    })
    .unwrap();
    let sentiment = event.top_sentiment().unwrap();
    assert_eq!(sentiment.sentiment, Sentiment::Negative);
    assert_eq!(sentiment.sentiment_score.negative, 0.95);

    let without = LexEvent::from_slice(&fixture(DIALOG_CODE_HOOK)).unwrap();
    assert_eq!(without.top_sentiment(), None);
}
