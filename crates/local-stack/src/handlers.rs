//! The Lambdas' handlers, wired by the Lambdas' own wiring functions
//! (`lex_fulfillment::code_hook`, `websocket::relay`, `agent_callback::callback`,
//! `keep_alive::keep_alive`, whose ticks the stand-in queue in `sqs` delivers) but over the
//! store the stack chose, which may be in memory, and the secrets it holds. The emulated front doors call them through the
//! Lambdas' own entry points (`lex_fulfillment::handle`, `websocket::handle`,
//! `Callback::handle`), so the code that runs is the code that is deployed.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use agent_callback::Callback;
use handover::connections::ConnectionPoster;
use handover::escalation::CodeHook;
use handover::relay::CustomerRelay;
use handover::secrets::SecretSource;
use handover::store::ConversationStore;
use lambda_runtime::Context;
use uuid::Uuid;

use crate::error::StartError;
use crate::settings::LambdaConfigs;
use crate::sqs::LocalTickQueue;

/// The handlers behind the emulated front doors.
pub(crate) struct Handlers {
    /// The Lex V2 code hook (`lex-fulfillment`).
    pub code_hook: CodeHook,
    /// The WebSocket API's routes (`websocket`).
    pub relay: CustomerRelay,
    /// The callback REST API (`agent-callback`).
    pub callback: Callback,
}

/// The handlers over `store`, `secrets` and `connections`, configured by `configs`, built by
/// the Lambdas' own wiring functions.
pub(crate) fn wire(
    configs: &LambdaConfigs,
    store: Arc<dyn ConversationStore>,
    secrets: Arc<dyn SecretSource>,
    connections: Arc<dyn ConnectionPoster>,
) -> Result<Handlers, StartError> {
    let settings = |err: &dyn std::fmt::Display| StartError::Settings(err.to_string());
    let code_hook = lex_fulfillment::code_hook(&configs.code_hook, store.clone(), secrets.clone())
        .map_err(|err| settings(&err))?;
    let keep_alives = LocalTickQueue::default();
    let relay = websocket::relay(
        &configs.websocket,
        store.clone(),
        connections.clone(),
        secrets.clone(),
        Arc::new(keep_alives.clone()),
    )
    .map_err(|err| settings(&err))?;
    keep_alives.consume_with(Arc::new(keep_alive::keep_alive(
        &configs.keep_alive,
        store.clone(),
        connections.clone(),
        Arc::new(keep_alives.clone()),
    )));
    let callback = agent_callback::callback(&configs.callback, store, connections, secrets);
    Ok(Handlers {
        code_hook,
        relay,
        callback,
    })
}

/// The context the Lambda runtime hands an invocation: a fresh request id, and a deadline
/// `timeout` from now (the function's timeout, which the handlers keep a margin from).
pub(crate) fn lambda_context(timeout: Duration) -> Context {
    let mut context = Context::default();
    context.request_id = Uuid::new_v4().to_string();
    let deadline = SystemTime::now() + timeout;
    let deadline = deadline.duration_since(UNIX_EPOCH).unwrap_or_default();
    context.deadline = u64::try_from(deadline.as_millis()).unwrap_or(u64::MAX);
    context
}
