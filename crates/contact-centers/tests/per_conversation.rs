//! Two contact centers enabled at once, Talkdesk (faked on loopback) and a stand-in acting as
//! Amazon Connect: each conversation's messages, ends and agent events go to its own
//! provider, and a conversation whose provider is not enabled gets a clear error, never another
//! provider's call. In process, over the in-memory store; no emulator.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use contact_centers::ContactCenterSettings;
use conversation_store::MemoryStore;
use handover::agent_events::{AgentAction, AgentEvent, AgentEventSettings, AgentEvents, Outcome};
use handover::connections::Frame;
use handover::contact_center::{ContactCenter, ContactCenters};
use handover::conversation::{ConversationKey, NewConversation, Provider};
use handover::reference::{DEFAULT_KEY_SECRET, ReferenceSigner};
use handover::relay::{CUSTOMER_ENDED_CLOSE_CODE, CustomerRelay, RelaySettings};
use handover::secrets::SecretSource;
use handover::store::Conversations;
use talkdesk::{SecretNames, TalkdeskContactCenter};
use test_support::fakes::{FakeContactCenter, MapSecrets, RecordingPoster};
use tokio::time::Instant;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SIGNING_KEY: &str = "two-contact-centers-signing-key-0123456789";
const TALKDESK_ID: &str = "td-conversation-1";
const CONNECT_ID: &str = "connect-contact-1";
const TALKDESK_CONNECTION: &str = "conn-talkdesk";
const CONNECT_CONNECTION: &str = "conn-connect";

struct Rig {
    store: Arc<MemoryStore>,
    poster: Arc<RecordingPoster>,
    secrets: Arc<dyn SecretSource>,
    talkdesk: MockServer,
    connect: Arc<FakeContactCenter>,
}

impl Rig {
    async fn new() -> Self {
        let names = SecretNames::default();
        let secrets: Arc<dyn SecretSource> = Arc::new(MapSecrets(HashMap::from([
            (DEFAULT_KEY_SECRET.to_owned(), SIGNING_KEY.to_owned()),
            (
                names.client_keys,
                r#"{"client_id":"two","client_secret":"centers"}"#.to_owned(),
            ),
            (names.touchpoint, r#"{"touchpoint_id":"tp-two"}"#.to_owned()),
        ])));
        let talkdesk = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": "token-1", "token_type": "Bearer", "expires_in": 3600
            })))
            .mount(&talkdesk)
            .await;
        Mock::given(path_regex("^/digital-connect/conversations/.+"))
            .respond_with(ResponseTemplate::new(204))
            .mount(&talkdesk)
            .await;
        Self {
            store: Arc::new(MemoryStore::new()),
            poster: Arc::new(RecordingPoster::default()),
            secrets,
            talkdesk,
            connect: Arc::new(FakeContactCenter::acting_as(Provider::AmazonConnect)),
        }
    }

    /// Talkdesk as the factory builds it from a deployment's variables, pointed at the fake.
    fn talkdesk_center(&self) -> Arc<dyn ContactCenter> {
        let uri = self.talkdesk.uri();
        let vars = HashMap::from([
            ("CONTACT_CENTERS", "talkdesk"),
            ("TALKDESK_OAUTH_BASE", uri.as_str()),
            ("TALKDESK_API_BASE", uri.as_str()),
        ]);
        let settings = ContactCenterSettings::from_vars(|name| {
            vars.get(name).map(|value| (*value).to_owned())
        })
        .unwrap();
        let talkdesk = settings.talkdesk().expect("talkdesk is enabled");
        Arc::new(TalkdeskContactCenter::from_settings(talkdesk, self.secrets.clone()).unwrap())
    }

    fn relay(&self, contact_centers: ContactCenters) -> CustomerRelay {
        CustomerRelay::new(
            self.store.clone(),
            contact_centers,
            self.poster.clone(),
            self.secrets.clone(),
            RelaySettings::default(),
        )
    }

    fn both(&self) -> ContactCenters {
        ContactCenters::new(self.talkdesk_center(), [self.connect.clone() as _]).unwrap()
    }

    /// A conversation of `provider`, its customer connected on `connection_id`.
    async fn connected(
        &self,
        relay: &CustomerRelay,
        provider: Provider,
        id: &str,
        connection_id: &str,
    ) {
        let key = ConversationKey::generate();
        self.store
            .create_conversation(NewConversation {
                key: key.clone(),
                provider,
                provider_conversation_id: id.into(),
                provider_data: BTreeMap::new(),
                lex_session_id: format!("session-{id}"),
            })
            .await
            .unwrap();
        let expiry = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 3_600;
        let signer = ReferenceSigner::new(SIGNING_KEY.as_bytes()).unwrap();
        let reference = signer.sign(key.as_str(), expiry).unwrap();
        relay
            .connect(connection_id, Some(&reference))
            .await
            .unwrap();
    }

    /// (method, path) of every request Talkdesk got, tokens aside.
    async fn talkdesk_calls(&self) -> Vec<(String, String)> {
        self.talkdesk
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|request| request.url.path() != "/oauth/token")
            .map(|request| (request.method.to_string(), request.url.path().to_owned()))
            .collect()
    }
}

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(10)
}

