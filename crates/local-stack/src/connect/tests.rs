//! The simulator over HTTP, as the SDK calls it, with a subscriber that records what SNS
//! delivers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use aws_lambda_events::sns::SnsEvent;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::{ConnectFault, ConnectInstance, SimulatedConnect, StreamOptions, TopicSubscriber};

const SIGNED: &str = "AWS4-HMAC-SHA256 Credential=local/20261203/us-east-1/connect/aws4_request, SignedHeaders=host, Signature=0";

#[derive(Default)]
struct Recorder(Mutex<Vec<SnsEvent>>);

#[async_trait]
impl TopicSubscriber for Recorder {
    async fn invoke(&self, event: SnsEvent) -> Result<(), String> {
        self.0.lock().unwrap().push(event);
        Ok(())
    }
}

impl Recorder {
    /// Each delivery's Connect `Message`, parsed.
    fn messages(&self) -> Vec<Value> {
        let events = self.0.lock().unwrap();
        events
            .iter()
            .map(|event| serde_json::from_str(&event.records[0].sns.message).unwrap())
            .collect()
    }
}

struct Rig {
    sim: SimulatedConnect,
    recorder: Arc<Recorder>,
    base: String,
    http: reqwest::Client,
}

async fn rig(options: StreamOptions) -> Rig {
    let recorder = Arc::new(Recorder::default());
    let sim = SimulatedConnect::new(ConnectInstance::default(), recorder.clone(), options);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = sim.router();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Rig {
        sim,
        recorder,
        base,
        http: reqwest::Client::new(),
    }
}

/// A call's status, `x-amzn-errortype` and body.
type Answer = (u16, Option<String>, Value);

impl Rig {
    async fn call(
        &self,
        method: &str,
        path: &str,
        auth: Option<&str>,
        bearer: Option<&str>,
        body: Value,
    ) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .json(&body);
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        if let Some(bearer) = bearer {
            request = request.header("x-amz-bearer", bearer);
        }
        let response = request.send().await.expect("the simulator answers");
        let status = response.status().as_u16();
        let error = response
            .headers()
            .get("x-amzn-errortype")
            .map(|value| value.to_str().unwrap().to_owned());
        (status, error, response.json().await.unwrap_or(Value::Null))
    }

    async fn start_chat(&self, client_token: &str) -> Answer {
        let instance = ConnectInstance::default();
        let body = json!({
            "InstanceId": instance.instance_id,
            "ContactFlowId": instance.contact_flow_id,
            "ParticipantDetails": {"DisplayName": "Ana"},
            "Attributes": {"subject": "Refund"},
            "ClientToken": client_token,
        });
        self.call("PUT", "/contact/chat", Some(SIGNED), None, body)
            .await
    }

    /// A chat started, streamed and joined; answers its contact id and connection token.
    async fn joined_chat(&self) -> (String, String) {
        let (status, _, started) = self.start_chat("start-1").await;
        assert_eq!(status, 200, "{started}");
        let contact_id = started["ContactId"].as_str().unwrap().to_owned();
        let streaming = json!({
            "InstanceId": ConnectInstance::default().instance_id,
            "ContactId": contact_id,
            "ChatStreamingConfiguration": {"StreamingEndpointArn": ConnectInstance::default().topic_arn},
            "ClientToken": "stream-1",
        });
        let (status, _, _) = self
            .call(
                "POST",
                "/contact/start-streaming",
                Some(SIGNED),
                None,
                streaming,
            )
            .await;
        assert_eq!(status, 200);
        let connection = json!({"Type": ["CONNECTION_CREDENTIALS"], "ConnectParticipant": true});
        let participant = started["ParticipantToken"].as_str();
        let (status, _, connected) = self
            .call(
                "POST",
                "/participant/connection",
                None,
                participant,
                connection,
            )
            .await;
        assert_eq!(status, 200, "{connected}");
        let token = connected["ConnectionCredentials"]["ConnectionToken"]
            .as_str()
            .unwrap()
            .to_owned();
        (contact_id, token)
    }

    async fn send(&self, token: &str, content: &str, client_token: &str) -> Answer {
        let body =
            json!({"ContentType": "text/plain", "Content": content, "ClientToken": client_token});
        self.call("POST", "/participant/message", None, Some(token), body)
            .await
    }
}

fn instant() -> StreamOptions {
    StreamOptions {
        deliver_twice: false,
        max_delivery_delay: Duration::ZERO,
    }
}

#[tokio::test]
async fn a_chat_starts_once_per_client_token_and_only_signed() {
    let rig = rig(instant()).await;
    let (_, _, first) = rig.start_chat("start-1").await;
    let (_, _, again) = rig.start_chat("start-1").await;
    assert_eq!(first["ContactId"], again["ContactId"]);
    assert_eq!(first["ParticipantToken"], again["ParticipantToken"]);
    let (_, _, other) = rig.start_chat("start-2").await;
    assert_ne!(first["ContactId"], other["ContactId"]);
    let unsigned = rig
        .call("PUT", "/contact/chat", None, None, json!({}))
        .await;
    assert_eq!(
        (unsigned.0, unsigned.1.as_deref()),
        (403, Some("MissingAuthenticationTokenException"))
    );
    assert_eq!(rig.sim.chats().len(), 2);
}

#[tokio::test]
async fn no_capacity_refuses_the_start_with_limit_exceeded() {
    let rig = rig(instant()).await;
    rig.sim.set_fault(ConnectFault::NoCapacity);
    let (status, error, _) = rig.start_chat("start-1").await;
    assert_eq!(
        (status, error.as_deref()),
        (429, Some("LimitExceededException"))
    );
    assert!(rig.sim.chats().is_empty());
}

