use std::io;

use super::*;
use crate::secrets::SecretError;

#[derive(Debug, thiserror::Error)]
#[error("dispatch failure")]
struct Outer(#[source] io::Error);

/// Like the AWS SDK's service errors, which repeat the message of the error they wrap.
#[derive(Debug, thiserror::Error)]
#[error("ResourceNotFoundException: no such secret")]
struct Repeating(#[source] Inner);

#[derive(Debug, thiserror::Error)]
#[error("ResourceNotFoundException: no such secret")]
struct Inner;

fn refused() -> Outer {
    Outer(io::Error::new(io::ErrorKind::ConnectionRefused, "refused"))
}

#[test]
fn an_error_reads_as_its_causes_in_order() {
    assert_eq!(chain(&refused()).to_string(), "dispatch failure: refused");
}

#[test]
fn a_message_its_wrapper_repeats_is_read_once() {
    assert_eq!(
        chain(&Repeating(Inner)).to_string(),
        "ResourceNotFoundException: no such secret"
    );
}

#[test]
fn a_cause_reads_as_its_error_and_hands_on_its_source() {
    let cause = Cause::new(refused());
    assert_eq!(cause.to_string(), "dispatch failure");
    assert_eq!(
        cause.source().map(ToString::to_string).as_deref(),
        Some("refused")
    );
}

#[test]
fn causes_are_equal_when_their_chains_read_the_same() {
    assert_eq!(Cause::new(refused()), Cause::new(refused()));
    let timed_out = Outer(io::Error::new(io::ErrorKind::TimedOut, "timed out"));
    assert_ne!(Cause::new(refused()), Cause::new(timed_out));
}

#[test]
fn an_sdk_failure_to_read_a_secret_keeps_its_cause_and_names_only_the_secret() {
    let err = SecretError::Unavailable {
        name: "dev/handover/reference-key".to_owned(),
        cause: Cause::new(refused()),
    };

    let sdk_error = err.source().expect("the SDK error is the source");
    assert_eq!(sdk_error.to_string(), "dispatch failure");
    let connection_error = sdk_error.source().expect("the SDK error's own cause");
    assert_eq!(connection_error.to_string(), "refused");
    assert_eq!(
        chain(&err).to_string(),
        "secret dev/handover/reference-key could not be read: dispatch failure: refused"
    );
}
