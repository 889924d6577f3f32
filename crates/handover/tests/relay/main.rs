//! The customer side of the relay in process: the in-memory store, a recording contact
//! center and connection poster, and secrets from a map.

use std::collections::BTreeMap;
use std::error::Error;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use conversation_store::MemoryStore;
use handover::clock::ManualClock;
use handover::connections::{Frame, PostError};
use handover::contact_center::ContactCenterError;
use handover::contact_center::ContactCenters;
use handover::conversation::{
    Conversation, ConversationKey, ConversationStatus, NewConversation, Provider,
};
use handover::errors::{Cause, chain};
use handover::reference::{ReferenceError, ReferenceSigner};
use handover::relay::{CustomerRelay, Refusal, RelaySettings};
use handover::store::Conversations;
use tokio::time::Instant;

use test_support::fakes::{FakeContactCenter, MapSecrets, RecordingPoster};

const START: u64 = 1_800_000_000;

/// The signing key, under the secret name the settings use by default.
const REFERENCE_KEY_SECRET: &str = "dev/handover/reference-key";
const REFERENCE_KEY: &str = "0123456789abcdef0123456789abcdef-test-key";

struct Rig {
    relay: CustomerRelay,
    store: Arc<MemoryStore>,
    contact_center: Arc<FakeContactCenter>,
    poster: Arc<RecordingPoster>,
    clock: Arc<ManualClock>,
}

fn rig() -> Rig {
    let clock = Arc::new(ManualClock::at(START));
    let store = Arc::new(MemoryStore::new().with_clock(clock.clone()));
    let contact_center = Arc::new(FakeContactCenter::default());
    let poster = Arc::new(RecordingPoster::default());
    let relay = CustomerRelay::new(
        store.clone(),
        ContactCenters::single(contact_center.clone()),
        poster.clone(),
        Arc::new(MapSecrets::with(REFERENCE_KEY_SECRET, REFERENCE_KEY)),
        RelaySettings::default(),
    )
    .with_clock(clock.clone());
    Rig {
        relay,
        store,
        contact_center,
        poster,
        clock,
    }
}

impl Rig {
    /// A stored conversation and a reference to it valid for an hour.
    async fn conversation(&self) -> (Conversation, String) {
        let conversation = self
            .store
            .create_conversation(NewConversation {
                key: ConversationKey::generate(),
                provider: Provider::Talkdesk,
                provider_conversation_id: format!("td-{}", ConversationKey::generate()),
                provider_data: BTreeMap::new(),
                lex_session_id: "us-east-1:session".into(),
            })
            .await
            .unwrap();
        let reference = reference_to(&conversation.key, START + 3_600);
        (conversation, reference)
    }

    async fn connected(&self, connection_id: &str) -> Conversation {
        let (conversation, reference) = self.conversation().await;
        self.relay
            .connect(connection_id, Some(&reference))
            .await
            .unwrap();
        conversation
    }
}

fn reference_to(key: &ConversationKey, expires_at: u64) -> String {
    let signer = ReferenceSigner::new(REFERENCE_KEY.as_bytes()).unwrap();
    signer.sign(key.as_str(), expires_at).unwrap()
}

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(10)
}

fn said(text: &str) -> Frame {
    Frame::message(text, "System")
}

mod connect;
mod disconnect;
mod message;
