//! The Digital Connect API as our Talkdesk client calls it: Start a Conversation, Send a
//! Message and End a Conversation behind a bearer token, with Talkdesk's error bodies (the
//! token itself comes from `oauth`).
//!
//! The error codes have the shape of Talkdesk's (a numeric string) but are the simulator's own:
//! Talkdesk does not publish its list.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::SimulatedTalkdesk;
use super::fault::{Fault, SLOW_ANSWER};
use super::oauth::{self, strip_scheme};
use super::state::{Party, Record, SimConversation, new_id, now};

/// The header our client sends the idempotency key of Start a Conversation in.
const IDEMPOTENCY_HEADER: &str = "x-idempotency-key";

const INVALID_REQUEST: &str = "0331001";
const UNAUTHORIZED: &str = "0331002";
const NOT_FOUND: &str = "0331004";
const CONFLICT: &str = "0331009";
const THROTTLED: &str = "0331029";
const SERVER_ERROR: &str = "0331050";

/// The API's routes.
pub(super) fn routes() -> Router<SimulatedTalkdesk> {
    Router::new()
        .route("/oauth/token", post(oauth::token))
        .route("/digital-connect/conversations", post(start))
        .route("/digital-connect/conversations/{id}", delete(end))
        .route(
            "/digital-connect/conversations/{id}/messages",
            post(message),
        )
        .route("/simulator/fault", put(set_fault))
}

#[derive(Deserialize)]
struct FaultBody {
    fault: String,
}

/// `PUT /simulator/fault`: the simulator's own switch, not Talkdesk's API.
async fn set_fault(State(sim): State<SimulatedTalkdesk>, Json(body): Json<FaultBody>) -> Response {
    match body.fault.parse::<Fault>() {
        Ok(fault) => {
            tracing::info!(?fault, "simulated Talkdesk: Send a Message fault switched");
            sim.set_fault(fault);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(problem) => (StatusCode::BAD_REQUEST, problem).into_response(),
    }
}

/// The body of Start a Conversation; unknown fields are ignored, as Talkdesk does.
#[derive(Deserialize)]
struct StartBody {
    touchpoint_id: String,
    subject: String,
    #[serde(default)]
    contact_person: ContactPerson,
    #[serde(default)]
    context_parameters: BTreeMap<String, String>,
    #[serde(default)]
    previous_messages: Vec<PreviousMessage>,
}

#[derive(Default, Deserialize)]
struct ContactPerson {
    name: Option<String>,
}

#[derive(Deserialize)]
struct PreviousMessage {
    #[serde(rename = "type")]
    kind: String,
    content: String,
}

/// `POST /digital-connect/conversations`: 201 with the new id, or the id an earlier call with
/// the same idempotency key got.
async fn start(State(sim): State<SimulatedTalkdesk>, headers: HeaderMap, body: Bytes) -> Response {
    if !authorised(&sim, &headers) {
        return unauthorised();
    }
    let request: StartBody = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(err) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                INVALID_REQUEST,
                "The body is not a valid conversation request.",
                Some(json!(err.to_string())),
                &[],
            );
        }
    };
    if request.touchpoint_id != sim.inner.touchpoint_id {
        return invalid_field("touchpoint_id", "No touchpoint has this id.");
    }
    if request.subject.trim().is_empty() {
        return invalid_field("subject", "Must not be blank.");
    }
    if let Some(index) = request
        .previous_messages
        .iter()
        .position(|m| m.kind != "USER" && m.kind != "EXTERNAL")
    {
        return invalid_field(
            &format!("previous_messages[{index}].type"),
            "Must be USER or EXTERNAL.",
        );
    }
    let key = headers
        .get(IDEMPOTENCY_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    // One lock for the look-up and the insert, so two calls with one key start one conversation.
    let mut state = sim.state();
    if let Some(id) = key.as_deref().and_then(|key| state.started_with(key)) {
        return created(json!({ "id": id }));
    }
    let id = new_id();
    let conversation = SimConversation {
        id: id.clone(),
        touchpoint_id: request.touchpoint_id,
        subject: request.subject,
        contact_name: request.contact_person.name,
        context_parameters: request.context_parameters,
        previous_messages: request
            .previous_messages
            .into_iter()
            .map(|m| (m.kind, m.content))
            .collect(),
        customer_messages: Vec::new(),
        ended_by_customer: false,
    };
    state.insert(Record::new(conversation), key);
    tracing::info!(conversation = %id, "simulated Talkdesk: conversation started");
    created(json!({ "id": id }))
}

