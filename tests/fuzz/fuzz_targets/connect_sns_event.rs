//! The SNS events Amazon Connect's chat streaming delivers to the connect-events function,
//! parsed as the Lambda runtime parses them, each record read by `ConnectMessage::read` (see
//! `fuzz::connect::read_and_check` for what is asserted).
#![no_main]

use aws_lambda_events::sns::SnsEvent;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(event) = serde_json::from_slice::<SnsEvent>(data) else {
        return;
    };
    for record in &event.records {
        fuzz::connect::read_and_check(&record.sns);
    }
});
