//! Nothing to build: this crate's tests run whole conversations through the Lex code hook, the
//! WebSocket routes and the agent callback together, wired as their `main`s wire them.
