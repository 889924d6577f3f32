//! The WebSocket API at `ws://127.0.0.1:P/local`. The handshake runs `$connect`, and a refusal
//! answers the handshake with the Lambda's status before any upgrade, as API Gateway does. Each
//! text frame runs the route its `action` selects, one at a time per connection. The end of the
//! connection runs `$disconnect` with the client's close code and reason (1005 without a code,
//! 1006 for a dropped socket), or with the code the server closed with: 1000 for the Management
//! API's DeleteConnection, 1001 for API Gateway's idle and lifetime limits and for shutdown,
//! alongside the routes of frames still waiting (so `$disconnect` may act before them).
//! The Management API itself is served on the same host and stage (see `management`).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use axum::Router;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use handover::relay::CustomerRelay;
use lambda_runtime::LambdaEvent;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::sync::watch;
use tokio::time::{Instant, sleep, timeout};
use tracing::{error, info};

use super::connections::{ConnectionInfo, Connections, Outbound};
use super::events::{self, ConnectionContext, WebSocketApi};
use super::{STAGE, management, random_id};
use crate::handlers::lambda_context;
use crate::options::WebSocketLimits;

/// The emulated API's id, in events.
const API_ID: &str = "localwsapi";
/// How long API Gateway waits for the Lambda.
const INTEGRATION_TIMEOUT: Duration = Duration::from_secs(29);
/// API Gateway's largest frame and message.
const MAX_FRAME_BYTES: usize = 32 * 1024;
const MAX_MESSAGE_BYTES: usize = 128 * 1024;
/// Each connection's read buffer, allocated when it opens (128 KiB by default): a chat's frames
/// are a few hundred bytes, and a larger one is read in several goes.
const READ_BUFFER_BYTES: usize = 8 * 1024;
/// How long a server-side close waits for the client's answering close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(1);
/// The close code when the Management API deletes the connection.
const DELETED: u16 = 1000;
/// The close code of API Gateway's limits, and of shutdown.
const GOING_AWAY: u16 = 1001;
/// What `$disconnect` says for a close frame without a code, as API Gateway says it.
const NO_STATUS_REASON: &str = "Client-side close frame status not set";

/// The WebSocket API: the relay behind it and the connections it holds.
pub(crate) struct WebSocketEmulator {
    relay: CustomerRelay,
    connections: Connections,
    api: WebSocketApi,
    limits: WebSocketLimits,
    shutdown: watch::Receiver<bool>,
    /// Held by every socket's task, so that shutdown can wait for all of them.
    alive: mpsc::Sender<()>,
}

impl WebSocketEmulator {
    /// The API at `domain_name` (`127.0.0.1:P`), closing every connection when `shutdown`
    /// turns true; `alive` is held until each connection's `$disconnect` has run.
    pub(crate) fn new(
        relay: CustomerRelay,
        connections: Connections,
        domain_name: String,
        limits: WebSocketLimits,
        shutdown: watch::Receiver<bool>,
        alive: mpsc::Sender<()>,
    ) -> Self {
        let api = WebSocketApi {
            api_id: API_ID.into(),
            stage: STAGE.into(),
            domain_name,
        };
        Self {
            relay,
            connections,
            api,
            limits,
            shutdown,
            alive,
        }
    }

    /// Calls the Lambda as API Gateway does, and returns the status it answered.
    async fn invoke(&self, event: ApiGatewayWebsocketProxyRequest) -> i64 {
        let route = event.request_context.route_key.clone().unwrap_or_default();
        let event = LambdaEvent::new(event, lambda_context(INTEGRATION_TIMEOUT));
        match timeout(INTEGRATION_TIMEOUT, websocket::handle(&self.relay, event)).await {
            Ok(Ok(response)) => response.status_code,
            Ok(Err(err)) => {
                error!(%route, error = %err, "the WebSocket Lambda failed");
                500
            }
            Err(_) => {
                error!(%route, "the WebSocket Lambda did not answer in time");
                504
            }
        }
    }

    /// Serves one upgraded connection until it ends, then runs `$disconnect`.
    async fn serve(
        self: Arc<Self>,
        mut socket: WebSocket,
        connection: ConnectionContext,
        mut outbound: UnboundedReceiver<Outbound>,
    ) {
        let _alive = self.alive.clone();
        let (frames, inbound) = unbounded_channel();
        let routing = tokio::spawn(self.clone().route(connection.clone(), inbound));
        let (code, reason) = self
            .pump(&mut socket, &connection, &mut outbound, frames)
            .await;
        self.connections.forget(&connection.id);
        drop(socket);
        info!(connection_id = %connection.id, close_code = code, "WebSocket closed");
        // API Gateway invokes `$disconnect` and the routes of frames sent before the close side
        // by side, in no documented order: frames still waiting to be routed go on while
        // `$disconnect` runs, so its effects can come first.
        let disconnect = self.invoke(events::disconnect(&self.api, &connection, code, &reason));
        let (routed, _) = tokio::join!(routing, disconnect);
        if routed.is_err() {
            error!("routing a connection's messages panicked");
        }
    }

