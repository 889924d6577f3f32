//! The console's page and JSON API.

use serde_json::{Value, json};

use super::support::*;

#[tokio::test]
async fn the_page_and_its_assets_are_served() {
    let (_, base, _) = simulator().await;
    let page = reqwest::get(format!("{base}/")).await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let html = page.text().await.unwrap();
    for id in [
        "conversation-list",
        "context-parameters",
        "bot-transcript",
        "timeline",
        "reply-input",
        "send-reply",
        "accept",
        "end-chat",
        "callback-status",
    ] {
        assert!(html.contains(&format!("data-testid=\"{id}\"")), "{id}");
    }
    for (path, kind) in [
        ("/console/console.js", "text/javascript"),
        ("/console/console.css", "text/css"),
    ] {
        assert!(html.contains(path), "{path} is not linked");
        let asset = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(asset.status(), 200, "{path}");
        let content_type = asset.headers()["content-type"].to_str().unwrap();
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
    }
}

#[tokio::test]
async fn the_list_shows_conversations_newest_first_with_their_timeline() {
    let (sim, base, _) = simulator().await;
    let first = start(&base).await;
    let second = start(&base).await;
    assert_eq!(sim.reply(&second, "Hello from Sam", "Sam").await, Ok(200));

    let list: Value = reqwest::get(format!("{base}/console/api/conversations"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conversations = list["conversations"].as_array().unwrap();
    assert_eq!(conversations.len(), 2);
    assert_eq!(conversations[0]["id"], second.as_str());
    assert_eq!(conversations[1]["id"], first.as_str());
    let newest = &conversations[0];
    assert_eq!(newest["subject"], "Refund for order 1234");
    assert_eq!(newest["contact_name"], "Zoë Example");
    assert_eq!(newest["context_parameters"]["sentiment"], "NEGATIVE");
    assert_eq!(
        newest["previous_messages"][0],
        json!(["USER", "Where is my refund?"])
    );
    assert_eq!(newest["accepted"], true);
    let timeline = newest["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 2, "{timeline:?}");
    assert_eq!(timeline[1]["from"], "agent");
    assert_eq!(timeline[1]["text"], "Hello from Sam");
    assert_eq!(timeline[1]["callback"]["status"], 200);
    assert_eq!(timeline[1]["callback"]["outcome"], "delivered");
}

#[tokio::test]
async fn actions_answer_the_callbacks_status_or_why_not() {
    let (_, base, fake) = simulator().await;
    let id = start(&base).await;
    let http = reqwest::Client::new();
    let act = |conversation: &str, action: &str, body: Value| {
        let request = http
            .post(format!(
                "{base}/console/api/conversations/{conversation}/{action}"
            ))
            .json(&body);
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };

    let (status, body) = act(&id, "accept", json!({ "author": "Sam" })).await;
    assert_eq!((status, &body["status"]), (200, &json!(200)), "{body}");
    assert_eq!(body["event"], "conversation_started");
    let (status, body) = act(&id, "accept", json!({ "author": "Sam" })).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("already_accepted"))
    );

    fake.answer_with(410, json!({ "status": "customer_disconnected" }));
    let (status, body) = act(&id, "reply", json!({ "author": "Sam", "text": "Hi" })).await;
    assert_eq!(status, 200);
    assert_eq!(
        (&body["status"], &body["outcome"]),
        (&json!(410), &json!("customer_disconnected"))
    );

    let (status, body) = act(&id, "reply", json!({ "author": "Sam", "text": "" })).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("blank_message"))
    );
    let (status, body) = act("unknown", "end", json!({})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("unknown_conversation"))
    );

    fake.answer_with(200, json!({ "status": "delivered" }));
    let (status, body) = act(&id, "end", json!({ "author": "Sam" })).await;
    assert_eq!(
        (status, &body["event"]),
        (200, &json!("conversation_ended"))
    );
    let (status, body) = act(&id, "reply", json!({ "author": "Sam", "text": "Hi" })).await;
    assert_eq!((status, body["error"].as_str()), (409, Some("ended")));
}
