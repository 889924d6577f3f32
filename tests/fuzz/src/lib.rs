//! What the fuzz targets share: the WebSocket function's relay over in-memory ports, and a
//! runtime to drive its async handler.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use conversation_store::MemoryStore;
use handover::contact_center::ContactCenters;
use handover::conversation::{ConversationKey, NewConversation, Provider};
use handover::relay::{CustomerRelay, RelaySettings};
use handover::store::Conversations;
use lambda_runtime::{Context, LambdaEvent};
use test_support::fakes::{FakeContactCenter, MapSecrets, RecordingMessageQueue, RecordingPoster};
use tokio::runtime::Runtime;

/// The conversation the rig's connection is bound to.
pub const CONVERSATION: &str = "fuzz-conversation";

/// The connection bound to [`CONVERSATION`].
pub const CONNECTION: &str = "fuzz-connection";

/// The rig's reference signing key: the `$connect` seeds carry references it signed.
pub const REFERENCE_KEY: &str = "fuzz-reference-key-0123456789abcdef";

static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread runtime")
});

/// Runs `future` to completion on the targets' one runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    RUNTIME.block_on(future)
}

/// The WebSocket function's relay over an in-memory store holding [`CONVERSATION`], bound to
/// [`CONNECTION`], and recording fakes for the connections and the message queue. A fresh one
/// per input, so that no input depends on the ones before it.
pub struct RelayRig {
    /// The relay, as `websocket::relay` wires it.
    pub relay: CustomerRelay,
    /// The frames posted to connections.
    pub connections: Arc<RecordingPoster>,
    /// The customer messages queued for the agent.
    pub messages: Arc<RecordingMessageQueue>,
    /// What the relay may say and allow.
    pub settings: RelaySettings,
}

impl RelayRig {
    /// A rig with its conversation stored and bound.
    pub fn new() -> Self {
        let store = Arc::new(MemoryStore::new());
        let key = ConversationKey::parse(CONVERSATION).expect("a well-formed key");
        block_on(async {
            let new = NewConversation {
                key: key.clone(),
                provider: Provider::Talkdesk,
                provider_conversation_id: "fuzz-talkdesk-conversation".into(),
                provider_data: BTreeMap::new(),
                lex_session_id: "fuzz-session".into(),
            };
            store
                .create_conversation(new)
                .await
                .expect("a new conversation");
            store
                .bind_connection(&key, CONNECTION)
                .await
                .expect("the conversation binds");
        });
        let connections = Arc::new(RecordingPoster::default());
        let messages = Arc::new(RecordingMessageQueue::default());
        // Nothing runs alongside an input, so the customer's end has no frame to wait for.
        let settings = RelaySettings {
            end_grace: Duration::ZERO,
            ..RelaySettings::default()
        };
        let secrets = MapSecrets::with(&settings.reference_key_secret, REFERENCE_KEY);
        let relay = CustomerRelay::new(
            store,
            ContactCenters::single(Arc::new(FakeContactCenter::default())),
            connections.clone(),
            Arc::new(secrets),
            messages.clone(),
            settings.clone(),
        );
        Self {
            relay,
            connections,
            messages,
            settings,
        }
    }

    /// The WebSocket function's answer to `request`, as the Lambda runtime hands it over.
    pub fn handle(&self, request: ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
        // A minute left, as Lambda would give: time enough for every in-memory call.
        let mut context = Context::default();
        context.deadline = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |now| now.as_millis() as u64 + 60_000);
        let event = LambdaEvent::new(request, context);
        block_on(websocket::handle(&self.relay, event)).expect("the handler always answers")
    }
}

impl Default for RelayRig {
    fn default() -> Self {
        Self::new()
    }
}

pub mod connect;
