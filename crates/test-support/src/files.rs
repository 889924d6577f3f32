//! The repository's sample Lambda events (`events/`) and real payloads from public sources
//! (`tests/fixtures/`), read as the tests need them.

use std::path::PathBuf;

use serde_json::Value;

/// The text of `events/<name>`.
///
/// # Panics
/// When the file cannot be read, naming it.
pub fn event_text(name: &str) -> String {
    read(repository().join("events").join(name))
}

/// `events/<name>` as JSON.
///
/// # Panics
/// When the file cannot be read or is not JSON, naming it.
pub fn event(name: &str) -> Value {
    json(&event_text(name), &format!("events/{name}"))
}

/// `tests/fixtures/<path>` as JSON, such as `fixture("lex/dialog-code-hook.json")`.
///
/// # Panics
/// When the file cannot be read or is not JSON, naming it.
pub fn fixture(path: &str) -> Value {
    let text = read(repository().join("tests/fixtures").join(path));
    json(&text, &format!("tests/fixtures/{path}"))
}

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("reading {}: {err}", path.display()))
}

fn json(text: &str, name: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("{name} is not JSON: {err}"))
}
