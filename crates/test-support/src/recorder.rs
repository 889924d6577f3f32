//! What was sent to customers' WebSocket connections, read back from moto's recorder.
//!
//! moto keeps no state for the API Gateway Management API, so its `/moto-api/data.json` does
//! not show what was posted; its recorder does. The recorder writes one JSON line per request
//! it serves: `method`, `url` (as sent, percent-encoding kept), `headers`, and `body`, which is
//! base64 when `body_encoded` is true.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::percent_decode_str;
use reqwest::{Method, Url};
use serde_json::Value;

/// moto's request recorder, for asserting on the requests made to `/@connections/<id>`.
///
/// moto records globally, for every test sharing the emulator, and the recording is never
/// reset: a test tells its own requests apart by a connection id no other test uses.
#[derive(Debug, Clone)]
pub struct Recorder {
    http: reqwest::Client,
    base: String,
}

impl Recorder {
    /// Turns recording on (again, harmlessly, if another test already has).
    ///
    /// # Panics
    /// Without the emulator, or when it refuses.
    pub async fn start() -> Self {
        let recorder = Self {
            http: reqwest::Client::new(),
            base: crate::endpoint(),
        };
        recorder
            .call(Method::POST, "recorder/start-recording")
            .await;
        // moto creates its recording file with the first request it records, and fails a
        // download before that; this cheap request is recorded.
        recorder.call(Method::GET, "config").await;
        recorder
    }

    /// The JSON bodies POSTed to `connection_id`, oldest first.
    ///
    /// # Panics
    /// When the recording cannot be read, or a body posted there is not JSON.
    pub async fn posted(&self, connection_id: &str) -> Vec<Value> {
        self.requests_to(connection_id, "POST")
            .await
            .iter()
            .map(|request| {
                let body = body(request);
                serde_json::from_slice(&body).unwrap_or_else(|err| {
                    panic!(
                        "a body posted to connection {connection_id} is not JSON ({err}): {}",
                        String::from_utf8_lossy(&body)
                    )
                })
            })
            .collect()
    }

    /// Whether a DELETE of `connection_id` was recorded.
    ///
    /// # Panics
    /// When the recording cannot be read.
    pub async fn closed(&self, connection_id: &str) -> bool {
        !self.requests_to(connection_id, "DELETE").await.is_empty()
    }

    /// The recorded requests with `method` to `/@connections/<connection_id>`, oldest first.
    async fn requests_to(&self, connection_id: &str, method: &str) -> Vec<Value> {
        let recording = self.call(Method::GET, "recorder/download-recording").await;
        let wanted = format!("/@connections/{connection_id}");
        recording
            .lines()
            // The emulator serves one request at a time, so every line is whole: one that does
            // not parse means the recording cannot be trusted, and "nothing was posted" with it.
            .map(|line| {
                serde_json::from_str::<Value>(line).unwrap_or_else(|err| {
                    panic!("the AWS emulator's recording has a line that is not JSON ({err})")
                })
            })
            .filter(|request| request["method"] == method)
            .filter(|request| {
                request["url"].as_str().and_then(decoded_path).as_deref() == Some(wanted.as_str())
            })
            .collect()
    }

    /// Calls moto's `/moto-api/<action>` and returns the response text.
    async fn call(&self, method: Method, action: &str) -> String {
        let url = format!("{}/moto-api/{action}", self.base);
        let response = self
            .http
            .request(method, &url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status);
        let text = match response {
            Ok(response) => response.text().await,
            Err(err) => Err(err),
        };
        text.unwrap_or_else(|err| panic!("the AWS emulator's recorder failed at {url}: {err}"))
    }
}

/// The URL's path with percent-encoding undone: the SDK sends `=` in an id as `%3D`.
fn decoded_path(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    Some(
        percent_decode_str(url.path())
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// A recorded request's body bytes.
fn body(request: &Value) -> Vec<u8> {
    let text = request["body"].as_str().unwrap_or_default();
    if request["body_encoded"] == true {
        STANDARD
            .decode(text)
            .unwrap_or_else(|err| panic!("the recorder's base64 body does not decode: {err}"))
    } else {
        text.as_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_are_compared_decoded() {
        assert_eq!(
            decoded_path("http://127.0.0.1:5099/@connections/AAAA1234%3D").as_deref(),
            Some("/@connections/AAAA1234=")
        );
        assert_eq!(decoded_path("not a url"), None);
    }

    #[test]
    fn bodies_are_decoded_when_the_recorder_encoded_them() {
        let encoded = json!({"body": STANDARD.encode(br#"{"a":1}"#), "body_encoded": true});
        assert_eq!(body(&encoded), br#"{"a":1}"#);
        let plain = json!({"body": "text", "body_encoded": false});
        assert_eq!(body(&plain), b"text");
    }
}
