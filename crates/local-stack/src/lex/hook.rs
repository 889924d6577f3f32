//! The code hook as Lex sees it: a Lambda function that takes the event's JSON and answers
//! JSON. The local stack's is the project's own handler, called through its Lambda entry point;
//! the emulator's tests put a recording stand-in in its place to see the events Lex sends.

use async_trait::async_trait;
use handover::escalation::CodeHook;
use lambda_runtime::LambdaEvent;
use serde_json::Value;

use crate::handlers::lambda_context;

use super::dialog::CODE_HOOK_TIMEOUT;

/// A Lambda function Lex invokes as the bot's code hook.
#[async_trait]
pub(crate) trait CodeHookFunction: Send + Sync {
    /// Invokes the function with `event`; its answer, or why it failed (as Lex reports a
    /// function error).
    async fn invoke(&self, event: Value) -> Result<Value, String>;
}

#[async_trait]
impl CodeHookFunction for CodeHook {
    async fn invoke(&self, event: Value) -> Result<Value, String> {
        let context = lambda_context(CODE_HOOK_TIMEOUT);
        let response = lex_fulfillment::handle(self, LambdaEvent::new(event, context))
            .await
            .map_err(|err| err.to_string())?;
        serde_json::to_value(response).map_err(|err| err.to_string())
    }
}
