//! The chat calls of the `connect` and `connectparticipant` services as the AWS SDK sends them
//! (restJson1: a JSON body, the error's name in `x-amzn-errortype`), answered as the service
//! models and the Amazon Connect documentation describe: [`contact`] the SigV4-signed calls,
//! [`participant`] those authorised by the tokens the simulator issued.

mod contact;
mod participant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use serde::Deserialize;

use super::SimulatedConnect;
use super::fault::ConnectFault;
use crate::aws::error_response;

/// The most characters `SendMessage` takes.
pub(crate) const MAX_MESSAGE_CHARS: usize = 1024;

/// The services' routes, and the simulator's fault switch.
pub(super) fn routes() -> Router<SimulatedConnect> {
    Router::new()
        .route("/contact/chat", put(contact::start_chat_contact))
        .route(
            "/contact/start-streaming",
            post(contact::start_contact_streaming),
        )
        .route(
            "/participant/connection",
            post(participant::create_participant_connection),
        )
        .route("/participant/message", post(participant::send_message))
        .route(
            "/participant/disconnect",
            post(participant::disconnect_participant),
        )
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

/// A JSON body, if it is the operation's input.
pub(super) fn json_body<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Option<T> {
    serde_json::from_slice(body).ok()
}

/// The 400 a body that is not the operation's input gets.
pub(super) fn malformed() -> Response {
    error_response(
        StatusCode::BAD_REQUEST,
        "SerializationException",
        "the request body is not the operation's input",
    )
}
