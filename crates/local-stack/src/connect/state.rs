//! What the simulated Amazon Connect remembers: the chats with everything said in them, the
//! client tokens that started them, and the participant and connection tokens it issued. All in
//! memory, gone when the stack stops.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime};

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// How long a connection token lasts, whatever the chat's duration (one day, as in Amazon
/// Connect).
pub(crate) const CONNECTION_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// Who ended a chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndedBy {
    /// The customer's participant disconnected (`DisconnectParticipant`).
    Customer,
    /// The agent ended the chat in the console.
    Agent,
}

/// A chat contact as the agent's side sees it.
#[derive(Clone, Debug, Serialize)]
pub struct SimChat {
    /// The contact id (the initial contact id: this simulator makes no transfers).
    pub contact_id: String,
    /// The customer's `ParticipantDetails.DisplayName`.
    pub display_name: String,
    /// The contact attributes it was started with.
    pub attributes: BTreeMap<String, String>,
    /// Every message the customer's participant sent, in order (the bot transcript first, as
    /// the adapter sends it).
    pub customer_messages: Vec<String>,
    /// Every message the agent sent, in order.
    pub agent_messages: Vec<String>,
    /// The agent's display name, once an agent joined.
    pub agent: Option<String>,
    /// Whether the customer's participant joined (`ConnectParticipant: true`).
    pub customer_joined: bool,
    /// Whether streaming to the stack's topic was started for it.
    pub streaming: bool,
    /// Who ended it, once ended.
    pub ended_by: Option<EndedBy>,
}

/// Who an entry of the console's timeline is from (the console's own vocabulary).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Party {
    Customer,
    Agent,
    Event,
}

/// What became of an agent's action: it was streamed to the topic (delivered later, at least
/// once, by SNS).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Published {
    /// The event's content type, shortened: `participant.joined`, `message`, ...
    pub(crate) event: &'static str,
    /// 202: published, delivered asynchronously.
    pub(crate) status: u16,
    pub(crate) outcome: &'static str,
    pub(crate) message: Option<String>,
}

/// One line of a chat's timeline, as the console shows it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Entry {
    pub(crate) from: Party,
    pub(crate) text: String,
    pub(crate) at: String,
    /// For the agent's actions: the console reads this field as the answer to the action.
    pub(crate) callback: Option<Published>,
    pub(crate) error: Option<String>,
}

/// A chat and what only the service knows about it.
pub(crate) struct Chat {
    pub(crate) chat: SimChat,
    pub(crate) customer_participant_id: String,
    pub(crate) agent_participant_id: String,
    pub(crate) created_at: String,
    /// `StartContactStreaming` client tokens to the streaming id they got.
    pub(crate) streams: HashMap<String, String>,
    /// `SendMessage` client tokens to the message id and time they got.
    pub(crate) sent: HashMap<String, (String, String)>,
    pub(crate) timeline: Vec<Entry>,
}

impl Chat {
    pub(crate) fn ended(&self) -> bool {
        self.chat.ended_by.is_some()
    }

    /// Adds a line to the timeline, stamped now.
    pub(crate) fn log(&mut self, from: Party, text: String, published: Option<Published>) {
        self.timeline.push(Entry {
            from,
            text,
            at: absolute_time(),
            callback: published,
            error: None,
        });
    }
}

/// Everything the simulator remembers.
#[derive(Default)]
pub(crate) struct State {
    /// In the order they were started; never removed, so positions stay valid.
    chats: Vec<Chat>,
    /// Contact ids to their chat's position in `chats` and its participant token: every
    /// message and event looks its chat up, so a scan would grow with the chats held.
    by_contact: HashMap<String, (usize, String)>,
    /// `StartChatContact` client tokens to the contact they started.
    by_client_token: HashMap<String, String>,
    /// Participant tokens to their contact.
    participant_tokens: HashMap<String, String>,
    /// Connection tokens to their contact and expiry.
    connection_tokens: HashMap<String, (String, SystemTime)>,
}

impl State {
    pub(crate) fn chats(&self) -> &[Chat] {
        &self.chats
    }

    pub(crate) fn chat_mut(&mut self, contact_id: &str) -> Option<&mut Chat> {
        let (position, _) = self.by_contact.get(contact_id)?;
        self.chats.get_mut(*position)
    }

    /// Every participant and connection token issued.
    pub(crate) fn tokens(&self) -> impl Iterator<Item = &str> {
        let participant = self.participant_tokens.keys();
        participant
            .chain(self.connection_tokens.keys())
            .map(String::as_str)
    }

    /// The contact a `StartChatContact` client token started, if any.
    pub(crate) fn started_with(&self, client_token: &str) -> Option<&str> {
        self.by_client_token.get(client_token).map(String::as_str)
    }

