//! The code hook itself: one entry point for Lex's dialog and fulfillment invocations.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use conversation_store::{
    Clock, ConversationKey, ConversationStatus, ConversationStore, NewConversation, StoreError,
    SystemClock, Transcript, Turn,
};
use tokio::time::Instant;
use tracing::{error, info, warn};

use super::details::{detail, parameters};
use super::key::conversation_key;
use super::settings::{DetailSource, EscalationSettings, MissingDetails};
use crate::contact_center::{ContactCenter, HandoverRequest};
use crate::lex::{
    FulfillmentState, InvocationSource, LexEvent, LexResponse, close, delegate, elicit_slot,
};
use crate::reference::{ReferenceSigner, SESSION_ATTRIBUTE, load_signer};
use crate::secrets::SecretSource;

/// The Lex code hook, with everything it depends on behind ports.
pub struct CodeHook {
    store: Arc<dyn ConversationStore>,
    contact_center: Arc<dyn ContactCenter>,
    secrets: Arc<dyn SecretSource>,
    settings: EscalationSettings,
    clock: Arc<dyn Clock>,
}

/// The customer details an escalation cannot go without.
struct Details<'a> {
    customer_name: &'a str,
    subject: &'a str,
}

impl CodeHook {
    /// A code hook over these ports. `secrets` should cache: it is asked for the reference
    /// signing key on every escalation.
    pub fn new(
        store: Arc<dyn ConversationStore>,
        contact_center: Arc<dyn ContactCenter>,
        secrets: Arc<dyn SecretSource>,
        settings: EscalationSettings,
    ) -> Self {
        Self {
            store,
            contact_center,
            secrets,
            settings,
            clock: Arc::new(SystemClock),
        }
    }

