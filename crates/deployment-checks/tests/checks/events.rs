//! The sample events in events/ are what `sam local invoke -e` and
//! `cargo lambda invoke --data-file` take: one JSON object per file. (Each crate's own tests
//! parse them with the function's event type.)

use std::fs;
use std::path::Path;

#[test]
fn every_sample_event_is_a_json_object() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events");
    let mut checked = 0;
    for entry in fs::read_dir(&dir).expect("events/") {
        let path = entry.expect("an events/ entry").path();
        if path.extension().is_none_or(|ext| ext != "json") {
            continue;
        }
        let text = fs::read_to_string(&path).expect("a readable event");
        let value: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|err| panic!("{} is not JSON: {err}", path.display()));
        assert!(value.is_object(), "{} is not a JSON object", path.display());
        checked += 1;
    }
    assert!(checked > 0, "no sample event in {}", dir.display());
}
