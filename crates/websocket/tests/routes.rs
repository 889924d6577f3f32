//! The WebSocket Lambda on the sample events: DynamoDB, Secrets Manager and the `@connections`
//! API in the AWS emulator that `scripts/test` starts, Talkdesk faked on loopback.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_adapters::connections::ApiGatewayConnections;
use aws_adapters::messages::SqsMessageQueue;
use aws_adapters::queue::SqsTickQueue;
use aws_adapters::secrets::SecretsManager;
use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use conversation_store::DynamoDbStore;
use handover::conversation::{
    Conversation, ConversationKey, ConversationStatus, NewConversation, Provider,
};
use handover::keep_alive::KeepAliveTick;
use handover::reference::ReferenceSigner;
use handover::relay::{CustomerMessage, CustomerRelay};
use handover::secrets::CachedSecrets;
use handover::store::Conversations;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::json;
use test_support::files::event as sample;
use test_support::{Recorder, talkdesk, unique};
use websocket::{Config, handle, relay};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const SIGNING_KEY: &str = "websocket-test-signing-key-of-at-least-32-bytes";

struct Rig {
    relay: CustomerRelay,
    store: DynamoDbStore,
    talkdesk: MockServer,
    recorder: Recorder,
    keep_alives: aws_sdk_sqs::Client,
    keep_alive_queue: String,
    customer_message_queue: String,
}

