//! The adapter against the fake Amazon Connect (`test_support::connect`): the requests it
//! makes, in order, and what it makes of the answers. In process; no emulator.

mod end;
mod send;
mod start;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use amazon_connect::{AmazonConnectContactCenter, AmazonConnectSettings};
use handover::contact_center::{ContactCenter, HandoverRequest, StartedConversation};
use handover::conversation::{Conversation, ConversationKey, NewConversation, Provider};
use handover::store::new_record;
use handover::transcript::{Speaker, TranscriptEntry};
use test_support::connect::{FakeConnect, sdk_config};
use tokio::time::Instant;

fn center_with(fake: &FakeConnect, extra: &[(&'static str, &str)]) -> AmazonConnectContactCenter {
    let mut vars: HashMap<&str, String> = fake.vars().into_iter().collect();
    vars.extend(
        extra
            .iter()
            .map(|(name, value)| (*name, (*value).to_owned())),
    );
    let settings = AmazonConnectSettings::from_vars(|name| vars.get(name).cloned()).unwrap();
    AmazonConnectContactCenter::new(&sdk_config(), &settings)
}

fn center(fake: &FakeConnect) -> AmazonConnectContactCenter {
    center_with(fake, &[])
}

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(20)
}

/// The customer's 1500-character question, which takes two transcript messages.
fn long_question() -> String {
    "Where is my parcel? ".repeat(75)
}

fn request() -> HandoverRequest {
    let entry = |speaker, text: &str| TranscriptEntry {
        speaker,
        text: text.to_owned(),
        at: UNIX_EPOCH,
    };
    HandoverRequest {
        customer_name: "Zoë Souza".into(),
        subject: "Refund for order 1234".into(),
        context_parameters: BTreeMap::from([
            ("customer_name".into(), "Zoë Souza".into()),
            ("subject".into(), "Refund for order 1234".into()),
            ("order-id".into(), "1234".into()),
        ]),
        transcript: vec![
            entry(Speaker::Customer, "I want a refund"),
            entry(Speaker::Bot, "Let me hand you over."),
            entry(Speaker::Customer, &long_question()),
        ],
    }
}

async fn start(fake: &FakeConnect, key: &str) -> (AmazonConnectContactCenter, Conversation) {
    let center = center(fake);
    let started = center
        .start_conversation(&request(), key, deadline())
        .await
        .expect("the chat starts");
    let conversation = conversation(key, started);
    (center, conversation)
}

/// The conversation the code hook would have stored for `started`.
fn conversation(key: &str, started: StartedConversation) -> Conversation {
    let new = NewConversation {
        key: ConversationKey::parse(key).unwrap(),
        provider: Provider::AmazonConnect,
        provider_conversation_id: started.provider_conversation_id,
        provider_data: started.provider_data,
        lex_session_id: "session-1".into(),
    };
    new_record(new, SystemTime::now(), Duration::from_secs(3600))
}
