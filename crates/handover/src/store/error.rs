//! What can go wrong in the store, typed so that handlers can answer each case clearly.

use crate::conversation::ConversationKey;
use crate::errors::Cause;

/// A store operation that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// No live conversation has this key (it never existed, or its lifetime ran out).
    #[error("conversation {0} not found")]
    NotFound(ConversationKey),
    /// The conversation has ended and takes no new connection.
    #[error("conversation {0} has already ended")]
    AlreadyEnded(ConversationKey),
    /// A conversation with this key exists already.
    #[error("conversation {0} already exists")]
    AlreadyExists(ConversationKey),
    /// The connection is bound to another conversation.
    #[error("connection {connection_id} is already bound to another conversation")]
    ConnectionInUse {
        /// The connection asked for.
        connection_id: String,
    },
    /// Concurrent writers kept changing the record; the caller may retry.
    #[error("{record} kept changing under concurrent writes ({attempts} attempts)")]
    Conflict {
        /// The record being written, such as `conversation <key>`.
        record: String,
        /// How many times the write was tried.
        attempts: u32,
    },
    /// The backend refused the request for capacity; retry later.
    #[error("the store is throttling requests")]
    Throttled(#[source] Cause),
    /// The backend could not be reached or failed.
    #[error("the store is unavailable")]
    Unavailable(#[source] Cause),
    /// A stored item could not be read back.
    #[error("a stored item is malformed: {problem}")]
    Corrupt {
        /// What is malformed, naming the attribute but never quoting its value.
        problem: String,
        /// The error that reading the attribute gave, if any.
        #[source]
        cause: Option<Cause>,
    },
}
