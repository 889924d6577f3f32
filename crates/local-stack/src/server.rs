//! The HTTP servers on 127.0.0.1: each listens first (every URL is needed to wire the rest),
//! then serves its router until shutdown is signalled, and stops gracefully.

use std::io;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::timeout;

use crate::error::{ShutdownError, StartError};

/// How long a server may take to finish its requests once shutdown is signalled.
pub(crate) const GRACE: Duration = Duration::from_secs(10);

/// A server listening but not serving yet.
pub(crate) struct Listening {
    name: &'static str,
    listener: TcpListener,
    /// The port it listens on.
    pub port: u16,
}

/// Listens on 127.0.0.1:`port` (0 for any free port) for the server called `name`.
pub(crate) async fn listen(name: &'static str, port: u16) -> Result<Listening, StartError> {
    let bind_error = |source| StartError::Bind {
        server: name,
        port,
        source,
    };
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(bind_error)?;
    let port = listener.local_addr().map_err(bind_error)?.port();
    Ok(Listening {
        name,
        listener,
        port,
    })
}

/// A running server.
pub(crate) struct Server {
    name: &'static str,
    task: JoinHandle<io::Result<()>>,
}

impl Listening {
    /// Serves `router` until `shutdown` turns true (or its sender is dropped).
    pub(crate) fn serve(self, router: Router, mut shutdown: watch::Receiver<bool>) -> Server {
        let stopping = async move {
            // A dropped sender stops the server too.
            let _ = shutdown.wait_for(|stop| *stop).await;
        };
        // Every route turned into a service once, here: served as a plain `Router`, axum
        // does it again for each connection accepted (about 2.5 KB a connection, 20 MB of the
        // load test's peak).
        let service = router.with_state(()).into_make_service();
        let task = tokio::spawn(async move {
            axum::serve(self.listener, service)
                .with_graceful_shutdown(stopping)
                .await
        });
        Server {
            name: self.name,
            task,
        }
    }
}

impl Server {
    /// Waits, at most [`GRACE`], for the server to stop after shutdown was signalled.
    pub(crate) async fn stopped(self) -> Result<(), ShutdownError> {
        let failed = |source| ShutdownError::Server {
            server: self.name,
            source,
        };
        match timeout(GRACE, self.task).await {
            Ok(Ok(result)) => result.map_err(failed),
            Ok(Err(join)) => Err(failed(io::Error::other(join.to_string()))),
            Err(_) => Err(ShutdownError::TimedOut(self.name)),
        }
    }
}