#[tokio::test]
async fn messages_are_checked_kept_once_per_client_token_and_streamed() {
    let rig = rig(instant()).await;
    let (_, token) = rig.joined_chat().await;
    let (status, _, sent) = rig.send(&token, "Hello", "m-1").await;
    assert_eq!(status, 200);
    assert_eq!(
        sent["MessageMetadata"]["MessageProcessingStatus"],
        "PROCESSING"
    );
    let (_, _, again) = rig.send(&token, "Hello", "m-1").await;
    assert_eq!(
        sent["Id"], again["Id"],
        "a retried call is the same message"
    );
    let too_long = rig.send(&token, &"x".repeat(1025), "m-2").await;
    assert_eq!(
        (too_long.0, too_long.1.as_deref()),
        (400, Some("ValidationException"))
    );
    let unknown = rig.send("made-up", "Hello", "m-3").await;
    assert_eq!(
        (unknown.0, unknown.1.as_deref()),
        (403, Some("AccessDeniedException"))
    );
    rig.sim.set_fault_for(ConnectFault::Throttled, 1);
    let throttled = rig.send(&token, "Later", "m-4").await;
    assert_eq!(
        (throttled.0, throttled.1.as_deref()),
        (429, Some("ThrottlingException"))
    );
    rig.sim.settled().await;
    assert_eq!(rig.sim.chats()[0].customer_messages, ["Hello"]);
    let streamed: Vec<_> = rig
        .recorder
        .messages()
        .iter()
        .map(|message| {
            (
                message["ContentType"].clone(),
                message["ParticipantRole"].clone(),
            )
        })
        .collect();
    assert_eq!(
        streamed,
        [
            (
                json!("application/vnd.amazonaws.connect.event.participant.joined"),
                json!("CUSTOMER")
            ),
            (json!("text/plain"), json!("CUSTOMER")),
        ]
    );
}

#[tokio::test]
async fn expired_tokens_and_ended_chats_are_refused() {
    let rig = rig(instant()).await;
    let (contact_id, token) = rig.joined_chat().await;
    rig.sim.expire_connection_tokens();
    let expired = rig.send(&token, "Hello", "m-1").await;
    assert_eq!(
        (expired.0, expired.1.as_deref()),
        (403, Some("AccessDeniedException"))
    );
    let (_, _, started) = rig.start_chat("start-1").await;
    let renewal = json!({"Type": ["CONNECTION_CREDENTIALS"]});
    let (status, _, renewed) = rig
        .call(
            "POST",
            "/participant/connection",
            None,
            started["ParticipantToken"].as_str(),
            renewal.clone(),
        )
        .await;
    assert_eq!(status, 200);
    let token = renewed["ConnectionCredentials"]["ConnectionToken"]
        .as_str()
        .unwrap();
    assert_eq!(rig.send(token, "Hello", "m-1").await.0, 200);
    rig.sim.end(&contact_id, "Sam").unwrap();
    let after_end = rig.send(token, "Still there?", "m-2").await;
    assert_eq!(
        (after_end.0, after_end.1.as_deref()),
        (403, Some("AccessDeniedException"))
    );
    let reconnect = rig
        .call(
            "POST",
            "/participant/connection",
            None,
            started["ParticipantToken"].as_str(),
            renewal,
        )
        .await;
    assert_eq!(reconnect.0, 403);
    rig.sim.settled().await;
    let last: Vec<_> = rig
        .recorder
        .messages()
        .iter()
        .rev()
        .take(2)
        .map(|m| m["ContentType"].clone())
        .collect();
    assert_eq!(
        last,
        [
            json!("application/vnd.amazonaws.connect.event.chat.ended"),
            json!("application/vnd.amazonaws.connect.event.participant.left"),
        ]
    );
}

#[tokio::test]
async fn every_event_can_be_delivered_twice_with_one_message_id() {
    let rig = rig(StreamOptions {
        deliver_twice: true,
        max_delivery_delay: Duration::from_millis(5),
    })
    .await;
    let (contact_id, _) = rig.joined_chat().await;
    rig.sim.reply(&contact_id, "Hi, I am Sam.", "Sam").unwrap();
    rig.sim.settled().await;
    let events = rig.recorder.0.lock().unwrap().clone();
    // Joined (customer), joined (agent), the agent's message: each twice.
    assert_eq!(events.len(), 6);
    let mut ids: Vec<_> = events
        .iter()
        .map(|event| event.records[0].sns.message_id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3);
}

#[tokio::test]
async fn the_console_lists_each_chat_with_every_field_its_page_reads() {
    let rig = rig(instant()).await;
    let (contact_id, _) = rig.joined_chat().await;
    let (status, _, list) = rig
        .call("GET", "/console/api/conversations", None, None, Value::Null)
        .await;
    assert_eq!(status, 200, "{list}");
    let [chat] = list["conversations"].as_array().unwrap().as_slice() else {
        panic!("one chat listed: {list}");
    };
    let mut fields: Vec<_> = chat.as_object().unwrap().keys().cloned().collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "accepted",
            "contact_name",
            "context_parameters",
            "created_at",
            "customer_messages",
            "ended_by_agent",
            "ended_by_customer",
            "id",
            "previous_messages",
            "subject",
            "timeline",
        ]
    );
    assert_eq!(chat["id"], json!(contact_id));
    assert_eq!(chat["subject"], json!("Refund"));
    assert_eq!(chat["contact_name"], json!("Ana"));
    assert_eq!(chat["context_parameters"], json!({"subject": "Refund"}));
    assert_eq!(chat["previous_messages"], json!([]));
    assert_eq!(chat["accepted"], json!(false));
    assert_eq!(chat["ended_by_customer"], json!(false));
    assert!(chat["timeline"].is_array(), "{chat}");
}
