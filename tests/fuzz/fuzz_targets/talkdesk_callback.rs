//! The bodies Talkdesk's Connections actions POST to the callback API: the first byte picks
//! the action's route, the rest is the body, read by `CallbackEvent::parse` as the handler
//! reads it. An accepted body is the route's event, with a non-blank conversation id and, for a
//! message, a non-blank id and text, each within its limit; the agent event made of it says
//! the same.
#![no_main]

use agent_callback::talkdesk_event::{
    CallbackEvent, EventType, MAX_CONTENT_CHARS, MAX_ID_CHARS, MAX_NAME_CHARS,
};
use handover::agent_events::AgentAction;
use handover::conversation::Provider;
use libfuzzer_sys::fuzz_target;

fn within(text: &str, max: usize) -> bool {
    !text.trim().is_empty() && text.chars().count() <= max
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let route = EventType::ALL[usize::from(selector) % EventType::ALL.len()];
    let Ok(event) = CallbackEvent::parse(route, body) else {
        return;
    };
    assert_eq!(event.event_type(), route);
    assert!(within(event.conversation_id(), MAX_ID_CHARS));
    if let Some(name) = event.author_name() {
        assert!(within(name, MAX_NAME_CHARS));
    }

    let conversation_id = event.conversation_id().to_owned();
    let agent_event = event.into_agent_event();
    assert_eq!(agent_event.provider, Provider::Talkdesk);
    assert_eq!(agent_event.provider_conversation_id, conversation_id);
    match (route, &agent_event.action) {
        (EventType::ConversationStarted, AgentAction::Joined)
        | (EventType::ConversationEnded, AgentAction::Ended) => {}
        (EventType::MessageCreated, AgentAction::Message { id, text }) => {
            assert!(within(id, MAX_ID_CHARS));
            assert!(within(text, MAX_CONTENT_CHARS));
        }
        (route, action) => panic!("{route} became {}", action.name()),
    }
});
