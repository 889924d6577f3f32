use std::path::PathBuf;

use serde_json::{Value, json};

use super::*;

mod events;
mod responses;
mod web_ui;

const DIALOG_CODE_HOOK: &str = "dialog-code-hook.json";
const FROM_LEX_WEB_UI: &str = "fulfillment-from-lex-web-ui.json";
const RESPONSE_CLOSE: &str = "response-close-fulfilled.json";

fn fixture_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/lex"
    ))
}

fn fixture(name: &str) -> Vec<u8> {
    let path = fixture_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).expect("fixture is JSON")
}

/// Parses a fixture event after `edit` changed its JSON.
fn edited_event(name: &str, edit: impl FnOnce(&mut Value)) -> Result<LexEvent, LexEventError> {
    let mut json = fixture_json(name);
    edit(&mut json);
    LexEvent::from_slice(&serde_json::to_vec(&json).unwrap())
}

fn web_ui_event_with_attributes() -> LexEvent {
    edited_event(FROM_LEX_WEB_UI, |json| {
        let attributes = &mut json["sessionState"]["sessionAttributes"];
        attributes["previousUtterance"] = json!("I want a human");
        attributes["topic"] = json!("billing");
    })
    .unwrap()
}
