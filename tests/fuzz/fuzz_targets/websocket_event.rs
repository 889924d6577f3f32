//! API Gateway's WebSocket events (`$connect`, `onMessage`, `$disconnect`, `$default`), parsed
//! as the Lambda runtime parses them and handled by the WebSocket function's own `handle` over
//! a relay with in-memory ports. It must always answer, with a status `$connect` documents,
//! and queue a customer message only from `onMessage` on the bound connection, and the
//! customer's end only from that connection's `$disconnect` with close code 4000.
#![no_main]

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use fuzz::{CONNECTION, RelayRig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(request) = serde_json::from_slice::<ApiGatewayWebsocketProxyRequest>(data) else {
        return;
    };
    let context = &request.request_context;
    let connection = context.connection_id.clone();
    let route = context.route_key.clone();
    let close_code = context.disconnect_status_code;
    let rig = RelayRig::new();
    let response = rig.handle(request);

    let status = response.status_code;
    match (connection.as_deref(), route.as_deref()) {
        (None, _) => assert_eq!(status, 400),
        (Some(_), Some("$connect")) => {
            assert!(
                [200, 400, 403, 404, 410].contains(&status),
                "$connect answered {status}"
            )
        }
        (Some(_), _) => assert_eq!(status, 200),
    }
    let queued = rig.messages.queued();
    if !queued.is_empty() {
        assert_eq!(connection.as_deref(), Some(CONNECTION));
        assert_eq!(queued.len(), 1);
        if queued[0].ends_chat {
            assert_eq!(route.as_deref(), Some("$disconnect"));
            assert_eq!(close_code, Some(4000));
        } else {
            assert_eq!(route.as_deref(), Some("onMessage"));
        }
    }
});
