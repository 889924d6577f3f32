//! The local stack started in process and driven as its users drive it: the customer through
//! the Lex V2 runtime and the WebSocket, the agent through the simulated
//! Talkdesk or the simulated Amazon Connect, and an integrator through the callback and Management APIs.

mod amazon_connect;
mod both_providers;
mod callback_api;
mod conversation;
mod customer_messages;
mod kept_messages;
mod lex_runtime;
mod management_api;
mod observability;
mod startup;
mod support;
mod websocket_api;
