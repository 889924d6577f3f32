//! Every kind of record Amazon Connect streams, read into what the customer is shown.

use super::*;
use connect_events::connect_message::{ConnectMessage, Dropped, Malformed};
use handover::agent_events::{AgentAction, AgentEvent};
use handover::conversation::Provider;
use test_support::files::fixture;

type Read = Result<ConnectMessage, Malformed>;

fn forward(contact: &str, author: Option<&str>, action: AgentAction) -> Read {
    Ok(ConnectMessage::Forward(AgentEvent::new(
        Provider::AmazonConnect,
        contact,
        author,
        action,
    )))
}

fn dropped(why: Dropped) -> Read {
    Ok(ConnectMessage::Dropped(why))
}

fn said(id: &str, text: &str) -> AgentAction {
    AgentAction::Message {
        id: id.into(),
        text: text.into(),
    }
}

/// `agent_text`, changed by `change` in its message JSON.
fn agent_text_with(change: impl FnOnce(&mut Value)) -> SnsMessage {
    let mut sns = agent_text("m-1", "Hello");
    let mut message: Value = serde_json::from_str(&sns.message).unwrap();
    change(&mut message);
    sns.message = message.to_string();
    sns
}

fn with_attribute(mut sns: SnsMessage, name: &str, value: &str) -> SnsMessage {
    sns.message_attributes.get_mut(name).unwrap().value = value.into();
    sns
}

fn without_attribute(mut sns: SnsMessage, name: &str) -> SnsMessage {
    sns.message_attributes.remove(name);
    sns
}

#[test]
fn the_real_customer_message_is_dropped_as_an_echo() {
    let notification = fixture("connect/sns-https-customer-text.json");
    let sns: SnsMessage = serde_json::from_value(notification).expect("an SNS notification");
    assert_eq!(ConnectMessage::read(&sns), dropped(Dropped::FromCustomer));
}

#[test]
fn the_real_agent_item_is_an_agent_message_even_without_attributes() {
    let item = fixture("connect/agent-text-item.json");
    let sns = sns(item["data"].clone(), &[]);
    assert_eq!(
        ConnectMessage::read(&sns),
        forward("contactId", Some("Agent"), said("ID", "hi"))
    );
}

