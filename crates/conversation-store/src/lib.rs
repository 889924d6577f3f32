//! The conversation store shared by every Lambda of the live-chat handover: the adapters behind
//! the domain's store ports (`handover::store`).
//!
//! It answers four questions with one strongly consistent read each: which conversation has
//! this key, which one does the contact center know by this id, which one is this WebSocket connection bound to,
//! and has this inbound event been handled already. It also keeps each Lex session's
//! transcript, recorded turn by turn, for the agent who takes over. [`MemoryStore`] keeps
//! records in the process (tests, the local stack) and [`DynamoDbStore`] in one DynamoDB
//! table; both apply the domain's rules (`handover::store::Change`, `handover::transcript`)
//! and pass the same contract suite.
//!
//! # DynamoDB table design
//!
//! One table, partition key `pk` (string), no sort key, TTL on `expires_at`:
//!
//! | item | `pk` | attributes |
//! | --- | --- | --- |
//! | conversation | `CONV#<conversation key>` | `item_type` = `conversation`, `conversation_key`, `provider`, `provider_conversation_id`, `provider_data` (map), `lex_session_id`, `status`, `connection_id`?, `created_at`, `updated_at` (ms), `version`, `expires_at` |
//! | connection | `CONN#<connection id>` | `item_type` = `connection` and a copy of the bound conversation's attributes |
//! | provider id | `PROVIDER#<provider>#<provider conversation id>` | `item_type` = `provider` and a copy of the newest conversation with that id |
//! | handled event | `EVENT#<source>#<event id>` | `item_type` = `event`, `event_state` (`claimed` or `handled`), `lease_until` (ms, while claimed), `expires_at` |
//! | transcript | `SESSION#<Lex session id>` | `item_type` = `transcript`, `lex_session_id`, `entries` (list of maps: `speaker` = `customer` or `bot`, `text`, `at` in ms), `intents` (list), `last_turn`? (map: `request`, `utterance`?, `previous_exchange`?, `escalated`), `prompts` (map of slot to count), `escalations`, `last_escalation`?, `updated_at` (ms), `version`, `expires_at` |
//!
//! The connection item carries a copy of its conversation so that `onMessage` and
//! `$disconnect`, which know only the connection id, need one strongly consistent GetItem; the
//! provider-id item does the same for agent events, which know only the contact center's id.
//! No index is read: a global secondary index is eventually consistent, and an agent event
//! arriving right after the escalation or a reconnect would find nothing or an old copy.
//! Every change to a conversation is one transaction that writes the conversation on the
//! condition that its `version` is the one read, and writes or deletes the copies with it, so
//! they never drift and racing writers retry instead of overwriting each other. A connection
//! item is only put if it is absent or already points at the same conversation, so a
//! connection is never bound to two conversations. The provider-id item is put with the
//! conversation's creation, taking the id over from any older conversation, and afterwards
//! only while it still points at this conversation.
//!
//! An event is claimed with a PutItem on the condition that it is absent, expired, or claimed
//! with a lease that has ended; completing it puts it as handled, and releasing it deletes it
//! on the condition that it is still claimed.
//!
//! A transcript is read with one strongly consistent GetItem and written back with a PutItem
//! on the condition that its `version` is the one read (or that it is absent or expired), so
//! turns recorded at the same time retry instead of dropping each other.
//!
//! `expires_at` (epoch seconds) is set to now plus the configured lifetime on every write, and
//! reads treat an item past its expiry as absent, since DynamoDB deletes expired items lazily.

#[cfg(feature = "dynamodb")]
pub mod dynamodb;
mod memory;
mod settings;

#[cfg(feature = "dynamodb")]
pub use dynamodb::DynamoDbStore;
pub use memory::MemoryStore;
pub use settings::{CONVERSATION_TABLE, CONVERSATION_TTL_SECONDS, StoreSettings};
