//! What the agent does in the console: accept (join), reply, type, end. Each is streamed to
//! the topic as Amazon Connect streams an agent's side, and logged in the chat's timeline.

use std::fmt;

use super::SimulatedConnect;
use super::api::MAX_MESSAGE_CHARS;
use super::state::{Chat, EndedBy, Party, Published, new_id};
use super::stream::{ChatEvent, Happening, Participant, Role};

/// Why an agent action was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AgentError {
    /// No chat has this contact id.
    UnknownChat,
    /// The chat has ended.
    Ended,
    /// An agent joined already.
    AlreadyAccepted,
    /// The message is empty or only whitespace.
    BlankMessage,
    /// The message is longer than Amazon Connect takes.
    TooLong,
}

impl AgentError {
    /// A stable code for the console.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            AgentError::UnknownChat => "unknown_conversation",
            AgentError::Ended => "ended",
            AgentError::AlreadyAccepted => "already_accepted",
            AgentError::BlankMessage => "blank_message",
            AgentError::TooLong => "message_too_long",
        }
    }
}

impl fmt::Display for AgentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AgentError::UnknownChat => f.write_str("no chat has this contact id"),
            AgentError::Ended => f.write_str("the chat has ended"),
            AgentError::AlreadyAccepted => f.write_str("an agent joined this chat already"),
            AgentError::BlankMessage => f.write_str("the message is blank"),
            AgentError::TooLong => f.write_str("a message is at most 1024 characters"),
        }
    }
}

impl std::error::Error for AgentError {}

/// What the console shows for a published event.
fn published(event: &'static str) -> Published {
    Published {
        event,
        status: 202,
        outcome: "streamed",
        message: Some("published to the SNS topic; connect-events gets it asynchronously".into()),
    }
}

fn shown_name(author: &str) -> String {
    match author.trim() {
        "" => "Agent".to_owned(),
        name => name.to_owned(),
    }
}

impl SimulatedConnect {
    /// The agent accepts the chat: `participant.joined` (AGENT) is streamed.
    pub fn accept(&self, contact_id: &str, author: &str) -> Result<(), AgentError> {
        self.agent_accept(contact_id, author).map(|_| ())
    }

    /// The agent writes `text`, joining first if no agent has: the message (AGENT) is streamed.
    pub fn reply(&self, contact_id: &str, text: &str, author: &str) -> Result<(), AgentError> {
        self.agent_reply(contact_id, text, author).map(|_| ())
    }

    /// The agent is typing: `typing` (AGENT) is streamed.
    pub fn typing(&self, contact_id: &str) -> Result<(), AgentError> {
        let mut events = Vec::new();
        let streaming = self.on_open_chat(contact_id, |chat| {
            events.push(agent_event(chat, Happening::Event("typing")));
            Ok(())
        })?;
        self.stream(streaming, &events);
        Ok(())
    }

    /// The agent ends the chat: `participant.left` (AGENT) and `chat.ended` are streamed, and
    /// from then on the customer's participant calls are refused (403).
    pub fn end(&self, contact_id: &str, author: &str) -> Result<(), AgentError> {
        self.agent_end(contact_id, author).map(|_| ())
    }

    pub(crate) fn agent_accept(
        &self,
        contact_id: &str,
        author: &str,
    ) -> Result<Published, AgentError> {
        let mut events = Vec::new();
        let streaming = self.on_open_chat(contact_id, |chat| {
            if chat.chat.agent.is_some() {
                return Err(AgentError::AlreadyAccepted);
            }
            events.push(join(chat, author));
            Ok(())
        })?;
        self.stream(streaming, &events);
        Ok(published("participant.joined"))
    }

    pub(crate) fn agent_reply(
        &self,
        contact_id: &str,
        text: &str,
        author: &str,
    ) -> Result<Published, AgentError> {
        if text.trim().is_empty() {
            return Err(AgentError::BlankMessage);
        }
        if text.chars().count() > MAX_MESSAGE_CHARS {
            return Err(AgentError::TooLong);
        }
        let mut events = Vec::new();
        let streaming = self.on_open_chat(contact_id, |chat| {
            if chat.chat.agent.is_none() {
                events.push(join(chat, author));
            }
            chat.chat.agent_messages.push(text.to_owned());
            let message = Happening::Message {
                id: new_id(),
                content: text.to_owned(),
            };
            events.push(agent_event(chat, message));
            chat.log(Party::Agent, text.to_owned(), Some(published("message")));
            Ok(())
        })?;
        self.stream(streaming, &events);
        Ok(published("message"))
    }

    pub(crate) fn agent_end(
        &self,
        contact_id: &str,
        author: &str,
    ) -> Result<Published, AgentError> {
        let mut events = Vec::new();
        let streaming = self.on_open_chat(contact_id, |chat| {
            chat.chat.ended_by = Some(EndedBy::Agent);
            if chat.chat.agent.is_none() {
                chat.chat.agent = Some(shown_name(author));
            }
            events.push(agent_event(chat, Happening::Event("participant.left")));
            events.push(ChatEvent {
                contact_id: chat.chat.contact_id.clone(),
                from: None,
                happening: Happening::Event("chat.ended"),
            });
            let text = format!("{} ended the chat.", shown_name(author));
            chat.log(Party::Event, text, Some(published("chat.ended")));
            Ok(())
        })?;
        self.stream(streaming, &events);
        Ok(published("chat.ended"))
    }

    /// Runs `act` on the open chat; answers whether it streams.
    fn on_open_chat(
        &self,
        contact_id: &str,
        act: impl FnOnce(&mut Chat) -> Result<(), AgentError>,
    ) -> Result<bool, AgentError> {
        let mut state = self.state();
        let chat = state.chat_mut(contact_id).ok_or(AgentError::UnknownChat)?;
        if chat.ended() {
            return Err(AgentError::Ended);
        }
        act(chat)?;
        Ok(chat.chat.streaming)
    }
}

/// The agent joins: named, logged, and the event to stream.
fn join(chat: &mut Chat, author: &str) -> ChatEvent {
    let name = shown_name(author);
    chat.chat.agent = Some(name.clone());
    chat.log(
        Party::Event,
        format!("{name} joined the chat."),
        Some(published("participant.joined")),
    );
    agent_event(chat, Happening::Event("participant.joined"))
}

fn agent_event(chat: &Chat, happening: Happening) -> ChatEvent {
    ChatEvent {
        contact_id: chat.chat.contact_id.clone(),
        from: Some(Participant {
            role: Role::Agent,
            id: chat.agent_participant_id.clone(),
            display_name: chat.chat.agent.clone().unwrap_or_else(|| "Agent".into()),
        }),
        happening,
    }
}
