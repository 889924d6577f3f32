//! The customer side of the relay in process: the in-memory store, a recording contact
//! center and connection poster, and secrets from a map.

use std::error::Error;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use conversation_store::MemoryStore;
use handover::clock::ManualClock;
use handover::connections::{Frame, PostError};
use handover::contact_center::ContactCenterError;
use handover::contact_center::ContactCenters;
use handover::conversation::{ConversationKey, ConversationStatus, Provider};
use handover::errors::{Cause, chain};
use handover::keep_alive::{DELIVERY_DELAY, KeepAliveTick};
use handover::outbox::KeptMessage;
use handover::reference::{DEFAULT_KEY_SECRET, ReferenceError, ReferenceSigner};
use handover::relay::ordered::{OrderedRelay, QueuedRecord};
use handover::relay::{CustomerRelay, OrderedSettings, Refusal, RelaySettings};
use handover::store::lifetime::DEFAULT_LIFETIME;
use handover::store::{Conversations, Outboxes};
use tokio::time::Instant;

use test_support::conversations::store_conversation;
use test_support::fakes::{
    Call, FakeContactCenter, MapSecrets, RecordingMessageQueue, RecordingPoster,
};
use test_support::faulty_store::{FaultyStore, Operation};
use test_support::relay::{KEEP_ALIVE_INTERVAL, RelayRig, SIGNING_KEY, START, reference_to};

fn rig() -> RelayRig {
    RelayRig::new()
}

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(10)
}

/// The customer on `conn-A=` writes "hi" (frame `req-hi`).
async fn say_hi(relay: &CustomerRelay, deadline: Instant) {
    relay
        .message(
            "conn-A=",
            "req-hi",
            r#"{"action":"onMessage","message":"hi"}"#,
            deadline,
        )
        .await;
}

fn said(text: &str) -> Frame {
    Frame::message(text, "System")
}

mod connect;
mod disconnect;
mod message;
mod ordered;
