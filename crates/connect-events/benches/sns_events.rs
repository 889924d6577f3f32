//! The connect-events function warm, from the bytes Lambda hands it: an SNS event of one agent
//! message streamed by Amazon Connect read (the record, then the Connect message inside it),
//! the conversation found by its contact, the message claimed and posted to the customer, over
//! in-memory fakes. Time and heap allocations per event, p50 and p99 (`test_support::bench`).
//! `cargo bench -p connect-events --bench sns_events`.

use std::alloc::System;
use std::sync::Arc;

use aws_lambda_events::sns::SnsEvent;
use handover::agent_events::{AgentEventSettings, AgentEvents};
use handover::contact_center::ContactCenters;
use handover::conversation::Provider;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::json;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use test_support::bench::{EVENTS, measure, print_table};
use test_support::fakes::RecordingPoster;
use test_support::files::event as sample;
use test_support::relay::RelayRig;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const CONTACT: &str = "33333333-abc5-46db-9ad5-d772559ab556";

/// The sample agent message as the `n`th of the chat, as the bytes Lambda hands over.
fn agent_message(n: usize) -> Vec<u8> {
    let mut event = sample("connect-agent-message.json");
    let sns = &mut event["Records"][0]["Sns"];
    let mut message: serde_json::Value =
        serde_json::from_str(sns["Message"].as_str().expect("a Connect message")).expect("JSON");
    message["Id"] = json!(format!("message-{n}"));
    message["InitialContactId"] = json!(CONTACT);
    message["ContactId"] = json!(CONTACT);
    sns["Message"] = json!(message.to_string());
    sns["MessageId"] = json!(format!("sns-{n}"));
    serde_json::to_vec(&event).expect("JSON")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let rig = RelayRig::with_fake_as(Provider::AmazonConnect, []);
    let (_, reference) = rig.conversation_of(Provider::AmazonConnect, CONTACT).await;
    rig.connect("conn-A=", &reference).await;
    let poster = Arc::new(RecordingPoster::default());
    let events = AgentEvents::new(
        rig.store.clone(),
        poster.clone(),
        AgentEventSettings::default(),
    )
    .with_contact_centers(ContactCenters::single(rig.contact_center.clone()))
    .with_clock(rig.clock.clone());
    let messages: Vec<_> = (0..2 * EVENTS).map(agent_message).collect();
    let agent_message = measure(GLOBAL, |n| {
        let (events, message) = (&events, &messages[n]);
        async move {
            let event: SnsEvent = serde_json::from_slice(message).expect("an SNS event");
            connect_events::handle(events, LambdaEvent::new(event, Context::default()))
                .await
                .expect("handled");
        }
    })
    .await;
    assert_eq!(poster.calls().len(), 2 * EVENTS, "every message was posted");
    print_table(&[("Amazon Connect agent message (SNS)", agent_message)]);
}
