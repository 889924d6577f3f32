//! The Digital Connect API: tokens, start, messages, end, and Talkdesk's error bodies.

use std::time::Duration;

use serde_json::{Value, json};
use talkdesk::{
    ClientCredentials, ContactPerson, ConversationId, MessageType, PreviousMessage,
    StartConversation, TalkdeskClient, TalkdeskConfig,
};
use tokio::time::Instant;

use super::support::*;

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn tokens_are_issued_to_the_configured_client_only() {
    let (_, base, _) = simulator().await;
    let http = reqwest::Client::new();
    let url = format!("{base}/oauth/token");
    let form = [
        ("grant_type", "client_credentials"),
        ("scope", "digital-connect:write"),
    ];

    let (status, body) = json_of(
        http.post(&url)
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(&form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(!body["access_token"].as_str().unwrap().is_empty());
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "digital-connect:write");

    let (status, body) = json_of(
        http.post(&url)
            .basic_auth(CLIENT_ID, Some("wrong"))
            .form(&form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    assert!(body["error_description"].is_string());

    let (status, body) = json_of(http.post(&url).form(&form).send().await.unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );

    let (status, body) = json_of(
        http.post(&url)
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(&[("grant_type", "password")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
}

#[tokio::test]
async fn starting_needs_a_token_and_the_touchpoint() {
    let (sim, base, _) = simulator().await;
    let http = reqwest::Client::new();
    let url = format!("{base}/digital-connect/conversations");

    let (status, body) = json_of(http.post(&url).json(&start_body()).send().await.unwrap()).await;
    assert_eq!(status, 401);
    assert!(
        body["code"].is_string() && body["message"].is_string(),
        "{body}"
    );

    let (status, _) = json_of(
        http.post(&url)
            .bearer_auth("made-up")
            .json(&start_body())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);

    let token = token(&base).await;
    let mut other_touchpoint = start_body();
    other_touchpoint["touchpoint_id"] = json!("elsewhere");
    let (status, body) = json_of(
        http.post(&url)
            .bearer_auth(&token)
            .json(&other_touchpoint)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["fields"][0]["name"], "touchpoint_id", "{body}");

    let (status, body) = json_of(
        http.post(&url)
            .bearer_auth(&token)
            .body("not json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["code"].is_string(), "{body}");
    assert!(sim.conversations().await.is_empty());
}

#[tokio::test]
async fn a_repeated_idempotency_key_gets_the_same_conversation() {
    let (sim, base, _) = simulator().await;
    let token = token(&base).await;
    let start_with = |key: &'static str| {
        let (url, token) = (
            format!("{base}/digital-connect/conversations"),
            token.clone(),
        );
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .header("x-idempotency-key", key)
                .json(&start_body())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            response.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let first = start_with("key-1").await;
    assert_eq!(start_with("key-1").await, first);
    assert_ne!(start_with("key-2").await, first);
    assert_eq!(sim.conversations().await.len(), 2);
}

#[tokio::test]
async fn the_conversation_keeps_what_the_start_sent() {
    let (sim, base, _) = simulator().await;
    let id = start(&base).await;
    let conversations = sim.conversations().await;
    let [conversation] = conversations.as_slice() else {
        panic!("{conversations:?}");
    };
    assert_eq!(conversation.id, id);
    assert_eq!(conversation.touchpoint_id, TOUCHPOINT);
    assert_eq!(conversation.subject, "Refund for order 1234");
    assert_eq!(conversation.contact_name.as_deref(), Some("Zoë Example"));
    assert_eq!(conversation.context_parameters["sentiment"], "NEGATIVE");
    assert_eq!(
        conversation.previous_messages,
        [
            ("USER".to_owned(), "Where is my refund?".to_owned()),
            ("EXTERNAL".to_owned(), "Let me connect you.".to_owned())
        ]
    );
    assert!(conversation.customer_messages.is_empty());
    assert!(!conversation.ended_by_customer);
}

#[tokio::test]
async fn messages_reach_the_agent_until_the_customer_ends() {
    let (sim, base, _) = simulator().await;
    let id = start(&base).await;
    let token = token(&base).await;
    let http = reqwest::Client::new();
    let send = |conversation: String, content: &'static str| {
        let request = http
            .post(format!(
                "{base}/digital-connect/conversations/{conversation}/messages"
            ))
            .bearer_auth(&token)
            .json(&json!({ "content": content }));
        async move { json_of(request.send().await.unwrap()).await }
    };

    let (status, body) = send(id.clone(), "It arrived broken.").await;
    assert_eq!(status, 201, "{body}");
    for field in ["id", "created_at", "message_id"] {
        assert!(body[field].is_string(), "{field}: {body}");
    }
    let (status, _) = send(id.clone(), "  ").await;
    assert_eq!(status, 400);
    let (status, body) = send("unknown".into(), "Hello?").await;
    assert_eq!(status, 404);
    assert!(
        body["code"].is_string() && body["message"].is_string(),
        "{body}"
    );
    assert_eq!(
        sim.conversations().await[0].customer_messages,
        ["It arrived broken."]
    );

    let end = |conversation: &str| {
        http.delete(format!(
            "{base}/digital-connect/conversations/{conversation}"
        ))
        .bearer_auth(&token)
        .send()
    };
    assert_eq!(end(&id).await.unwrap().status(), 204);
    assert_eq!(end(&id).await.unwrap().status(), 204);
    assert_eq!(end("unknown").await.unwrap().status(), 404);
    assert!(sim.conversations().await[0].ended_by_customer);
    let (status, body) = send(id, "Still there?").await;
    assert_eq!(status, 409, "{body}");
}

/// The project's own Talkdesk client, unchanged, works against the simulator.
#[tokio::test]
async fn the_talkdesk_client_starts_messages_and_ends() {
    let (sim, base, _) = simulator().await;
    let client = TalkdeskClient::new(TalkdeskConfig::with_base_urls(&base, &base)).unwrap();
    let credentials = ClientCredentials::new(CLIENT_ID, CLIENT_SECRET);
    let deadline = Instant::now() + Duration::from_secs(10);
    let request = StartConversation {
        touchpoint_id: TOUCHPOINT.into(),
        subject: "Billing".into(),
        contact_person: ContactPerson {
            name: Some("Ada".into()),
            email: None,
        },
        context_parameters: [("intents".to_owned(), "TalkToAgent".to_owned())].into(),
        previous_messages: vec![PreviousMessage {
            kind: MessageType::User,
            content: "agent please".into(),
            created_at: time::OffsetDateTime::now_utc(),
        }],
    };
    let id = client
        .start_conversation(&credentials, &request, "hand-over-1", deadline)
        .await
        .unwrap();
    let again = client
        .start_conversation(&credentials, &request, "hand-over-1", deadline)
        .await
        .unwrap();
    assert_eq!(id, again);
    let sent = client
        .send_message(&credentials, &id, "hello", deadline)
        .await
        .unwrap();
    assert!(sent.message_id.is_some() && !sent.partially_failed);
    client
        .end_conversation(&credentials, &id, deadline)
        .await
        .unwrap();
    let unknown = client
        .send_message(&credentials, &ConversationId::new("nope"), "hi", deadline)
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), "0331004");

    let conversations = sim.conversations().await;
    assert_eq!(conversations.len(), 1);
    assert_eq!(conversations[0].contact_name.as_deref(), Some("Ada"));
    assert_eq!(conversations[0].customer_messages, ["hello"]);
    assert!(conversations[0].ended_by_customer);
}
