//! Amazon API Gateway, emulated: the WebSocket API the customer's chat connects to (with its
//! Management API, which the handlers post through with the real AWS SDK client), and the
//! REST API that Talkdesk Connections call back. Each turns HTTP and WebSocket traffic into
//! the events API Gateway sends, calls the Lambda's own entry point, and answers as API
//! Gateway answers.

mod connections;
mod events;
mod management;
mod rest;
mod websocket;

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

pub(crate) use connections::Connections;
pub(crate) use rest::router as callback_router;
pub(crate) use websocket::{WebSocketEmulator, router as websocket_router};

/// The stage name of both APIs, in their URLs and events.
pub const STAGE: &str = "local";

/// An id in API Gateway's style (connection, request and message ids): 16 characters of
/// base64, such as `Wz9dAcC4EowCHnA=`.
pub(crate) fn random_id() -> String {
    STANDARD.encode(&Uuid::new_v4().as_bytes()[..11])
}

/// Milliseconds since the epoch, as events carry times.
pub(crate) fn epoch_millis(at: SystemTime) -> i64 {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// `requestTime` as API Gateway writes it: `21/Nov/2026:10:00:00 +0000`.
pub(crate) fn request_time(at: SystemTime) -> String {
    let at = OffsetDateTime::from(at);
    let month = at.month().to_string();
    format!(
        "{:02}/{}/{}:{:02}:{:02}:{:02} +0000",
        at.day(),
        &month[..3],
        at.year(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// A time as the Management API writes it (ISO 8601).
pub(crate) fn iso8601(at: SystemTime) -> String {
    OffsetDateTime::from(at)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Headers as events carry them: `headers` (the last value of each) and `multiValueHeaders`.
pub(crate) fn headers_json(headers: &HeaderMap) -> (Value, Value) {
    let pairs = headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)));
    pairs_json(pairs)
}

/// A query string as events carry it: `queryStringParameters` (the last value of each) and
/// `multiValueQueryStringParameters`.
pub(crate) fn query_json(query: &[(String, String)]) -> (Value, Value) {
    pairs_json(
        query
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
    )
}

fn pairs_json<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> (Value, Value) {
    let mut single = BTreeMap::new();
    let mut multi: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, value) in pairs {
        single.insert(name, value);
        multi.entry(name).or_default().push(value);
    }
    (json!(single), json!(multi))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn ids_and_times_look_like_api_gateway_s() {
        let id = random_id();
        assert_eq!(id.len(), 16, "{id}");
        assert!(id.ends_with('='), "{id}");
        assert_ne!(random_id(), id);
        let at = UNIX_EPOCH + Duration::from_secs(1_795_255_200);
        assert_eq!(request_time(at), "21/Nov/2026:10:00:00 +0000");
        assert_eq!(iso8601(at), "2026-11-21T10:00:00Z");
        assert_eq!(epoch_millis(at), 1_795_255_200_000);
    }

    #[test]
    fn repeated_names_keep_every_value_in_the_multi_value_map() {
        let query = [
            ("a".to_owned(), "1".to_owned()),
            ("a".to_owned(), "2".to_owned()),
            ("b".to_owned(), "3".to_owned()),
        ];
        let (single, multi) = query_json(&query);
        assert_eq!(single, json!({"a": "2", "b": "3"}));
        assert_eq!(multi, json!({"a": ["1", "2"], "b": ["3"]}));
    }
}
