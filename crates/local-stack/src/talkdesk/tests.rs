//! Tests of the simulated Talkdesk over real sockets: the API as our client calls it, the agent
//! events as the callback API receives them, and the console's JSON API.

mod agent;
mod api;
mod console;
mod support;
