//! Stand-ins for the ports, shared by the test binaries: a contact center and a connection
//! poster that record what they are asked, secrets in a map.

// Each test binary uses part of these.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use conversation_store::{Conversation, Provider};
use handover::connections::{ConnectionPoster, Frame, PostError};
use handover::contact_center::{
    ContactCenter, ContactCenterError, HandoverRequest, StartedConversation,
};
use handover::secrets::{SecretError, SecretSource};
use tokio::time::Instant;

/// The signing key the map holds under the default secret name.
pub const REFERENCE_KEY: &str = "0123456789abcdef0123456789abcdef-test-key";

#[derive(Default)]
pub struct FakeContactCenter {
    pub started: Mutex<Vec<(HandoverRequest, String)>>,
    /// (provider conversation id, text) of every message relayed.
    pub sent: Mutex<Vec<(String, String)>>,
    /// Provider conversation ids of every conversation ended.
    pub ended: Mutex<Vec<String>>,
    pub refuse_with: Mutex<Option<ContactCenterError>>,
}

impl FakeContactCenter {
    pub fn starts(&self) -> Vec<(HandoverRequest, String)> {
        self.started.lock().unwrap().clone()
    }

    pub fn sent(&self) -> Vec<(String, String)> {
        self.sent.lock().unwrap().clone()
    }

    pub fn ended(&self) -> Vec<String> {
        self.ended.lock().unwrap().clone()
    }

    fn refusal(&self) -> Result<(), ContactCenterError> {
        self.refuse_with.lock().unwrap().clone().map_or(Ok(()), Err)
    }
}

#[async_trait]
impl ContactCenter for FakeContactCenter {
    fn provider(&self) -> Provider {
        Provider::Talkdesk
    }

    async fn start_conversation(
        &self,
        request: &HandoverRequest,
        idempotency_key: &str,
        _deadline: Instant,
    ) -> Result<StartedConversation, ContactCenterError> {
        self.refusal()?;
        let mut started = self.started.lock().unwrap();
        started.push((request.clone(), idempotency_key.to_owned()));
        Ok(StartedConversation {
            // Like Talkdesk: the same idempotency key gives the same conversation.
            provider_conversation_id: format!("td-{idempotency_key}"),
            provider_data: Default::default(),
        })
    }

    async fn send_message(
        &self,
        conversation: &Conversation,
        text: &str,
        _deadline: Instant,
    ) -> Result<(), ContactCenterError> {
        self.refusal()?;
        let id = conversation.provider_conversation_id.clone();
        self.sent.lock().unwrap().push((id, text.to_owned()));
        Ok(())
    }

    async fn end_conversation(
        &self,
        conversation: &Conversation,
        _deadline: Instant,
    ) -> Result<(), ContactCenterError> {
        self.refusal()?;
        let id = conversation.provider_conversation_id.clone();
        self.ended.lock().unwrap().push(id);
        Ok(())
    }
}

pub struct MapSecrets(pub HashMap<String, String>);

impl MapSecrets {
    pub fn with_reference_key() -> Self {
        Self(HashMap::from([(
            "dev/handover/reference-key".to_owned(),
            REFERENCE_KEY.to_owned(),
        )]))
    }
}

#[async_trait]
impl SecretSource for MapSecrets {
    async fn secret_string(&self, name: &str) -> Result<String, SecretError> {
        self.0
            .get(name)
            .cloned()
            .ok_or_else(|| SecretError::NotFound {
                name: name.to_owned(),
            })
    }
}

/// Records every frame posted and every connection closed; connections listed in `gone`
/// answer like API Gateway's 410.
#[derive(Default)]
pub struct RecordingPoster {
    pub posted: Mutex<Vec<(String, Frame)>>,
    pub closed: Mutex<Vec<String>>,
    pub gone: Mutex<Vec<String>>,
}

impl RecordingPoster {
    /// The frames posted to `connection_id`, in order.
    pub fn frames(&self, connection_id: &str) -> Vec<Frame> {
        let posted = self.posted.lock().unwrap();
        posted
            .iter()
            .filter(|(id, _)| id == connection_id)
            .map(|(_, frame)| frame.clone())
            .collect()
    }

    pub fn closed(&self) -> Vec<String> {
        self.closed.lock().unwrap().clone()
    }
}

#[async_trait]
impl ConnectionPoster for RecordingPoster {
    async fn post(&self, connection_id: &str, frame: &Frame) -> Result<(), PostError> {
        if self
            .gone
            .lock()
            .unwrap()
            .iter()
            .any(|id| id == connection_id)
        {
            return Err(PostError::Gone);
        }
        let posted = (connection_id.to_owned(), frame.clone());
        self.posted.lock().unwrap().push(posted);
        Ok(())
    }

    async fn close(&self, connection_id: &str) -> Result<(), PostError> {
        self.closed.lock().unwrap().push(connection_id.to_owned());
        Ok(())
    }
}
