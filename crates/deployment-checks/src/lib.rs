//! Checks of the deployment against the workspace; the code is in `tests/`.
//!
//! `tests/template.rs` reads `template.yaml` (an AWS SAM template) and asserts that:
//!
//! - its `AWS::Serverless::Function`s are exactly the workspace's Lambda binaries: the crates
//!   whose `src/main.rs` runs `lambda_runtime::run` or `lambda_http::run`;
//! - each function is built by cargo-lambda (`rust-cargolambda`) from its own crate
//!   (`CodeUri: ./crates/<crate>`, `Binary: <package name>`) for an OS-only runtime;
//! - each function sets the variables without a default that its crate, or a workspace crate it
//!   depends on, reads (`CONVERSATION_TABLE`, `CONNECTIONS_ENDPOINT`, `TALKDESK_OAUTH_BASE`, and
//!   any variable the README lists as required), and sets no variable that no crate reads;
//! - the DynamoDB table has the keys, index and TTL attribute that `conversation-store` uses.
//!
//! `tests/events.rs` checks that every sample event in `events/` is a JSON object, as
//! `sam local invoke -e` and `cargo lambda invoke --data-file` need.
//!
//! `scripts/check-template` lints the template and builds the functions with cargo-lambda.
