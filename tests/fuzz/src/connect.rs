//! What every Amazon Connect record read must satisfy, whichever way it arrived.

use aws_lambda_events::sns::SnsMessage;
use connect_events::connect_message::ConnectMessage;
use handover::agent_events::AgentAction;
use handover::conversation::Provider;

fn non_blank(text: &str) -> bool {
    !text.trim().is_empty()
}

/// Reads `sns` as the connect-events function does and checks what it came to: a forwarded
/// event names a contact and, for a message, a non-blank id and text; the same record always
/// reads the same.
pub fn read_and_check(sns: &SnsMessage) {
    let read = ConnectMessage::read(sns);
    assert_eq!(
        ConnectMessage::read(sns),
        read,
        "the same record read differently"
    );
    let Ok(ConnectMessage::Forward(event)) = read else {
        return;
    };
    assert_eq!(event.provider, Provider::AmazonConnect);
    assert!(non_blank(&event.provider_conversation_id));
    assert_eq!(
        event.provider_conversation_id,
        event.provider_conversation_id.trim()
    );
    if let Some(name) = &event.author_name {
        assert!(non_blank(name));
    }
    if let AgentAction::Message { id, text } = &event.action {
        assert!(non_blank(id));
        assert!(non_blank(text));
    }
}
