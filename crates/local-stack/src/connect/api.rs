//! The chat calls of the `connect` and `connectparticipant` services as the AWS SDK sends them
//! (restJson1: a JSON body, the error's name in `x-amzn-errortype`), answered as the service
//! models and the Amazon Connect documentation describe.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use tokio::time::sleep;

use super::SimulatedConnect;
use super::fault::{ConnectFault, SLOW_ANSWER};
use super::state::{EndedBy, Party, absolute_time, iso8601, new_id};
use super::stream::{ChatEvent, Happening, Participant, Role};
use crate::aws::error_response;

/// The most characters `SendMessage` takes.
pub(crate) const MAX_MESSAGE_CHARS: usize = 1024;

/// The services' routes, and the simulator's fault switch.
pub(super) fn routes() -> Router<SimulatedConnect> {
    Router::new()
        .route("/contact/chat", put(start_chat_contact))
        .route("/contact/start-streaming", post(start_contact_streaming))
        .route(
            "/participant/connection",
            post(create_participant_connection),
        )
        .route("/participant/message", post(send_message))
        .route("/participant/disconnect", post(disconnect_participant))
        .route("/simulator/fault", put(set_fault))
}

#[derive(Deserialize)]
struct FaultBody {
    fault: String,
}

/// `PUT /simulator/fault`: the simulator's own switch, not Amazon Connect's API.
async fn set_fault(State(sim): State<SimulatedConnect>, Json(body): Json<FaultBody>) -> Response {
    match body.fault.parse::<ConnectFault>() {
        Ok(fault) => {
            tracing::info!(?fault, "simulated Amazon Connect: fault switched");
            sim.set_fault(fault);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(problem) => (StatusCode::BAD_REQUEST, problem).into_response(),
    }
}

/// The `connect` service refuses an unsigned request.
fn unsigned(headers: &HeaderMap) -> Option<Response> {
    let signed = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value.starts_with("AWS4-HMAC-SHA256 ") && value.contains("Credential=")
        });
    (!signed).then(|| {
        error_response(
            StatusCode::FORBIDDEN,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        )
    })
}

/// The participant token or connection token of a participant call.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("x-amz-bearer")
        .and_then(|value| value.to_str().ok())
}

fn access_denied() -> Response {
    error_response(
        StatusCode::FORBIDDEN,
        "AccessDeniedException",
        "You do not have sufficient access to perform this action.",
    )
}

/// A JSON body, if it is the operation's input.
fn json_body<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Option<T> {
    serde_json::from_slice(body).ok()
}

