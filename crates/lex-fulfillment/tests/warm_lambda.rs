//! The Lambda as it runs warm in AWS: DynamoDB and Secrets Manager in the AWS emulator that
//! `scripts/test` starts, Talkdesk faked on loopback, wired as `main` wires it.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use aws_adapters::secrets::SecretsManager;
use conversation_store::DynamoDbStore;
use handover::conversation::{ConversationStatus, Provider};
use handover::escalation::CodeHook;
use handover::lex::IntentState;
use handover::reference::SESSION_ATTRIBUTE;
use handover::secrets::{CachedSecrets, SecretError, SecretSource};
use handover::store::{Conversations, Transcripts};
use lambda_runtime::{Context, LambdaEvent};
use lex_fulfillment::{Config, code_hook, handle};
use serde_json::{Value, json};
use test_support::talkdesk;
use wiremock::MockServer;

/// Counts the calls that reach Secrets Manager.
struct Counting<S> {
    inner: S,
    calls: AtomicUsize,
}

#[async_trait]
impl<S: SecretSource> SecretSource for Counting<S> {
    async fn secret_string(&self, name: &str) -> Result<String, SecretError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.secret_string(name).await
    }
}

struct Rig {
    hook: CodeHook,
    secrets_manager_calls: Arc<Counting<SecretsManager>>,
    talkdesk: MockServer,
    store: DynamoDbStore,
}