async fn rig() -> Rig {
    let aws = test_support::emulator().await;
    let (dynamodb, table) = test_support::conversation_table(&aws).await;
    let names = test_support::put_secrets(
        &aws,
        &[
            ("touchpoint", r#"{"touchpoint_id":"tp-1"}"#),
            ("client", r#"{"client_id":"id","client_secret":"secret"}"#),
            ("reference-key", SIGNING_KEY),
        ],
    )
    .await;
    let talkdesk = talkdesk::start().await;
    talkdesk::token().mount(&talkdesk).await;
    let vars = HashMap::from([
        ("CONVERSATION_TABLE", table.clone()),
        ("CONNECTIONS_ENDPOINT", test_support::endpoint()),
        (
            "KEEP_ALIVE_QUEUE_URL",
            test_support::keep_alive_queue(&aws).await,
        ),
        (
            "CUSTOMER_MESSAGE_QUEUE_URL",
            test_support::customer_message_queue(&aws).await,
        ),
        // The shortest interval, so that the first tick is read back without a long wait.
        ("KEEP_ALIVE_SECONDS", "1".into()),
        ("TALKDESK_OAUTH_BASE", talkdesk.uri()),
        ("TALKDESK_API_BASE", talkdesk.uri()),
        ("TALKDESK_TOUCHPOINT_SECRET", names[0].clone()),
        ("TALKDESK_CLIENT_SECRET", names[1].clone()),
        ("REFERENCE_KEY_SECRET", names[2].clone()),
    ]);
    let config = Config::from_vars(|name| vars.get(name).cloned()).expect("a usable configuration");
    let secrets = CachedSecrets::new(SecretsManager::from_config(&aws), config.secrets_refresh);
    let connections = ApiGatewayConnections::at(&aws, &config.connections_endpoint);
    let store = DynamoDbStore::new(dynamodb, table);
    let relay = relay(
        &config,
        Arc::new(store.clone()),
        Arc::new(connections),
        Arc::new(secrets),
        Arc::new(SqsTickQueue::new(&aws, &config.keep_alive_queue_url)),
        Arc::new(SqsMessageQueue::new(
            &aws,
            &config.customer_message_queue_url,
        )),
        &aws,
    )
    .expect("the relay");
    Rig {
        relay,
        store,
        talkdesk,
        recorder: Recorder::start().await,
        keep_alives: aws_sdk_sqs::Client::new(&aws),
        keep_alive_queue: config.keep_alive_queue_url.clone(),
        customer_message_queue: config.customer_message_queue_url.clone(),
    }
}

impl Rig {
    /// A stored Talkdesk conversation and a reference to it valid for an hour.
    async fn conversation(&self) -> (Conversation, String) {
        let conversation = self
            .store
            .create_conversation(NewConversation {
                key: ConversationKey::generate(),
                provider: Provider::Talkdesk,
                provider_conversation_id: unique("td-"),
                provider_data: BTreeMap::new(),
                lex_session_id: "us-east-1:session".into(),
            })
            .await
            .unwrap();
        let reference = sign(&conversation.key, now() + 3_600);
        (conversation, reference)
    }

    /// Runs a sample event from `events/` as `connection_id`, with `reference` as the
    /// `conversationId` query parameter when given; returns the status code.
    async fn run(&self, event: &str, connection_id: &str, reference: Option<&str>) -> i64 {
        let mut payload = sample(event);
        payload["requestContext"]["connectionId"] = json!(connection_id);
        self.handle(payload, reference).await
    }

    /// Runs a sample event as [`Self::run`] does, with its own request id (every event's
    /// differs in API Gateway; the samples share one).
    async fn run_as(&self, event: &str, connection_id: &str, request_id: &str) -> i64 {
        let mut payload = sample(event);
        payload["requestContext"]["connectionId"] = json!(connection_id);
        payload["requestContext"]["requestId"] = json!(request_id);
        self.handle(payload, None).await
    }

    async fn handle(&self, mut payload: serde_json::Value, reference: Option<&str>) -> i64 {
        payload["queryStringParameters"] = match reference {
            Some(reference) => json!({"conversationId": reference}),
            None => json!({}),
        };
        let request: ApiGatewayWebsocketProxyRequest = serde_json::from_value(payload).unwrap();
        let mut context = Context::default();
        context.deadline = (now() + 20) * 1000;
        let response = handle(&self.relay, LambdaEvent::new(request, context))
            .await
            .unwrap();
        response.status_code
    }

    /// The customer messages on the FIFO queue, with their message group ids.
    async fn queued(&self) -> Vec<(CustomerMessage, String)> {
        use aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId;
        let received = self
            .keep_alives
            .receive_message()
            .queue_url(&self.customer_message_queue)
            .max_number_of_messages(10)
            .message_system_attribute_names(MessageGroupId)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("received");
        received
            .messages()
            .iter()
            .map(|message| {
                let body = serde_json::from_str(message.body().unwrap()).unwrap();
                (body, message.attributes().unwrap()[&MessageGroupId].clone())
            })
            .collect()
    }

    async fn status(&self, key: &ConversationKey) -> ConversationStatus {
        self.store.conversation(key).await.unwrap().unwrap().status
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn sign(key: &ConversationKey, expires_at: u64) -> String {
    let signer = ReferenceSigner::new(SIGNING_KEY.as_bytes()).unwrap();
    signer.sign(key.as_str(), expires_at).unwrap()
}

#[tokio::test]
async fn every_sample_event_parses_as_the_websocket_event_type() {
    for name in [
        "websocket-connect.json",
        "websocket-message.json",
        "websocket-default.json",
        "websocket-disconnect-4000.json",
        "websocket-disconnect-1006.json",
    ] {
        let event: ApiGatewayWebsocketProxyRequest =
            serde_json::from_value(sample(name)).unwrap_or_else(|err| panic!("{name}: {err}"));
        assert!(event.request_context.connection_id.is_some(), "{name}");
        assert!(event.request_context.route_key.is_some(), "{name}");
    }
}

#[tokio::test]
async fn a_customer_message_is_queued_in_its_conversation_s_group_and_not_echoed() {
    let rig = rig().await;
    let (conversation, reference) = rig.conversation().await;
    let connection = unique("conn-") + "=";

    assert_eq!(
        rig.run("websocket-connect.json", &connection, Some(&reference))
            .await,
        200
    );
    assert_eq!(
        rig.run("websocket-message.json", &connection, None).await,
        200
    );

    let queued = rig.queued().await;
    let expected = CustomerMessage {
        conversation: conversation.key.clone(),
        connection_id: connection.clone(),
        message_id: "ABCD1234=".into(),
        text: "Hi, I was charged twice for order 1234.".into(),
        ends_chat: false,
    };
    assert_eq!(queued, [(expected, conversation.key.to_string())]);
    let requests = rig.talkdesk.received_requests().await.unwrap();
    assert!(
        requests
            .iter()
            .all(|r| !r.url.path().ends_with("/messages")),
        "the customer-relay function sends it, not onMessage"
    );
    assert!(
        rig.recorder.posted(&connection).await.is_empty(),
        "nothing echoed"
    );
}

#[tokio::test]
async fn every_refused_connection_gets_its_status_and_stays_unbound() {
    let rig = rig().await;
    let (conversation, reference) = rig.conversation().await;
    let tampered = reference.replacen(
        conversation.key.as_str(),
        ConversationKey::generate().as_str(),
        1,
    );
    let cases = [
        (None, 400),
        (Some("undefined".to_owned()), 400),
        (Some(conversation.provider_conversation_id.clone()), 403),
        (Some(tampered), 403),
        (Some(sign(&conversation.key, now() - 10)), 403),
        (Some(sign(&ConversationKey::generate(), now() + 60)), 404),
    ];
    for (reference, status) in cases {
        let connection = unique("refused-");
        let got = rig
            .run("websocket-connect.json", &connection, reference.as_deref())
            .await;
        assert_eq!(got, status, "{reference:?}");
        assert_eq!(
            rig.store
                .conversation_by_connection(&connection)
                .await
                .unwrap(),
            None
        );
    }
    rig.store.mark_ended(&conversation.key).await.unwrap();
    let connection = unique("refused-");
    assert_eq!(
        rig.run("websocket-connect.json", &connection, Some(&reference))
            .await,
        410
    );
}

#[tokio::test]
async fn a_newer_connection_replaces_the_older_which_is_told_and_closed() {
    let rig = rig().await;
    let (conversation, reference) = rig.conversation().await;
    let older = unique("older-") + "=";
    let newer = unique("newer-") + "=";
    assert_eq!(
        rig.run("websocket-connect.json", &older, Some(&reference))
            .await,
        200
    );
    assert_eq!(
        rig.run("websocket-connect.json", &newer, Some(&reference))
            .await,
        200
    );

    assert_eq!(
        rig.recorder.posted(&older).await,
        vec![
            json!({"event_type": "message_created", "content": "This chat continues in another window.", "author_name": "System"})
        ]
    );
    assert!(rig.recorder.closed(&older).await);
    assert!(!rig.recorder.closed(&newer).await);
    let stored = rig
        .store
        .conversation(&conversation.key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.connection_id.as_deref(), Some(newer.as_str()));
}

#[tokio::test]
async fn connect_puts_the_connections_first_keep_alive_on_the_queue() {
    let rig = rig().await;
    let (conversation, reference) = rig.conversation().await;
    let connection = unique("conn-");
    assert_eq!(
        rig.run("websocket-connect.json", &connection, Some(&reference))
            .await,
        200
    );
    let received = rig
        .keep_alives
        .receive_message()
        .queue_url(&rig.keep_alive_queue)
        .wait_time_seconds(10)
        .send()
        .await
        .expect("the queue answers");
    let ticks: Vec<KeepAliveTick> = received
        .messages()
        .iter()
        .map(|message| serde_json::from_str(message.body().unwrap()).unwrap())
        .collect();
    assert_eq!(
        ticks,
        [KeepAliveTick {
            connection_id: connection,
            conversation: conversation.key,
            sequence: 1,
            farewell: false,
        }]
    );
}

#[tokio::test]
async fn close_code_4000_queues_the_end_behind_the_customer_s_messages() {
    let rig = rig().await;
    let (conversation, reference) = rig.conversation().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .expect(0)
        .mount(&rig.talkdesk)
        .await;
    let connection = unique("conn-");
    rig.run("websocket-connect.json", &connection, Some(&reference))
        .await;
    rig.run("websocket-message.json", &connection, None).await;
    assert_eq!(
        rig.run_as("websocket-disconnect-4000.json", &connection, "close-1=")
            .await,
        200
    );

    let queued = rig.queued().await;
    let group = conversation.key.to_string();
    let end = CustomerMessage::end(conversation.key.clone(), &connection, "close-1=");
    assert_eq!(queued.len(), 2, "the message, then the end");
    assert_eq!(queued[0].0.message_id, "ABCD1234=");
    assert_eq!(queued[0].1, group);
    assert_eq!(queued[1], (end, group));
    rig.talkdesk.verify().await;
    assert_eq!(
        rig.status(&conversation.key).await,
        ConversationStatus::Pending,
        "the customer-relay function ends it, after the message"
    );
    assert_eq!(
        rig.store
            .conversation_by_connection(&connection)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_dropped_connection_keeps_the_conversation_for_a_reconnect() {
    let rig = rig().await;
    let (conversation, reference) = rig.conversation().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .expect(0)
        .mount(&rig.talkdesk)
        .await;
    let connection = unique("conn-");
    rig.run("websocket-connect.json", &connection, Some(&reference))
        .await;
    assert_eq!(
        rig.run("websocket-disconnect-1006.json", &connection, None)
            .await,
        200
    );

    rig.talkdesk.verify().await;
    assert_eq!(
        rig.status(&conversation.key).await,
        ConversationStatus::Pending
    );
    let again = unique("again-");
    assert_eq!(
        rig.run("websocket-connect.json", &again, Some(&reference))
            .await,
        200
    );
}

#[tokio::test]
async fn problems_are_told_on_the_connection() {
    let rig = rig().await;
    let (conversation, reference) = rig.conversation().await;
    let connection = unique("conn-") + "=";
    rig.run("websocket-connect.json", &connection, Some(&reference))
        .await;
    rig.store.mark_ended(&conversation.key).await.unwrap();

    rig.run("websocket-default.json", &connection, None).await;
    rig.run("websocket-message.json", &connection, None).await;

    let posted = rig.recorder.posted(&connection).await;
    let kinds: Vec<_> = posted
        .iter()
        .map(|frame| frame["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["error", "message_created"], "{posted:?}");
    assert_eq!(posted[0]["error"], "unknown_action");
    assert_eq!(
        posted[1]["content"],
        "This chat has ended. Press End Live Chat to go back to the bot."
    );
    assert!(
        rig.queued().await.is_empty(),
        "nothing queued into an ended chat"
    );
}