#[test]
fn every_kind_of_record_is_read_as_documented() {
    let sam = Some("Sam");
    let cases: Vec<(&str, SnsMessage, Read)> = vec![
        (
            "agent text",
            agent_text("m-1", "Hello"),
            forward(INITIAL, sam, said("m-1", "Hello")),
        ),
        (
            "a supervisor's text visible to the customer",
            agent_text_with(|m| m["ParticipantRole"] = "SUPERVISOR".into()),
            forward(INITIAL, sam, said("m-1", "Hello")),
        ),
        (
            "the agent joined",
            connect_event(JOINED, Some("AGENT")),
            forward(INITIAL, sam, AgentAction::Joined),
        ),
        (
            "the agent left",
            connect_event(LEFT, Some("AGENT")),
            forward(INITIAL, sam, AgentAction::Left),
        ),
        (
            "the chat ended, without a role",
            connect_event(ENDED, None),
            forward(INITIAL, None, AgentAction::Ended),
        ),
        (
            "the agent is typing",
            connect_event(TYPING, Some("AGENT")),
            forward(INITIAL, sam, AgentAction::Typing),
        ),
        (
            "a transfer keeps the initial contact",
            agent_text_with(|m| m["ContactId"] = "44444444-after-transfer".into()),
            forward(INITIAL, sam, said("m-1", "Hello")),
        ),
        (
            "the initial contact from the attributes alone",
            agent_text_with(|m| {
                m.as_object_mut().unwrap().remove("InitialContactId");
                m.as_object_mut().unwrap().remove("ContactId");
            }),
            forward(INITIAL, sam, said("m-1", "Hello")),
        ),
        (
            "only a ContactId",
            without_attribute(
                without_attribute(
                    agent_text_with(|m| {
                        m.as_object_mut().unwrap().remove("InitialContactId");
                        m["ContactId"] = "contact 7".into();
                    }),
                    "InitialContactId",
                ),
                "ContactId",
            ),
            forward("contact 7", sam, said("m-1", "Hello")),
        ),
        (
            "no visibility attribute is for everyone",
            without_attribute(agent_text("m-1", "Hello"), "MessageVisibility"),
            forward(INITIAL, sam, said("m-1", "Hello")),
        ),
        (
            "visible to the customer",
            with_attribute(agent_text("m-1", "Hello"), "MessageVisibility", "CUSTOMER"),
            forward(INITIAL, sam, said("m-1", "Hello")),
        ),
        (
            "the last chunk of a streamed message",
            agent_text_with(|m| {
                m["MessageMetadata"] = json!({"MessageCompleted": true, "ChunkNumber": 3})
            }),
            forward(INITIAL, sam, said("m-1", "Hello")),
        ),
        (
            "the text as written",
            agent_text("m-1", "  1. check\n  2. pay "),
            forward(INITIAL, sam, said("m-1", "  1. check\n  2. pay ")),
        ),
        (
            "a blank display name",
            agent_text_with(|m| m["DisplayName"] = " ".into()),
            forward(INITIAL, None, said("m-1", "Hello")),
        ),
        (
            "AGENT-only visibility",
            with_attribute(agent_text("m-1", "Hello"), "MessageVisibility", "AGENT"),
            dropped(Dropped::NotVisibleToCustomer),
        ),
        (
            "a visibility it does not know",
            with_attribute(agent_text("m-1", "Hello"), "MessageVisibility", "MANAGERS"),
            dropped(Dropped::NotVisibleToCustomer),
        ),
        (
            "the customer's own message",
            agent_text_with(|m| m["ParticipantRole"] = "CUSTOMER".into()),
            dropped(Dropped::FromCustomer),
        ),
        (
            "the customer typing",
            connect_event(TYPING, Some("CUSTOMER")),
            dropped(Dropped::FromCustomer),
        ),
        (
            "the customer left",
            connect_event(LEFT, Some("CUSTOMER")),
            dropped(Dropped::FromCustomer),
        ),
        (
            "a system message",
            agent_text_with(|m| m["ParticipantRole"] = "SYSTEM".into()),
            dropped(Dropped::NotFromAgent),
        ),
        (
            "a bot's message",
            agent_text_with(|m| m["ParticipantRole"] = "CUSTOM_BOT".into()),
            dropped(Dropped::NotFromAgent),
        ),
        (
            "a text without a role",
            without_attribute(
                agent_text_with(|m| {
                    m.as_object_mut().unwrap().remove("ParticipantRole");
                }),
                "ParticipantRole",
            ),
            dropped(Dropped::NotFromAgent),
        ),
        (
            "a supervisor joined",
            connect_event(JOINED, Some("SUPERVISOR")),
            dropped(Dropped::NotFromAgent),
        ),
        (
            "a system participant left",
            connect_event(LEFT, Some("SYSTEM")),
            dropped(Dropped::NotFromAgent),
        ),
        (
            "a chunk of a streamed message",
            agent_text_with(|m| {
                m["MessageMetadata"] = json!({"MessageCompleted": false, "ChunkNumber": 1})
            }),
            dropped(Dropped::Partial),
        ),
        (
            "a chunk without completion",
            agent_text_with(|m| m["MessageMetadata"] = json!({"ChunkNumber": 2})),
            dropped(Dropped::Partial),
        ),
        (
            "a delivered receipt",
            connect_event(DELIVERED, Some("AGENT")),
            dropped(Dropped::NotShown),
        ),
        (
            "message metadata",
            sns(
                json!({
                    "Type": "MESSAGEMETADATA", "Id": "meta-1", "InitialContactId": INITIAL,
                    "MessageMetadata": {"MessageId": "m-1", "Receipts": []}
                }),
                &[],
            ),
            dropped(Dropped::NotShown),
        ),
        (
            "an attachment",
            agent_text_with(|m| {
                m["Type"] = "ATTACHMENT".into();
                m["ContentType"] = "application/pdf".into();
            }),
            dropped(Dropped::NotShown),
        ),
        (
            "markdown, which the Lex Web UI does not render",
            agent_text_with(|m| m["ContentType"] = "text/markdown".into()),
            dropped(Dropped::NotShown),
        ),
        (
            "a transfer event",
            connect_event(
                "application/vnd.amazonaws.connect.event.transfer.succeeded",
                Some("SYSTEM"),
            ),
            dropped(Dropped::NotShown),
        ),
        (
            "not JSON",
            sns("{\"Type\":".into(), &[]),
            Err(Malformed::NotJson),
        ),
        (
            "a JSON array",
            sns(json!([1, 2]), &[]),
            Err(Malformed::NotJson),
        ),
        (
            "an agent message without an id",
            agent_text_with(|m| m["Id"] = json!(17)),
            Err(Malformed::NoMessageId),
        ),
        (
            "an agent message with blank content",
            agent_text("m-1", " \n "),
            Err(Malformed::NoContent),
        ),
        (
            "an agent message without content",
            agent_text_with(|m| {
                m.as_object_mut().unwrap().remove("Content");
            }),
            Err(Malformed::NoContent),
        ),
        (
            "no contact at all",
            without_attribute(
                without_attribute(
                    agent_text_with(|m| {
                        m.as_object_mut().unwrap().remove("InitialContactId");
                        m.as_object_mut().unwrap().remove("ContactId");
                    }),
                    "InitialContactId",
                ),
                "ContactId",
            ),
            Err(Malformed::NoContact),
        ),
    ];
    for (case, sns, expected) in cases {
        assert_eq!(ConnectMessage::read(&sns), expected, "{case}");
    }
}
