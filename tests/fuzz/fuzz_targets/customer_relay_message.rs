//! The SQS bodies the customer-relay function reads: a `CustomerMessage` as `onMessage` queued
//! it, read as `OrderedRelay::relay_batch` reads it. An accepted body names a well-formed
//! conversation key, and what `onMessage` would queue for it reads back the same.
#![no_main]

use handover::conversation::ConversationKey;
use handover::relay::CustomerMessage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &str| {
    let Ok(message) = serde_json::from_str::<CustomerMessage>(body) else {
        return;
    };
    let key = message.conversation.as_str();
    assert_eq!(
        ConversationKey::parse(key).ok().as_ref(),
        Some(&message.conversation)
    );
    let queued = serde_json::to_string(&message).expect("a message serialises");
    let read_back = serde_json::from_str::<CustomerMessage>(&queued);
    assert_eq!(
        read_back.ok().as_ref(),
        Some(&message),
        "the message does not round-trip"
    );
});
