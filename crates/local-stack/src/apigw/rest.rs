//! The callback REST API at `http://127.0.0.1:P/local/talkdesk/{action}`. Each request becomes
//! the proxy event API Gateway sends a Lambda proxy integration, is turned into a
//! `lambda_http::Request` by lambda_http's own conversion, as in the Lambda, and is answered by
//! `agent_callback::Callback::handle`, which checks `x-api-key` itself. Any other path answers
//! 403 `Missing Authentication Token`, as API Gateway does for a resource it does not have.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use agent_callback::Callback;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use tokio::time::timeout;
use tracing::error;
use uuid::Uuid;

use super::{STAGE, epoch_millis, headers_json, query_json, random_id, request_time};

/// The emulated API's id, in events.
const API_ID: &str = "localrest1";
/// The API's one resource.
const RESOURCE: &str = "/talkdesk/{action}";
/// How long API Gateway waits for the Lambda.
const INTEGRATION_TIMEOUT: Duration = Duration::from_secs(29);
/// API Gateway's largest request payload.
const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// The callback API over `callback`.
pub(crate) fn router(callback: Arc<Callback>) -> Router {
    Router::new()
        .route(&format!("/{STAGE}/talkdesk/{{action}}"), any(invoke))
        .fallback(missing_token)
        .with_state(callback)
}

async fn invoke(
    State(callback): State<Arc<Callback>>,
    Path(action): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return message(StatusCode::PAYLOAD_TOO_LARGE, "Request Too Long");
    };
    let event = proxy_event(&parts, &action, &body);
    let request = match lambda_http::request::from_str(&event.to_string()) {
        Ok(request) => request,
        Err(err) => {
            error!(error = %err, "the proxy event did not convert to a request");
            return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error");
        }
    };
    match timeout(INTEGRATION_TIMEOUT, callback.handle(request)).await {
        Ok(response) => {
            let (parts, body) = response.into_parts();
            Response::from_parts(parts, axum::body::Body::from(body.as_ref().to_vec()))
        }
        Err(_) => {
            error!("the callback Lambda did not answer in time");
            message(StatusCode::GATEWAY_TIMEOUT, "Endpoint request timed out")
        }
    }
}

/// The REST API proxy event of one request.
fn proxy_event(parts: &Parts, action: &str, body: &Bytes) -> Value {
    let now = SystemTime::now();
    let method = parts.method.as_str();
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .unwrap_or("127.0.0.1");
    let mut identity = json!({"sourceIp": "127.0.0.1"});
    if let Some(agent) = parts.headers.get(header::USER_AGENT) {
        identity["userAgent"] = json!(agent.to_str().unwrap_or_default());
    }
    let query = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
        .map(|Query(query)| query)
        .unwrap_or_default();
    let (headers, multi_value_headers) = headers_json(&parts.headers);
    let (query, multi_value_query) = if query.is_empty() {
        (Value::Null, Value::Null)
    } else {
        query_json(&query)
    };
    let (body, is_base64_encoded) = match std::str::from_utf8(body) {
        _ if body.is_empty() => (Value::Null, false),
        Ok(text) => (json!(text), false),
        Err(_) => (json!(STANDARD.encode(body)), true),
    };
    json!({
        "resource": RESOURCE,
        "path": format!("/talkdesk/{action}"),
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": multi_value_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_value_query,
        "pathParameters": {"action": action},
        "stageVariables": null,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": API_ID,
            "resourceId": "local0",
            "resourcePath": RESOURCE,
            "httpMethod": method,
            "path": format!("/{STAGE}/talkdesk/{action}"),
            "stage": STAGE,
            "requestId": Uuid::new_v4().to_string(),
            "extendedRequestId": random_id(),
            "requestTime": request_time(now),
            "requestTimeEpoch": epoch_millis(now),
            "protocol": "HTTP/1.1",
            "domainName": host,
            "identity": identity,
        },
        "body": body,
        "isBase64Encoded": is_base64_encoded,
    })
}

async fn missing_token() -> Response {
    message(StatusCode::FORBIDDEN, "Missing Authentication Token")
}

/// API Gateway's own answers: `{"message": ...}`.
fn message(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "message": message }))).into_response()
}

#[cfg(test)]
mod tests {
    use axum::http::Request as HttpRequest;

    use super::*;

    #[test]
    fn requests_become_what_the_lambda_gets_from_api_gateway() {
        let (parts, ()) = HttpRequest::post("/local/talkdesk/message_created?trace=1")
            .header("host", "127.0.0.1:9002")
            .header("x-api-key", "k")
            .body(())
            .unwrap()
            .into_parts();
        let body = Bytes::from_static(br#"{"conversation_id":"c"}"#);
        let event = proxy_event(&parts, "message_created", &body);
        let request = lambda_http::request::from_str(&event.to_string()).unwrap();
        assert_eq!(request.method(), "POST");
        assert_eq!(request.uri().path(), "/local/talkdesk/message_created");
        assert_eq!(request.headers()["x-api-key"], "k");
        assert_eq!(request.body().as_ref(), body.as_ref());
        assert_eq!(
            agent_callback::route(request.uri().path()).map(|route| route.to_string()),
            Some("message_created".to_owned())
        );
    }
}
