//! The `connectparticipant` service's calls: authorised by the participant and connection
//! tokens the simulator issued (`X-Amz-Bearer`), refused with 403 once the chat has ended.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use tokio::time::sleep;

use super::{MAX_MESSAGE_CHARS, json_body, malformed};
use crate::aws::error_response;
use crate::connect::SimulatedConnect;
use crate::connect::fault::{ConnectFault, SLOW_ANSWER};
use crate::connect::state::{Chat, EndedBy, Party, absolute_time, iso8601, new_id};
use crate::connect::stream::{ChatEvent, Happening, Participant, Role};

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
pub(super) async fn create_participant_connection(
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

fn customer(chat: &Chat) -> Participant {
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
pub(super) async fn send_message(
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
pub(super) async fn disconnect_participant(
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
