//! The agent console of the simulated Amazon Connect: the simulated Talkdesk's page and script,
//! served over this simulator's chats through the same small JSON API, so one console serves
//! both contact centers.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /` | the page |
//! | `GET /console/api/conversations` | every chat, newest first, in the console's shape |
//! | `POST /console/api/conversations/{contact_id}/accept` | `{"author"}`: the agent joins |
//! | `POST /console/api/conversations/{contact_id}/reply` | `{"author", "text"}`: the agent's message |
//! | `POST /console/api/conversations/{contact_id}/end` | `{"author"}`: the agent ends the chat |
//!
//! An action answers 200 with what was streamed (`event`, `status` 202, `outcome`), or an error
//! `{"error", "message"}`. The bot transcript is not a separate panel here: Amazon Connect gets
//! it as the chat's first customer messages, and the timeline shows it so.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::SimulatedConnect;
use super::agent::AgentError;
use super::state::{Chat, EndedBy, Entry, Published};
use crate::pages::{Asset, Listing, asset};

/// The Talkdesk console's page, titled for Amazon Connect.
static PAGE: LazyLock<String> = LazyLock::new(|| {
    include_str!("../talkdesk/console/console.html")
        .replace("simulated Talkdesk", "simulated Amazon Connect")
        .replace(
            "Simulated Talkdesk Digital Connect",
            "Simulated Amazon Connect chat",
        )
});
const SCRIPT: &str = include_str!("../talkdesk/console/console.js");
const STYLE: &str = include_str!("../talkdesk/console/console.css");

/// The console's routes.
pub(super) fn routes() -> Router<SimulatedConnect> {
    Router::new()
        .route("/", get(|| async { asset(Asset::Html, &PAGE) }))
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

/// A chat in the shape the console reads.
/// One chat as the console shows it, written straight from the simulator's state: a `json!`
/// value of it would first copy every message into a tree several times its size, once per
/// chat per poll.
#[derive(Serialize)]
struct View<'a> {
    id: &'a str,
    subject: &'a str,
    contact_name: &'a str,
    context_parameters: &'a BTreeMap<String, String>,
    previous_messages: [(); 0],
    customer_messages: &'a [String],
    ended_by_customer: bool,
    ended_by_agent: bool,
    accepted: bool,
    created_at: &'a str,
    timeline: &'a [Entry],
}

fn view(chat: &Chat) -> View<'_> {
    let sim = &chat.chat;
    View {
        id: &sim.contact_id,
        subject: sim
            .attributes
            .get("subject")
            .map_or("(no subject)", String::as_str),
        contact_name: &sim.display_name,
        context_parameters: &sim.attributes,
        previous_messages: [],
        customer_messages: &sim.customer_messages,
        ended_by_customer: sim.ended_by == Some(EndedBy::Customer),
        ended_by_agent: sim.ended_by == Some(EndedBy::Agent),
        accepted: sim.agent.is_some(),
        created_at: &chat.created_at,
        timeline: &chat.timeline,
    }
}

async fn list(State(sim): State<SimulatedConnect>) -> Response {
    let state = sim.state();
    let conversations: Vec<_> = state.chats().iter().rev().map(view).collect();
    Json(Listing { conversations }).into_response()
}

async fn accept(
    State(sim): State<SimulatedConnect>,
    Path(id): Path<String>,
    Json(action): Json<Action>,
) -> Response {
    answer(sim.agent_accept(&id, &action.author))
}

async fn reply(
    State(sim): State<SimulatedConnect>,
    Path(id): Path<String>,
    Json(action): Json<Action>,
) -> Response {
    answer(sim.agent_reply(&id, &action.text, &action.author))
}

async fn end(
    State(sim): State<SimulatedConnect>,
    Path(id): Path<String>,
    Json(action): Json<Action>,
) -> Response {
    answer(sim.agent_end(&id, &action.author))
}

fn answer(result: Result<Published, AgentError>) -> Response {
    match result {
        Ok(published) => Json(published).into_response(),
        Err(err) => {
            let status = match err {
                AgentError::UnknownChat => StatusCode::NOT_FOUND,
                AgentError::Ended | AgentError::AlreadyAccepted => StatusCode::CONFLICT,
                AgentError::BlankMessage | AgentError::TooLong => StatusCode::BAD_REQUEST,
            };
            let body = json!({ "error": err.code(), "message": err.to_string() });
            (status, Json(body)).into_response()
        }
    }
}
