//! One invocation: the records of an SNS event, each read and handled on its own.

use aws_lambda_events::sns::{SnsEvent, SnsMessage};
use handover::agent_events::{AgentEventError, AgentEvents};
use handover::errors::chain;
use lambda_runtime::LambdaEvent;
use tracing::{Instrument, debug, error, info, info_span, warn};

use crate::connect_message::ConnectMessage;

/// Some records could not be handled now. Failing the invocation is how an asynchronous
/// invocation is retried (the whole event, after 1 and then 2 minutes, as bounded by the
/// function's `EventInvokeConfig`); the records already handled are harmless to repeat, as
/// messages are claimed by id and an ended chat stays ended.
#[derive(Debug, thiserror::Error)]
#[error("{0} record(s) could not be handled now; Lambda retries the event")]
pub struct RetryLater(pub usize);

/// Handles every record of `event`. A record that cannot be read, or is not for the customer,
/// is logged and skipped; one that failed in a way a retry may mend fails the invocation,
/// after the others were handled.
pub async fn handle(
    events: &AgentEvents,
    event: LambdaEvent<SnsEvent>,
) -> Result<(), lambda_runtime::Error> {
    let mut failed = 0;
    for record in &event.payload.records {
        let span = info_span!("sns_record", sns_message = record.sns.message_id);
        if handle_record(events, &record.sns)
            .instrument(span)
            .await
            .is_err()
        {
            failed += 1;
        }
    }
    match failed {
        0 => Ok(()),
        failed => Err(RetryLater(failed).into()),
    }
}

async fn handle_record(events: &AgentEvents, sns: &SnsMessage) -> Result<(), AgentEventError> {
    let sns_message = sns.message_id.as_str();
    let event = match ConnectMessage::read(sns) {
        Ok(ConnectMessage::Forward(event)) => event,
        Ok(ConnectMessage::Dropped(why)) => {
            debug!(sns_message, reason = why.name(), "not for the customer");
            return Ok(());
        }
        Err(malformed) => {
            warn!(sns_message, error = %malformed, "dropping an unreadable Amazon Connect record");
            return Ok(());
        }
    };
    // The service logs the outcome; the text is never logged.
    match events.handle(&event).await {
        Ok(_) => Ok(()),
        Err(AgentEventError::InProgress) => {
            info!(
                sns_message,
                action = event.action.name(),
                "agent event in progress elsewhere; retried later"
            );
            Err(AgentEventError::InProgress)
        }
        Err(err) => {
            error!(sns_message, action = event.action.name(), error = %chain(&err), "could not handle an agent event");
            Err(err)
        }
    }
}
