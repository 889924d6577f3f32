//! A simulator on a loopback port, a fake callback API that records what it is sent, and
//! helpers to call the API with a token.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::post;
use serde_json::{Value, json};

use crate::talkdesk::SimulatedTalkdesk;

pub const API_KEY: &str = "callback-key";
pub const CLIENT_ID: &str = "client-a";
pub const CLIENT_SECRET: &str = "secret-a";
pub const TOUCHPOINT: &str = "touchpoint-1";

/// Serves `router` on a free loopback port; answers its base URL.
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let address = listener.local_addr().expect("a bound address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

/// One request the fake callback received.
#[derive(Clone, Debug)]
pub struct Delivered {
    pub path: String,
    pub api_key: Option<String>,
    pub body: Value,
}

/// A callback API that records every request and answers with a settable status.
#[derive(Clone)]
pub struct FakeCallback {
    pub received: Arc<Mutex<Vec<Delivered>>>,
    answer: Arc<Mutex<(u16, Value)>>,
}

impl FakeCallback {
    /// From now on, answer `status` with `body`.
    pub fn answer_with(&self, status: u16, body: Value) {
        *self.answer.lock().unwrap() = (status, body);
    }

    pub fn received(&self) -> Vec<Delivered> {
        self.received.lock().unwrap().clone()
    }

    /// The last segments of the paths posted to, in order.
    pub fn events(&self) -> Vec<String> {
        self.received()
            .iter()
            .map(|d| d.path.rsplit('/').next().unwrap().to_owned())
            .collect()
    }
}

async fn record(
    State(fake): State<FakeCallback>,
    uri: Uri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    fake.received.lock().unwrap().push(Delivered {
        path: uri.path().to_owned(),
        api_key: headers
            .get("x-api-key")
            .map(|v| v.to_str().unwrap().to_owned()),
        body,
    });
    let (status, body) = fake.answer.lock().unwrap().clone();
    (StatusCode::from_u16(status).unwrap(), Json(body))
}

/// A simulator whose callback is a [`FakeCallback`] under `/local/talkdesk`; answers the
/// simulator, its base URL and the fake.
pub async fn simulator() -> (SimulatedTalkdesk, String, FakeCallback) {
    let fake = FakeCallback {
        received: Arc::default(),
        answer: Arc::new(Mutex::new((200, json!({ "status": "delivered" })))),
    };
    let callback_base = serve(
        Router::new()
            .route("/local/talkdesk/{event}", post(record))
            .with_state(fake.clone()),
    )
    .await;
    let sim = simulated(format!("{callback_base}/local/talkdesk"));
    let base = serve(sim.router()).await;
    (sim, base, fake)
}

/// A simulator delivering to `callback_url`.
pub fn simulated(callback_url: String) -> SimulatedTalkdesk {
    SimulatedTalkdesk::new(
        callback_url,
        API_KEY.into(),
        CLIENT_ID.into(),
        CLIENT_SECRET.into(),
        TOUCHPOINT.into(),
    )
}

/// A token from the simulator.
pub async fn token(base: &str) -> String {
    let answer: Value = reqwest::Client::new()
        .post(format!("{base}/oauth/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}

/// A Start a Conversation body with a transcript and context.
pub fn start_body() -> Value {
    json!({
        "touchpoint_id": TOUCHPOINT,
        "subject": "Refund for order 1234",
        "contact_person": { "name": "Zoë Example" },
        "context_parameters": { "customer_name": "Zoë Example", "sentiment": "NEGATIVE" },
        "previous_messages": [
            { "type": "USER", "content": "Where is my refund?", "created_at": "2025-05-01T10:00:00Z" },
            { "type": "EXTERNAL", "content": "Let me connect you.", "created_at": "2025-05-01T10:00:01Z" }
        ]
    })
}

/// Starts a conversation with `start_body()`; answers its id.
pub async fn start(base: &str) -> String {
    let token = token(base).await;
    let response = reqwest::Client::new()
        .post(format!("{base}/digital-connect/conversations"))
        .bearer_auth(token)
        .json(&start_body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let answer: Value = response.json().await.unwrap();
    answer["id"].as_str().unwrap().to_owned()
}