#[derive(Deserialize)]
struct MessageBody {
    content: String,
}

/// `POST /digital-connect/conversations/{id}/messages`: the customer's message, shown to the
/// agent.
async fn message(
    State(sim): State<SimulatedTalkdesk>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !authorised(&sim, &headers) {
        return unauthorised();
    }
    let Ok(request) = serde_json::from_slice::<MessageBody>(&body) else {
        return invalid_field("content", "Required, as a string.");
    };
    if request.content.trim().is_empty() {
        return invalid_field("content", "Must not be blank.");
    }
    let fault = sim.fault();
    match fault {
        Fault::Throttled => {
            let mut response = api_error(
                StatusCode::TOO_MANY_REQUESTS,
                THROTTLED,
                "Too many requests.",
                None,
                &[],
            );
            let retry_after = header::HeaderValue::from_static("1");
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after);
            return response;
        }
        Fault::Closed => return closed(),
        Fault::Slow => tokio::time::sleep(SLOW_ANSWER).await,
        Fault::None | Fault::ServerError => {}
    }
    let mut state = sim.state();
    let Some(record) = state.record_mut(&id) else {
        return conversation_not_found();
    };
    if record.ended() {
        return closed();
    }
    record
        .conversation
        .customer_messages
        .push(request.content.clone());
    record.log(Party::Customer, request.content);
    if fault == Fault::ServerError {
        return api_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            SERVER_ERROR,
            "Internal error.",
            None,
            &[],
        );
    }
    created(json!({ "id": id, "created_at": now(), "message_id": new_id() }))
}

/// The answer to a message for a conversation that has ended.
fn closed() -> Response {
    api_error(
        StatusCode::CONFLICT,
        CONFLICT,
        "The conversation has ended.",
        None,
        &[],
    )
}

/// `DELETE /digital-connect/conversations/{id}`: the customer ended the chat. Ending it again
/// answers 204 too.
async fn end(
    State(sim): State<SimulatedTalkdesk>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !authorised(&sim, &headers) {
        return unauthorised();
    }
    let mut state = sim.state();
    let Some(record) = state.record_mut(&id) else {
        return conversation_not_found();
    };
    if !record.conversation.ended_by_customer {
        record.conversation.ended_by_customer = true;
        record.log(Party::Event, "The customer ended the chat.".into());
        tracing::info!(conversation = %id, "simulated Talkdesk: the customer ended the conversation");
    }
    StatusCode::NO_CONTENT.into_response()
}

/// Whether the request has a live bearer token this simulator issued.
fn authorised(sim: &SimulatedTalkdesk, headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| strip_scheme(value, "Bearer"))
        .is_some_and(|token| sim.state().token_valid(token))
}

fn unauthorised() -> Response {
    api_error(
        StatusCode::UNAUTHORIZED,
        UNAUTHORIZED,
        "The access token is missing, unknown or expired.",
        None,
        &[],
    )
}

fn created(body: Value) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

fn conversation_not_found() -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        NOT_FOUND,
        "Conversation not found.",
        None,
        &[],
    )
}

fn invalid_field(name: &str, description: &str) -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        INVALID_REQUEST,
        "Invalid request.",
        None,
        &[(name, description)],
    )
}

/// Talkdesk's error body: `code`, `message`, and `description` and `fields` when there are any.
fn api_error(
    status: StatusCode,
    code: &str,
    message: &str,
    description: Option<Value>,
    fields: &[(&str, &str)],
) -> Response {
    let mut body = json!({ "code": code, "message": message });
    if let Some(description) = description {
        body["description"] = description;
    }
    if !fields.is_empty() {
        body["fields"] = fields
            .iter()
            .map(|(name, description)| json!({ "name": name, "description": description }))
            .collect();
    }
    (status, Json(body)).into_response()
}
