//! The events API Gateway sends a WebSocket API's Lambda: `$connect` (with the query string),
//! each message (routed by the selection expression `$request.body.action`) and `$disconnect`
//! (with the close code and reason). Built as JSON in API Gateway's shape and read with the
//! Lambda's own event type, as the Lambda runtime reads them.

use std::time::SystemTime;

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::{epoch_millis, headers_json, query_json, random_id, request_time};

/// The WebSocket API's custom routes; a message whose `action` is none of them goes to
/// `$default`.
const ROUTES: [&str; 1] = ["onMessage"];

/// The emulated API, as its events describe it.
#[derive(Clone, Debug)]
pub(crate) struct WebSocketApi {
    /// The API id.
    pub api_id: String,
    /// The stage.
    pub stage: String,
    /// The host clients connect to.
    pub domain_name: String,
}

/// One connection, as its events describe it.
#[derive(Clone, Debug)]
pub(crate) struct ConnectionContext {
    /// The connection id.
    pub id: String,
    /// When it opened.
    pub connected_at: SystemTime,
    /// The client's address.
    pub source_ip: String,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
}

/// The route a message takes: its JSON body's `action` if that is a route, else `$default`.
pub(crate) fn route_key(body: &str) -> &'static str {
    let action = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|body| body.get("action")?.as_str().map(str::to_owned));
    ROUTES
        .into_iter()
        .find(|route| action.as_deref() == Some(*route))
        .unwrap_or("$default")
}

/// `$connect`, with the handshake's headers and query string.
pub(crate) fn connect(
    api: &WebSocketApi,
    connection: &ConnectionContext,
    headers: &HeaderMap,
    query: &[(String, String)],
) -> ApiGatewayWebsocketProxyRequest {
    let mut event = base(api, connection, "$connect", "CONNECT");
    (event["headers"], event["multiValueHeaders"]) = headers_json(headers);
    (
        event["queryStringParameters"],
        event["multiValueQueryStringParameters"],
    ) = query_json(query);
    parse(event)
}

/// A message on the connection.
pub(crate) fn message(
    api: &WebSocketApi,
    connection: &ConnectionContext,
    body: &str,
) -> ApiGatewayWebsocketProxyRequest {
    let mut event = base(api, connection, route_key(body), "MESSAGE");
    event["requestContext"]["messageId"] = json!(random_id());
    event["body"] = json!(body);
    parse(event)
}

/// `$disconnect`, with the close frame's code and reason.
pub(crate) fn disconnect(
    api: &WebSocketApi,
    connection: &ConnectionContext,
    code: u16,
    reason: &str,
) -> ApiGatewayWebsocketProxyRequest {
    let mut event = base(api, connection, "$disconnect", "DISCONNECT");
    event["requestContext"]["disconnectStatusCode"] = json!(code);
    event["requestContext"]["disconnectReason"] = json!(reason);
    parse(event)
}

/// What every event carries.
fn base(
    api: &WebSocketApi,
    connection: &ConnectionContext,
    route_key: &str,
    event_type: &str,
) -> Value {
    let now = SystemTime::now();
    let request_id = random_id();
    let mut identity = json!({"sourceIp": connection.source_ip});
    if let Some(user_agent) = &connection.user_agent {
        identity["userAgent"] = json!(user_agent);
    }
    json!({
        "headers": {"Host": api.domain_name},
        "multiValueHeaders": {"Host": [api.domain_name]},
        "requestContext": {
            "routeKey": route_key,
            "eventType": event_type,
            "extendedRequestId": request_id,
            "requestTime": request_time(now),
            "messageDirection": "IN",
            "stage": api.stage,
            "connectedAt": epoch_millis(connection.connected_at),
            "requestTimeEpoch": epoch_millis(now),
            "identity": identity,
            "requestId": request_id,
            "domainName": api.domain_name,
            "connectionId": connection.id,
            "apiId": api.api_id,
        },
        "isBase64Encoded": false,
    })
}

fn parse(event: Value) -> ApiGatewayWebsocketProxyRequest {
    serde_json::from_value(event).expect("events built here have API Gateway's shape")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn api() -> WebSocketApi {
        WebSocketApi {
            api_id: "localwsapi".into(),
            stage: "local".into(),
            domain_name: "127.0.0.1:9001".into(),
        }
    }

    fn connection() -> ConnectionContext {
        ConnectionContext {
            id: "Wz9dAcC4EowCHnA=".into(),
            connected_at: SystemTime::now() - Duration::from_secs(60),
            source_ip: "127.0.0.1".into(),
            user_agent: Some("test".into()),
        }
    }

    #[test]
    fn messages_are_routed_by_their_action() {
        assert_eq!(
            route_key(r#"{"action":"onMessage","message":"hi"}"#),
            "onMessage"
        );
        assert_eq!(route_key(r#"{"action":"onmessage"}"#), "$default");
        assert_eq!(route_key(r#"{"action":7}"#), "$default");
        assert_eq!(route_key(r#"{"message":"hi"}"#), "$default");
        assert_eq!(route_key("not json"), "$default");
    }

    #[test]
    fn connect_carries_the_query_string_and_the_connection() {
        let mut headers = HeaderMap::new();
        headers.insert("user-agent", "test".parse().unwrap());
        let query = [("conversationId".to_owned(), "v1.abc.123.tag".to_owned())];
        let connection = connection();
        let event = connect(&api(), &connection, &headers, &query);
        let context = &event.request_context;
        assert_eq!(context.route_key.as_deref(), Some("$connect"));
        assert_eq!(context.event_type.as_deref(), Some("CONNECT"));
        assert_eq!(context.connection_id.as_deref(), Some("Wz9dAcC4EowCHnA="));
        assert_eq!(context.connected_at, epoch_millis(connection.connected_at));
        assert!(context.request_time_epoch >= context.connected_at + 60_000);
        assert_eq!(context.stage.as_deref(), Some("local"));
        assert_eq!(context.apiid.as_deref(), Some("localwsapi"));
        assert_eq!(
            event.query_string_parameters.first("conversationId"),
            Some("v1.abc.123.tag")
        );
        assert_eq!(event.headers["user-agent"], "test");
    }

    #[test]
    fn messages_and_disconnects_carry_what_the_lambda_reads() {
        let body = r#"{"action":"onMessage","message":"Hi","conversationId":"v1.x"}"#;
        let event = message(&api(), &connection(), body);
        assert_eq!(
            event.request_context.route_key.as_deref(),
            Some("onMessage")
        );
        assert!(event.request_context.message_id.is_some());
        assert_eq!(event.body.as_deref(), Some(body));

        let event = disconnect(&api(), &connection(), 4000, "conversationId:v1.x");
        let context = &event.request_context;
        assert_eq!(context.route_key.as_deref(), Some("$disconnect"));
        assert_eq!(context.disconnect_status_code, Some(4000));
        assert_eq!(
            context.disconnect_reason.as_deref(),
            Some("conversationId:v1.x")
        );
    }
}
