//! Stand-ins for the ports: a contact center that records what it is asked, secrets in a map.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use conversation_store::{Conversation, Provider};
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
    pub refuse_with: Mutex<Option<ContactCenterError>>,
}

impl FakeContactCenter {
    pub fn starts(&self) -> Vec<(HandoverRequest, String)> {
        self.started.lock().unwrap().clone()
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
        if let Some(err) = self.refuse_with.lock().unwrap().clone() {
            return Err(err);
        }
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
        _conversation: &Conversation,
        _text: &str,
        _deadline: Instant,
    ) -> Result<(), ContactCenterError> {
        Ok(())
    }

    async fn end_conversation(
        &self,
        _conversation: &Conversation,
        _deadline: Instant,
    ) -> Result<(), ContactCenterError> {
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
