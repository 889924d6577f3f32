//! Checks of the deployment against the workspace and against what AWS does with it; the code
//! is in `tests/checks/` (one test binary, so that its dependencies stay dev-dependencies and
//! never change the features the Lambdas are built with). `template` reads `template.yaml`
//! with its CloudFormation tags; `intrinsics` evaluates the names it builds from the stack.
//!
//! `workspace` asserts that:
//!
//! - the template's `AWS::Serverless::Function`s are exactly the workspace's Lambda binaries:
//!   the crates whose `src/main.rs` runs `lambda_runtime::run` or `lambda_http::run` (binaries
//!   under `src/bin/` are not functions: `init-bench`'s `echo-lambda`, the cold start
//!   benchmark's baseline, is one);
//! - each function is built by cargo-lambda (`rust-cargolambda`) from its own crate
//!   (`CodeUri: ./crates/<crate>`, `Binary: <package name>`) for an OS-only runtime;
//! - the DynamoDB table has the key and TTL attribute that `conversation-store` uses, and no index.
//!
//! `variables` asserts, from the list of variables each Lambda crate reads its configuration
//! through (`Config::variables()`), that:
//!
//! - each function sets every variable its crate requires, and no variable its crate does not
//!   read;
//! - every variable read is in a configuration table of `docs/` (`| variable | meaning |
//!   default |`), whose default column says `required` for a required variable and otherwise
//!   names the default (or points at the source for long messages), and every variable those
//!   tables list is read.
//!
//! `updates` asserts that a stack update does what the deployment guide (`docs/deployment.md`) says:
//!
//! - a change to the WebSocket routes, or to the bot, gets a new deployment or bot version:
//!   their logical ids end with a digest of what they snapshot (and the test fails with the
//!   new id when they do not);
//! - raising `CallbackApiKeyGeneration` replaces the callback key's secret, and with it API
//!   Gateway's key and the callback function's environment.
//!
//! `aws` asserts what AWS would otherwise refuse or silently do:
//!
//! - no WebSocket stage or route throttle below the floor the deployment guide documents;
//! - API Gateway's account-wide CloudWatch Logs role is a one-time set-up by default;
//! - every function keeps Lambda's START and REPORT lines (system log level INFO);
//! - every Lex alias, the console's test alias included, calls the code hook and may invoke it;
//! - the bot's name fits Lex's name rule whatever the stack's name;
//! - every callback method requires the API key, which a usage plan accepts.
//! - the callback's documented answers are API Gateway's where it answers before the function.
//!
//! `events` checks that every sample event in `events/` is a JSON object, as
//! `sam local invoke -e` and `cargo lambda invoke --data-file` need.
//!
//! `scripts/check-template` lints the template, checks SAM's translation of it
//! (`scripts/check-sam-translation`: the API key on every callback method) and builds the
//! functions with cargo-lambda.
