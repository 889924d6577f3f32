//! What a conversation is: our key for it, the contact center that carries it, where it stands
//! and which connection it is bound to.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// Our own key for a conversation, independent of the contact center's id.
///
/// It travels inside the signed reference the web client puts in a URL, so it is short and
/// URL-safe: 1 to 40 characters from `[A-Za-z0-9_-]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ConversationKey(String);

/// The longest conversation key accepted.
pub const MAX_KEY_LEN: usize = 40;

impl ConversationKey {
    /// A fresh random key (a UUID v4 as 32 lowercase hex digits).
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }

    /// Accepts `value` if it is a well-formed key.
    pub fn parse(value: &str) -> Result<Self, InvalidKey> {
        let well_formed = !value.is_empty()
            && value.len() <= MAX_KEY_LEN
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if well_formed {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidKey)
        }
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ConversationKey {
    type Error = InvalidKey;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ConversationKey> for String {
    fn from(key: ConversationKey) -> Self {
        key.0
    }
}

impl fmt::Display for ConversationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A conversation key that is empty, too long, or not URL-safe.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a conversation key is 1 to {MAX_KEY_LEN} characters from A-Z, a-z, 0-9, '-' and '_'")]
pub struct InvalidKey;

/// The contact center that carries a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Provider {
    /// Talkdesk Digital Connect.
    Talkdesk,
    /// Amazon Connect chat.
    AmazonConnect,
}

impl Provider {
    /// The stored name: `talkdesk` or `amazon-connect`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Talkdesk => "talkdesk",
            Provider::AmazonConnect => "amazon-connect",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Provider {
    type Err = UnknownName;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "talkdesk" => Ok(Provider::Talkdesk),
            "amazon-connect" => Ok(Provider::AmazonConnect),
            other => Err(UnknownName(format!("provider {other:?}"))),
        }
    }
}

/// Where a conversation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConversationStatus {
    /// Started at the contact center; no agent has joined yet.
    Pending,
    /// An agent has joined.
    Connected,
    /// Ended by either side. An ended conversation accepts no new connection.
    Ended,
}

impl ConversationStatus {
    /// The stored name: `pending`, `connected` or `ended`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationStatus::Pending => "pending",
            ConversationStatus::Connected => "connected",
            ConversationStatus::Ended => "ended",
        }
    }
}

impl FromStr for ConversationStatus {
    type Err = UnknownName;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "pending" => Ok(ConversationStatus::Pending),
            "connected" => Ok(ConversationStatus::Connected),
            "ended" => Ok(ConversationStatus::Ended),
            other => Err(UnknownName(format!("status {other:?}"))),
        }
    }
}

/// A stored name that this version does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {0}")]
pub struct UnknownName(pub String);

/// What the caller supplies to create a conversation record.
#[derive(Clone, PartialEq, Eq)]
pub struct NewConversation {
    /// Our key; the caller chooses it so that a retried escalation finds the same record.
    pub key: ConversationKey,
    /// The contact center carrying the conversation.
    pub provider: Provider,
    /// The contact center's id: Talkdesk's conversation id, or Amazon Connect's initial contact id.
    pub provider_conversation_id: String,
    /// Data only the provider's adapter understands (Amazon Connect's participant and
    /// connection tokens, for instance). The store keeps it as given.
    pub provider_data: BTreeMap<String, String>,
    /// The Lex session the customer escalated from.
    pub lex_session_id: String,
}

/// A conversation as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Conversation {
    /// Our key.
    pub key: ConversationKey,
    /// The contact center carrying the conversation.
    pub provider: Provider,
    /// The contact center's id for it.
    pub provider_conversation_id: String,
    /// The provider adapter's opaque data.
    pub provider_data: BTreeMap<String, String>,
    /// The Lex session the customer escalated from.
    pub lex_session_id: String,
    /// Where it stands.
    pub status: ConversationStatus,
    /// The customer's live WebSocket connection, if one is bound.
    pub connection_id: Option<String>,
    /// When the last bound connection went, if none is bound now and one was before (a
    /// conversation whose customer never connected counts from `created_at`).
    pub disconnected_at: Option<SystemTime>,
    /// When the record was created (millisecond precision).
    pub created_at: SystemTime,
    /// When the record last changed (millisecond precision).
    pub updated_at: SystemTime,
    /// When the record may be deleted (whole seconds, never earlier than the lifetime allows).
    pub expires_at: SystemTime,
    /// Incremented on every change; writes are conditional on it.
    pub version: u64,
}

/// Provider data in debug output: its keys only, since its values may be tokens (Amazon
/// Connect's participant and connection tokens).
pub(crate) struct ProviderDataKeys<'a>(pub(crate) &'a BTreeMap<String, String>);

impl std::fmt::Debug for ProviderDataKeys<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|key| (key, "<redacted>")))
            .finish()
    }
}

impl std::fmt::Debug for NewConversation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewConversation")
            .field("key", &self.key)
            .field("provider", &self.provider)
            .field("provider_conversation_id", &self.provider_conversation_id)
            .field("provider_data", &ProviderDataKeys(&self.provider_data))
            .field("lex_session_id", &self.lex_session_id)
            .finish()
    }
}

impl std::fmt::Debug for Conversation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conversation")
            .field("key", &self.key)
            .field("provider", &self.provider)
            .field("provider_conversation_id", &self.provider_conversation_id)
            .field("provider_data", &ProviderDataKeys(&self.provider_data))
            .field("lex_session_id", &self.lex_session_id)
            .field("status", &self.status)
            .field("connection_id", &self.connection_id)
            .field("disconnected_at", &self.disconnected_at)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .field("expires_at", &self.expires_at)
            .field("version", &self.version)
            .finish()
    }
}

/// The result of binding a connection to a conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The conversation, now bound to the new connection.
    pub conversation: Conversation,
    /// The connection that was bound before, which the caller should tell and close.
    pub replaced: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_valid_and_distinct() {
        let a = ConversationKey::generate();
        let b = ConversationKey::generate();
        assert_ne!(a, b);
        assert_eq!(ConversationKey::parse(a.as_str()), Ok(a));
    }

    #[test]
    fn keys_must_be_short_and_url_safe() {
        assert!(ConversationKey::parse("abc-DEF_123").is_ok());
        assert!(ConversationKey::parse(&"a".repeat(MAX_KEY_LEN)).is_ok());
        for bad in ["", "a b", "a.b", "a/b", "é", &"a".repeat(MAX_KEY_LEN + 1)] {
            assert_eq!(ConversationKey::parse(bad), Err(InvalidKey), "{bad:?}");
        }
    }

    #[test]
    fn names_round_trip() {
        for provider in [Provider::Talkdesk, Provider::AmazonConnect] {
            assert_eq!(provider.as_str().parse(), Ok(provider));
        }
        for status in [
            ConversationStatus::Pending,
            ConversationStatus::Connected,
            ConversationStatus::Ended,
        ] {
            assert_eq!(status.as_str().parse(), Ok(status));
        }
        assert!("genesys".parse::<Provider>().is_err());
    }
}
