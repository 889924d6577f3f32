//! The open WebSocket connections by connection id: what the Management API posts to, reads
//! and closes. A connection leaves the registry as soon as it starts closing, so that posting
//! to it answers 410 Gone, as API Gateway does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// What the socket's task is asked to do.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outbound {
    /// Send a text frame.
    Text(String),
    /// Close the connection (the Management API's DeleteConnection).
    Close,
}

/// What GetConnection tells about a connection.
#[derive(Clone, Debug)]
pub(crate) struct ConnectionInfo {
    /// When it opened.
    pub connected_at: SystemTime,
    /// When it last carried a frame.
    pub last_active_at: SystemTime,
    /// The client's address.
    pub source_ip: String,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
}

/// The connection is not open (API Gateway's `GoneException`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Gone;

struct Entry {
    outbound: UnboundedSender<Outbound>,
    info: ConnectionInfo,
}

/// The open connections, shared by the WebSocket route and the Management API.
#[derive(Clone, Default)]
pub(crate) struct Connections {
    open: Arc<Mutex<HashMap<String, Entry>>>,
}

impl Connections {
    /// Registers a connection; its socket's task reads what it is asked to do from the
    /// receiver. The channel is unbounded so that posting never waits on a slow client, as
    /// API Gateway buffers too.
    pub(crate) fn open(&self, id: &str, info: ConnectionInfo) -> UnboundedReceiver<Outbound> {
        let (outbound, receiver) = unbounded_channel();
        self.lock().insert(id.to_owned(), Entry { outbound, info });
        receiver
    }

    /// Sends `text` to the connection.
    pub(crate) fn post(&self, id: &str, text: String) -> Result<(), Gone> {
        let open = self.lock();
        let entry = open.get(id).ok_or(Gone)?;
        entry.outbound.send(Outbound::Text(text)).map_err(|_| Gone)
    }

    /// Closes the connection after what was posted before.
    pub(crate) fn close(&self, id: &str) -> Result<(), Gone> {
        let entry = self.lock().remove(id).ok_or(Gone)?;
        entry.outbound.send(Outbound::Close).map_err(|_| Gone)
    }

    /// What is known about the connection.
    pub(crate) fn info(&self, id: &str) -> Result<ConnectionInfo, Gone> {
        self.lock()
            .get(id)
            .map(|entry| entry.info.clone())
            .ok_or(Gone)
    }

    /// Records that the connection carried a frame.
    pub(crate) fn touch(&self, id: &str) {
        if let Some(entry) = self.lock().get_mut(id) {
            entry.info.last_active_at = SystemTime::now();
        }
    }

    /// The open connections' ids.
    pub(crate) fn ids(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// Removes the connection (it closed, or is closing).
    pub(crate) fn forget(&self, id: &str) {
        self.lock().remove(id);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        // A panic elsewhere cannot leave the map half-changed: every change is one call.
        self.open
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> ConnectionInfo {
        ConnectionInfo {
            connected_at: SystemTime::now(),
            last_active_at: SystemTime::now(),
            source_ip: "127.0.0.1".into(),
            user_agent: None,
        }
    }

    #[test]
    fn posts_reach_an_open_connection_in_order_and_a_closed_one_is_gone() {
        let connections = Connections::default();
        let mut receiver = connections.open("a=", info());
        assert_eq!(connections.ids(), ["a="]);
        assert_eq!(connections.post("a=", "one".into()), Ok(()));
        assert_eq!(connections.close("a="), Ok(()));
        assert_eq!(receiver.try_recv(), Ok(Outbound::Text("one".into())));
        assert_eq!(receiver.try_recv(), Ok(Outbound::Close));
        assert_eq!(connections.post("a=", "two".into()), Err(Gone));
        assert_eq!(connections.close("a="), Err(Gone));
        assert!(connections.info("a=").is_err());
        assert!(connections.ids().is_empty());
        assert_eq!(connections.post("never", "x".into()), Err(Gone));
    }
}
