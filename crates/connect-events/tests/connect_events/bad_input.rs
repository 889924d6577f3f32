//! Records the SNS handler cannot use or must not act on, one test per row of
//! `docs/bad-input.md` that no other test proves: each is dropped with one log line that
//! carries no message text, the invocation succeeds (a retry could not mend it), and no
//! customer is shown anything. Unknown contacts are what a stray or hostile publisher sends.

use super::handler::{Rig, rig};
use super::*;
use handover::conversation::{ConversationStatus, Provider};
use handover::store::Conversations;
use test_support::conversations::store_conversation;
use test_support::logs::capture;

/// Invokes the handler with `records`: asserts success and that nothing was posted.
async fn dropped(rig: &Rig, records: Vec<SnsMessage>) {
    rig.invoke(sns_event(records))
        .await
        .expect("a record a retry cannot mend never fails the invocation");
    assert_eq!(rig.poster.calls(), []);
}

#[tokio::test]
async fn an_event_without_records_does_nothing() {
    let logs = capture();
    dropped(&rig().await, vec![]).await;
    assert_eq!(logs.lines(), Vec::<String>::new());
}

#[tokio::test]
async fn content_of_the_wrong_type_is_dropped_and_logged_once() {
    let logs = capture();
    let mut record = agent_text("m-1", "secret-ish text");
    record.message = record.message.replace(
        "\"Content\":\"secret-ish text\"",
        "\"Content\":{\"text\":\"secret-ish text\"}",
    );
    dropped(&rig().await, vec![record]).await;
    assert!(
        logs.once("dropping an unreadable Amazon Connect record")
            .contains("no content")
    );
    logs.never_contain("secret-ish text", "message text");
}

#[tokio::test]
async fn a_message_that_is_an_empty_string_is_dropped_and_logged_once() {
    let logs = capture();
    dropped(&rig().await, vec![sns(json!(""), &[])]).await;
    assert!(
        logs.once("dropping an unreadable Amazon Connect record")
            .contains("not a JSON object")
    );
}

#[tokio::test]
async fn a_record_for_an_unknown_contact_is_dropped_and_logged_once() {
    let logs = capture();
    let rig = rig().await;
    let mut record = agent_text("m-1", "Your refund is approved");
    record.message = record.message.replace(INITIAL, "contact-of-nobody-here");
    record.message_attributes.clear();
    dropped(&rig, vec![record]).await;
    logs.once("agent event for an unknown conversation");
    logs.never_contain("Your refund is approved", "message text");
}

#[tokio::test]
async fn a_record_naming_a_talkdesk_conversation_is_not_acted_on() {
    let logs = capture();
    let rig = rig().await;
    let talkdesk_id = "8a3f1b2c9d7e4f60a1b2c3d4e5f60718";
    let talkdesk = store_conversation(&*rig.store, Provider::Talkdesk, talkdesk_id).await;
    rig.store
        .bind_connection(&talkdesk.key, "conn-T=")
        .await
        .unwrap();
    let mut record = connect_event(ENDED, None);
    record.message = record.message.replace(INITIAL, talkdesk_id);
    record.message_attributes.clear();
    dropped(&rig, vec![record]).await;
    let stored = rig
        .store
        .conversation(&talkdesk.key)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(stored.status, ConversationStatus::Ended);
    logs.once("agent event for an unknown conversation");
}
