//! Tests of the client against a fake Talkdesk served by wiremock on 127.0.0.1, asserting the
//! exact requests the client sends.

mod auth;
mod conversations;
mod errors;
mod retries;
mod support;
