//! A connection poster that records every call and answers with queued errors first.

use std::collections::VecDeque;
use std::sync::Mutex;

use async_trait::async_trait;
use handover::connections::{ConnectionPoster, Frame, PostError};

/// One call the poster received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    /// A frame that reached the connection.
    Post(String, Frame),
    /// A frame that was answered with an error.
    Refused(String, Frame),
    /// The connection was closed.
    Close(String),
}

#[derive(Default)]
pub struct RecordingPoster {
    calls: Mutex<Vec<Call>>,
    errors: Mutex<VecDeque<PostError>>,
}

impl RecordingPoster {
    /// The next posts answer these errors, in order.
    pub fn fail_next(&self, errors: impl IntoIterator<Item = PostError>) {
        self.errors.lock().unwrap().extend(errors);
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
}

#[async_trait]
impl ConnectionPoster for RecordingPoster {
    async fn post(&self, connection_id: &str, frame: &Frame) -> Result<(), PostError> {
        let error = self.errors.lock().unwrap().pop_front();
        let (call, result) = match error {
            None => (Call::Post(connection_id.into(), frame.clone()), Ok(())),
            Some(error) => (
                Call::Refused(connection_id.into(), frame.clone()),
                Err(error),
            ),
        };
        self.calls.lock().unwrap().push(call);
        result
    }

    async fn close(&self, connection_id: &str) -> Result<(), PostError> {
        self.calls
            .lock()
            .unwrap()
            .push(Call::Close(connection_id.into()));
        Ok(())
    }
}