    /// Runs each text frame's route, in the order the frames came.
    async fn route(
        self: Arc<Self>,
        connection: ConnectionContext,
        mut frames: UnboundedReceiver<String>,
    ) {
        while let Some(body) = frames.recv().await {
            self.invoke(events::message(&self.api, &connection, &body))
                .await;
        }
    }

    /// Carries frames both ways until the connection ends; returns the close code and reason.
    async fn pump(
        &self,
        socket: &mut WebSocket,
        connection: &ConnectionContext,
        outbound: &mut UnboundedReceiver<Outbound>,
        frames: UnboundedSender<String>,
    ) -> (u16, String) {
        let idle = sleep(self.limits.idle_timeout);
        let lifetime = sleep(self.limits.max_duration);
        tokio::pin!(idle, lifetime);
        let mut shutdown = self.shutdown.clone();
        loop {
            tokio::select! {
                command = outbound.recv() => match command {
                    Some(Outbound::Text(text)) => {
                        if socket.send(Message::Text(text.into())).await.is_err() {
                            return (1006, String::new());
                        }
                        idle.as_mut().reset(Instant::now() + self.limits.idle_timeout);
                    }
                    // The registry lets go of a connection only to close it.
                    Some(Outbound::Close) | None => return close(socket, DELETED, "").await,
                },
                frame = socket.recv() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        self.connections.touch(&connection.id);
                        idle.as_mut().reset(Instant::now() + self.limits.idle_timeout);
                        // The router runs until this function returns.
                        let _ = frames.send(text.to_string());
                    }
                    Some(Ok(Message::Close(frame))) => {
                        answer_close(socket).await;
                        return match frame {
                            Some(frame) => (frame.code, frame.reason.to_string()),
                            None => (1005, NO_STATUS_REASON.into()),
                        };
                    }
                    // Pings are answered by the socket; binary frames have no route here.
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => return (1006, String::new()),
                },
                () = &mut idle => return close(socket, GOING_AWAY, "Going away").await,
                () = &mut lifetime => return close(socket, GOING_AWAY, "Going away").await,
                () = stopping(&mut shutdown) => {
                    return close(socket, GOING_AWAY, "Going away").await;
                }
            }
        }
    }
}

/// Resolves when shutdown is signalled (or can no longer be).
async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Closes from the server's side, waiting briefly for the client's answering close frame.
async fn close(socket: &mut WebSocket, code: u16, reason: &str) -> (u16, String) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    if socket.send(Message::Close(Some(frame))).await.is_ok() {
        let answered = async {
            while let Some(Ok(message)) = socket.recv().await {
                if let Message::Close(_) = message {
                    break;
                }
            }
        };
        let _ = timeout(CLOSE_GRACE, answered).await;
    }
    (code, reason.to_owned())
}

/// Completes a close the client started: the socket queued the answering close frame when it
/// read the client's, and sends it on the next read, which then ends the stream.
async fn answer_close(socket: &mut WebSocket) {
    let _ = timeout(CLOSE_GRACE, async {
        while socket.recv().await.is_some() {}
    })
    .await;
}

/// The WebSocket API's route and, on the same host and stage, its Management API.
pub(crate) fn router(emulator: Arc<WebSocketEmulator>) -> Router {
    let connections = emulator.connections.clone();
    Router::new()
        .route(&format!("/{STAGE}"), get(handshake))
        .with_state(emulator)
        .merge(management::router(connections))
}

async fn handshake(
    State(emulator): State<Arc<WebSocketEmulator>>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let connection = ConnectionContext {
        id: random_id(),
        connected_at: SystemTime::now(),
        // Every client of a loopback server is local.
        source_ip: "127.0.0.1".into(),
        user_agent: user_agent.clone(),
    };
    let status = emulator
        .invoke(events::connect(
            &emulator.api,
            &connection,
            &headers,
            &query,
        ))
        .await;
    if !(200..300).contains(&status) {
        info!(status, "WebSocket handshake refused by $connect");
        return u16::try_from(status)
            .ok()
            .and_then(|status| StatusCode::from_u16(status).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response();
    }
    let outbound = emulator.connections.open(
        &connection.id,
        ConnectionInfo {
            connected_at: connection.connected_at,
            last_active_at: connection.connected_at,
            source_ip: connection.source_ip.clone(),
            user_agent,
        },
    );
    // The id is what the Management API is called with, by the handlers or by hand.
    info!(connection_id = %connection.id, "WebSocket connected");
    let failed = (emulator.clone(), connection.clone());
    upgrade
        .max_frame_size(MAX_FRAME_BYTES)
        .max_message_size(MAX_MESSAGE_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        .on_failed_upgrade(move |_| {
            // `$connect` accepted a client that then went away: API Gateway reports the drop.
            let (emulator, connection) = failed;
            tokio::spawn(async move {
                let _alive = emulator.alive.clone();
                emulator.connections.forget(&connection.id);
                emulator
                    .invoke(events::disconnect(&emulator.api, &connection, 1006, ""))
                    .await;
            });
        })
        .on_upgrade(move |socket| emulator.serve(socket, connection, outbound))
}
