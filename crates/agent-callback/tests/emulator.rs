//! The callback wired as `main` wires it: DynamoDB, Secrets Manager and the API Gateway
//! Management API (`/@connections`) in the AWS emulator that `scripts/test` starts, with what
//! reached the customer's connection read back from the emulator's recorder.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use agent_callback::{CALLBACK_API_KEY_SECRET, Callback, Config, callback};
use aws_adapters::connections::ApiGatewayConnections;
use aws_adapters::secrets::SecretsManager;
use conversation_store::DynamoDbStore;
use handover::conversation::{ConversationKey, ConversationStatus, NewConversation, Provider};
use handover::secrets::CachedSecrets;
use handover::store::Conversations;
use lambda_http::Body;
use lambda_http::http::{Request, StatusCode};
use serde_json::{Value, json};
use test_support::Recorder;

const API_KEY: &str = "emulated-callback-key-5b1f0c9e7d3a";

struct Rig {
    callback: Callback,
    store: DynamoDbStore,
    key: ConversationKey,
    talkdesk_id: String,
    connection_id: String,
}

async fn rig() -> Rig {
    let aws = test_support::emulator().await;
    let (dynamodb, table) = test_support::conversation_table(&aws).await;
    let secret = test_support::put_secrets(&aws, &[("callback-api-key", API_KEY)])
        .await
        .remove(0);
    let vars = HashMap::from([
        ("CONVERSATION_TABLE", table.clone()),
        ("CONNECTIONS_ENDPOINT", test_support::endpoint()),
        (CALLBACK_API_KEY_SECRET.name, secret),
    ]);
    let config = Config::from_vars(|name| vars.get(name).cloned()).unwrap();
    let secrets = CachedSecrets::new(SecretsManager::from_config(&aws), config.secrets_refresh);
    let connections = ApiGatewayConnections::at(&aws, &config.connections_endpoint);
    let store = DynamoDbStore::new(dynamodb, &table);
    let callback = callback(
        &config,
        Arc::new(store.clone()),
        Arc::new(connections),
        Arc::new(secrets),
    );

    let key = ConversationKey::generate();
    let talkdesk_id = test_support::unique("td-");
    // Ends in `=` as API Gateway's connection ids do, which the SDK percent-encodes.
    let connection_id = test_support::unique("conn-") + "=";
    store
        .create_conversation(NewConversation {
            key: key.clone(),
            provider: Provider::Talkdesk,
            provider_conversation_id: talkdesk_id.clone(),
            provider_data: BTreeMap::new(),
            lex_session_id: "lex-session-1".into(),
        })
        .await
        .unwrap();
    store.bind_connection(&key, &connection_id).await.unwrap();
    Rig {
        callback,
        store,
        key,
        talkdesk_id,
        connection_id,
    }
}

impl Rig {
    async fn post(&self, action: &str, api_key: &str, body: Value) -> (StatusCode, Value) {
        let request = Request::builder()
            .method("POST")
            .uri(format!("/prod/talkdesk/{action}"))
            .header("x-api-key", api_key)
            .body(Body::from(body.to_string()))
            .unwrap();
        let response = self.callback.handle(request).await;
        let body = serde_json::from_slice(response.body().as_ref()).unwrap();
        (response.status(), body)
    }
}

#[tokio::test]
async fn agent_messages_and_the_end_reach_the_customer_connection() {
    let recorder = Recorder::start().await;
    let rig = rig().await;
    let message = json!({
        "conversation_id": rig.talkdesk_id,
        "event_type": "message_created",
        "message_id": test_support::unique("msg-"),
        "content": "Hi Zoë, I'm Sam.",
        "author_name": "Sam"
    });

    let wrong = rig
        .post("message_created", "not-the-key", message.clone())
        .await;
    assert_eq!(wrong.0, StatusCode::FORBIDDEN);

    let delivered = rig.post("message_created", API_KEY, message.clone()).await;
    assert_eq!(delivered, (StatusCode::OK, json!({"status": "delivered"})));
    let again = rig.post("message_created", API_KEY, message).await;
    assert_eq!(again, (StatusCode::OK, json!({"status": "duplicate"})));

    let ended = json!({
        "conversation_id": rig.talkdesk_id,
        "event_type": "conversation_ended",
        "author_name": "Sam"
    });
    let answer = rig.post("conversation_ended", API_KEY, ended).await;
    assert_eq!(answer, (StatusCode::OK, json!({"status": "delivered"})));

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
}
