//! Two contact centers enabled at once, Talkdesk (faked on loopback) and a stand-in acting as
//! Amazon Connect: each conversation's messages, ends and agent events go to its own provider,
//! and a conversation whose provider is not enabled gets a clear error, never another provider's
//! call. In process, over the in-memory store; no emulator.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use contact_centers::ContactCenterSettings;
use handover::agent_events::{AgentAction, AgentEvent, AgentEventSettings, AgentEvents, Outcome};
use handover::connections::Frame;
use handover::contact_center::ContactCenter;
use handover::conversation::Provider;
use handover::relay::{CUSTOMER_ENDED_CLOSE_CODE, RelaySettings};
use handover::secrets::SecretSource;
use talkdesk::{SecretNames, TalkdeskContactCenter};
use test_support::fakes::MapSecrets;
use test_support::relay::RelayRig;
use test_support::talkdesk as fake_talkdesk;
use tokio::time::Instant;
use wiremock::MockServer;

const TALKDESK_ID: &str = "td-conversation-1";
const CONNECT_ID: &str = "connect-contact-1";
const TALKDESK_CONNECTION: &str = "conn-talkdesk";
const CONNECT_CONNECTION: &str = "conn-connect";

/// Talkdesk as the factory builds it from a deployment's variables, pointed at `server`.
fn talkdesk_center(server: &MockServer) -> Arc<dyn ContactCenter> {
    let vars: HashMap<_, _> = fake_talkdesk::vars(server).into_iter().collect();
    let settings = ContactCenterSettings::from_vars(|name| vars.get(name).cloned()).unwrap();
    let names = SecretNames::default();
    let secrets: Arc<dyn SecretSource> = Arc::new(MapSecrets(HashMap::from([
        (
            names.client_keys,
            r#"{"client_id":"two","client_secret":"centers"}"#.to_owned(),
        ),
        (names.touchpoint, r#"{"touchpoint_id":"tp-two"}"#.to_owned()),
    ])));
    let settings = settings.talkdesk().expect("talkdesk is enabled by default");
    Arc::new(TalkdeskContactCenter::from_settings(settings, secrets).unwrap())
}

async fn talkdesk_server() -> MockServer {
    let server = fake_talkdesk::start().await;
    fake_talkdesk::token().mount(&server).await;
    fake_talkdesk::send_message().mount(&server).await;
    fake_talkdesk::end_conversation().mount(&server).await;
    server
}

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(10)
}

fn frame(text: &str) -> String {
    serde_json::json!({"action": "onMessage", "message": text}).to_string()
}

#[tokio::test]
async fn each_conversation_acts_through_its_own_contact_center() {
    let server = talkdesk_server().await;
    let rig = RelayRig::with_fake_as(Provider::AmazonConnect, [talkdesk_center(&server)]);
    let connect = &rig.contact_center;
    let (_, reference) = rig.conversation_of(Provider::Talkdesk, TALKDESK_ID).await;
    rig.connect(TALKDESK_CONNECTION, &reference).await;
    let (_, reference) = rig
        .conversation_of(Provider::AmazonConnect, CONNECT_ID)
        .await;
    rig.connect(CONNECT_CONNECTION, &reference).await;

    let relay = &rig.relay;
    relay
        .message(
            TALKDESK_CONNECTION,
            "req-1",
            &frame("for talkdesk"),
            deadline(),
        )
        .await;
    relay
        .message(
            CONNECT_CONNECTION,
            "req-2",
            &frame("for connect"),
            deadline(),
        )
        .await;
    // The customer-relay function sends what onMessage queued.
    assert!(rig.deliver().await.is_empty());
    let messages = format!("/digital-connect/conversations/{TALKDESK_ID}/messages");
    assert_eq!(
        fake_talkdesk::calls(&server).await,
        [("POST".into(), messages)]
    );
    assert_eq!(connect.sent(), [(CONNECT_ID.into(), "for connect".into())]);

    // The agents write, the same message id at both contact centers.
    let events = AgentEvents::new(
        rig.store.clone(),
        rig.poster.clone(),
        AgentEventSettings::default(),
    );
    let message = |provider, id, author, text: &str| {
        let action = AgentAction::Message {
            id: "m1".into(),
            text: text.into(),
        };
        AgentEvent::new(provider, id, Some(author), action)
    };
    let from_talkdesk = message(Provider::Talkdesk, TALKDESK_ID, "Sam", "Talkdesk here");
    let from_connect = message(Provider::AmazonConnect, CONNECT_ID, "Ana", "Connect here");
    assert_eq!(events.handle(&from_talkdesk).await, Ok(Outcome::Delivered));
    assert_eq!(events.handle(&from_connect).await, Ok(Outcome::Delivered));
    assert_eq!(
        rig.poster.frames(TALKDESK_CONNECTION),
        [Frame::message("Talkdesk here", "Sam")]
    );
    assert_eq!(
        rig.poster.frames(CONNECT_CONNECTION),
        [Frame::message("Connect here", "Ana")]
    );

    // Each customer ends their chat: each end reaches only its own contact center.
    let ended = Some(CUSTOMER_ENDED_CLOSE_CODE);
    relay
        .disconnect(CONNECT_CONNECTION, "close-1", ended, deadline())
        .await;
    assert!(rig.deliver().await.is_empty());
    assert_eq!(connect.ended(), [CONNECT_ID.to_owned()]);
    assert_eq!(
        fake_talkdesk::calls(&server).await.len(),
        1,
        "Talkdesk was told"
    );
    relay
        .disconnect(TALKDESK_CONNECTION, "close-2", ended, deadline())
        .await;
    assert!(rig.deliver().await.is_empty());
    let conversation = format!("/digital-connect/conversations/{TALKDESK_ID}");
    assert_eq!(
        fake_talkdesk::calls(&server).await[1..],
        [("DELETE".into(), conversation)]
    );
    assert_eq!(connect.ended(), [CONNECT_ID.to_owned()]);
}

#[tokio::test]
async fn a_conversation_whose_contact_center_is_not_enabled_is_never_sent_elsewhere() {
    let rig = RelayRig::new();
    let (_, reference) = rig
        .conversation_of(Provider::AmazonConnect, CONNECT_ID)
        .await;
    rig.connect(CONNECT_CONNECTION, &reference).await;

    rig.relay
        .message(CONNECT_CONNECTION, "req-1", &frame("hello?"), deadline())
        .await;
    assert!(rig.deliver().await.is_empty(), "retrying enables nothing");
    rig.relay
        .disconnect(
            CONNECT_CONNECTION,
            "close-1",
            Some(CUSTOMER_ENDED_CLOSE_CODE),
            deadline(),
        )
        .await;
    assert!(rig.deliver().await.is_empty());

    assert_eq!(rig.contact_center.sent(), []);
    assert_eq!(rig.contact_center.ended(), Vec::<String>::new());
    let failed = RelaySettings::default().relay_failed_message;
    assert_eq!(
        rig.poster.frames(CONNECT_CONNECTION),
        [Frame::message(&failed, "System")]
    );
}
