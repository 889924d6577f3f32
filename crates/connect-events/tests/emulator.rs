//! The function wired as `main` wires it: DynamoDB and the API Gateway Management API in the
//! AWS emulator that `scripts/test` starts (what reached the customer's connection is read back
//! from the emulator's recorder), and the Amazon Connect adapter against a fake Amazon Connect
//! on loopback. The chat is started by the adapter, as the code hook does, so the conversation
//! holds the tokens a real one would.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use amazon_connect::AmazonConnectContactCenter;
use aws_adapters::connections::ApiGatewayConnections;
use aws_lambda_events::sns::SnsEvent;
use connect_events::{Config, connect_events, handle};
use conversation_store::DynamoDbStore;
use handover::agent_events::AgentEvents;
use handover::contact_center::{ContactCenter, ContactCenters, HandoverRequest};
use handover::conversation::{ConversationKey, ConversationStatus, NewConversation, Provider};
use handover::store::Conversations;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{Value, json};
use test_support::Recorder;
use test_support::connect::FakeConnect;
use tokio::time::Instant;

const LEFT: &str = "application/vnd.amazonaws.connect.event.participant.left";
const JOINED: &str = "application/vnd.amazonaws.connect.event.participant.joined";

struct Rig {
    events: AgentEvents,
    store: DynamoDbStore,
    connect: FakeConnect,
    key: ConversationKey,
    contact_id: String,
    connection_id: String,
}

async fn rig() -> Rig {
    let aws = test_support::emulator().await;
    let (dynamodb, table) = test_support::conversation_table(&aws).await;
    let connect = FakeConnect::start().await;
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("CONVERSATION_TABLE", table.clone()),
        ("CONNECTIONS_ENDPOINT", test_support::endpoint()),
    ]);
    vars.extend(connect.vars());
    let config = Config::from_vars(|name| vars.get(name).cloned()).unwrap();

    let amazon_connect = Arc::new(AmazonConnectContactCenter::new(
        &aws,
        &config.amazon_connect,
    ));
    let request = HandoverRequest {
        customer_name: "Zoë Souza".into(),
        subject: "Refund".into(),
        context_parameters: Default::default(),
        transcript: Vec::new(),
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let key = ConversationKey::generate();
    let started = amazon_connect
        .start_conversation(&request, &key.to_string(), deadline)
        .await
        .expect("the fake Amazon Connect starts the chat");
    let store = DynamoDbStore::new(dynamodb, &table);
    store
        .create_conversation(NewConversation {
            key: key.clone(),
            provider: Provider::AmazonConnect,
            provider_conversation_id: started.provider_conversation_id.clone(),
            provider_data: started.provider_data,
            lex_session_id: "lex-session-1".into(),
        })
        .await
        .unwrap();
    // Ends in `=` as API Gateway's connection ids do, which the SDK percent-encodes.
    let connection_id = test_support::unique("conn-") + "=";
    store.bind_connection(&key, &connection_id).await.unwrap();

    let connections = ApiGatewayConnections::at(&aws, &config.connections_endpoint);
    let events = connect_events(
        &config,
        Arc::new(store.clone()),
        Arc::new(connections),
        ContactCenters::single(amazon_connect),
    );
    Rig {
        events,
        store,
        connect,
        key,
        contact_id: started.provider_conversation_id,
        connection_id,
    }
}

impl Rig {
    /// An SNS event as Lambda receives it, one record per Amazon Connect message.
    async fn deliver(&self, messages: &[Value]) -> Result<(), lambda_runtime::Error> {
        let records: Vec<Value> = messages
            .iter()
            .map(|message| self.record(message))
            .collect();
        let event: SnsEvent = serde_json::from_value(json!({ "Records": records })).unwrap();
        handle(&self.events, LambdaEvent::new(event, Context::default())).await
    }

