//! The OAuth server: client-credentials tokens for the simulator's one API client, checked with
//! Basic authentication as Talkdesk's `/oauth/token` does.

use std::collections::HashMap;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::json;

use super::SimulatedTalkdesk;
use super::state::new_id;

/// The only scope Digital Connect needs, and the one granted.
const SCOPE: &str = "digital-connect:write";
/// How long an access token is accepted, in seconds.
const TOKEN_LIFETIME_SECONDS: u64 = 3600;

/// `POST /oauth/token`: a client-credentials grant with Basic client authentication.
pub(super) async fn token(
    State(sim): State<SimulatedTalkdesk>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !sim.client_matches(basic_credentials(&headers)) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed.",
        );
    }
    let form = parse_form(&body);
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only grant_type=client_credentials is supported.",
        );
    }
    let scope = form.get("scope").map_or(SCOPE, String::as_str);
    if scope.split(' ').any(|requested| requested != SCOPE) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "Only the digital-connect:write scope can be granted.",
        );
    }
    let access_token = new_id();
    sim.state().issue_token(
        access_token.clone(),
        Duration::from_secs(TOKEN_LIFETIME_SECONDS),
    );
    Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECONDS,
        "scope": SCOPE,
    }))
    .into_response()
}

/// The client id and secret of an `Authorization: Basic` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let encoded = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()
        .and_then(|value| strip_scheme(value, "Basic"))?;
    let decoded = String::from_utf8(BASE64.decode(encoded).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// The credentials of an `Authorization` value with this scheme (compared case-insensitively).
pub(super) fn strip_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, rest) = value.split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// An `application/x-www-form-urlencoded` body as a map; a repeated name keeps its last value.
fn parse_form(body: &[u8]) -> HashMap<String, String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (form_decode(name), form_decode(value)))
        .collect()
}

/// Decodes `+` and `%XX`; a malformed escape is kept as written.
fn form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match (bytes[i], escaped) {
            (_, Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (byte, None) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    (status, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_bodies_are_decoded() {
        let form =
            parse_form(b"grant_type=client_credentials&scope=digital-connect%3Awrite+x&bad=%zz");
        assert_eq!(form["grant_type"], "client_credentials");
        assert_eq!(form["scope"], "digital-connect:write x");
        assert_eq!(form["bad"], "%zz");
    }

    #[test]
    fn authorization_schemes_are_matched_case_insensitively() {
        assert_eq!(strip_scheme("bearer abc", "Bearer"), Some("abc"));
        assert_eq!(strip_scheme("Basic abc", "Bearer"), None);
        assert_eq!(strip_scheme("Bearer", "Bearer"), None);
    }
}
