//! The Lambda behind the callback REST API that Talkdesk Connections actions call with the
//! agent's events: `POST .../talkdesk/conversation_started`, `.../message_created` and
//! `.../conversation_ended`, each with our JSON body (`schemas/talkdesk/`) and the API key in
//! `x-api-key`.
//!
//! Routes are matched on the path's last segment, so the API may sit under any stage or base
//! path. The logic lives in [`handover::agent_events`]; this crate reads the configuration,
//! checks the API key, reads Talkdesk's bodies into the domain's agent events
//! ([`talkdesk_event`]), wires the adapters and answers in JSON. Behind API Gateway a caller
//! never gets the 401, 404 `not_found` and 405 below, nor the 403 for a wrong key: the gateway
//! answers those itself (`docs/agent-callback.md`); the function checks them again in depth.
//!
//! | status | body | when |
//! | --- | --- | --- |
//! | 200 | `{"status":"delivered"}` | handled, and the customer was shown what they had to see |
//! | 200 | `{"status":"duplicate"}` | a `message_created` already shown; not shown again |
//! | 200 | `{"status":"already_ended"}` | a `conversation_ended` for a conversation that had ended |
//! | 400 | `{"error":"malformed_body"\|"blank_field"\|"field_too_long"\|"event_type_mismatch",...}` | the body is not the action's input |
//! | 401 | `{"error":"missing_api_key",...}` | no `x-api-key` |
//! | 403 | `{"error":"invalid_api_key",...}` | the wrong `x-api-key` |
//! | 404 | `{"error":"not_found",...}` | no action has this path |
//! | 404 | `{"error":"unknown_conversation",...}` | no conversation has this `conversation_id` |
//! | 405 | `{"error":"method_not_allowed",...}` | an action's path with another method than POST |
//! | 410 | `{"status":"customer_disconnected",...}` | the customer is not connected; the agent should end the chat |
//! | 503 | `{"error":"unavailable",...}` | the API key, the store or the connection could not be reached; retry |

mod config;
mod handler;
mod reply;
#[cfg(test)]
mod schemas;
pub mod talkdesk_event;

use std::sync::Arc;

use handover::agent_events::AgentEvents;
use handover::connections::ConnectionPoster;
use handover::secrets::SecretSource;
use handover::store::ConversationStore;

pub use config::{CALLBACK_API_KEY_SECRET, Config, DEFAULT_API_KEY_SECRET};
pub use handler::{API_KEY_HEADER, Callback, route};

/// The callback over `store` (DynamoDB in AWS) and `connections`. `secrets` should cache (see
/// [`handover::secrets::CachedSecrets`]): the API key is read through it on every request.
pub fn callback(
    config: &Config,
    store: Arc<dyn ConversationStore>,
    connections: Arc<dyn ConnectionPoster>,
    secrets: Arc<dyn SecretSource>,
) -> Callback {
    let events = AgentEvents::new(store, connections, config.agent_events.clone());
    Callback::new(events, secrets, config.api_key_secret.clone())
}
