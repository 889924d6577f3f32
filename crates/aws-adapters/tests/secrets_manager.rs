//! `SecretsManager` against Secrets Manager in the AWS emulator that `scripts/test` starts.
//! Every test makes secrets of its own, under unique names, so tests and runs never meet.

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use aws_adapters::secrets::SecretsManager;
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::config::retry::RetryConfig;
use aws_sdk_secretsmanager::config::{Credentials, Region};
use aws_sdk_secretsmanager::primitives::Blob;
use handover::errors::chain;
use handover::secrets::{CachedSecrets, SecretError, SecretSource};

/// A client for the emulator.
async fn client() -> Client {
    Client::new(&test_support::emulator().await)
}

/// A name no secret has.
fn unique_name(purpose: &str) -> String {
    test_support::unique(&format!("handover-test/{purpose}-"))
}

/// Creates a secret holding `value` as text; returns a client for the emulator and its name.
async fn create_text_secret(purpose: &str, value: &str) -> (Client, String) {
    let aws = test_support::emulator().await;
    let name = test_support::put_secrets(&aws, &[(purpose, value)])
        .await
        .remove(0);
    (Client::new(&aws), name)
}

/// A source that counts the calls it passes on.
struct Counting {
    inner: SecretsManager,
    calls: AtomicUsize,
}

#[async_trait]
impl SecretSource for Counting {
    async fn secret_string(&self, name: &str) -> Result<String, SecretError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.secret_string(name).await
    }
}

#[tokio::test]
async fn reads_a_text_secret_by_name_or_arn() {
    let value = r#"{"client_id": "id", "client_secret": "s3cr3t"}"#;
    let (client, name) = create_text_secret("text", value).await;
    let described = client
        .describe_secret()
        .secret_id(&name)
        .send()
        .await
        .unwrap_or_else(|error| {
            panic!("could not describe secret {name} in the emulator: {error}")
        });
    let arn = described.arn.expect("DescribeSecret returns the ARN");
    let secrets = SecretsManager::new(client);

    assert_eq!(secrets.secret_string(&name).await.unwrap(), value);
    assert_eq!(secrets.secret_string(&arn).await.unwrap(), value);
}

#[tokio::test]
async fn a_missing_secret_is_not_found_by_its_name() {
    let secrets = SecretsManager::new(client().await);
    let name = unique_name("missing");

    let error = secrets.secret_string(&name).await.unwrap_err();
    assert_eq!(error, SecretError::NotFound { name: name.clone() });
    assert!(error.to_string().contains(&name), "{error}");
}

#[tokio::test]
async fn a_binary_only_secret_is_malformed() {
    let client = client().await;
    let name = unique_name("binary");
    client
        .create_secret()
        .name(&name)
        .secret_binary(Blob::new(b"\x00\x01binary".to_vec()))
        .send()
        .await
        .unwrap_or_else(|error| panic!("could not create secret {name} in the emulator: {error}"));
    let secrets = SecretsManager::new(client);

    assert_eq!(
        secrets.secret_string(&name).await.unwrap_err(),
        SecretError::Malformed {
            name,
            problem: "has no string value".into()
        }
    );
}

#[tokio::test]
async fn an_unreachable_store_is_unavailable_with_the_sdk_error_as_its_cause() {
    // Nothing listens on port 1; no retries, so the test does not wait out the back-off.
    let config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version_latest()
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .endpoint_url("http://127.0.0.1:1")
        .retry_config(RetryConfig::disabled())
        .build();
    let secrets = SecretsManager::new(Client::from_conf(config));

    let error = secrets.secret_string("unreachable").await.unwrap_err();
    let SecretError::Unavailable { name, .. } = &error else {
        panic!("expected Unavailable, got {error:?}");
    };
    assert_eq!(name, "unreachable");
    let sdk_error = error.source().expect("the SDK error is the cause");
    assert_eq!(sdk_error.to_string(), "dispatch failure");
    assert!(sdk_error.source().is_some(), "{sdk_error:?}");
    let logged = chain(&error).to_string();
    assert!(
        logged.starts_with("secret unreachable could not be read: dispatch failure: "),
        "{logged}"
    );
}

#[tokio::test]
async fn the_cache_asks_secrets_manager_once_within_the_interval() {
    let (client, name) = create_text_secret("cached", "one").await;
    let source = Arc::new(Counting {
        inner: SecretsManager::new(client),
        calls: AtomicUsize::new(0),
    });
    let cache = CachedSecrets::new(Arc::clone(&source), Duration::from_secs(3600));

    assert_eq!(&*cache.text(&name).await.unwrap(), "one");
    assert_eq!(&*cache.text(&name).await.unwrap(), "one");
    assert_eq!(source.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_cache_picks_up_a_rotated_secret_after_the_interval() {
    let (client, name) = create_text_secret("rotated", "one").await;
    let source = Arc::new(Counting {
        inner: SecretsManager::new(client.clone()),
        calls: AtomicUsize::new(0),
    });
    // A zero interval: every read is a refresh.
    let cache = CachedSecrets::new(Arc::clone(&source), Duration::ZERO);

    assert_eq!(&*cache.text(&name).await.unwrap(), "one");
    client
        .put_secret_value()
        .secret_id(&name)
        .secret_string("two")
        .send()
        .await
        .unwrap_or_else(|error| panic!("could not rotate secret {name} in the emulator: {error}"));
    assert_eq!(&*cache.text(&name).await.unwrap(), "two");
    assert_eq!(source.calls.load(Ordering::SeqCst), 2);
}
