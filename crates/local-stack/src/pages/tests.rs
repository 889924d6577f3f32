//! The customer page, its assets and its configuration, served on a loopback port.

use serde_json::{Value, json};

use super::{BotAddress, customer_router};

async fn serve() -> String {
    let bot = BotAddress {
        bot_id: "BOT1".into(),
        alias_id: "ALIAS1".into(),
        locale_id: "en_US".into(),
    };
    let router = customer_router(bot, "ws://127.0.0.1:9/".into());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

#[tokio::test]
async fn the_page_links_its_assets_and_has_the_test_ids() {
    let base = serve().await;
    let page = reqwest::get(format!("{base}/")).await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    for id in ["messages", "message-input", "send", "end-live-chat", "mode"] {
        assert!(html.contains(&format!("data-testid=\"{id}\"")), "{id}");
    }
    for (path, kind) in [
        ("/customer/chat.js", "text/javascript"),
        ("/customer/chat.css", "text/css"),
    ] {
        assert!(html.contains(path), "{path} is not linked");
        let asset = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(asset.status(), 200, "{path}");
        let content_type = asset.headers()["content-type"].to_str().unwrap();
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
    }
}

#[tokio::test]
async fn the_configuration_names_the_bot_and_the_websocket() {
    let base = serve().await;
    let config: Value = reqwest::get(format!("{base}/customer/config.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        config,
        json!({
            "botId": "BOT1",
            "aliasId": "ALIAS1",
            "localeId": "en_US",
            "websocketUrl": "ws://127.0.0.1:9/",
        })
    );
}

/// The parts of the Lex Web UI's protocol the server relies on are in the script as written.
#[tokio::test]
async fn the_script_speaks_the_lex_web_ui_protocol() {
    let base = serve().await;
    let script = reqwest::get(format!("{base}/customer/chat.js"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        r#""?conversationId=" + chat.sessionAttributes.talkdesk_conversation_id"#,
        r#"action: "onMessage""#,
        r#"close(4000, "conversationId:" + chat.sessionAttributes.talkdesk_conversation_id)"#,
        r#"frame.event_type === "message_created""#,
        "attributes.previousUtterance = text",
        "attributes.previousLexResponse = JSON.stringify",
        r#"agentJoinedMessage: "You are now connected. An agent will answer here as soon as one is free.""#,
        r#"chatEndedMessage: "Chat ended. You are back with the bot.""#,
        r#"liveChatTerms: "live chat""#,
        "lexWebUiConfig",
    ] {
        assert!(script.contains(expected), "{expected}");
    }
    assert!(
        !script.contains("innerHTML"),
        "text must never be shown as HTML"
    );
}
