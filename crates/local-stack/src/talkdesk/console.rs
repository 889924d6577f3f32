//! The agent console: one HTML page with a little vanilla JavaScript, and the small JSON API it
//! polls and posts to.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /` | the page |
//! | `GET /console/api/conversations` | every conversation, newest first, with its timeline |
//! | `POST /console/api/conversations/{id}/accept` | `{"author"}`: delivers `conversation_started` |
//! | `POST /console/api/conversations/{id}/reply` | `{"author", "text"}`: delivers `message_created` |
//! | `POST /console/api/conversations/{id}/end` | `{"author"}`: delivers `conversation_ended` |
//!
//! The actions answer 200 with the callback's answer (`event`, `status`, `outcome`, `message`),
//! or an error `{"error", "message"}` when nothing was delivered.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::SimulatedTalkdesk;
use super::agent::AgentError;
use super::state::CallbackAnswer;
use crate::pages::{Asset, Listing, asset};

const PAGE: &str = include_str!("console/console.html");
const SCRIPT: &str = include_str!("console/console.js");
const STYLE: &str = include_str!("console/console.css");

/// The console's routes.
pub(super) fn routes() -> Router<SimulatedTalkdesk> {
    Router::new()
        .route("/", get(|| async { asset(Asset::Html, PAGE) }))
        .route(
            "/console/console.js",
            get(|| async { asset(Asset::JavaScript, SCRIPT) }),
        )
        .route(
            "/console/console.css",
            get(|| async { asset(Asset::Css, STYLE) }),
        )
        .route("/console/api/conversations", get(list))
        .route("/console/api/conversations/{id}/accept", post(accept))
        .route("/console/api/conversations/{id}/reply", post(reply))
        .route("/console/api/conversations/{id}/end", post(end))
}

/// What the console posts with an action.
#[derive(Deserialize)]
struct Action {
    #[serde(default)]
    author: String,
    #[serde(default)]
    text: String,
}

async fn list(State(sim): State<SimulatedTalkdesk>) -> Response {
    let state = sim.state();
    let conversations: Vec<_> = state.records().iter().rev().collect();
    Json(Listing { conversations }).into_response()
}

async fn accept(
    State(sim): State<SimulatedTalkdesk>,
    Path(id): Path<String>,
    Json(action): Json<Action>,
) -> Response {
    answer(sim.agent_accept(&id, &action.author).await)
}

async fn reply(
    State(sim): State<SimulatedTalkdesk>,
    Path(id): Path<String>,
    Json(action): Json<Action>,
) -> Response {
    answer(sim.agent_reply(&id, &action.text, &action.author).await)
}

async fn end(
    State(sim): State<SimulatedTalkdesk>,
    Path(id): Path<String>,
    Json(action): Json<Action>,
) -> Response {
    answer(sim.agent_end(&id, &action.author).await)
}

fn answer(result: Result<CallbackAnswer, AgentError>) -> Response {
    match result {
        Ok(answer) => Json(answer).into_response(),
        Err(err) => {
            let status = match err {
                AgentError::UnknownConversation => StatusCode::NOT_FOUND,
                AgentError::Ended | AgentError::AlreadyAccepted => StatusCode::CONFLICT,
                AgentError::BlankMessage => StatusCode::BAD_REQUEST,
                AgentError::Unreachable(_) => StatusCode::BAD_GATEWAY,
            };
            let body = json!({ "error": err.code(), "message": err.to_string() });
            (status, Json(body)).into_response()
        }
    }
}
