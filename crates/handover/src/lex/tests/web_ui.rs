use super::*;

fn event_with_previous_reply(recorded: Option<&str>) -> LexEvent {
    let mut event = LexEvent::from_slice(&fixture(FROM_LEX_WEB_UI)).unwrap();
    if let Some(recorded) = recorded {
        event
            .session_state
            .session_attributes
            .insert("previousLexResponse".to_owned(), recorded.to_owned());
    }
    event
}

#[test]
fn previous_bot_message_reads_the_lex_web_ui_record() {
    let v2_reply = r#"{"messages": [{"type":"PlainText","value":"Hello.","isLastMessageInGroup":"false"},{"type":"PlainText","value":"How can I help?","isLastMessageInGroup":"true"}] }"#;
    assert_eq!(
        event_with_previous_reply(Some(v2_reply)).previous_bot_message(),
        Some("Hello.\nHow can I help?".to_owned())
    );
    assert_eq!(
        event_with_previous_reply(Some("Plain V1 reply")).previous_bot_message(),
        Some("Plain V1 reply".to_owned())
    );
}

#[test]
fn previous_bot_message_is_none_when_there_is_nothing_to_read() {
    let placeholder_only = r#"{"messages": [{"type":"PlainText","value":""}] }"#;
    for recorded in [
        None,
        Some(""),
        Some("undefined"),
        Some(placeholder_only),
        Some(r#"{"messages": 3"#),
        Some(r#"{"other": []}"#),
    ] {
        assert_eq!(
            event_with_previous_reply(recorded).previous_bot_message(),
            None,
            "{recorded:?}"
        );
    }
}

#[test]
fn previous_utterance_reads_the_lex_web_ui_record() {
    assert_eq!(
        web_ui_event_with_attributes().previous_utterance(),
        Some("I want a human")
    );
    assert_eq!(event_with_previous_reply(None).previous_utterance(), None);
}
