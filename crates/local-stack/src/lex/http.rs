//! The Lex V2 runtime's `RecognizeText` over HTTP, as the AWS SDKs call it (restJson1):
//! `POST /bots/{botId}/botAliases/{botAliasId}/botLocales/{localeId}/sessions/{sessionId}/text`
//! with `{text, sessionState?, requestAttributes?}`, answered with `{messages?, sessionState,
//! interpretations, requestAttributes?, sessionId}`. Requests are not authenticated; errors
//! name Lex's exception in `x-amzn-errortype`, as the SDKs expect (the customer page posts to
//! the same path without signing).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};
use tracing::{info, warn};

use super::dialog::{LocalBot, TurnRequest, TurnResponse};
use crate::aws::error_response as error;

/// The RecognizeText path, as the AWS SDKs write it.
const RECOGNIZE_TEXT: &str =
    "/bots/{bot_id}/botAliases/{alias_id}/botLocales/{locale_id}/sessions/{session_id}/text";
/// The longest text Lex takes.
const MAX_TEXT_CHARS: usize = 1024;

/// The RecognizeText route over `bot`.
pub(crate) fn router(bot: Arc<LocalBot>) -> Router {
    Router::new()
        .route(RECOGNIZE_TEXT, post(recognize_text))
        .with_state(bot)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecognizeTextBody {
    text: Option<String>,
    session_state: Option<RequestSessionState>,
    request_attributes: Option<BTreeMap<String, String>>,
}

/// Of the session state a client may send, the local bot takes the attributes.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestSessionState {
    session_attributes: Option<BTreeMap<String, String>>,
}

async fn recognize_text(
    State(bot): State<Arc<LocalBot>>,
    Path((bot_id, alias_id, locale_id, session_id)): Path<(String, String, String, String)>,
    body: Bytes,
) -> Response {
    let definition = bot.definition();
    if (&bot_id, &alias_id, &locale_id)
        != (
            &definition.bot_id,
            &definition.alias_id,
            &definition.locale_id,
        )
    {
        return error(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundException",
            &format!(
                "No bot {bot_id} with alias {alias_id} and locale {locale_id}; this one is {} / {} / {}",
                definition.bot_id, definition.alias_id, definition.locale_id
            ),
        );
    }
    if !valid_session_id(&session_id) {
        return validation("sessionId must be 2 to 100 letters, digits, '.', '_', ':' or '-'");
    }
    let Ok(body) = serde_json::from_slice::<RecognizeTextBody>(&body) else {
        return validation("the body is not a RecognizeText request");
    };
    let text = body.text.unwrap_or_default();
    if text.trim().is_empty() || text.chars().count() > MAX_TEXT_CHARS {
        return validation("text must be 1 to 1024 characters");
    }
    let request = TurnRequest {
        session_id: session_id.clone(),
        text,
        session_attributes: body
            .session_state
            .and_then(|state| state.session_attributes),
        request_attributes: body.request_attributes.clone(),
    };
    match bot.recognize_text(request).await {
        Ok(turn) => {
            info!(intent = %turn.intent.name, dialog_action = %turn.dialog_action, "Lex turn");
            success(&session_id, body.request_attributes, turn)
        }
        Err(err) => {
            warn!(error = %err, "the code hook failed the Lex turn");
            error(
                StatusCode::FAILED_DEPENDENCY,
                "DependencyFailedException",
                &err.to_string(),
            )
        }
    }
}

/// Lex's own rule for session ids.
fn valid_session_id(session_id: &str) -> bool {
    (2..=100).contains(&session_id.len())
        && session_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-'))
}

fn success(
    session_id: &str,
    request_attributes: Option<BTreeMap<String, String>>,
    turn: TurnResponse,
) -> Response {
    let mut dialog_action = json!({"type": turn.dialog_action});
    if let Some(slot) = &turn.slot_to_elicit {
        dialog_action["slotToElicit"] = json!(slot);
    }
    let mut body = json!({
        "sessionState": {
            "dialogAction": dialog_action,
            "intent": turn.intent.to_runtime_json(),
            "sessionAttributes": turn.session_attributes,
            "originatingRequestId": turn.originating_request_id,
        },
        "interpretations": turn.interpretations,
        "sessionId": session_id,
    });
    if !turn.messages.is_empty() {
        let messages: Vec<Value> = turn.messages.iter().map(|m| m.to_runtime_json()).collect();
        body["messages"] = json!(messages);
    }
    if let Some(attributes) = request_attributes {
        body["requestAttributes"] = json!(attributes);
    }
    let mut response = axum::Json(body).into_response();
    if let Ok(id) = HeaderValue::from_str(&turn.request_id) {
        response.headers_mut().insert("x-amzn-requestid", id);
    }
    response
}

fn validation(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "ValidationException", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_follow_lex_s_rule() {
        assert!(valid_session_id(
            "us-east-1:24ac4405-504c-4787-9b11-aa5633788026"
        ));
        assert!(!valid_session_id("x"));
        assert!(!valid_session_id("has space"));
        assert!(!valid_session_id(&"a".repeat(101)));
    }
}
