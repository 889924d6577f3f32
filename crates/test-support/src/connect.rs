//! A fake Amazon Connect for tests: the chat calls of the `connect` and `connectparticipant`
//! services (restJson1, as their service models describe them) on one wiremock server on
//! loopback. Like the real services it starts each chat once per client token, answers the
//! participant calls only with the tokens it issued (403 once they expired or the chat ended),
//! and requires a SigV4 `Authorization` header on the `connect` calls only. A test can make
//! any operation fail with a status and error code, and reads back every request.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// When the connection tokens the fake issues expire.
pub const CONNECTION_EXPIRY: &str = "2099-01-01T00:00:00Z";

/// One request the fake received.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectCall {
    /// The operation, e.g. `StartChatContact`.
    pub operation: &'static str,
    /// Whether it carried an `Authorization` header (SigV4).
    pub signed: bool,
    /// Its `X-Amz-Bearer` header.
    pub bearer: Option<String>,
    /// Its JSON body.
    pub body: Value,
}

#[derive(Default)]
struct State {
    calls: Vec<ConnectCall>,
    failures: HashMap<&'static str, VecDeque<(u16, String)>>,
    /// Client token of each started chat to its contact id.
    chats: HashMap<String, String>,
    /// Participant token to contact id.
    participants: HashMap<String, String>,
    /// Connection token to contact id, for the tokens still valid.
    connections: HashMap<String, String>,
    ended: HashSet<String>,
    message_status: Option<String>,
    issued: HashMap<&'static str, u32>,
}

/// The fake services.
pub struct FakeConnect {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

impl FakeConnect {
    /// A fake answering every chat call.
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State::default()));
        Mock::given(any())
            .respond_with(Handler(state.clone()))
            .mount(&server)
            .await;
        Self { server, state }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().expect("the fake's state")
    }

    /// The fake's base URL, for both services' endpoints.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The variables that enable Amazon Connect pointed at this fake.
    pub fn vars(&self) -> [(&'static str, String); 5] {
        [
            ("AMAZON_CONNECT_INSTANCE_ID", "instance-1".into()),
            ("AMAZON_CONNECT_CONTACT_FLOW_ID", "flow-1".into()),
            (
                "AMAZON_CONNECT_STREAMING_TOPIC_ARN",
                "arn:aws:sns:eu-west-1:123456789012:chat-stream".into(),
            ),
            ("AMAZON_CONNECT_ENDPOINT", self.uri()),
            ("AMAZON_CONNECT_PARTICIPANT_ENDPOINT", self.uri()),
        ]
    }

    /// The next call of `operation` fails with `status` and the error `code`.
    pub fn fail_next(&self, operation: &'static str, status: u16, code: &str) {
        self.state()
            .failures
            .entry(operation)
            .or_default()
            .push_back((status, code.to_owned()));
    }

    /// `SendMessage` answers with this `MessageProcessingStatus` from now on.
    pub fn answer_messages_with(&self, status: &str) {
        self.state().message_status = Some(status.to_owned());
    }

    /// Every connection token issued so far stops working, as after a day.
    pub fn expire_connection_tokens(&self) {
        self.state().connections.clear();
    }

    /// The chat with `contact_id` ends (the agent closed it).
    pub fn end_chat(&self, contact_id: &str) {
        self.state().ended.insert(contact_id.to_owned());
    }

    /// Every request received, oldest first.
    pub fn calls(&self) -> Vec<ConnectCall> {
        self.state().calls.clone()
    }

    /// The requests of `operation`, oldest first.
    pub fn calls_of(&self, operation: &str) -> Vec<ConnectCall> {
        let calls = self.calls();
        calls
            .into_iter()
            .filter(|call| call.operation == operation)
            .collect()
    }
}

/// Region and dummy credentials: the fake checks that a signature is there, not its value.
pub fn sdk_config() -> SdkConfig {
    let credentials =
        aws_sdk_sqs::config::Credentials::new("AKIDTEST", "secret", None, None, "test");
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(aws_sdk_sqs::config::SharedCredentialsProvider::new(
            credentials,
        ))
        .build()
}

struct Handler(Arc<Mutex<State>>);

fn error(status: u16, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("x-amzn-ErrorType", code)
        .set_body_json(json!({ "message": format!("fake {code}") }))
}

