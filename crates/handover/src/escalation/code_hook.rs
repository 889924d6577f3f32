//! The code hook itself: one entry point for Lex's dialog and fulfillment invocations.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use crate::clock::{Clock, SystemClock};
use crate::conversation::{ConversationKey, ConversationStatus, NewConversation};
use crate::errors::chain;
use crate::metrics::{self, EscalationDecline, EscalationFailure};
use crate::store::{ConversationStore, StoreError, new_record};
use crate::transcript::{Escalation, Transcript};
use tokio::time::Instant;
use tracing::{error, info, warn};

use super::details::{detail, parameters};
use super::key::conversation_key;
use super::settings::{DetailSource, EscalationSettings, MissingDetails};
use super::turn::{request_fingerprint, turn};
use crate::contact_center::{ContactCenter, ContactCenterError, HandoverRequest};
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

/// Where the customer details stand on this turn.
enum DetailsCheck<'a> {
    /// Both known, from the event or from their defaults.
    Known(Details<'a>),
    /// This one is to be asked for.
    Ask(&'a DetailSource),
    /// This one is missing, and the settings say to fail.
    Missing(&'a DetailSource),
}

/// The conversation an escalation goes to.
enum Destination {
    /// The escalation was started before (a resend of its turn): answer with it again.
    Started(ConversationKey),
    /// A new escalation, the session's `ordinal`-th, to start under `key`.
    New { ordinal: u32, key: ConversationKey },
}

/// How many ended conversations an escalation steps over to find its key: more than one only
/// when the session's transcript was lost, and never more than a handful then.
const MAX_ENDED_STEPS: u32 = 8;

/// Why no conversation could be chosen for an escalation.
#[derive(Debug, thiserror::Error)]
enum NoDestination {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "the session's next {MAX_ENDED_STEPS} conversation keys all belong to ended conversations"
    )]
    AllEnded,
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

    /// Answers one code hook invocation by `deadline`. Never fails: every problem becomes a
    /// response Lex can play, and a log line. A store or contact center too slow to answer in
    /// time gets the same answer as one that failed, so Lex never times out and plays its own
    /// error instead.
    pub async fn handle(&self, event: &LexEvent, deadline: Instant) -> LexResponse {
        match tokio::time::timeout_at(deadline, self.answer(event, deadline)).await {
            Ok(response) => response,
            Err(_) => {
                error!(invocation = ?event.invocation_source, "the code hook ran out of time");
                let escalating = event.intent_name() == self.settings.escalation_intent;
                match (event.invocation_source, escalating) {
                    (InvocationSource::FulfillmentCodeHook, true) => {
                        metrics::escalation_failed(EscalationFailure::Timeout);
                        self.failed(event, &self.settings.failure_message)
                    }
                    (InvocationSource::FulfillmentCodeHook, false) => {
                        close(event, FulfillmentState::Fulfilled, None, [])
                    }
                    (InvocationSource::DialogCodeHook, _) => delegate(event),
                }
            }
        }
    }

    async fn answer(&self, event: &LexEvent, deadline: Instant) -> LexResponse {
        let escalating = event.intent_name() == self.settings.escalation_intent;
        let prompt = escalating.then(|| self.detail_to_ask(event)).flatten();
        let transcript = self.record_turn(event, prompt).await;
        match (event.invocation_source, escalating) {
            (InvocationSource::DialogCodeHook, true) => {
                match self.check_details(event, transcript.as_ref()) {
                    DetailsCheck::Ask(missing) => {
                        elicit_slot(event, &missing.slot, &missing.prompt)
                    }
                    _ => delegate(event),
                }
            }
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
    async fn record_turn(&self, event: &LexEvent, prompt: Option<&str>) -> Option<Transcript> {
        let recorded = self
            .store
            .record_turn(
                &event.session_id,
                turn(event, prompt),
                self.settings.transcript_limits,
            )
            .await;
        recorded
            .inspect_err(
                |err| warn!(error = %chain(err), "could not record the turn in the transcript"),
            )
            .ok()
    }

    /// The first missing detail that this turn could ask for: the intent has its slot (Lex
    /// fails a turn whose hook elicits a slot the intent lacks) and asking is allowed at all.
    fn detail_to_ask<'a>(&'a self, event: &LexEvent) -> Option<&'a str> {
        if self.settings.max_detail_prompts == 0 {
            return None;
        }
        [&self.settings.customer_name, &self.settings.subject]
            .into_iter()
            .find(|source| detail(event, source).is_none())
            .filter(|source| event.intent_has_slot(&source.slot))
            .map(|source| source.slot.as_str())
    }

    /// Each detail from its slot or session attribute; else asked for, while the intent has
    /// the slot and it was asked for fewer than `max_detail_prompts` times before this turn
    /// (the transcript counts this turn's prompt already); else its default, or a failure.
    fn check_details<'a>(
        &'a self,
        event: &'a LexEvent,
        transcript: Option<&Transcript>,
    ) -> DetailsCheck<'a> {
        let resolve = |source: &'a DetailSource| -> Result<&'a str, DetailsCheck<'a>> {
            if let Some(value) = detail(event, source) {
                return Ok(value);
            }
            let may_ask = event.intent_has_slot(&source.slot)
                && transcript.is_some_and(|transcript| {
                    transcript.prompts_for(&source.slot) <= self.settings.max_detail_prompts
                });
            if may_ask && self.settings.max_detail_prompts > 0 {
                return Err(DetailsCheck::Ask(source));
            }
            match self.settings.when_details_missing {
                MissingDetails::Default => Ok(&source.default),
                MissingDetails::Fail => Err(DetailsCheck::Missing(source)),
            }
        };
        let details = resolve(&self.settings.customer_name).and_then(|customer_name| {
            Ok(Details {
                customer_name,
                subject: resolve(&self.settings.subject)?,
            })
        });
        details.map_or_else(|check| check, DetailsCheck::Known)
    }

    async fn escalate(
        &self,
        event: &LexEvent,
        transcript: Option<Transcript>,
        deadline: Instant,
    ) -> LexResponse {
        let details = match self.check_details(event, transcript.as_ref()) {
            DetailsCheck::Known(details) => details,
            DetailsCheck::Ask(missing) => {
                return elicit_slot(event, &missing.slot, &missing.prompt);
            }
            DetailsCheck::Missing(missing) => {
                info!(slot = %missing.slot, "escalation refused: a customer detail is missing");
                metrics::escalation_declined(EscalationDecline::MissingDetails);
                return self.failed(event, &self.settings.missing_details_message);
            }
        };
        let attribute = &self.settings.parameters_attribute;
        let page_parameters = match parameters(event.session_attribute(attribute)) {
            Ok(parameters) => parameters,
            Err(problem) => {
                warn!(%attribute, %problem, "escalation refused: invalid contact-center parameters");
                metrics::escalation_declined(EscalationDecline::InvalidParameters);
                return self.failed(event, &self.settings.invalid_parameters_message);
            }
        };
        // Before the contact center is called, so that a missing key never leaves an
        // orphaned conversation behind.
        let signer = match load_signer(&*self.secrets, &self.settings.reference_key_secret).await {
            Ok(signer) => signer,
            Err(err) => {
                error!(error = %chain(&err), "escalation failed: cannot sign conversation references");
                metrics::escalation_failed(EscalationFailure::ReferenceKey);
                return self.failed(event, &self.settings.failure_message);
            }
        };

        let request = request_fingerprint(event);
        let (ordinal, key) = match self.destination(event, transcript.as_ref(), &request).await {
            Ok(Destination::New { ordinal, key }) => (ordinal, key),
            Ok(Destination::Started(key)) => {
                info!(conversation = %key, "escalation retried: answering with the conversation it started");
                return self.fulfilled(event, &signer, &key);
            }
            Err(err) => {
                error!(error = %chain(&err), "escalation failed: no conversation could be chosen");
                metrics::escalation_failed(EscalationFailure::Store);
                return self.failed(event, &self.settings.failure_message);
            }
        };

        let (transcript, intents) = transcript
            .map(|transcript| (transcript.entries, transcript.intents))
            .unwrap_or_default();
        let handover = HandoverRequest {
            customer_name: details.customer_name.to_owned(),
            subject: details.subject.to_owned(),
            context_parameters: context_parameters(page_parameters, &details, event, &intents),
            transcript,
        };
        let provider = self.contact_center.provider();
        let started = match self
            .contact_center
            .start_conversation(&handover, key.as_str(), deadline)
            .await
        {
            Ok(started) => started,
            // Not a fault: the customer stays with the bot and may ask again later.
            Err(err @ ContactCenterError::NoCapacity { .. }) => {
                warn!(%provider, code = err.code(), error = %chain(&err), "escalation declined: no agent capacity at the contact center");
                metrics::escalation_declined(EscalationDecline::NoCapacity);
                return self.failed(event, &self.settings.no_agent_message);
            }
            Err(err) => {
                error!(%provider, code = err.code(), error = %chain(&err), "escalation failed: the contact center did not start the conversation");
                metrics::escalation_failed(EscalationFailure::ContactCenter);
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
        match self.store.create_conversation(new.clone()).await {
            Ok(_) | Err(StoreError::AlreadyExists(_)) => {}
            Err(err) => {
                error!(%provider, provider_conversation_id = %started.provider_conversation_id, error = %chain(&err),
                    "escalation failed: the conversation started but could not be stored");
                metrics::escalation_failed(EscalationFailure::Store);
                self.end_orphan(new, deadline).await;
                return self.failed(event, &self.settings.failure_message);
            }
        }
        info!(conversation = %key, %provider, provider_conversation_id = %started.provider_conversation_id, ordinal, "handed over to the contact center");
        metrics::escalation_started(provider);
        let escalation = Escalation { ordinal, request };
        if let Err(err) = self
            .store
            .record_escalation(&event.session_id, escalation)
            .await
        {
            // The customer is handed over all the same; the session's next escalation may
            // repeat these lines, or find this conversation while it is open.
            warn!(conversation = %key, error = %chain(&err), "could not record the escalation in the transcript");
        }
        self.fulfilled(event, &signer, &key)
    }

    /// Ends a conversation the contact center started but the store could not keep: no
    /// customer can ever join it, so an agent must not wait in it.
    async fn end_orphan(&self, new: NewConversation, deadline: Instant) {
        let orphan = new_record(new, self.clock.now(), Duration::ZERO);
        match self
            .contact_center
            .end_conversation(&orphan, deadline)
            .await
        {
            Ok(()) => {
                info!(provider_conversation_id = %orphan.provider_conversation_id, "ended the conversation that could not be stored")
            }
            Err(err) => {
                error!(provider_conversation_id = %orphan.provider_conversation_id, code = err.code(), error = %chain(&err),
                "could not end the conversation that could not be stored: an agent may find it empty")
            }
        }
    }

    /// Where the escalation asked for by `request` goes: the session's last escalation again
    /// if `request` is its resend and its conversation is still open, else the next one. Keys
    /// whose conversation has ended are stepped over, so an escalation that follows an ended
    /// chat always starts a new one.
    async fn destination(
        &self,
        event: &LexEvent,
        transcript: Option<&Transcript>,
        request: &str,
    ) -> Result<Destination, NoDestination> {
        let mut ordinal = match transcript {
            Some(transcript) if transcript.last_escalation.as_deref() == Some(request) => {
                transcript.escalations.max(1)
            }
            Some(transcript) => transcript.escalations + 1,
            None => 1,
        };
        let originating_request_id = event.session_state.originating_request_id.as_deref();
        for _ in 0..MAX_ENDED_STEPS {
            let key = conversation_key(&event.session_id, originating_request_id, ordinal);
            match self.store.conversation(&key).await? {
                None => return Ok(Destination::New { ordinal, key }),
                Some(existing) if existing.status != ConversationStatus::Ended => {
                    return Ok(Destination::Started(key));
                }
                Some(_) => ordinal += 1,
            }
        }
        Err(NoDestination::AllEnded)
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
                error!(error = %chain(&err), "escalation failed: the reference could not be signed");
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
