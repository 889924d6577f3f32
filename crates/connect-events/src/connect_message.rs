//! One Amazon Connect chat streaming message, as SNS delivers it, read into the domain's agent
//! event, or into the reason it is not for the customer.
//!
//! Every field is read from the `Message` JSON first, then from the SNS `MessageAttributes`,
//! and any of them may be missing. Ids are taken as they come (not always UUIDs).

use aws_lambda_events::sns::SnsMessage;
use handover::agent_events::{AgentAction, AgentEvent};
use handover::conversation::Provider;
use serde_json::{Map, Value};

const TEXT: &str = "text/plain";
const EVENT: &str = "application/vnd.amazonaws.connect.event.";

/// What one record comes to.
#[derive(Debug, PartialEq, Eq)]
pub enum ConnectMessage {
    /// Something the customer should see or that changes the chat.
    Forward(AgentEvent),
    /// Nothing for the customer.
    Dropped(Dropped),
}

/// Why a record is not forwarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dropped {
    /// `MessageVisibility` is `AGENT` (or a value this function does not know).
    NotVisibleToCustomer,
    /// The customer's own message, echoed back on the topic.
    FromCustomer,
    /// From a role other than the agent's (`SYSTEM`, `CUSTOM_BOT`, ...).
    NotFromAgent,
    /// A chunk of a streamed message that is not complete yet.
    Partial,
    /// A kind the customer is not shown: receipts, attachments, other events.
    NotShown,
}

impl Dropped {
    /// A short name for logs.
    pub fn name(self) -> &'static str {
        match self {
            Dropped::NotVisibleToCustomer => "not_visible_to_customer",
            Dropped::FromCustomer => "from_customer",
            Dropped::NotFromAgent => "not_from_agent",
            Dropped::Partial => "partial",
            Dropped::NotShown => "not_shown",
        }
    }
}

/// Why a record could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    /// `Message` is not a JSON object.
    #[error("the message is not a JSON object")]
    NotJson,
    /// Neither `InitialContactId` nor `ContactId` is given.
    #[error("the message names no contact")]
    NoContact,
    /// An agent message without `Id` (it could not be shown exactly once).
    #[error("an agent message has no id")]
    NoMessageId,
    /// An agent message without text.
    #[error("an agent message has no content")]
    NoContent,
}

impl ConnectMessage {
    /// Reads one SNS notification from Amazon Connect.
    pub fn read(sns: &SnsMessage) -> Result<Self, Malformed> {
        let Ok(Value::Object(body)) = serde_json::from_str::<Value>(&sns.message) else {
            return Err(Malformed::NotJson);
        };
        let fields = Fields { body: &body, sns };
        // Connect added visibility with AGENT-only messages; a message without it predates
        // them and is for everyone.
        match fields.get("MessageVisibility") {
            None | Some("ALL" | "CUSTOMER") => {}
            Some(_) => return Ok(ConnectMessage::Dropped(Dropped::NotVisibleToCustomer)),
        }
        let role = fields.get("ParticipantRole");
        if role == Some("CUSTOMER") {
            return Ok(ConnectMessage::Dropped(Dropped::FromCustomer));
        }
        let action = match fields.action(role)? {
            Ok(action) => action,
            Err(dropped) => return Ok(ConnectMessage::Dropped(dropped)),
        };
        // A transfer gives the chat a new ContactId; InitialContactId stays the one the
        // conversation was stored under.
        let contact = fields
            .get("InitialContactId")
            .or_else(|| fields.get("ContactId"))
            .ok_or(Malformed::NoContact)?;
        Ok(ConnectMessage::Forward(AgentEvent::new(
            Provider::AmazonConnect,
            contact,
            fields.text("DisplayName"),
            action,
        )))
    }
}

/// The fields of one record: the message's, else the attributes'.
struct Fields<'a> {
    body: &'a Map<String, Value>,
    sns: &'a SnsMessage,
}

type Action = Result<AgentAction, Dropped>;

impl Fields<'_> {
    /// A non-blank string field of the message, else of the attributes.
    fn get(&self, name: &str) -> Option<&str> {
        self.text(name).or_else(|| {
            let attribute = self.sns.message_attributes.get(name)?;
            Some(attribute.value.trim()).filter(|value| !value.is_empty())
        })
    }

    /// A non-blank string field of the message.
    fn text(&self, name: &str) -> Option<&str> {
        let value = self.body.get(name)?.as_str()?.trim();
        (!value.is_empty()).then_some(value)
    }

    /// The action the record stands for, or why there is none.
    fn action(&self, role: Option<&str>) -> Result<Action, Malformed> {
        let from_agent = matches!(role, Some("AGENT" | "SUPERVISOR"));
        let content_type = self.get("ContentType");
        let kind = self.get("Type");
        if content_type == Some(TEXT) && matches!(kind, None | Some("MESSAGE")) {
            if !from_agent {
                return Ok(Err(Dropped::NotFromAgent));
            }
            return self.message();
        }
        let event = content_type
            .and_then(|content_type| content_type.strip_prefix(EVENT))
            .filter(|_| matches!(kind, None | Some("EVENT")));
        // Joining and leaving are the agent's own: a supervisor coming and going changes
        // nothing for the customer.
        let only_agent = |action| {
            if role == Some("AGENT") {
                Ok(action)
            } else {
                Err(Dropped::NotFromAgent)
            }
        };
        Ok(match event {
            Some("participant.joined") => only_agent(AgentAction::Joined),
            Some("participant.left") => only_agent(AgentAction::Left),
            // Whoever ended it: it carries no role.
            Some("chat.ended") => Ok(AgentAction::Ended),
            Some("typing") if from_agent => Ok(AgentAction::Typing),
            Some("typing") => Err(Dropped::NotFromAgent),
            _ => Err(Dropped::NotShown),
        })
    }

    /// An agent's text message, once complete.
    fn message(&self) -> Result<Action, Malformed> {
        if !self.completed() {
            return Ok(Err(Dropped::Partial));
        }
        let id = self.text("Id").ok_or(Malformed::NoMessageId)?;
        // The text as the agent wrote it: only a blank one is no text.
        let text = self
            .body
            .get("Content")
            .and_then(Value::as_str)
            .filter(|text| !text.trim().is_empty())
            .ok_or(Malformed::NoContent)?;
        Ok(Ok(AgentAction::Message {
            id: id.to_owned(),
            text: text.to_owned(),
        }))
    }

    /// Whether a message is whole: streamed chunks share one `Id`, and only the last says
    /// `MessageCompleted`; a message without chunk metadata was never split.
    fn completed(&self) -> bool {
        let Some(metadata) = self.body.get("MessageMetadata").and_then(Value::as_object) else {
            return true;
        };
        match metadata.get("MessageCompleted") {
            Some(Value::Bool(completed)) => *completed,
            Some(Value::String(completed)) => completed.eq_ignore_ascii_case("true"),
            Some(_) => false,
            None => !metadata.contains_key("ChunkNumber"),
        }
    }
}
