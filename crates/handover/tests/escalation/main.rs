//! The Lex code hook end to end in process: real Lex fixtures through `CodeHook::handle`, with
//! the in-memory store, a recording contact center and secrets from a map.

use std::sync::Arc;
use std::time::Duration;

use conversation_store::MemoryStore;
use handover::clock::ManualClock;
use handover::conversation::{ConversationStatus, Provider};
use handover::escalation::{CodeHook, EscalationSettings, MissingDetails};
use handover::lex::{DialogActionType, IntentState, LexEvent, LexResponse};
use handover::reference::{ReferenceSigner, SESSION_ATTRIBUTE};
use handover::store::{Conversations, Transcripts};
use handover::transcript::Speaker;
use serde_json::{Value, json};
use tokio::time::Instant;

use test_support::fakes::{FakeContactCenter, MapSecrets};

const START: u64 = 1_800_000_000;

/// The signing key, under the secret name the settings use by default.
const REFERENCE_KEY_SECRET: &str = "dev/handover/reference-key";
const REFERENCE_KEY: &str = "0123456789abcdef0123456789abcdef-test-key";

fn fixture(name: &str) -> Value {
    test_support::files::fixture(&format!("lex/{name}"))
}

/// The Lex Web UI fulfillment fixture, turned into the escalation intent with the customer's
/// details in session attributes, as a page would set them.
fn escalation_event() -> Value {
    let mut event = fixture("fulfillment-from-lex-web-ui.json");
    event["sessionState"]["intent"]["name"] = json!("TalkToAgent");
    event["sessionState"]["intent"]["slots"] = json!({"CustomerName": null, "Subject": null});
    let attributes = &mut event["sessionState"]["sessionAttributes"];
    attributes["customer_name"] = json!("Zoë Souza");
    attributes["subject"] = json!("Refund for order 1234");
    attributes["previousLexResponse"] =
        json!(r#"{"messages":[{"type":"PlainText","value":"How can I help?"}]}"#);
    event["interpretations"][0]["sentimentResponse"] = json!({
        "sentiment": "NEGATIVE",
        "sentimentScore": {"positive": 0.01, "negative": 0.9, "neutral": 0.08, "mixed": 0.01}
    });
    event
}

struct Rig {
    hook: CodeHook,
    store: Arc<MemoryStore>,
    contact_center: Arc<FakeContactCenter>,
}

fn rig(settings: EscalationSettings) -> Rig {
    let clock = Arc::new(ManualClock::at(START));
    let store = Arc::new(MemoryStore::new().with_clock(clock.clone()));
    let contact_center = Arc::new(FakeContactCenter::default());
    let hook = CodeHook::new(
        store.clone(),
        contact_center.clone(),
        Arc::new(MapSecrets::with(REFERENCE_KEY_SECRET, REFERENCE_KEY)),
        settings,
    )
    .with_clock(clock);
    Rig {
        hook,
        store,
        contact_center,
    }
}

async fn run(rig: &Rig, event: Value) -> (LexResponse, Value) {
    let event = LexEvent::from_value(event).expect("a Lex V2 event");
    let response = rig.hook.handle(&event, deadline()).await;
    let json = serde_json::to_value(&response).unwrap();
    (response, json)
}

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(10)
}

fn action(json: &Value) -> &str {
    json["sessionState"]["dialogAction"]["type"]
        .as_str()
        .unwrap()
}

mod details;
mod dialog_hook;
mod fulfillment;
mod session;
