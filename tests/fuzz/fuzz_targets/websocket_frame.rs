//! The frames the Lex Web UI sends on the WebSocket (`{"action":"onMessage","message":...}`),
//! as the body of an `onMessage` event on a bound connection, handled by the WebSocket
//! function's own `handle`. Every frame either queues exactly one message (its text trimmed,
//! not empty, within the length limit, nothing said back) or is answered with exactly one frame
//! to the customer and queues nothing.
#![no_main]

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use fuzz::{CONNECTION, CONVERSATION, RelayRig};
use libfuzzer_sys::fuzz_target;

const FRAME_ID: &str = "fuzz-frame";

fuzz_target!(|body: &str| {
    let mut request = ApiGatewayWebsocketProxyRequest::default();
    request.request_context.route_key = Some("onMessage".into());
    request.request_context.connection_id = Some(CONNECTION.into());
    request.request_context.request_id = Some(FRAME_ID.into());
    request.body = Some(body.to_owned());
    let rig = RelayRig::new();
    assert_eq!(rig.handle(request).status_code, 200);

    let queued = rig.messages.queued();
    let told = rig.connections.frames(CONNECTION);
    assert_eq!(
        queued.len() + told.len(),
        1,
        "queued {queued:?}, told {told:?}"
    );
    if let [message] = queued.as_slice() {
        assert_eq!(message.conversation.as_str(), CONVERSATION);
        assert_eq!(message.connection_id, CONNECTION);
        assert_eq!(message.message_id, FRAME_ID);
        assert!(!message.text.is_empty());
        assert_eq!(message.text, message.text.trim());
        assert!(message.text.chars().count() <= rig.settings.max_message_chars);
    }
});
