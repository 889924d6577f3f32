//! The SQS bodies the keep-alive function reads: a `KeepAliveTick` as the WebSocket and
//! keep-alive functions schedule it, read as its `handle` reads it. An accepted body names a
//! well-formed conversation key, and the tick scheduled for it reads back the same.
#![no_main]

use handover::conversation::ConversationKey;
use handover::keep_alive::KeepAliveTick;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &str| {
    let Ok(tick) = serde_json::from_str::<KeepAliveTick>(body) else {
        return;
    };
    let key = tick.conversation.as_str();
    assert_eq!(
        ConversationKey::parse(key).ok().as_ref(),
        Some(&tick.conversation)
    );
    let scheduled = serde_json::to_string(&tick).expect("a tick serialises");
    let read_back = serde_json::from_str::<KeepAliveTick>(&scheduled);
    assert_eq!(
        read_back.ok().as_ref(),
        Some(&tick),
        "the tick does not round-trip"
    );
});