#[tokio::test]
async fn each_conversation_acts_through_its_own_contact_center() {
    let rig = Rig::new().await;
    let relay = rig.relay(rig.both());
    rig.connected(&relay, Provider::Talkdesk, TALKDESK_ID, TALKDESK_CONNECTION)
        .await;
    rig.connected(
        &relay,
        Provider::AmazonConnect,
        CONNECT_ID,
        CONNECT_CONNECTION,
    )
    .await;

    relay
        .message(
            TALKDESK_CONNECTION,
            r#"{"action":"onMessage","message":"for talkdesk"}"#,
            deadline(),
        )
        .await;
    relay
        .message(
            CONNECT_CONNECTION,
            r#"{"action":"onMessage","message":"for connect"}"#,
            deadline(),
        )
        .await;
    assert_eq!(
        rig.talkdesk_calls().await,
        [(
            "POST".to_owned(),
            format!("/digital-connect/conversations/{TALKDESK_ID}/messages")
        )]
    );
    assert_eq!(
        rig.connect.sent(),
        [(CONNECT_ID.to_owned(), "for connect".to_owned())]
    );

    // The agents write, the same message id at both contact centers.
    let events = AgentEvents::new(
        rig.store.clone(),
        rig.poster.clone(),
        AgentEventSettings::default(),
    );
    let from_talkdesk = AgentEvent::new(
        Provider::Talkdesk,
        TALKDESK_ID,
        Some("Sam"),
        AgentAction::Message {
            id: "m1".into(),
            text: "Talkdesk agent here".into(),
        },
    );
    let from_connect = AgentEvent::new(
        Provider::AmazonConnect,
        CONNECT_ID,
        Some("Ana"),
        AgentAction::Message {
            id: "m1".into(),
            text: "Connect agent here".into(),
        },
    );
    assert_eq!(events.handle(&from_talkdesk).await, Ok(Outcome::Delivered));
    assert_eq!(events.handle(&from_connect).await, Ok(Outcome::Delivered));
    assert_eq!(
        rig.poster.frames(TALKDESK_CONNECTION),
        [Frame::message("Talkdesk agent here", "Sam")]
    );
    assert_eq!(
        rig.poster.frames(CONNECT_CONNECTION),
        [Frame::message("Connect agent here", "Ana")]
    );

    // Each customer ends their chat: each end reaches only its own contact center.
    relay
        .disconnect(
            CONNECT_CONNECTION,
            Some(CUSTOMER_ENDED_CLOSE_CODE),
            deadline(),
        )
        .await;
    assert_eq!(rig.connect.ended(), [CONNECT_ID.to_owned()]);
    assert_eq!(
        rig.talkdesk_calls().await.len(),
        1,
        "Talkdesk was told of Connect's end"
    );
    relay
        .disconnect(
            TALKDESK_CONNECTION,
            Some(CUSTOMER_ENDED_CLOSE_CODE),
            deadline(),
        )
        .await;
    assert_eq!(
        rig.talkdesk_calls().await[1..],
        [(
            "DELETE".to_owned(),
            format!("/digital-connect/conversations/{TALKDESK_ID}")
        )]
    );
    assert_eq!(rig.connect.ended(), [CONNECT_ID.to_owned()]);
}

#[tokio::test]
async fn a_conversation_whose_contact_center_is_not_enabled_is_never_sent_elsewhere() {
    let rig = Rig::new().await;
    let relay = rig.relay(ContactCenters::single(rig.talkdesk_center()));
    rig.connected(
        &relay,
        Provider::AmazonConnect,
        CONNECT_ID,
        CONNECT_CONNECTION,
    )
    .await;

    relay
        .message(
            CONNECT_CONNECTION,
            r#"{"action":"onMessage","message":"hello?"}"#,
            deadline(),
        )
        .await;
    relay
        .disconnect(
            CONNECT_CONNECTION,
            Some(CUSTOMER_ENDED_CLOSE_CODE),
            deadline(),
        )
        .await;

    assert_eq!(rig.talkdesk_calls().await, []);
    assert_eq!(rig.connect.sent(), []);
    assert_eq!(
        rig.poster.frames(CONNECT_CONNECTION),
        [Frame::message(
            &RelaySettings::default().relay_failed_message,
            "System"
        )]
    );
}
