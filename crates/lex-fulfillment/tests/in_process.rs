//! The Lambda's entry point in process, over the in-memory store and a stand-in contact
//! center, with the sample events in `events/`: no emulator needed.

#[path = "in_process/bad_input.rs"]
mod bad_input;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use conversation_store::MemoryStore;
use handover::escalation::{CodeHook, EscalationSettings};
use handover::reference::{DEFAULT_KEY_SECRET, SESSION_ATTRIBUTE};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{Value, json};
use test_support::fakes::{FakeContactCenter, MapSecrets};
use test_support::files::event as sample;

fn hook(contact_center: Arc<FakeContactCenter>) -> CodeHook {
    CodeHook::new(
        Arc::new(MemoryStore::new()),
        contact_center,
        Arc::new(MapSecrets::with(
            DEFAULT_KEY_SECRET,
            "in-process-reference-signing-key-0123456789",
        )),
        EscalationSettings::default(),
    )
}

fn event(payload: Value) -> LambdaEvent<Value> {
    let mut context = Context::default();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    context.deadline = now.as_millis() as u64 + 20_000;
    LambdaEvent::new(payload, context)
}

#[tokio::test]
async fn the_sample_events_are_answered() {
    let contact_center = Arc::new(FakeContactCenter::default());
    let hook = hook(contact_center.clone());

    let dialog = lex_fulfillment::handle(&hook, event(sample("lex-dialog-hook.json")))
        .await
        .unwrap();
    let dialog = serde_json::to_value(dialog).unwrap();
    assert_eq!(dialog["sessionState"]["dialogAction"]["type"], "Delegate");

    let fulfilled = lex_fulfillment::handle(&hook, event(sample("lex-fulfillment.json")))
        .await
        .unwrap();
    let fulfilled = serde_json::to_value(fulfilled).unwrap();
    assert_eq!(fulfilled["sessionState"]["intent"]["state"], "Fulfilled");
    assert!(
        fulfilled["sessionState"]["sessionAttributes"][SESSION_ATTRIBUTE].is_string(),
        "{fulfilled}"
    );
    assert_eq!(contact_center.starts().len(), 1);
}

#[tokio::test]
async fn an_event_that_is_not_a_lex_event_fails_the_invocation_naming_the_field() {
    let contact_center = Arc::new(FakeContactCenter::default());
    let hook = hook(contact_center.clone());
    let mut broken = sample("lex-fulfillment.json");
    broken.as_object_mut().unwrap().remove("sessionId");
    let error = lex_fulfillment::handle(&hook, event(broken))
        .await
        .expect_err("Lex gets a failed invocation, which fails the turn");
    assert!(error.to_string().contains("sessionId"), "{error}");

    let error = lex_fulfillment::handle(&hook, event(json!(["not", "an", "event"])))
        .await
        .expect_err("not an object");
    assert!(!error.to_string().is_empty());
    assert!(contact_center.starts().is_empty());
}
