//! The customer's chat page: a small stand-in for the Amazon Lex Web UI in Talkdesk live-chat
//! mode, speaking exactly its protocol and showing what it shows.
//!
//! The page talks to the bot through the Lex V2 runtime emulator on the same origin
//! (`POST /bots/{botId}/botAliases/{aliasId}/botLocales/{localeId}/sessions/{sessionId}/text`),
//! re-sending the session attributes each turn. The response's attributes replace the page's
//! (an old `talkdesk_conversation_id` is kept and echoed after its chat), then:
//!
//! - when they carry a `talkdesk_conversation_id` other than the one live chat last started on,
//!   the page switches to live chat at once: the bot's reply to that turn is never shown, and
//!   `previousUtterance` and `previousLexResponse` are not updated, so the next bot turn sends
//!   those of the turn before;
//! - otherwise it sets `previousUtterance` to what the customer typed and
//!   `previousLexResponse` to the bot's reply, and shows the reply.
//!
//! Live chat opens the WebSocket with `?conversationId=<value>`, shows the `connect` config's
//! `agentJoinedMessage` as soon as it opens, sends `{"action":"onMessage",...}` frames, and
//! shows `message_created` frames as the agent's bubbles; End Live Chat closes with code 4000
//! and reason `conversationId:<value>` and shows `chatEndedMessage`. Typing exactly one of the
//! comma-separated `liveChatTerms` opens the live chat with whatever value the attributes hold,
//! without asking the bot. A `lexWebUiConfig` URL parameter overrides the `connect` config, as
//! in the Lex Web UI.
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
use serde::Serialize;
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

/// A console's list of conversations, newest first, serialised straight into the answer.
#[derive(Serialize)]
pub(crate) struct Listing<T> {
    pub(crate) conversations: Vec<T>,
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
