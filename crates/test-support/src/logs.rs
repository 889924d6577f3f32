//! The log lines a test produced, for asserting what was logged and what never was: a `tracing`
//! subscriber writing plain text into a buffer, the default for the current thread while the
//! capture lives. Run the test on a current-thread runtime (`#[tokio::test]`'s default) so that
//! every task logs on the capturing thread.

use std::io;
use std::sync::{Arc, Mutex, Once};

use tracing::subscriber::DefaultGuard;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

/// The lines logged on this thread since [`capture`], at every level.
pub struct CapturedLogs {
    buffer: Buffer,
    _default: DefaultGuard,
}

/// tracing caches each callsite's interest for the whole process. Without a global subscriber,
/// a callsite first reached on a thread with no subscriber, while one other test's capture is
/// the only one registered, is cached as never wanted, and a capture on another thread then
/// misses its line. A global subscriber that takes nothing but asks every time keeps every
/// callsite at "sometimes", so each thread's own default decides.
fn ask_every_thread() {
    static ASKS: Once = Once::new();
    ASKS.call_once(|| {
        let asks = tracing_subscriber::registry().with(filter_fn(|_| false));
        // Only fails if the binary set a global subscriber of its own, which then decides.
        let _ = tracing::subscriber::set_global_default(asks);
    });
}

/// Starts capturing this thread's log lines, until the returned value is dropped.
pub fn capture() -> CapturedLogs {
    ask_every_thread();
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(buffer.clone())
        .finish();
    CapturedLogs {
        _default: tracing::subscriber::set_default(subscriber),
        buffer,
    }
}

/// As [`capture`], one JSON object per line as `lambda_runtime`'s subscriber writes them when
/// the function's log format is JSON (with each line's target), at DEBUG and above.
pub fn capture_json() -> CapturedLogs {
    ask_every_thread();
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .without_time()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(buffer.clone())
        .finish();
    CapturedLogs {
        _default: tracing::subscriber::set_default(subscriber),
        buffer,
    }
}

impl CapturedLogs {
    /// Every line captured so far.
    pub fn lines(&self) -> Vec<String> {
        let bytes = self.buffer.0.lock().expect("the log buffer").clone();
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The one line containing `text`.
    ///
    /// # Panics
    /// When no line or more than one contains it, showing every line captured.
    pub fn once(&self, text: &str) -> String {
        let lines = self.lines();
        let matching: Vec<_> = lines.iter().filter(|line| line.contains(text)).collect();
        match matching.as_slice() {
            [line] => (*line).clone(),
            _ => panic!(
                "expected exactly one log line containing {text:?}, found {}:\n{}",
                matching.len(),
                lines.join("\n")
            ),
        }
    }

    /// # Panics
    /// When any line contains `secret`; the message names what leaked, not its value.
    pub fn never_contain(&self, secret: &str, what: &str) {
        assert!(!secret.is_empty(), "an empty {what} is in every line");
        let leaked = self
            .lines()
            .iter()
            .filter(|line| line.contains(secret))
            .count();
        assert_eq!(leaked, 0, "{leaked} log line(s) contain the {what}");
    }
}

/// Where the subscriber writes: shared with the capture that reads it.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("a test panicked while logging"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