    fn record(&self, message: &Value) -> Value {
        let attribute = |value: &str| json!({"Type": "String", "Value": value});
        json!({
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": "arn:aws:sns:eu-west-1:123456789012:chat-stream:sub-1",
            "Sns": {
                "Type": "Notification",
                "MessageId": format!("sns-{}", message["Id"].as_str().unwrap()),
                "TopicArn": "arn:aws:sns:eu-west-1:123456789012:chat-stream",
                "Subject": null,
                "Message": message.to_string(),
                "Timestamp": "2026-12-03T04:00:00.000Z",
                "SignatureVersion": "1",
                "Signature": "EXAMPLE",
                "SigningCertUrl": "https://sns.eu-west-1.amazonaws.com/cert.pem",
                "UnsubscribeUrl": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe",
                "MessageAttributes": {
                    "InitialContactId": attribute(&self.contact_id),
                    "ContactId": attribute(&self.contact_id),
                    "MessageVisibility": attribute("ALL"),
                }
            }
        })
    }

    fn agent(&self, id: &str, content_type: &str, content: Option<&str>) -> Value {
        let mut message = json!({
            "AbsoluteTime": "2026-12-03T04:00:00.000Z",
            "ContentType": content_type,
            "Id": id,
            "Type": if content.is_some() { "MESSAGE" } else { "EVENT" },
            "ParticipantId": "participant-agent-1",
            "DisplayName": "Sam",
            "ParticipantRole": "AGENT",
            "InitialContactId": self.contact_id,
            "ContactId": self.contact_id,
        });
        if let Some(content) = content {
            message["Content"] = content.into();
        }
        message
    }
}

#[tokio::test]
async fn an_agent_s_message_reaches_the_customer_once_and_their_leaving_ends_the_chat_at_connect() {
    let recorder = Recorder::start().await;
    let rig = rig().await;
    let hello = rig.agent("msg-1", "text/plain", Some("Hi Zoë, I'm Sam."));

    rig.deliver(&[rig.agent("joined-1", JOINED, None)])
        .await
        .unwrap();
    // SNS delivers at least once: the same message twice, in one event and again later.
    rig.deliver(&[hello.clone(), hello.clone()]).await.unwrap();
    rig.deliver(&[hello]).await.unwrap();
    rig.deliver(&[rig.agent("left-1", LEFT, None)])
        .await
        .unwrap();

    assert_eq!(
        recorder.posted(&rig.connection_id).await,
        [
            json!({"event_type": "message_created", "content": "Hi Zoë, I'm Sam.", "author_name": "Sam"}),
            json!({
                "event_type": "message_created",
                "content": "The agent has ended the chat. Press End Live Chat to go back to the bot.",
                "author_name": "Sam"
            }),
            json!({"event_type": "conversation_ended"}),
        ]
    );
    assert!(recorder.closed(&rig.connection_id).await);
    let conversation = rig.store.conversation(&rig.key).await.unwrap().unwrap();
    assert_eq!(conversation.status, ConversationStatus::Ended);
    let disconnects = rig.connect.calls_of("DisconnectParticipant");
    assert_eq!(disconnects.len(), 1, "the customer's side is ended once");
    assert_eq!(
        disconnects[0].bearer.as_deref(),
        conversation
            .provider_data
            .get("connection_token")
            .map(String::as_str),
        "with the customer's connection token"
    );
}

#[tokio::test]
async fn a_leave_that_connect_throttles_fails_the_invocation_and_its_retry_ends_the_chat() {
    let rig = rig().await;
    // Throttled on every attempt the SDK makes within the budget.
    for _ in 0..3 {
        rig.connect
            .fail_next("DisconnectParticipant", 429, "ThrottlingException");
    }
    let left = rig.agent("left-1", LEFT, None);

    let first = rig.deliver(std::slice::from_ref(&left)).await;
    assert!(first.is_err(), "Lambda retries an event that failed");
    let retry = rig.deliver(&[left]).await;
    assert!(retry.is_ok(), "{retry:?}");
    let conversation = rig.store.conversation(&rig.key).await.unwrap().unwrap();
    assert_eq!(conversation.status, ConversationStatus::Ended);
    assert_eq!(rig.connect.calls_of("DisconnectParticipant").len(), 4);
}
