//! The benchmark's baseline: a bare `lambda_runtime` function that answers with its event,
//! built with the same profile as the Lambdas. It is no Lambda of the stack (not in
//! template.yaml): whatever a function's init takes beyond this one's is the function's own.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

// Lambda hands a process one event at a time: a second thread would only cost start-up time
// and memory.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async {
        Ok::<_, Error>(event.payload)
    }))
    .await
}