/// The 400 a body that is not the operation's input gets.
fn malformed() -> Response {
    error_response(
        StatusCode::BAD_REQUEST,
        "SerializationException",
        "the request body is not the operation's input",
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StartChatContactInput {
    instance_id: String,
    contact_flow_id: String,
    participant_details: Option<ParticipantDetails>,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
    client_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ParticipantDetails {
    display_name: String,
}

/// `StartChatContact`: one chat per client token, in the configured instance and flow.
async fn start_chat_contact(
    State(sim): State<SimulatedConnect>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = unsigned(&headers) {
        return refused;
    }
    let Some(input): Option<StartChatContactInput> = json_body(&body) else {
        return malformed();
    };
    let instance = &sim.inner.instance;
    if input.instance_id != instance.instance_id
        || input.contact_flow_id != instance.contact_flow_id
    {
        return error_response(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundException",
            "no such instance or contact flow in this region",
        );
    }
    let display_name = input
        .participant_details
        .map(|details| details.display_name)
        .filter(|name| (1..=256).contains(&name.chars().count()));
    let Some(display_name) = display_name else {
        return error_response(
            StatusCode::BAD_REQUEST,
            "InvalidRequestException",
            "ParticipantDetails.DisplayName must be 1 to 256 characters",
        );
    };
    if sim
        .fault_applies(|fault| fault == ConnectFault::NoCapacity)
        .is_some()
    {
        return error_response(
            StatusCode::TOO_MANY_REQUESTS,
            "LimitExceededException",
            "The allowed limit for the resource has been exceeded.",
        );
    }
    // The SDK fills in a client token when the caller gives none, so there always is one.
    let client_token = input.client_token.unwrap_or_else(new_id);
    let mut state = sim.state();
    let contact_id = match state.started_with(&client_token) {
        Some(contact_id) => contact_id.to_owned(),
        None => {
            state.start(client_token.clone(), display_name, input.attributes);
            state
                .started_with(&client_token)
                .unwrap_or_default()
                .to_owned()
        }
    };
    let Some(chat) = state.chat_mut(&contact_id) else {
        return internal_service_error();
    };
    let participant_id = chat.customer_participant_id.clone();
    let participant_token = state
        .participant_token_of(&contact_id)
        .unwrap_or_default()
        .to_owned();
    Json(json!({
        "ContactId": contact_id,
        "ParticipantId": participant_id,
        "ParticipantToken": participant_token,
    }))
    .into_response()
}

fn internal_service_error() -> Response {
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalServiceException",
        "Request processing failed because of an error or failure with the service.",
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StartContactStreamingInput {
    instance_id: String,
    contact_id: String,
    chat_streaming_configuration: StreamingConfiguration,
    client_token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StreamingConfiguration {
    streaming_endpoint_arn: String,
}

/// `StartContactStreaming`: to the stack's topic only (no other topic exists here), once per
/// client token, at most two streams per contact.
async fn start_contact_streaming(
    State(sim): State<SimulatedConnect>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = unsigned(&headers) {
        return refused;
    }
    let Some(input): Option<StartContactStreamingInput> = json_body(&body) else {
        return malformed();
    };
    let instance = &sim.inner.instance;
    if input.chat_streaming_configuration.streaming_endpoint_arn != instance.topic_arn {
        return error_response(
            StatusCode::BAD_REQUEST,
            "InvalidRequestException",
            "the streaming endpoint is not a topic Amazon Connect can publish to",
        );
    }
    let not_found = || {
        error_response(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundException",
            "no such contact in this instance",
        )
    };
    if input.instance_id != instance.instance_id {
        return not_found();
    }
    let mut state = sim.state();
    let Some(chat) = state.chat_mut(&input.contact_id) else {
        return not_found();
    };
    if chat.ended() {
        return error_response(
            StatusCode::BAD_REQUEST,
            "InvalidRequestException",
            "the contact has ended",
        );
    }
    if !chat.streams.contains_key(&input.client_token) && chat.streams.len() >= 2 {
        return error_response(
            StatusCode::TOO_MANY_REQUESTS,
            "LimitExceededException",
            "a contact streams to at most 2 endpoints",
        );
    }
    chat.chat.streaming = true;
    let streaming_id = chat
        .streams
        .entry(input.client_token)
        .or_insert_with(new_id)
        .clone();
    Json(json!({ "StreamingId": streaming_id })).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateParticipantConnectionInput {
    #[serde(default)]
    r#type: Vec<String>,
    #[serde(default)]
    connect_participant: bool,
}

/// `CreateParticipantConnection` with the participant token: a connection token valid for a
/// day; `ConnectParticipant` joins the customer (once) and starts the contact flow.
async fn create_participant_connection(
    State(sim): State<SimulatedConnect>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(input): Option<CreateParticipantConnectionInput> = json_body(&body) else {
        return malformed();
    };
    if !input
        .r#type
        .iter()
        .any(|kind| kind == "CONNECTION_CREDENTIALS")
    {
        return validation("Type must include CONNECTION_CREDENTIALS (the only type simulated)");
    }
    let mut state = sim.state();
    let Some(chat) = state.chat_of_participant(bearer(&headers)) else {
        return access_denied();
    };
    let contact_id = chat.chat.contact_id.clone();
    let mut joined = Vec::new();
    if input.connect_participant && !chat.chat.customer_joined {
        chat.chat.customer_joined = true;
        chat.log(
            Party::Event,
            format!("{} joined the chat.", chat.chat.display_name),
            None,
        );
        joined.push(ChatEvent {
            contact_id: contact_id.clone(),
            from: Some(customer(chat)),
            happening: Happening::Event("participant.joined"),
        });
    }
    let streaming = chat.chat.streaming;
    let (token, expiry) = state.issue_connection(&contact_id);
    drop(state);
    sim.stream(streaming, &joined);
    Json(json!({
        "ConnectionCredentials": { "ConnectionToken": token, "Expiry": iso8601(expiry) },
    }))
    .into_response()
}

fn customer(chat: &super::state::Chat) -> Participant {
    Participant {
        role: Role::Customer,
        id: chat.customer_participant_id.clone(),
        display_name: chat.chat.display_name.clone(),
    }
}

fn validation(message: &str) -> Response {
    error_response(StatusCode::BAD_REQUEST, "ValidationException", message)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendMessageInput {
    content_type: String,
    content: String,
    client_token: Option<String>,
}

/// `SendMessage` with the connection token: `text/plain`, 1 to 1,024 characters, once per
/// client token. Subject to the fault switch.
async fn send_message(
    State(sim): State<SimulatedConnect>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(input): Option<SendMessageInput> = json_body(&body) else {
        return malformed();
    };
    if input.content_type != "text/plain" {
        return validation("ContentType must be one the chat supports: text/plain");
    }
    if !(1..=MAX_MESSAGE_CHARS).contains(&input.content.chars().count()) {
        return validation("Content must be 1 to 1024 characters");
    }
    let fault = sim.fault_applies(|fault| {
        matches!(
            fault,
            ConnectFault::Slow | ConnectFault::Throttled | ConnectFault::ServerError
        )
    });
    if fault == Some(ConnectFault::Throttled) {
        return error_response(
            StatusCode::TOO_MANY_REQUESTS,
            "ThrottlingException",
            "Rate exceeded",
        );
    }
    let client_token = input.client_token.unwrap_or_else(new_id);
    let (id, at) = {
        let mut state = sim.state();
        let Some(chat) = state.chat_of_connection(bearer(&headers)) else {
            return access_denied();
        };
        match chat.sent.get(&client_token) {
            Some(sent) => sent.clone(),
            None => {
                let sent = (new_id(), absolute_time());
                chat.sent.insert(client_token, sent.clone());
                chat.chat.customer_messages.push(input.content.clone());
                chat.log(Party::Customer, input.content.clone(), None);
                let event = ChatEvent {
                    contact_id: chat.chat.contact_id.clone(),
                    from: Some(customer(chat)),
                    happening: Happening::Message {
                        id: sent.0.clone(),
                        content: input.content,
                    },
                };
                let streaming = chat.chat.streaming;
                drop(state);
                sim.stream(streaming, &[event]);
                sent
            }
        }
    };
    match fault {
        Some(ConnectFault::ServerError) => {
            return error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerException",
                "This exception occurs when there is an internal failure in the Amazon Connect service.",
            );
        }
        Some(ConnectFault::Slow) => sleep(SLOW_ANSWER).await,
        _ => {}
    }
    Json(json!({
        "Id": id,
        "AbsoluteTime": at,
        "MessageMetadata": { "MessageId": id, "MessageProcessingStatus": "PROCESSING" },
    }))
    .into_response()
}

/// `DisconnectParticipant` with the connection token: the customer leaves, which ends the chat.
async fn disconnect_participant(
    State(sim): State<SimulatedConnect>,
    headers: HeaderMap,
) -> Response {
    let mut state = sim.state();
    let Some(chat) = state.chat_of_connection(bearer(&headers)) else {
        return access_denied();
    };
    chat.chat.ended_by = Some(EndedBy::Customer);
    chat.log(
        Party::Event,
        format!("{} left the chat.", chat.chat.display_name),
        None,
    );
    let contact_id = chat.chat.contact_id.clone();
    let events = [
        ChatEvent {
            contact_id: contact_id.clone(),
            from: Some(customer(chat)),
            happening: Happening::Event("participant.left"),
        },
        ChatEvent {
            contact_id,
            from: None,
            happening: Happening::Event("chat.ended"),
        },
    ];
    let streaming = chat.chat.streaming;
    drop(state);
    sim.stream(streaming, &events);
    Json(json!({})).into_response()
}
