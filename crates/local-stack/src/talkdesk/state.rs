//! What the simulated Talkdesk remembers: issued tokens, conversations with everything said in
//! them, and the idempotency keys that started them. All in memory, gone when the stack stops.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A conversation as Talkdesk's agent sees it.
#[derive(Clone, Debug, Serialize)]
pub struct SimConversation {
    /// The id this Talkdesk gave it.
    pub id: String,
    /// The touchpoint it was started on.
    pub touchpoint_id: String,
    /// The subject the customer gave.
    pub subject: String,
    /// `contact_person.name`, when sent.
    pub contact_name: Option<String>,
    /// The context parameters the agent previews (name, sentiment, intents, page parameters).
    pub context_parameters: BTreeMap<String, String>,
    /// The bot transcript, as (`USER` or `EXTERNAL`, text) in the order sent.
    pub previous_messages: Vec<(String, String)>,
    /// What the customer wrote in the live chat, in order.
    pub customer_messages: Vec<String>,
    /// Whether the customer ended it (`DELETE` on the conversation).
    pub ended_by_customer: bool,
}

/// Who an entry of the live-chat timeline is from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Party {
    /// A message the customer sent through the API.
    Customer,
    /// A message the agent wrote in the console.
    Agent,
    /// Something that happened: accepted, ended.
    Event,
}

/// The callback's answer to one event delivered to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct CallbackAnswer {
    /// The event delivered: `conversation_started`, `message_created` or `conversation_ended`.
    pub(crate) event: &'static str,
    /// The HTTP status the callback answered.
    pub(crate) status: u16,
    /// The answer's `status` or `error` field (e.g. `delivered`, `customer_disconnected`).
    pub(crate) outcome: Option<String>,
    /// The answer's readable `message`, when it had one.
    pub(crate) message: Option<String>,
}

/// One line of a conversation's live-chat timeline, as the console shows it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Entry {
    pub(crate) from: Party,
    pub(crate) text: String,
    pub(crate) at: String,
    /// For the agent's messages and events: what the callback answered.
    pub(crate) callback: Option<CallbackAnswer>,
    /// For the agent's messages and events: why the callback did not answer.
    pub(crate) error: Option<String>,
}

/// A conversation and what only the agent side knows about it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Record {
    #[serde(flatten)]
    pub(crate) conversation: SimConversation,
    pub(crate) created_at: String,
    /// `conversation_started` was delivered (or is being delivered).
    pub(crate) accepted: bool,
    /// The agent ended it and the callback answered.
    pub(crate) ended_by_agent: bool,
    pub(crate) timeline: Vec<Entry>,
}

impl Record {
    pub(crate) fn new(conversation: SimConversation) -> Self {
        Self {
            conversation,
            created_at: now(),
            accepted: false,
            ended_by_agent: false,
            timeline: Vec::new(),
        }
    }

    /// Adds a line to the timeline, stamped now.
    pub(crate) fn log(&mut self, from: Party, text: String) {
        self.push(from, text, None, None);
    }

    /// Adds a line for an event delivered to the callback, with its answer or failure.
    pub(crate) fn log_delivery(
        &mut self,
        from: Party,
        text: String,
        delivered: &Result<CallbackAnswer, String>,
    ) {
        match delivered {
            Ok(answer) => self.push(from, text, Some(answer.clone()), None),
            Err(reason) => self.push(from, text, None, Some(reason.clone())),
        }
    }

    fn push(
        &mut self,
        from: Party,
        text: String,
        callback: Option<CallbackAnswer>,
        error: Option<String>,
    ) {
        self.timeline.push(Entry {
            from,
            text,
            at: now(),
            callback,
            error,
        });
    }

    /// Ended by either side: no more customer messages are taken.
    pub(crate) fn ended(&self) -> bool {
        self.conversation.ended_by_customer || self.ended_by_agent
    }
}

/// Everything the simulator remembers.
#[derive(Default)]
pub(crate) struct State {
    /// In the order they were started; never removed, so positions stay valid.
    records: Vec<Record>,
    /// Conversation ids to their position in `records`: every message looks its conversation
    /// up, so a scan would grow with the conversations held.
    by_id: HashMap<String, usize>,
    by_idempotency_key: HashMap<String, String>,
    tokens: HashMap<String, Instant>,
}

impl State {
    pub(crate) fn record(&self, id: &str) -> Option<&Record> {
        self.records.get(*self.by_id.get(id)?)
    }

    pub(crate) fn record_mut(&mut self, id: &str) -> Option<&mut Record> {
        self.records.get_mut(*self.by_id.get(id)?)
    }

    pub(crate) fn records(&self) -> &[Record] {
        &self.records
    }

    /// The conversation an idempotency key started, if any.
    pub(crate) fn started_with(&self, key: &str) -> Option<&str> {
        self.by_idempotency_key.get(key).map(String::as_str)
    }

    /// Stores a new conversation, under its idempotency key when it came with one.
    pub(crate) fn insert(&mut self, record: Record, idempotency_key: Option<String>) {
        if let Some(key) = idempotency_key {
            self.by_idempotency_key
                .insert(key, record.conversation.id.clone());
        }
        self.by_id
            .insert(record.conversation.id.clone(), self.records.len());
        self.records.push(record);
    }

    /// Remembers an access token until `lifetime` from now.
    pub(crate) fn issue_token(&mut self, token: String, lifetime: Duration) {
        let now = Instant::now();
        // Expired tokens are dropped here so the map does not grow with every refresh.
        self.tokens.retain(|_, expiry| *expiry > now);
        self.tokens.insert(token, now + lifetime);
    }

    /// The access tokens issued and not yet expired.
    pub(crate) fn tokens(&self) -> impl Iterator<Item = &str> {
        self.tokens.keys().map(String::as_str)
    }

    /// Whether `token` was issued here and has not expired.
    pub(crate) fn token_valid(&self, token: &str) -> bool {
        self.tokens
            .get(token)
            .is_some_and(|expiry| *expiry > Instant::now())
    }
}

/// The current time as Talkdesk writes it (RFC 3339, UTC).
pub(crate) fn now() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .expect("RFC 3339 formats every year from 0 to 9999")
}

/// A fresh id in the 32-hex-digit shape of Talkdesk's ids.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