async fn rig() -> Rig {
    let aws = test_support::emulator().await;
    let (dynamodb, table) = test_support::conversation_table(&aws).await;
    let secrets = test_support::put_secrets(
        &aws,
        &[
            ("talkdesk/touchpoint/ids", r#"{"touchpoint_id":"tp-0001"}"#),
            (
                "talkdesk/client/keys",
                r#"{"client_id":"client-1","client_secret":"s3cret-value"}"#,
            ),
            ("reference-key", "k7Yq2vWb9Lx4Rt8Zp1Nc6Hs3Dm5Gf0Ja-signing"),
        ],
    )
    .await;
    let secrets_manager = aws_sdk_secretsmanager::Client::new(&aws);

    let talkdesk = MockServer::start().await;
    let vars = HashMap::from([
        ("CONVERSATION_TABLE", table.clone()),
        ("TALKDESK_OAUTH_BASE", talkdesk.uri()),
        ("TALKDESK_API_BASE", talkdesk.uri()),
        ("TALKDESK_TOUCHPOINT_SECRET", secrets[0].clone()),
        ("TALKDESK_CLIENT_SECRET", secrets[1].clone()),
        ("REFERENCE_KEY_SECRET", secrets[2].clone()),
    ]);
    let config = Config::from_vars(|name| vars.get(name).cloned()).expect("a usable configuration");
    let counting = Arc::new(Counting {
        inner: SecretsManager::new(secrets_manager),
        calls: AtomicUsize::new(0),
    });
    let cached = CachedSecrets::new(counting.clone(), config.secrets_refresh);
    let store = Arc::new(DynamoDbStore::from_settings(
        dynamodb.clone(),
        &config.store,
    ));
    let hook = code_hook(&config, store, Arc::new(cached), &aws).expect("the code hook");
    Rig {
        hook,
        secrets_manager_calls: counting,
        talkdesk,
        store: DynamoDbStore::new(dynamodb, table),
    }
}

fn fixture(name: &str) -> Value {
    test_support::files::fixture(&format!("lex/{name}"))
}

/// A Lex Web UI escalation of session `session` in request `request`.
fn escalation(session: &str, request: &str) -> Value {
    let mut event = fixture("fulfillment-from-lex-web-ui.json");
    event["sessionId"] = json!(session);
    event["sessionState"]["originatingRequestId"] = json!(request);
    event["sessionState"]["intent"]["name"] = json!("TalkToAgent");
    event["sessionState"]["sessionAttributes"]["customer_name"] = json!("Ana");
    event["sessionState"]["sessionAttributes"]["subject"] = json!("Billing");
    event
}

/// An invocation with 20 seconds left, as Lambda would pass it.
fn invocation(payload: Value) -> LambdaEvent<Value> {
    let mut context = Context::default();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    context.deadline = (now + Duration::from_secs(20)).as_millis() as u64;
    LambdaEvent::new(payload, context)
}

/// Talkdesk expecting one token request and `starts` conversations.
async fn fake_talkdesk(rig: &Rig, starts: u64) {
    talkdesk::token().expect(1).mount(&rig.talkdesk).await;
    talkdesk::start_conversation("td-conv-1")
        .expect(starts)
        .mount(&rig.talkdesk)
        .await;
}

#[tokio::test]
async fn a_second_escalation_in_a_warm_lambda_reads_no_secret_and_fetches_no_token() {
    let rig = rig().await;
    fake_talkdesk(&rig, 2).await;

    let first = handle(&rig.hook, invocation(escalation("us-east-1:one", "req-1")))
        .await
        .unwrap();
    assert_eq!(
        first.session_state.intent.state,
        Some(IntentState::Fulfilled)
    );
    assert!(
        first
            .session_state
            .session_attributes
            .contains_key(SESSION_ATTRIBUTE)
    );
    let calls_after_first = rig.secrets_manager_calls.calls.load(Ordering::SeqCst);
    assert_eq!(
        calls_after_first, 3,
        "touchpoint, client keys and signing key, once each"
    );

    let second = handle(&rig.hook, invocation(escalation("us-east-1:two", "req-2")))
        .await
        .unwrap();
    assert_eq!(
        second.session_state.intent.state,
        Some(IntentState::Fulfilled)
    );
    assert_eq!(
        rig.secrets_manager_calls.calls.load(Ordering::SeqCst),
        calls_after_first,
        "the second escalation makes no Secrets Manager call"
    );
    // Exactly one token request and two conversations, checked when the server drops too.
    rig.talkdesk.verify().await;

    let stored = rig
        .store
        .conversation_by_provider_id(Provider::Talkdesk, "td-conv-1")
        .await
        .unwrap()
        .expect("the conversation is in DynamoDB");
    assert_eq!(stored.status, ConversationStatus::Pending);
}

#[tokio::test]
async fn the_start_request_carries_the_handover_context() {
    let rig = rig().await;
    fake_talkdesk(&rig, 1).await;
    let mut dialog = escalation("us-east-1:ctx", "req-0");
    dialog["invocationSource"] = json!("DialogCodeHook");
    dialog["sessionState"]["intent"]["name"] = json!("CheckBalance");
    dialog["inputTranscript"] = json!("what is my balance");
    handle(&rig.hook, invocation(dialog)).await.unwrap();
    let mut escalate = escalation("us-east-1:ctx", "req-1");
    escalate["inputTranscript"] = json!("talk to an agent");
    handle(&rig.hook, invocation(escalate)).await.unwrap();

    let requests = rig.talkdesk.received_requests().await.unwrap();
    let start = requests
        .iter()
        .find(|r| r.url.path() == "/digital-connect/conversations")
        .expect("a Start a Conversation request");
    let body: Value = serde_json::from_slice(&start.body).unwrap();
    assert_eq!(body["touchpoint_id"], "tp-0001");
    assert_eq!(body["subject"], "Billing");
    assert_eq!(body["contact_person"]["name"], "Ana");
    assert_eq!(body["context_parameters"]["customer_name"], "Ana");
    assert_eq!(
        body["context_parameters"]["intent_history"],
        "CheckBalance > TalkToAgent"
    );
    let messages: Vec<_> = body["previous_messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["type"].as_str().unwrap(), m["content"].as_str().unwrap()))
        .collect();
    assert_eq!(
        messages,
        vec![("USER", "what is my balance"), ("USER", "talk to an agent")]
    );
    let idempotency_key = start
        .headers
        .get("x-idempotency-key")
        .expect("an idempotency key");
    assert_eq!(idempotency_key.to_str().unwrap().len(), 32);
}

#[tokio::test]
async fn every_real_lex_fixture_goes_through_the_lambda() {
    let rig = rig().await;
    let dialog = handle(&rig.hook, invocation(fixture("dialog-code-hook.json")))
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&dialog).unwrap()["sessionState"]["dialogAction"]["type"],
        "Delegate"
    );
    let fulfillment = handle(
        &rig.hook,
        invocation(fixture("fulfillment-from-lex-web-ui.json")),
    )
    .await
    .unwrap();
    assert_eq!(
        fulfillment.session_state.intent.state,
        Some(IntentState::Fulfilled)
    );
    assert_eq!(
        fulfillment.session_state.session_attributes["idtokenjwt"],
        "<token redacted>"
    );
    let transcript = rig.store.transcript("123456789123456").await.unwrap();
    assert!(
        transcript.is_some(),
        "the dialog turn is recorded in DynamoDB"
    );

    // The response fixture is not an event: the Lambda refuses it with a clear error.
    let refused = handle(
        &rig.hook,
        invocation(fixture("response-close-fulfilled.json")),
    )
    .await;
    let message = refused.unwrap_err().to_string();
    assert!(message.contains("sessionId"), "{message}");
}

#[tokio::test]
async fn the_sample_events_go_through_the_lambda() {
    let rig = rig().await;
    fake_talkdesk(&rig, 1).await;
    let read = test_support::files::event;
    let dialog = handle(&rig.hook, invocation(read("lex-dialog-hook.json")))
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&dialog).unwrap()["sessionState"]["dialogAction"]["type"],
        "Delegate"
    );
    let fulfillment = handle(&rig.hook, invocation(read("lex-fulfillment.json")))
        .await
        .unwrap();
    assert_eq!(
        fulfillment.session_state.intent.state,
        Some(IntentState::Fulfilled)
    );
    assert!(
        fulfillment
            .session_state
            .session_attributes
            .contains_key(SESSION_ATTRIBUTE)
    );
    let start = rig.talkdesk.received_requests().await.unwrap();
    let start = start
        .iter()
        .find(|r| r.url.path() == "/digital-connect/conversations")
        .unwrap();
    let body: Value = serde_json::from_slice(&start.body).unwrap();
    assert_eq!(body["context_parameters"]["account_id"], "A-42");
    assert_eq!(body["context_parameters"]["sentiment"], "NEGATIVE");
    assert_eq!(body["contact_person"]["name"], "Ana");
}
