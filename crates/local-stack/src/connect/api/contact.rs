//! The `connect` service's chat calls: SigV4-signed, in the configured instance.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{json_body, malformed};
use crate::aws::error_response;
use crate::connect::SimulatedConnect;
use crate::connect::fault::ConnectFault;
use crate::connect::state::new_id;

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
pub(super) async fn start_chat_contact(
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
pub(super) async fn start_contact_streaming(
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
