//! What the workspace's tests share: the AWS emulator (moto in server mode) that
//! `scripts/test` starts and names in `AWS_ENDPOINT_URL` (its configuration, a DynamoDB table
//! and secrets of a test's own, and the requests it recorded), in-process stand-ins for the
//! domain's ports ([`fakes`]) and the relay over them ([`relay`]), a store that misbehaves as
//! DynamoDB can ([`faulty_store`]), a fake Talkdesk ([`talkdesk`]), a fake Amazon Connect
//! ([`connect`]), a Lex session played as real Lex and the Lex Web UI play it ([`lex`]), and
//! the benchmarks' timing of single events ([`bench`]).
//!
//! Everything a test makes here has a unique name, so tests and runs sharing one emulator
//! never meet. Without the emulator every helper panics, saying how to run the tests: a test
//! that needs it must fail loudly, never pass by skipping.

pub mod bench;
pub mod connect;
pub mod conversations;
pub mod fakes;
pub mod faulty_store;
pub mod files;
pub mod lex;
pub mod logs;
mod recorder;
pub mod relay;
pub mod talkdesk;

pub use recorder::Recorder;

use aws_config::SdkConfig;
use conversation_store::dynamodb::table::create_table;

/// The emulator's address, from `AWS_ENDPOINT_URL`.
///
/// # Panics
/// When `AWS_ENDPOINT_URL` is not set.
pub fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| {
        panic!(
            "AWS_ENDPOINT_URL is not set: these tests need the AWS emulator; \
             run them with scripts/test, which starts it"
        )
    })
}

/// The AWS configuration from the environment, which points every client at the emulator.
///
/// # Panics
/// When `AWS_ENDPOINT_URL` is not set, rather than let a test reach real AWS.
pub async fn emulator() -> SdkConfig {
    let _ = endpoint();
    aws_config::load_from_env().await
}

/// A client and a new conversation table of the test's own, as the store creates it.
///
/// # Panics
/// When the emulator cannot create the table.
pub async fn conversation_table(aws: &SdkConfig) -> (aws_sdk_dynamodb::Client, String) {
    let client = aws_sdk_dynamodb::Client::new(aws);
    let table = unique("conversations-");
    if let Err(err) = create_table(&client, &table).await {
        panic!(
            "could not create a table in the AWS emulator at {}: {err}",
            endpoint()
        );
    }
    (client, table)
}

/// A new SQS queue of the test's own (for keep-alive ticks); returns its URL.
///
/// # Panics
/// When the emulator cannot create it.
pub async fn keep_alive_queue(aws: &SdkConfig) -> String {
    let created = aws_sdk_sqs::Client::new(aws)
        .create_queue()
        .queue_name(unique("keep-alive-"))
        .send()
        .await
        .unwrap_or_else(|err| {
            panic!(
                "could not create a queue in the AWS emulator at {}: {err}",
                endpoint()
            )
        });
    created
        .queue_url()
        .expect("a created queue has a URL")
        .to_owned()
}

/// A new SQS FIFO queue of the test's own (for customer messages), with content-based
/// deduplication off as in the template; returns its URL.
///
/// # Panics
/// When the emulator cannot create it.
pub async fn customer_message_queue(aws: &SdkConfig) -> String {
    use aws_sdk_sqs::types::QueueAttributeName;
    let created = aws_sdk_sqs::Client::new(aws)
        .create_queue()
        .queue_name(format!("{}.fifo", unique("customer-messages-")))
        .attributes(QueueAttributeName::FifoQueue, "true")
        .attributes(QueueAttributeName::ContentBasedDeduplication, "false")
        .send()
        .await
        .unwrap_or_else(|err| {
            panic!(
                "could not create a FIFO queue in the AWS emulator at {}: {err}",
                endpoint()
            )
        });
    created
        .queue_url()
        .expect("a created queue has a URL")
        .to_owned()
}

/// Creates one text secret per `(suffix, value)`, named `handover-test/<unique>/<suffix>`, and
/// returns their names in the same order. One call's secrets share their unique prefix.
///
/// # Panics
/// When the emulator cannot create a secret.
pub async fn put_secrets(aws: &SdkConfig, secrets: &[(&str, &str)]) -> Vec<String> {
    let client = aws_sdk_secretsmanager::Client::new(aws);
    let prefix = unique("handover-test/");
    let mut names = Vec::with_capacity(secrets.len());
    for (suffix, value) in secrets {
        let name = format!("{prefix}/{suffix}");
        client
            .create_secret()
            .name(&name)
            .secret_string(*value)
            .send()
            .await
            .unwrap_or_else(|err| {
                panic!(
                    "could not create secret {name} in the AWS emulator at {}: {}",
                    endpoint(),
                    aws_sdk_secretsmanager::error::DisplayErrorContext(&err)
                )
            });
        names.push(name);
    }
    names
}

/// `prefix` followed by a fresh UUID, for names no other test or run uses.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}
