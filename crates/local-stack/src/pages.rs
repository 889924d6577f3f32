//! The customer's chat page: a small stand-in for the Amazon Lex Web UI in Talkdesk live-chat
//! mode, speaking exactly its protocol.
//!
//! The page talks to the bot through the Lex V2 runtime emulator on the same origin
//! (`POST /bots/{botId}/botAliases/{aliasId}/botLocales/{localeId}/sessions/{sessionId}/text`),
//! re-sending the session attributes each turn with `previousUtterance` and
//! `previousLexResponse` as the Lex Web UI does. When a response carries a new
//! `talkdesk_conversation_id` it switches to live chat: it opens the WebSocket with
//! `?conversationId=<value>`, sends `{"action":"onMessage",...}` frames, shows `message_created`
//! frames as the agent's bubbles, and its End Live Chat button closes with code 4000 and reason
//! `conversationId:<value>`.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /` | the page |
//! | `GET /customer/config.json` | the bot's address and the WebSocket URL |
//! | `GET /customer/chat.js`, `GET /customer/chat.css` | its script and style |

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

const PAGE: &str = include_str!("pages/chat.html");
const SCRIPT: &str = include_str!("pages/chat.js");
const STYLE: &str = include_str!("pages/chat.css");

/// Where the page sends the customer's text: a bot alias and locale of the Lex V2 runtime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BotAddress {
    /// The bot's id.
    pub bot_id: String,
    /// The bot alias's id.
    pub alias_id: String,
    /// The locale, e.g. `en_US`.
    pub locale_id: String,
}

/// The customer's page, its assets and its configuration. Merge it with the Lex V2 runtime
/// emulator's routes: the page posts to `/bots/...` on its own origin. `websocket_url` is the
/// WebSocket API's URL with no query string, e.g. `ws://127.0.0.1:P/local`.
pub fn customer_router(bot: BotAddress, websocket_url: String) -> Router {
    let config = json!({
        "botId": bot.bot_id,
        "aliasId": bot.alias_id,
        "localeId": bot.locale_id,
        "websocketUrl": websocket_url,
    });
    Router::new()
        .route("/", get(|| async { asset(Asset::Html, PAGE) }))
        .route(
            "/customer/chat.js",
            get(|| async { asset(Asset::JavaScript, SCRIPT) }),
        )
        .route(
            "/customer/chat.css",
            get(|| async { asset(Asset::Css, STYLE) }),
        )
        .route(
            "/customer/config.json",
            get(move || std::future::ready(Json(config.clone()))),
        )
}

/// The kinds of static file the pages are made of.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Asset {
    Html,
    JavaScript,
    Css,
}

/// A static file with its content type. Never cached, so a rebuilt stack serves its new pages.
pub(crate) fn asset(kind: Asset, body: &'static str) -> Response {
    let content_type = match kind {
        Asset::Html => "text/html; charset=utf-8",
        Asset::JavaScript => "text/javascript; charset=utf-8",
        Asset::Css => "text/css; charset=utf-8",
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests;
