//! The event Lex V2 sends the code hook: parsed as the Lambda runtime hands it over
//! (`LexEvent::from_value` on the JSON value) and from bytes (`LexEvent::from_slice`, which
//! also skips a byte-order mark). Both must agree, the code hook's readers must not panic,
//! and the session state it echoes back must read as it was given.
#![no_main]

use handover::escalation::details::parameters;
use handover::lex::LexEvent;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let from_slice = LexEvent::from_slice(data);
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(event) = LexEvent::from_value(value) else {
        assert!(
            from_slice.is_err(),
            "from_slice accepted what from_value refused"
        );
        return;
    };
    assert_eq!(
        from_slice.ok().as_ref(),
        Some(&event),
        "from_slice and from_value disagree"
    );

    assert!(!event.session_id.is_empty());
    assert!(!event.intent_name().is_empty());
    let _ = event.previous_utterance();
    let _ = event.previous_bot_message();
    let _ = event.top_sentiment();
    for name in event.session_state.intent.slots.keys() {
        assert!(event.intent_has_slot(name));
        let _ = event.slot_value(name);
    }
    for attribute in event.session_state.session_attributes.values() {
        let _ = parameters(Some(attribute));
    }

    let echoed = serde_json::to_value(&event).expect("an event serialises");
    let read_back = LexEvent::from_value(echoed).expect("an echoed event reads back");
    assert_eq!(read_back, event, "the event does not round-trip");
});
