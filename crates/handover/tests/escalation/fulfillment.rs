//! The fulfillment code hook: the handover itself.

use super::*;
use std::io;
use test_support::faulty_store::{FaultyStore, Operation};

use handover::contact_center::ContactCenterError;
use handover::errors::Cause;

fn verified_key(json: &Value) -> String {
    let reference = json["sessionState"]["sessionAttributes"][SESSION_ATTRIBUTE]
        .as_str()
        .expect("the reference attribute is set");
    let signer = ReferenceSigner::new(REFERENCE_KEY.as_bytes()).unwrap();
    signer
        .verify(reference, START)
        .expect("a valid reference")
        .conversation_key
        .to_string()
}

#[tokio::test]
async fn the_escalation_hands_over_with_context_and_a_signed_reference() {
    let rig = rig(EscalationSettings::default());
    let event = escalation_event();
    let (response, json) = run(&rig, event.clone()).await;

    assert_eq!(action(&json), "Close");
    assert_eq!(
        response.session_state.intent.state,
        Some(IntentState::Fulfilled)
    );
    assert_eq!(
        json["messages"][0]["content"],
        "Connecting you to an agent. Please wait."
    );
    // Every incoming attribute is echoed, and the reference added.
    let attributes = json["sessionState"]["sessionAttributes"]
        .as_object()
        .unwrap();
    for (name, value) in event["sessionState"]["sessionAttributes"]
        .as_object()
        .unwrap()
    {
        assert_eq!(&attributes[name], value, "{name} echoed");
    }
    let reference = attributes[SESSION_ATTRIBUTE].as_str().unwrap();
    assert!(reference.len() <= 108);
    let key = verified_key(&json);

    let starts = rig.contact_center.starts();
    assert_eq!(starts.len(), 1);
    let (request, idempotency_key) = &starts[0];
    assert_eq!(
        idempotency_key, &key,
        "the conversation key is the idempotency key"
    );
    assert_eq!(request.customer_name, "Zoë Souza");
    assert_eq!(request.subject, "Refund for order 1234");
    assert_eq!(request.context_parameters["customer_name"], "Zoë Souza");
    assert_eq!(
        request.context_parameters["subject"],
        "Refund for order 1234"
    );
    assert_eq!(request.context_parameters["sentiment"], "NEGATIVE");
    assert_eq!(request.context_parameters["intent_history"], "TalkToAgent");
    let lines: Vec<_> = request
        .transcript
        .iter()
        .map(|entry| (entry.speaker, entry.text.as_str()))
        .collect();
    // The page's previousLexResponse is about no turn this session recorded, so it is left out.
    assert_eq!(lines, vec![(Speaker::Customer, "Trigger Lambda")]);

    let key = handover::conversation::ConversationKey::parse(&key).unwrap();
    let stored = rig.store.conversation(&key).await.unwrap().expect("stored");
    assert_eq!(stored.status, ConversationStatus::Pending);
    assert_eq!(stored.provider, Provider::Talkdesk);
    assert_eq!(stored.provider_conversation_id, format!("td-{key}"));
    assert_eq!(
        stored.lex_session_id,
        "us-east-1:24ac4405-504c-4787-9b11-aa5633788026"
    );
}

#[tokio::test]
async fn the_reference_expires_after_the_configured_lifetime() {
    let rig = rig(EscalationSettings {
        reference_lifetime: Duration::from_secs(600),
        ..EscalationSettings::default()
    });
    let (_, json) = run(&rig, escalation_event()).await;
    let reference = json["sessionState"]["sessionAttributes"][SESSION_ATTRIBUTE]
        .as_str()
        .unwrap();
    let signer = ReferenceSigner::new(REFERENCE_KEY.as_bytes()).unwrap();
    assert!(signer.verify(reference, START + 600).is_ok());
    assert!(signer.verify(reference, START + 601).is_err());
}

