//! Request and response bodies of the Digital Connect conversation endpoints.
//!
//! `Debug` output of these types leaves out what the customer wrote and who they are, so they
//! can be logged.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::error::lenient_string;

/// Body of Start a Conversation.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct StartConversation {
    /// The Digital Connect touchpoint that routes the conversation to agents.
    pub touchpoint_id: String,
    /// Subject shown to the agent.
    pub subject: String,
    /// Who the agent is talking to.
    pub contact_person: ContactPerson,
    /// Free-form key/value context shown to the agent and usable for routing.
    pub context_parameters: BTreeMap<String, String>,
    /// The conversation so far, e.g. the customer's exchange with the bot.
    pub previous_messages: Vec<PreviousMessage>,
}

impl fmt::Debug for StartConversation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StartConversation")
            .field("touchpoint_id", &self.touchpoint_id)
            .field("subject", &self.subject)
            .field("contact_person", &self.contact_person)
            // Values may hold customer data; the keys say what was sent.
            .field("context_parameters", &self.context_parameters.keys())
            .field("previous_messages", &self.previous_messages)
            .finish()
    }
}

/// The customer as shown to the agent. Fields left `None` are not sent.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContactPerson {
    /// The customer's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The customer's email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl fmt::Debug for ContactPerson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContactPerson")
            .field("name", &redacted(&self.name))
            .field("email", &redacted(&self.email))
            .finish()
    }
}

/// Who wrote a previous message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MessageType {
    /// Written by the customer (`USER`).
    User,
    /// Written by the external system on the other side, here the bot (`EXTERNAL`).
    External,
}

/// A message exchanged before the hand-over, replayed to the agent.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct PreviousMessage {
    /// Who wrote it.
    #[serde(rename = "type")]
    pub kind: MessageType,
    /// The message text.
    pub content: String,
    /// When it was written; sent as RFC 3339 in UTC.
    #[serde(serialize_with = "rfc3339_utc")]
    pub created_at: OffsetDateTime,
}

impl fmt::Debug for PreviousMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreviousMessage")
            .field("kind", &self.kind)
            .field("content", &"<redacted>")
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// The id Talkdesk gave a conversation (1 to 255 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConversationId(String);

impl ConversationId {
    /// Wraps an id received from Talkdesk earlier, e.g. read back from storage.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as Talkdesk sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Talkdesk's acknowledgement of a relayed message.
///
/// Any 2xx means Talkdesk took the message, so the details are read leniently: a field Talkdesk
/// left out is `None` rather than an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SentMessage {
    /// The `id` Talkdesk returned.
    pub id: Option<String>,
    /// The id of the message within the conversation.
    pub message_id: Option<String>,
    /// When Talkdesk stored the message, as Talkdesk formatted it.
    pub created_at: Option<String>,
    /// `true` when Talkdesk answered 206: the message went through but part of it (e.g. an
    /// attachment) did not.
    #[serde(skip)]
    pub partially_failed: bool,
    /// Talkdesk's reason for a partial failure.
    #[serde(deserialize_with = "lenient_string")]
    pub partial_fail_reason: Option<String>,
}

/// Body of Send a Message.
#[derive(Serialize)]
pub(crate) struct SendMessageBody<'a> {
    pub(crate) content: &'a str,
}

/// Answer of Start a Conversation.
#[derive(Deserialize)]
pub(crate) struct StartedConversation {
    pub(crate) id: String,
}

fn rfc3339_utc<S: Serializer>(moment: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    let text = moment
        .to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .map_err(serde::ser::Error::custom)?;
    serializer.serialize_str(&text)
}

fn redacted(value: &Option<String>) -> Option<&'static str> {
    value.as_ref().map(|_| "<redacted>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StartConversation {
        StartConversation {
            touchpoint_id: "tp-1".into(),
            subject: "Billing".into(),
            contact_person: ContactPerson {
                name: Some("Ada Lovelace".into()),
                email: None,
            },
            context_parameters: BTreeMap::from([("phone".into(), "+15550100".into())]),
            previous_messages: vec![PreviousMessage {
                kind: MessageType::User,
                content: "my card number is 4111".into(),
                created_at: OffsetDateTime::from_unix_timestamp(1_714_557_600)
                    .unwrap()
                    .to_offset(UtcOffset::from_hms(2, 0, 0).unwrap()),
            }],
        }
    }

    #[test]
    fn serialises_with_talkdesk_field_names_in_utc() {
        let json = serde_json::to_value(sample()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "touchpoint_id": "tp-1",
                "subject": "Billing",
                "contact_person": {"name": "Ada Lovelace"},
                "context_parameters": {"phone": "+15550100"},
                "previous_messages": [{
                    "type": "USER",
                    "content": "my card number is 4111",
                    "created_at": "2024-05-01T10:00:00Z"
                }]
            })
        );
    }

    #[test]
    fn debug_output_leaves_out_customer_data() {
        let shown = format!("{:?}", sample());
        for private in ["Ada Lovelace", "+15550100", "4111"] {
            assert!(!shown.contains(private), "{private} leaked: {shown}");
        }
        assert!(shown.contains("tp-1") && shown.contains("phone"), "{shown}");
    }
}