    /// Stores a new chat started with `client_token`; answers its participant token.
    pub(crate) fn start(
        &mut self,
        client_token: String,
        display_name: String,
        attributes: BTreeMap<String, String>,
    ) -> String {
        let contact_id = new_id();
        let participant_token = secret_token();
        self.by_client_token
            .insert(client_token, contact_id.clone());
        self.participant_tokens
            .insert(participant_token.clone(), contact_id.clone());
        self.by_contact.insert(
            contact_id.clone(),
            (self.chats.len(), participant_token.clone()),
        );
        self.chats.push(Chat {
            chat: SimChat {
                contact_id,
                display_name,
                attributes,
                customer_messages: Vec::new(),
                agent_messages: Vec::new(),
                agent: None,
                customer_joined: false,
                streaming: false,
                ended_by: None,
            },
            customer_participant_id: new_id(),
            agent_participant_id: new_id(),
            created_at: absolute_time(),
            streams: HashMap::new(),
            sent: HashMap::new(),
            timeline: Vec::new(),
        });
        participant_token
    }

    /// The participant token issued for a chat (a retried start answers the same one).
    pub(crate) fn participant_token_of(&self, contact_id: &str) -> Option<&str> {
        let (_, token) = self.by_contact.get(contact_id)?;
        Some(token)
    }

    /// The open chat a participant token was issued for.
    pub(crate) fn chat_of_participant(&mut self, token: Option<&str>) -> Option<&mut Chat> {
        let contact = self.participant_tokens.get(token?)?.clone();
        self.chat_mut(&contact).filter(|chat| !chat.ended())
    }

    /// The open chat a connection token was issued for, while the token has not expired.
    pub(crate) fn chat_of_connection(&mut self, token: Option<&str>) -> Option<&mut Chat> {
        let (contact, expiry) = self.connection_tokens.get(token?)?.clone();
        if expiry <= SystemTime::now() {
            return None;
        }
        self.chat_mut(&contact).filter(|chat| !chat.ended())
    }

    /// Issues a connection token for the chat; answers it and its expiry.
    pub(crate) fn issue_connection(&mut self, contact_id: &str) -> (String, SystemTime) {
        let token = secret_token();
        let expiry = SystemTime::now() + CONNECTION_TOKEN_LIFETIME;
        self.connection_tokens
            .insert(token.clone(), (contact_id.to_owned(), expiry));
        (token, expiry)
    }

    /// Every connection token issued so far expires now, as a day later.
    pub(crate) fn expire_connection_tokens(&mut self) {
        let now = SystemTime::now();
        for (_, expiry) in self.connection_tokens.values_mut() {
            *expiry = now;
        }
    }
}

/// The current time as Amazon Connect writes `AbsoluteTime` (ISO 8601, UTC, milliseconds).
pub(crate) fn absolute_time() -> String {
    iso8601(SystemTime::now())
}

/// `at` as Amazon Connect writes times: `2026-12-03T10:00:00.123Z`.
pub(crate) fn iso8601(at: SystemTime) -> String {
    let at = OffsetDateTime::from(at);
    let millis = at.millisecond();
    let whole = at
        .replace_nanosecond(0)
        .expect("0 nanoseconds is always valid")
        .format(&Rfc3339)
        .expect("RFC 3339 formats every year from 0 to 9999");
    // `...:SSZ` becomes `...:SS.mmmZ`.
    format!("{}.{millis:03}Z", whole.trim_end_matches('Z'))
}

/// A fresh id in the UUID shape of Amazon Connect's contact, participant and message ids.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A fresh opaque token (participant and connection tokens are secrets: never logged).
fn secret_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_have_milliseconds_and_a_z() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_042);
        assert_eq!(iso8601(at), "2023-11-14T22:13:20.042Z");
    }

    #[test]
    fn connection_tokens_stop_working_when_they_expire_or_the_chat_ends() {
        let mut state = State::default();
        state.start("token-1".into(), "Ana".into(), BTreeMap::new());
        let contact = state.chats()[0].chat.contact_id.clone();
        let (token, _) = state.issue_connection(&contact);
        assert!(state.chat_of_connection(Some(&token)).is_some());
        assert!(state.chat_of_connection(Some("made-up")).is_none());
        state.expire_connection_tokens();
        assert!(state.chat_of_connection(Some(&token)).is_none());
        let (token, _) = state.issue_connection(&contact);
        state.chat_mut(&contact).unwrap().chat.ended_by = Some(EndedBy::Agent);
        assert!(state.chat_of_connection(Some(&token)).is_none());
        let participant = state.participant_token_of(&contact).unwrap().to_owned();
        assert!(state.chat_of_participant(Some(&participant)).is_none());
    }
}
