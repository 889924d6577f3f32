//! The API Gateway Management API of the WebSocket API, on its host and stage as in AWS
//! (`http://127.0.0.1:P/local/@connections/{connectionId}`), for the real
//! `aws-sdk-apigatewaymanagement` client: `POST` sends the body to the connection as a text
//! frame (PostToConnection), `GET` describes it (GetConnection), `DELETE` closes it
//! (DeleteConnection; `$disconnect` follows). A connection that is not open answers 410 with
//! `x-amzn-errortype: GoneException`. Requests are not authenticated.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;

use super::connections::{Connections, Gone};
use super::{STAGE, iso8601};
use crate::aws::error_response as error;

/// The largest frame PostToConnection takes.
const MAX_DATA_BYTES: usize = 128 * 1024;

/// The Management API's routes over `connections`.
pub(crate) fn router(connections: Connections) -> Router {
    Router::new()
        .route(
            &format!("/{STAGE}/@connections/{{connection_id}}"),
            post(post_to_connection)
                .get(get_connection)
                .delete(delete_connection),
        )
        .with_state(connections)
}

async fn post_to_connection(
    State(connections): State<Connections>,
    Path(connection_id): Path<String>,
    data: Bytes,
) -> Response {
    if data.len() > MAX_DATA_BYTES {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLargeException",
            "Message too long",
        );
    }
    // API Gateway sends the data as it came; the handlers post JSON text.
    let text = String::from_utf8_lossy(&data).into_owned();
    match connections.post(&connection_id, text) {
        Ok(()) => StatusCode::OK.into_response(),
        Err(Gone) => gone(),
    }
}

async fn get_connection(
    State(connections): State<Connections>,
    Path(connection_id): Path<String>,
) -> Response {
    let Ok(info) = connections.info(&connection_id) else {
        return gone();
    };
    let mut identity = json!({"sourceIp": info.source_ip});
    if let Some(user_agent) = info.user_agent {
        identity["userAgent"] = json!(user_agent);
    }
    axum::Json(json!({
        "connectedAt": iso8601(info.connected_at),
        "identity": identity,
        "lastActiveAt": iso8601(info.last_active_at),
    }))
    .into_response()
}

async fn delete_connection(
    State(connections): State<Connections>,
    Path(connection_id): Path<String>,
) -> Response {
    match connections.close(&connection_id) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(Gone) => gone(),
    }
}

fn gone() -> Response {
    error(StatusCode::GONE, "GoneException", "The connection is gone")
}
