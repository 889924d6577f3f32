//! The Amazon Connect message inside an SNS record (its `Message` JSON), read by
//! `ConnectMessage::read` (see `fuzz::connect::read_and_check` for what is asserted). The SNS
//! envelope is left out so that every input reaches the reader; `connect_sns_event` covers the
//! envelope and the `MessageAttributes`.
#![no_main]

use aws_lambda_events::sns::SnsMessage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|message: &str| {
    let mut sns = SnsMessage::default();
    sns.message = message.to_owned();
    fuzz::connect::read_and_check(&sns);
});
