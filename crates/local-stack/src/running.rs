//! A started local stack: its URLs, what a person or a test needs to drive it, and its
//! shutdown.

use tokio::sync::{mpsc, watch};
use tokio::time::timeout;

use crate::apigw::{Connections, STAGE};
use crate::connect::SimulatedConnect;
use crate::error::ShutdownError;
use crate::lex::BotDefinition;
use crate::options::{Ports, Providers};
use crate::server::{GRACE, Server};
use crate::talkdesk::SimulatedTalkdesk;

/// Where everything is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Urls {
    /// The customer's chat page: `http://127.0.0.1:P/`.
    pub customer_page: String,
    /// The Lex V2 runtime endpoint, for an SDK's `endpoint_url` (the page's origin).
    pub lex_runtime: String,
    /// The WebSocket API, as the Lex Web UI's `talkDeskWebsocketEndpoint`:
    /// `ws://127.0.0.1:P/local`.
    pub websocket: String,
    /// The Management API endpoint of the WebSocket API, for an SDK's `endpoint_url`
    /// (`CONNECTIONS_ENDPOINT`): `http://127.0.0.1:P/local`.
    pub management_api: String,
    /// The callback API's base, under which Talkdesk Connections post each action:
    /// `http://127.0.0.1:P/local/talkdesk`.
    pub callback: String,
    /// The simulated Talkdesk's OAuth and API base.
    pub talkdesk: String,
    /// The simulated Talkdesk's agent console.
    pub agent_console: String,
    /// The simulated Amazon Connect, the endpoint of both its services
    /// (`AMAZON_CONNECT_ENDPOINT`, `AMAZON_CONNECT_PARTICIPANT_ENDPOINT`).
    pub connect: String,
    /// The simulated Amazon Connect's agent console.
    pub connect_console: String,
}

impl Urls {
    /// The URLs of servers on these ports.
    pub(crate) fn new(ports: Ports) -> Self {
        let Ports {
            customer,
            websocket,
            callback,
            talkdesk,
            connect,
        } = ports;
        let http = |port: u16| format!("http://127.0.0.1:{port}");
        Self {
            customer_page: format!("{}/", http(customer)),
            lex_runtime: http(customer),
            websocket: format!("ws://127.0.0.1:{websocket}/{STAGE}"),
            management_api: format!("{}/{STAGE}", http(websocket)),
            callback: format!("{}/{STAGE}/talkdesk", http(callback)),
            talkdesk: http(talkdesk),
            agent_console: format!("{}/", http(talkdesk)),
            connect: http(connect),
            connect_console: format!("{}/", http(connect)),
        }
    }
}

/// A running local stack. [`Running::shutdown`] stops it cleanly; dropping it stops the
/// servers too, without waiting for them.
pub struct Running {
    pub(crate) urls: Urls,
    pub(crate) bot: BotDefinition,
    pub(crate) callback_api_key: String,
    pub(crate) talkdesk: SimulatedTalkdesk,
    pub(crate) connect: SimulatedConnect,
    pub(crate) providers: Providers,
    pub(crate) connections: Connections,
    pub(crate) stop: watch::Sender<bool>,
    pub(crate) servers: Vec<Server>,
    /// Yields `None` once every WebSocket connection has closed and run `$disconnect`.
    pub(crate) sockets_closed: mpsc::Receiver<()>,
}

impl Running {
    /// Where everything is.
    pub fn urls(&self) -> &Urls {
        &self.urls
    }

    /// The bot behind the Lex V2 runtime (its ids are in RecognizeText paths).
    pub fn bot(&self) -> &BotDefinition {
        &self.bot
    }

    /// The key the callback API takes in `x-api-key`, for calling it by hand.
    pub fn callback_api_key(&self) -> &str {
        &self.callback_api_key
    }

    /// The simulated Talkdesk: its conversations, and the agent's actions.
    pub fn talkdesk(&self) -> &SimulatedTalkdesk {
        &self.talkdesk
    }

    /// The simulated Amazon Connect: its chats, the agent's actions, and its stream.
    pub fn connect(&self) -> &SimulatedConnect {
        &self.connect
    }

    /// The contact centers enabled, the first taking new escalations.
    pub fn providers(&self) -> &Providers {
        &self.providers
    }

    /// The ids of the open WebSocket connections, as the Management API knows them.
    pub fn connection_ids(&self) -> Vec<String> {
        self.connections.ids()
    }

    /// Stops accepting requests, closes every WebSocket (code 1001, as API Gateway does when
    /// it goes away) and lets its `$disconnect` run, and waits for the servers to finish what
    /// they were doing, each for at most a grace period.
    pub async fn shutdown(self) -> Result<(), ShutdownError> {
        let Running {
            stop,
            servers,
            mut sockets_closed,
            ..
        } = self;
        // Nobody listening means everything has stopped already.
        let _ = stop.send(true);
        let mut outcome = Ok(());
        for server in servers {
            let stopped = server.stopped().await;
            outcome = outcome.and(stopped);
        }
        if timeout(GRACE, sockets_closed.recv()).await.is_err() {
            outcome = outcome.and(Err(ShutdownError::TimedOut("the WebSocket connections")));
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_api_gateway_s_shapes() {
        let urls = Urls::new(Ports {
            customer: 1,
            websocket: 2,
            callback: 3,
            talkdesk: 4,
            connect: 5,
        });
        assert_eq!(urls.customer_page, "http://127.0.0.1:1/");
        assert_eq!(urls.lex_runtime, "http://127.0.0.1:1");
        assert_eq!(urls.websocket, "ws://127.0.0.1:2/local");
        assert_eq!(urls.management_api, "http://127.0.0.1:2/local");
        assert_eq!(urls.callback, "http://127.0.0.1:3/local/talkdesk");
        assert_eq!(urls.agent_console, "http://127.0.0.1:4/");
        assert_eq!(urls.connect, "http://127.0.0.1:5");
        assert_eq!(urls.connect_console, "http://127.0.0.1:5/");
    }
}
