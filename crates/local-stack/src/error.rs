//! Why a local stack could not start or stop cleanly, in words that say what to change.

use std::io;

/// A local stack that could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A port could not be listened on.
    #[error(
        "cannot listen on 127.0.0.1:{port} for the {server}: {source} (choose another port, or 0 for any free one)"
    )]
    Bind {
        /// Which server.
        server: &'static str,
        /// The port asked for.
        port: u16,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The handlers' settings (the Lambdas' environment variables) are not usable.
    #[error("the handlers' settings are not usable: {0}")]
    Settings(String),
    /// A secret is missing or malformed; the message names it, never its value.
    #[error("{0}")]
    Secrets(String),
    /// The DynamoDB table could not be reached or created.
    #[error("the conversation table {table} at {endpoint} is not usable: {reason}")]
    Store {
        /// The DynamoDB endpoint.
        endpoint: String,
        /// The table.
        table: String,
        /// Why, as the SDK said it.
        reason: String,
    },
    /// The bot definition is not usable.
    #[error("the bot definition is not usable: {0}")]
    Bot(String),
}

/// A local stack that did not stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum ShutdownError {
    /// A server failed while it ran or stopped.
    #[error("the {server} failed: {source}")]
    Server {
        /// Which server.
        server: &'static str,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Something was still running when the grace period ended.
    #[error("{0} did not stop within the grace period")]
    TimedOut(&'static str),
}
