//! Errors that keep their causes. An error's own message says what failed at its level and its
//! [`source`](Error::source) says why, so a log line renders the whole [`chain`]. [`Cause`]
//! lets a domain error hold an adapter's error (an AWS SDK error, say) without naming its type.
//!
//! No message or cause may carry a secret, token, API key, signed reference or chat text: an
//! adapter wraps only errors whose messages are free of them.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

/// The error behind another, shared so that the error holding it stays `Clone`.
///
/// It reads as the error it holds and hands on that error's own source, so a [`chain`] shows
/// each cause once. Two causes are equal when their chains read the same: the errors inside
/// cannot be compared, and tests only need to tell causes apart.
#[derive(Clone)]
pub struct Cause(Arc<dyn Error + Send + Sync>);

impl Cause {
    /// Keeps `error` as a cause.
    pub fn new(error: impl Error + Send + Sync + 'static) -> Self {
        Self(Arc::new(error))
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, formatter)
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, formatter)
    }
}

impl Error for Cause {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        chain(self).to_string() == chain(other).to_string()
    }
}

impl Eq for Cause {}

/// `error` and its causes, outermost first, as one line for logs: `error = %chain(&err)`.
pub fn chain<'a>(error: &'a (dyn Error + 'a)) -> Chain<'a> {
    Chain(error)
}

/// An error that displays with its causes; see [`chain`].
#[derive(Clone, Copy, Debug)]
pub struct Chain<'a>(&'a (dyn Error + 'a));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = self.0.to_string();
        let mut cause = self.0.source();
        while let Some(next) = cause {
            let said = next.to_string();
            // Some wrappers (the AWS SDK's among them) repeat their cause's message; once is
            // enough.
            if !text.ends_with(&said) {
                text = format!("{text}: {said}");
            }
            cause = next.source();
        }
        formatter.write_str(&text)
    }
}

#[cfg(test)]
mod tests;