    /// Reads the time from `clock` (for reference expiry).
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self }
    }

    /// Answers one code hook invocation. Never fails: every problem becomes a response Lex
    /// can play, and a log line. `deadline` bounds the calls to the contact center.
    pub async fn handle(&self, event: &LexEvent, deadline: Instant) -> LexResponse {
        let transcript = self.record_turn(event).await;
        let escalating = event.intent_name() == self.settings.escalation_intent;
        match (event.invocation_source, escalating) {
            (InvocationSource::DialogCodeHook, true) => self.check_details(event),
            (InvocationSource::DialogCodeHook, false) => delegate(event),
            (InvocationSource::FulfillmentCodeHook, true) => {
                self.escalate(event, transcript, deadline).await
            }
            // Not ours to fulfil: close it and let Lex play the intent's own closing response.
            (InvocationSource::FulfillmentCodeHook, false) => {
                close(event, FulfillmentState::Fulfilled, None, [])
            }
        }
    }

    /// Records the turn; a store failure costs the agent some history, not the customer the
    /// conversation, so it is logged and passed over.
    async fn record_turn(&self, event: &LexEvent) -> Option<Transcript> {
        let turn = Turn {
            request_id: event.session_state.originating_request_id.clone(),
            intent: event.intent_name().to_owned(),
            bot_reply: event.previous_bot_message(),
            customer_text: Some(event.input_transcript.clone()),
        };
        let recorded = self
            .store
            .record_turn(&event.session_id, turn, self.settings.transcript_limits)
            .await;
        recorded
            .inspect_err(|err| warn!(error = %err, "could not record the turn in the transcript"))
            .ok()
    }

    fn details<'a>(&self, event: &'a LexEvent) -> Result<Details<'a>, &DetailSource> {
        let name = &self.settings.customer_name;
        let subject = &self.settings.subject;
        Ok(Details {
            customer_name: detail(event, name).ok_or(name)?,
            subject: detail(event, subject).ok_or(subject)?,
        })
    }

    /// The dialog hook of the escalation intent: ask for what is missing, if configured to.
    fn check_details(&self, event: &LexEvent) -> LexResponse {
        match (self.details(event), self.settings.when_details_missing) {
            (Err(missing), MissingDetails::Elicit) => {
                elicit_slot(event, &missing.slot, &missing.prompt)
            }
            _ => delegate(event),
        }
    }

    async fn escalate(
        &self,
        event: &LexEvent,
        transcript: Option<Transcript>,
        deadline: Instant,
    ) -> LexResponse {
        let details = match self.details(event) {
            Ok(details) => details,
            Err(missing) => {
                if self.settings.when_details_missing == MissingDetails::Elicit {
                    return elicit_slot(event, &missing.slot, &missing.prompt);
                }
                info!(slot = %missing.slot, "escalation refused: a customer detail is missing");
                return self.failed(event, &self.settings.missing_details_message);
            }
        };
        let attribute = &self.settings.parameters_attribute;
        let page_parameters = match parameters(event.session_attribute(attribute)) {
            Ok(parameters) => parameters,
            Err(problem) => {
                warn!(%attribute, %problem, "escalation refused: invalid contact-center parameters");
                return self.failed(event, &self.settings.invalid_parameters_message);
            }
        };
        // Before the contact center is called, so that a missing key never leaves an
        // orphaned conversation behind.
        let signer = match load_signer(&*self.secrets, &self.settings.reference_key_secret).await {
            Ok(signer) => signer,
            Err(problem) => {
                error!(%problem, "escalation failed: cannot sign conversation references");
                return self.failed(event, &self.settings.failure_message);
            }
        };

        let request_id = event.session_state.originating_request_id.as_deref();
        let key = conversation_key(&event.session_id, request_id);
        match self.store.conversation(&key).await {
            Ok(None) => {}
            Ok(Some(existing)) if existing.status != ConversationStatus::Ended => {
                info!(conversation = %key, "escalation retried: answering with the conversation it started");
                return self.fulfilled(event, &signer, &key);
            }
            Ok(Some(_)) => {
                warn!(conversation = %key, "escalation retried after its conversation ended");
                return self.failed(event, &self.settings.failure_message);
            }
            Err(err) => {
                error!(error = %err, "escalation failed: the conversation store is unavailable");
                return self.failed(event, &self.settings.failure_message);
            }
        }

        let (transcript, intents) = transcript
            .map(|transcript| (transcript.entries, transcript.intents))
            .unwrap_or_default();
        let request = HandoverRequest {
            customer_name: details.customer_name.to_owned(),
            subject: details.subject.to_owned(),
            context_parameters: context_parameters(page_parameters, &details, event, &intents),
            transcript,
        };
        let provider = self.contact_center.provider();
        let started = match self
            .contact_center
            .start_conversation(&request, key.as_str(), deadline)
            .await
        {
            Ok(started) => started,
            Err(err) => {
                error!(%provider, code = err.code(), error = %err, "escalation failed: the contact center did not start the conversation");
                return self.failed(event, &self.settings.failure_message);
            }
        };
        let new = NewConversation {
            key: key.clone(),
            provider,
            provider_conversation_id: started.provider_conversation_id.clone(),
            provider_data: started.provider_data,
            lex_session_id: event.session_id.clone(),
        };
        match self.store.create_conversation(new).await {
            Ok(_) | Err(StoreError::AlreadyExists(_)) => {}
            Err(err) => {
                error!(%provider, provider_conversation_id = %started.provider_conversation_id, error = %err,
                    "escalation failed: the conversation started but could not be stored");
                return self.failed(event, &self.settings.failure_message);
            }
        }
        info!(conversation = %key, %provider, provider_conversation_id = %started.provider_conversation_id, "handed over to the contact center");
        self.fulfilled(event, &signer, &key)
    }

    fn fulfilled(
        &self,
        event: &LexEvent,
        signer: &ReferenceSigner,
        key: &ConversationKey,
    ) -> LexResponse {
        let expires = self.clock.now() + self.settings.reference_lifetime;
        let expires = expires
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        match signer.sign(key.as_str(), expires) {
            Ok(reference) => close(
                event,
                FulfillmentState::Fulfilled,
                Some(self.settings.connecting_message.clone()),
                [(SESSION_ATTRIBUTE.to_owned(), reference)],
            ),
            Err(err) => {
                error!(error = %err, "escalation failed: the reference could not be signed");
                self.failed(event, &self.settings.failure_message)
            }
        }
    }

    fn failed(&self, event: &LexEvent, message: &str) -> LexResponse {
        close(
            event,
            FulfillmentState::Failed,
            Some(message.to_owned()),
            [],
        )
    }
}

/// What the agent previews: the page's parameters, then ours (which win on a clash).
fn context_parameters(
    mut parameters: BTreeMap<String, String>,
    details: &Details<'_>,
    event: &LexEvent,
    intents: &[String],
) -> BTreeMap<String, String> {
    parameters.insert("customer_name".into(), details.customer_name.to_owned());
    parameters.insert("subject".into(), details.subject.to_owned());
    if let Some(sentiment) = event.top_sentiment() {
        parameters.insert("sentiment".into(), sentiment.sentiment.as_str().to_owned());
    }
    if !intents.is_empty() {
        parameters.insert("intent_history".into(), intents.join(" > "));
    }
    parameters
}