#[tokio::test]
async fn a_retried_fulfillment_opens_one_conversation() {
    let rig = rig(EscalationSettings::default());
    let (_, first) = run(&rig, escalation_event()).await;
    let (_, second) = run(&rig, escalation_event()).await;
    assert_eq!(rig.contact_center.starts().len(), 1);
    assert_eq!(verified_key(&first), verified_key(&second));
}

#[tokio::test]
async fn page_parameters_reach_the_agent_but_ours_win() {
    let rig = rig(EscalationSettings::default());
    let mut event = escalation_event();
    event["sessionState"]["sessionAttributes"]["contact_center_parameters"] =
        json!(r#"{"account_id":"A-42","customer_name":"spoofed"}"#);
    run(&rig, event).await;
    let (request, _) = &rig.contact_center.starts()[0];
    assert_eq!(request.context_parameters["account_id"], "A-42");
    assert_eq!(request.context_parameters["customer_name"], "Zoë Souza");
}

#[tokio::test]
async fn invalid_page_parameters_fail_clearly_without_calling_the_contact_center() {
    let rig = rig(EscalationSettings::default());
    let mut event = escalation_event();
    event["sessionState"]["sessionAttributes"]["contact_center_parameters"] = json!(r#"{"n":1}"#);
    let (response, json) = run(&rig, event).await;
    assert_eq!(
        response.session_state.intent.state,
        Some(IntentState::Failed)
    );
    assert_eq!(
        json["messages"][0]["content"],
        EscalationSettings::default().invalid_parameters_message
    );
    assert!(rig.contact_center.starts().is_empty());
}

#[tokio::test]
async fn missing_details_are_elicited_or_fail_as_configured() {
    let mut event = escalation_event();
    event["sessionState"]["sessionAttributes"]
        .as_object_mut()
        .unwrap()
        .remove("subject");

    let eliciting = rig(EscalationSettings::default());
    let (_, json) = run(&eliciting, event.clone()).await;
    assert_eq!(action(&json), "ElicitSlot");
    assert_eq!(
        json["sessionState"]["dialogAction"]["slotToElicit"],
        "Subject"
    );

    let failing = rig(EscalationSettings {
        max_detail_prompts: 0,
        when_details_missing: MissingDetails::Fail,
        ..EscalationSettings::default()
    });
    let (response, json) = run(&failing, event).await;
    assert_eq!(
        response.session_state.intent.state,
        Some(IntentState::Failed)
    );
    assert_eq!(
        json["messages"][0]["content"],
        EscalationSettings::default().missing_details_message
    );
    assert!(failing.contact_center.starts().is_empty());
}

#[tokio::test]
async fn a_contact_center_failure_fails_kindly_and_stores_nothing() {
    let rig = rig(EscalationSettings::default());
    rig.contact_center
        .refuse_with(ContactCenterError::Unavailable {
            code: "timeout".into(),
            cause: Cause::new(io::Error::other("request to Talkdesk timed out")),
        });
    let (response, json) = run(&rig, escalation_event()).await;
    assert_eq!(
        response.session_state.intent.state,
        Some(IntentState::Failed)
    );
    assert_eq!(
        response.session_state.dialog_action.unwrap().action_type,
        DialogActionType::Close
    );
    assert_eq!(
        json["messages"][0]["content"],
        EscalationSettings::default().failure_message
    );
    assert!(
        json["sessionState"]["sessionAttributes"]
            .get(SESSION_ATTRIBUTE)
            .is_none()
    );
    let stored = rig
        .store
        .conversation_by_provider_id(Provider::Talkdesk, "anything")
        .await
        .unwrap();
    assert!(stored.is_none());
}

#[tokio::test]
async fn no_free_agent_keeps_the_customer_with_the_bot_and_says_so() {
    for settings in [
        EscalationSettings::default(),
        EscalationSettings {
            no_agent_message: "All our agents are busy.".into(),
            ..EscalationSettings::default()
        },
    ] {
        let message = settings.no_agent_message.clone();
        let rig = rig(settings);
        rig.contact_center
            .refuse_with(ContactCenterError::NoCapacity {
                code: "LimitExceededException".into(),
                cause: Cause::new(io::Error::other("no concurrent chat left")),
            });
        let (response, json) = run(&rig, escalation_event()).await;
        assert_eq!(
            response.session_state.intent.state,
            Some(IntentState::Failed)
        );
        assert_eq!(json["messages"][0]["content"], message);
        assert_ne!(message, EscalationSettings::default().failure_message);
        assert!(
            json["sessionState"]["sessionAttributes"]
                .get(SESSION_ATTRIBUTE)
                .is_none(),
            "no live chat to switch to"
        );
    }
    assert!(
        EscalationSettings::default()
            .no_agent_message
            .contains("no agent is free right now")
    );
}

#[tokio::test]
async fn a_conversation_started_but_not_stored_is_ended_at_the_contact_center() {
    let store = FaultyStore::new();
    store.fail(Operation::CreateConversation);
    let contact_center = Arc::new(FakeContactCenter::default());
    let hook = CodeHook::new(
        store,
        contact_center.clone(),
        Arc::new(MapSecrets::with(REFERENCE_KEY_SECRET, REFERENCE_KEY)),
        EscalationSettings::default(),
    );
    let event = LexEvent::from_value(escalation_event()).unwrap();
    let response = hook.handle(&event, deadline()).await;

    assert_eq!(
        response.session_state.intent.state,
        Some(IntentState::Failed)
    );
    let started = contact_center.starts();
    assert_eq!(started.len(), 1);
    assert_eq!(
        contact_center.ended(),
        [format!("td-{}", started[0].1)],
        "no agent is left waiting in a chat nobody can join"
    );
}

#[tokio::test(start_paused = true)]
async fn a_store_too_slow_to_answer_gets_the_failure_message_by_the_deadline() {
    let store = FaultyStore::new();
    store.hang(Operation::CreateConversation);
    let hook = CodeHook::new(
        store,
        Arc::new(FakeContactCenter::default()),
        Arc::new(MapSecrets::with(REFERENCE_KEY_SECRET, REFERENCE_KEY)),
        EscalationSettings::default(),
    );
    let event = LexEvent::from_value(escalation_event()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let response = hook.handle(&event, deadline).await;

    assert!(Instant::now() >= deadline);
    assert_eq!(
        response.session_state.intent.state,
        Some(IntentState::Failed)
    );
    let json = serde_json::to_value(&response).unwrap();
    assert_eq!(
        json["messages"][0]["content"],
        EscalationSettings::default().failure_message
    );
}

#[tokio::test]
async fn without_the_signing_key_nothing_is_started() {
    let clock = Arc::new(ManualClock::at(START));
    let contact_center = Arc::new(FakeContactCenter::default());
    let hook = CodeHook::new(
        Arc::new(MemoryStore::new()),
        contact_center.clone(),
        Arc::new(MapSecrets::default()),
        EscalationSettings::default(),
    )
    .with_clock(clock);
    let event = LexEvent::from_value(escalation_event()).unwrap();
    let response = hook.handle(&event, deadline()).await;
    assert_eq!(
        response.session_state.intent.state,
        Some(IntentState::Failed)
    );
    assert!(contact_center.starts().is_empty());
}

#[tokio::test]
async fn other_intents_are_closed_for_lex_to_answer() {
    let rig = rig(EscalationSettings::default());
    let (response, json) = run(&rig, fixture("fulfillment-from-lex-web-ui.json")).await;
    assert_eq!(action(&json), "Close");
    assert_eq!(
        response.session_state.intent.state,
        Some(IntentState::Fulfilled)
    );
    assert!(json.get("messages").is_none());
    assert_eq!(
        json["sessionState"]["sessionAttributes"]["idtokenjwt"],
        "<token redacted>"
    );
    assert!(rig.contact_center.starts().is_empty());
}
