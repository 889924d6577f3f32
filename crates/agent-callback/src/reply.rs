//! The callback's JSON answers: `{"status": ...}` for an event that was handled,
//! `{"error": ..., "message": ...}` for one that was not. The shapes are the actions' output
//! schemas in `schemas/talkdesk/`.

use crate::talkdesk_event::InvalidEvent;
use handover::agent_events::Outcome;
use lambda_http::Body;
use lambda_http::http::header::{ALLOW, CONTENT_TYPE};
use lambda_http::http::{Response, StatusCode};
use serde_json::{Value, json};

/// Why a request was not handled.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// No `x-api-key` header (401).
    MissingApiKey,
    /// The wrong API key (403).
    WrongApiKey,
    /// No action has this path (404).
    NoSuchRoute,
    /// An action's path with another method than POST (405).
    MethodNotAllowed,
    /// The body is not the action's input (400).
    InvalidBody(InvalidEvent),
    /// No conversation has the body's `conversation_id` (404).
    UnknownConversation,
    /// The API key, the store or the customer's connection could not be reached (503);
    /// Talkdesk may retry.
    Unavailable,
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Refusal::MissingApiKey => StatusCode::UNAUTHORIZED,
            Refusal::WrongApiKey => StatusCode::FORBIDDEN,
            Refusal::NoSuchRoute | Refusal::UnknownConversation => StatusCode::NOT_FOUND,
            Refusal::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Refusal::InvalidBody(_) => StatusCode::BAD_REQUEST,
            Refusal::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The `error` code: stable, for the caller's flows and for logs.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Refusal::MissingApiKey => "missing_api_key",
            Refusal::WrongApiKey => "invalid_api_key",
            Refusal::NoSuchRoute => "not_found",
            Refusal::MethodNotAllowed => "method_not_allowed",
            Refusal::InvalidBody(invalid) => invalid.code(),
            Refusal::UnknownConversation => "unknown_conversation",
            Refusal::Unavailable => "unavailable",
        }
    }

    fn message(&self) -> String {
        match self {
            Refusal::MissingApiKey => "Send the callback's API key in the x-api-key header.".into(),
            Refusal::WrongApiKey => "The x-api-key header is not the callback's API key.".into(),
            Refusal::NoSuchRoute => "No such action: POST to .../talkdesk/conversation_started, \
                .../talkdesk/message_created or .../talkdesk/conversation_ended."
                .into(),
            Refusal::MethodNotAllowed => "Actions are called with POST.".into(),
            Refusal::InvalidBody(invalid) => invalid.to_string(),
            Refusal::UnknownConversation => {
                "No conversation with this conversation_id is handed over here.".into()
            }
            Refusal::Unavailable => "The event could not be handled right now; try again.".into(),
        }
    }

    /// The answer.
    pub(crate) fn response(&self) -> Response<Body> {
        let mut response = json_response(
            self.status(),
            &json!({"error": self.code(), "message": self.message()}),
        );
        if let Refusal::MethodNotAllowed = self {
            response
                .headers_mut()
                .insert(ALLOW, "POST".parse().expect("a valid header value"));
        }
        response
    }
}

/// The answer to an event that was handled.
pub(crate) fn handled(outcome: Outcome) -> Response<Body> {
    let status = match outcome {
        Outcome::Delivered => "delivered",
        Outcome::Queued => "queued",
        Outcome::Duplicate => "duplicate",
        Outcome::AlreadyEnded => "already_ended",
        Outcome::CustomerDisconnected => {
            return json_response(
                StatusCode::GONE,
                &json!({
                    "status": "customer_disconnected",
                    "message": "The customer is no longer connected and did not see this; end the conversation."
                }),
            );
        }
        Outcome::UnknownConversation => return Refusal::UnknownConversation.response(),
    };
    json_response(StatusCode::OK, &json!({ "status": status }))
}

fn json_response(status: StatusCode, body: &Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("a status and a static header always build")
}