fn operation(request: &Request) -> Option<&'static str> {
    Some(match (request.method.as_str(), request.url.path()) {
        ("PUT", "/contact/chat") => "StartChatContact",
        ("POST", "/contact/start-streaming") => "StartContactStreaming",
        ("POST", "/participant/connection") => "CreateParticipantConnection",
        ("POST", "/participant/message") => "SendMessage",
        ("POST", "/participant/disconnect") => "DisconnectParticipant",
        _ => return None,
    })
}

impl Respond for Handler {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Some(operation) = operation(request) else {
            return error(404, "UnknownOperationException");
        };
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        let call = ConnectCall {
            operation,
            signed: header("authorization")
                .is_some_and(|auth| auth.starts_with("AWS4-HMAC-SHA256")),
            bearer: header("x-amz-bearer"),
            body: request.body_json().unwrap_or(Value::Null),
        };
        let mut state = self.0.lock().expect("the fake's state");
        state.calls.push(call.clone());
        if let Some((status, code)) = state
            .failures
            .get_mut(operation)
            .and_then(VecDeque::pop_front)
        {
            return error(status, &code);
        }
        state.answer(call)
    }
}

impl State {
    /// The next id of `kind`: `contact-1`, `contact-2`, ...
    fn issue(&mut self, kind: &'static str) -> String {
        let count = self.issued.entry(kind).or_default();
        *count += 1;
        format!("{kind}-{count}")
    }

    /// The contact of a valid participant or connection token.
    fn contact_of(&self, tokens: &HashMap<String, String>, bearer: Option<&str>) -> Option<String> {
        let contact = tokens.get(bearer?)?;
        (!self.ended.contains(contact)).then(|| contact.clone())
    }

    fn answer(&mut self, call: ConnectCall) -> ResponseTemplate {
        let body = &call.body;
        let text = |field: &str| body[field].as_str().unwrap_or_default().to_owned();
        if call.operation.starts_with("Start") && !call.signed {
            return error(403, "MissingAuthenticationTokenException");
        }
        match call.operation {
            "StartChatContact" => {
                let client_token = text("ClientToken");
                let contact_id = match self.chats.get(&client_token) {
                    Some(contact_id) => contact_id.clone(),
                    None => {
                        let contact_id = self.issue("contact");
                        self.chats.insert(client_token, contact_id.clone());
                        contact_id
                    }
                };
                let participant_token = format!("participant-token-of-{contact_id}");
                self.participants
                    .insert(participant_token.clone(), contact_id.clone());
                ResponseTemplate::new(200).set_body_json(json!({
                    "ContactId": contact_id,
                    "ParticipantId": format!("participant-of-{contact_id}"),
                    "ParticipantToken": participant_token,
                }))
            }
            "StartContactStreaming" => {
                if !self.chats.values().any(|id| *id == text("ContactId")) {
                    return error(404, "ResourceNotFoundException");
                }
                ResponseTemplate::new(200).set_body_json(json!({ "StreamingId": "streaming-1" }))
            }
            "CreateParticipantConnection" => {
                let Some(contact) = self.contact_of(&self.participants, call.bearer.as_deref())
                else {
                    return error(403, "AccessDeniedException");
                };
                let token = self.issue("connection-token");
                self.connections.insert(token.clone(), contact);
                ResponseTemplate::new(200).set_body_json(json!({
                    "ConnectionCredentials": { "ConnectionToken": token, "Expiry": CONNECTION_EXPIRY },
                    "Websocket": { "Url": "wss://fake", "ConnectionExpiry": CONNECTION_EXPIRY },
                }))
            }
            "SendMessage" => {
                if self
                    .contact_of(&self.connections, call.bearer.as_deref())
                    .is_none()
                {
                    return error(403, "AccessDeniedException");
                }
                let status = self.message_status.clone().unwrap_or("PROCESSING".into());
                let id = self.issue("message");
                ResponseTemplate::new(200).set_body_json(json!({
                    "Id": id,
                    "AbsoluteTime": "2026-12-03T10:00:00.000Z",
                    "MessageMetadata": { "MessageId": id, "MessageProcessingStatus": status },
                }))
            }
            _ => {
                let Some(contact) = self.contact_of(&self.connections, call.bearer.as_deref())
                else {
                    return error(403, "AccessDeniedException");
                };
                self.ended.insert(contact);
                ResponseTemplate::new(200).set_body_json(json!({}))
            }
        }
    }
}
