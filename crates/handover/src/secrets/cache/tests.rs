use std::collections::HashMap;
use std::io;
use std::sync::Mutex as StdMutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use serde::Deserialize;

use super::*;
use crate::errors::Cause;

const INTERVAL: Duration = Duration::from_secs(300);
const FETCH_TIME: Duration = Duration::from_secs(1);

/// Answers from a map the test can change, counting fetches; each fetch takes [`FETCH_TIME`]
/// so that concurrent callers overlap.
#[derive(Default)]
struct FakeSource {
    answers: StdMutex<HashMap<String, Result<String, SecretError>>>,
    fetches: AtomicUsize,
}

impl FakeSource {
    fn set(&self, name: &str, answer: Result<&str, SecretError>) {
        self.answers
            .lock()
            .unwrap()
            .insert(name.to_owned(), answer.map(str::to_owned));
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl SecretSource for FakeSource {
    async fn secret_string(&self, name: &str) -> Result<String, SecretError> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(FETCH_TIME).await;
        let answers = self.answers.lock().unwrap();
        answers.get(name).cloned().unwrap_or_else(|| {
            Err(SecretError::NotFound {
                name: name.to_owned(),
            })
        })
    }
}

/// A source and a cache over it that share it, so tests can change answers and count fetches.
fn cache() -> (Arc<FakeSource>, CachedSecrets<Arc<FakeSource>>) {
    let source = Arc::new(FakeSource::default());
    (Arc::clone(&source), CachedSecrets::new(source, INTERVAL))
}

fn unavailable(name: &str) -> SecretError {
    SecretError::Unavailable {
        name: name.to_owned(),
        cause: Cause::new(io::Error::from(io::ErrorKind::ConnectionRefused)),
    }
}

#[tokio::test(start_paused = true)]
async fn reads_each_secret_once_within_the_interval() {
    let (source, cache) = cache();
    source.set("a", Ok("one"));
    source.set("b", Ok("two"));
    for _ in 0..5 {
        assert_eq!(&*cache.text("a").await.unwrap(), "one");
        assert_eq!(&*cache.text("b").await.unwrap(), "two");
        tokio::time::advance(Duration::from_secs(10)).await;
    }
    assert_eq!(source.fetches(), 2);
}

#[tokio::test(start_paused = true)]
async fn reads_again_once_the_interval_has_passed() {
    let (source, cache) = cache();
    source.set("a", Ok("one"));
    assert_eq!(&*cache.text("a").await.unwrap(), "one");
    source.set("a", Ok("two"));

    // The interval counts from when the first fetch began, FETCH_TIME ago.
    tokio::time::advance(INTERVAL - FETCH_TIME - Duration::from_secs(1)).await;
    assert_eq!(&*cache.text("a").await.unwrap(), "one");
    assert_eq!(source.fetches(), 1);

    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(&*cache.text("a").await.unwrap(), "two");
    assert_eq!(&*cache.text("a").await.unwrap(), "two");
    assert_eq!(source.fetches(), 2);
}

#[tokio::test(start_paused = true)]
async fn concurrent_first_calls_share_one_fetch() {
    let (source, cache) = cache();
    source.set("a", Ok("one"));
    let (first, second, third, fourth) = tokio::join!(
        cache.text("a"),
        cache.text("a"),
        cache.text("a"),
        cache.text("a"),
    );
    for value in [first, second, third, fourth] {
        assert_eq!(&*value.unwrap(), "one");
    }
    assert_eq!(source.fetches(), 1);
}

#[tokio::test(start_paused = true)]
async fn errors_are_not_cached() {
    let (source, cache) = cache();
    source.set("a", Err(unavailable("a")));
    assert_eq!(cache.text("a").await.unwrap_err(), unavailable("a"));
    assert_eq!(
        cache.text("b").await.unwrap_err(),
        SecretError::NotFound { name: "b".into() }
    );

    source.set("a", Ok("one"));
    source.set("b", Ok("two"));
    assert_eq!(&*cache.text("a").await.unwrap(), "one");
    assert_eq!(&*cache.text("b").await.unwrap(), "two");
    assert_eq!(source.fetches(), 4);
}

#[tokio::test(start_paused = true)]
async fn an_unavailable_store_serves_the_previous_value_and_is_asked_again() {
    let (source, cache) = cache();
    source.set("a", Ok("one"));
    cache.text("a").await.unwrap();
    tokio::time::advance(INTERVAL).await;

    source.set("a", Err(unavailable("a")));
    assert_eq!(&*cache.text("a").await.unwrap(), "one");
    assert_eq!(&*cache.text("a").await.unwrap(), "one");
    assert_eq!(source.fetches(), 3, "each call during the outage retries");

    source.set("a", Ok("two"));
    assert_eq!(&*cache.text("a").await.unwrap(), "two");
    assert_eq!(source.fetches(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_deleted_or_broken_secret_is_never_served_stale() {
    let broken = SecretError::Malformed {
        name: "a".into(),
        problem: "has no string value".into(),
    };
    for answer in [SecretError::NotFound { name: "a".into() }, broken] {
        let (source, cache) = cache();
        source.set("a", Ok("one"));
        cache.text("a").await.unwrap();
        tokio::time::advance(INTERVAL).await;

        source.set("a", Err(answer.clone()));
        assert_eq!(cache.text("a").await.unwrap_err(), answer);
        // The earlier value was dropped, so a later outage cannot bring it back.
        source.set("a", Err(unavailable("a")));
        assert_eq!(cache.text("a").await.unwrap_err(), unavailable("a"));
    }
}

#[derive(Debug, PartialEq, Deserialize)]
struct Credentials {
    client_id: String,
    client_secret: String,
}

#[tokio::test(start_paused = true)]
async fn json_parses_the_cached_text() {
    let (source, cache) = cache();
    source.set("a", Ok(r#"{"client_id": "id", "client_secret": "s3cr3t"}"#));
    source.set("b", Ok(r#"{"client_id": "hunter2"}"#));
    let expected = Credentials {
        client_id: "id".into(),
        client_secret: "s3cr3t".into(),
    };
    assert_eq!(cache.json::<Credentials>("a").await.unwrap(), expected);
    assert_eq!(cache.json::<Credentials>("a").await.unwrap(), expected);
    assert_eq!(source.fetches(), 1);

    let malformed = cache.json::<Credentials>("b").await.unwrap_err();
    assert_eq!(
        malformed,
        SecretError::Malformed {
            name: "b".into(),
            problem: "missing field `client_secret`".into()
        }
    );
    assert_eq!(
        cache.json::<Credentials>("c").await.unwrap_err(),
        SecretError::NotFound { name: "c".into() }
    );
}

#[tokio::test(start_paused = true)]
async fn the_cache_is_a_caching_secret_source() {
    let source = Arc::new(FakeSource::default());
    source.set("a", Ok("one"));
    let secrets: Arc<dyn SecretSource> =
        Arc::new(CachedSecrets::new(Arc::clone(&source), INTERVAL));
    assert_eq!(secrets.secret_string("a").await.unwrap(), "one");
    assert_eq!(secrets.secret_string("a").await.unwrap(), "one");
    assert_eq!(source.fetches(), 1);
}

#[tokio::test(start_paused = true)]
async fn debug_shows_names_but_never_values() {
    let (source, cache) = cache();
    source.set("talkdesk/credentials", Ok("hunter2"));
    cache.text("talkdesk/credentials").await.unwrap();
    let shown = format!("{cache:?}");
    assert!(shown.contains("talkdesk/credentials"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
}
