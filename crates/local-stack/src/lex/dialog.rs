//! One RecognizeText turn, run as Lex V2 runs it: choose the intent (or fill the slot the bot
//! asked for), call the dialog code hook, follow its dialog action to fulfillment (calling the
//! fulfillment code hook where the intent has one), and remember the session for the next turn.
//!
//! A session lives until it has been idle longer than the bot's idle session TTL. Its
//! `originatingRequestId` is the id of its first request, the same on every turn; a session id
//! that comes back after the TTL starts a new session with a new one, as in Lex.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;
use uuid::Uuid;

use super::bot::{BotDefinition, FALLBACK_INTENT, IntentDefinition};
use super::event::{
    AnsweredMessage, DIALOG_CODE_HOOK, FULFILLED, FULFILLMENT_CODE_HOOK, HookAnswer, IN_PROGRESS,
    IntentState, READY_FOR_FULFILLMENT, Turn, code_hook_event, interpretations,
};
use super::hook::CodeHookFunction;

/// How long Lex waits for a code hook.
pub(super) const CODE_HOOK_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest code hook answer Lex accepts.
const MAX_ANSWER_BYTES: usize = 25 * 1024;

/// The bot, its code hook and its sessions.
pub(crate) struct LocalBot {
    definition: BotDefinition,
    hook: Box<dyn CodeHookFunction>,
    /// How long a session may stay idle before Lex forgets it (the bot's
    /// `idleSessionTTLInSeconds`).
    idle_session_ttl: Duration,
    sessions: Mutex<HashMap<String, Session>>,
}

/// What Lex remembers of a session between turns.
#[derive(Clone)]
struct Session {
    /// The id of the session's first request.
    originating_request_id: String,
    /// When its last turn started; it expires `idle_session_ttl` after.
    last_active: Instant,
    attributes: BTreeMap<String, String>,
    /// The intent whose slot the bot asked for, and the slot.
    eliciting: Option<(IntentState, String)>,
}

impl Session {
    /// A session that `request_id` starts at `now`.
    fn new(request_id: &str, now: Instant) -> Self {
        Self {
            originating_request_id: request_id.to_owned(),
            last_active: now,
            attributes: BTreeMap::new(),
            eliciting: None,
        }
    }
}

/// A RecognizeText request.
pub(crate) struct TurnRequest {
    /// The Lex session.
    pub session_id: String,
    /// What the customer typed.
    pub text: String,
    /// The client's session attributes, which replace the session's when given.
    pub session_attributes: Option<BTreeMap<String, String>>,
    /// Attributes for this turn only.
    pub request_attributes: Option<BTreeMap<String, String>>,
}

/// What the turn came to: the RecognizeText response's content.
pub(crate) struct TurnResponse {
    /// What the bot says.
    pub messages: Vec<AnsweredMessage>,
    /// `Close`, `ElicitSlot` or `ElicitIntent`.
    pub dialog_action: String,
    /// The slot asked for, with `ElicitSlot`.
    pub slot_to_elicit: Option<String>,
    /// The intent, as the turn left it.
    pub intent: IntentState,
    /// The session attributes, as the code hook left them.
    pub session_attributes: BTreeMap<String, String>,
    /// The intents considered, in RecognizeText form.
    pub interpretations: Value,
    /// Identifies this request: new every turn.
    pub request_id: String,
    /// Identifies the session: the id of its first request.
    pub originating_request_id: String,
}

/// A code hook that failed or answered what Lex cannot follow: Lex's
/// `DependencyFailedException`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct DependencyFailed(String);

/// Where a code hook's answer leads.
enum Step {
    /// Answer the customer.
    Reply {
        messages: Vec<AnsweredMessage>,
        action: &'static str,
        slot: Option<String>,
    },
    /// Carry on to fulfillment (`Delegate`).
    Fulfil,
}

impl LocalBot {
    /// The bot `definition`, whose code hook is `hook`, forgetting sessions idle for longer
    /// than `idle_session_ttl`.
    pub(crate) fn new(
        definition: BotDefinition,
        hook: Box<dyn CodeHookFunction>,
        idle_session_ttl: Duration,
    ) -> Self {
        Self {
            definition,
            hook,
            idle_session_ttl,
            sessions: Mutex::default(),
        }
    }

    /// The bot's definition.
    pub(crate) fn definition(&self) -> &BotDefinition {
        &self.definition
    }

    /// Runs one turn. The session is remembered only if the turn succeeded.
    pub(crate) async fn recognize_text(
        &self,
        request: TurnRequest,
    ) -> Result<TurnResponse, DependencyFailed> {
        let request_id = Uuid::new_v4().to_string();
        let mut session = self.session(&request.session_id, &request_id, Instant::now());
        if let Some(attributes) = request.session_attributes {
            session.attributes = attributes;
        }
        let text = request.text.trim();
        let (mut intent, recognised) = match session.eliciting.take() {
            Some((mut intent, slot)) => {
                intent.fill(&slot, text);
                (intent, true)
            }
            None => {
                let definition = self.definition.recognise(text);
                (
                    IntentState::new(&definition),
                    definition.name != FALLBACK_INTENT,
                )
            }
        };
        // Owned: the code hook's answers change the session while the turn goes on.
        let originating_request_id = session.originating_request_id.clone();
        let turn = Turn {
            bot: &self.definition,
            session_id: &request.session_id,
            text,
            originating_request_id: &originating_request_id,
            request_attributes: request.request_attributes.as_ref(),
            recognised,
        };

        let answer = self
            .invoke(&turn, DIALOG_CODE_HOOK, &intent, &session.attributes)
            .await?;
        let mut step = self.follow(answer, &mut intent, &mut session)?;
        if matches!(step, Step::Fulfil) && self.intent_definition(&intent)?.fulfillment_code_hook {
            intent.state = READY_FOR_FULFILLMENT.into();
            let answer = self
                .invoke(&turn, FULFILLMENT_CODE_HOOK, &intent, &session.attributes)
                .await?;
            step = self.follow(answer, &mut intent, &mut session)?;
        }
        let (messages, action, slot) = match step {
            Step::Reply {
                messages,
                action,
                slot,
            } => (messages, action, slot),
            // Fulfilled without a code hook, or a fulfillment hook that delegated: Lex closes
            // the intent with its closing response.
            Step::Fulfil => {
                intent.state = FULFILLED.into();
                (self.closing(&intent, Vec::new())?, "Close", None)
            }
        };

        let response = TurnResponse {
            messages,
            dialog_action: action.into(),
            slot_to_elicit: slot,
            interpretations: interpretations(&turn, &intent, false),
            intent,
            session_attributes: session.attributes.clone(),
            request_id,
            originating_request_id,
        };
        self.remember(&request.session_id, session);
        Ok(response)
    }

    /// Calls the code hook, and reads its answer as Lex does: from the JSON the Lambda
    /// returns.
    async fn invoke(
        &self,
        turn: &Turn<'_>,
        source: &str,
        intent: &IntentState,
        session_attributes: &BTreeMap<String, String>,
    ) -> Result<HookAnswer, DependencyFailed> {
        let event = code_hook_event(turn, source, intent, session_attributes);
        let invocation = self.hook.invoke(event);
        let response = match tokio::time::timeout(CODE_HOOK_TIMEOUT, invocation).await {
            Ok(Ok(response)) => response,
            Ok(Err(err)) => {
                return Err(DependencyFailed(format!(
                    "Received error response from Lambda: {err}"
                )));
            }
            Err(_) => {
                return Err(DependencyFailed(format!(
                    "the code hook did not answer within {} seconds",
                    CODE_HOOK_TIMEOUT.as_secs()
                )));
            }
        };
        let invalid =
            |problem: String| DependencyFailed(format!("Invalid Lambda Response: {problem}"));
        let wire = serde_json::to_vec(&response).map_err(|err| invalid(err.to_string()))?;
        if wire.len() > MAX_ANSWER_BYTES {
            return Err(invalid(format!(
                "the answer is {} bytes, over Lex's {MAX_ANSWER_BYTES}",
                wire.len()
            )));
        }
        serde_json::from_slice(&wire).map_err(|err| invalid(err.to_string()))
    }

    /// Applies a code hook's answer to the intent and session, and says where it leads.
    fn follow(
        &self,
        answer: HookAnswer,
        intent: &mut IntentState,
        session: &mut Session,
    ) -> Result<Step, DependencyFailed> {
        let state = answer.session_state;
        // What the Lambda returns replaces the session's attributes.
        session.attributes = state.session_attributes.unwrap_or_default();
        if let Some(answered) = state.intent {
            intent.update(answered);
        }
        let definition = self.intent_definition(intent)?;
        let action = state.dialog_action;
        match action.kind.as_str() {
            "Delegate" => Ok(Step::Fulfil),
            "ElicitSlot" => {
                let slot = action
                    .slot_to_elicit
                    .filter(|slot| definition.slots.contains(slot))
                    .ok_or_else(|| {
                        DependencyFailed(format!(
                            "Invalid Lambda Response: ElicitSlot names no slot of intent {}",
                            intent.name
                        ))
                    })?;
                intent.state = IN_PROGRESS.into();
                session.eliciting = Some((intent.clone(), slot.clone()));
                Ok(Step::Reply {
                    messages: answer.messages,
                    action: "ElicitSlot",
                    slot: Some(slot),
                })
            }
            "Close" => Ok(Step::Reply {
                messages: self.closing(intent, answer.messages)?,
                action: "Close",
                slot: None,
            }),
            "ElicitIntent" => Ok(Step::Reply {
                messages: answer.messages,
                action: "ElicitIntent",
                slot: None,
            }),
            other => Err(DependencyFailed(format!(
                "the local bot does not support the {other} dialog action"
            ))),
        }
    }

    /// What the bot says as the intent closes: the code hook's messages, else the intent's
    /// closing response if it was fulfilled.
    fn closing(
        &self,
        intent: &IntentState,
        messages: Vec<AnsweredMessage>,
    ) -> Result<Vec<AnsweredMessage>, DependencyFailed> {
        if !messages.is_empty() || intent.state != FULFILLED {
            return Ok(messages);
        }
        let definition = self.intent_definition(intent)?;
        Ok(definition
            .closing_response
            .as_deref()
            .map(AnsweredMessage::plain_text)
            .into_iter()
            .collect())
    }

    fn intent_definition(
        &self,
        intent: &IntentState,
    ) -> Result<IntentDefinition, DependencyFailed> {
        self.definition.intent(&intent.name).ok_or_else(|| {
            DependencyFailed(format!(
                "Invalid Lambda Response: the bot has no intent {}",
                intent.name
            ))
        })
    }

    /// The session `session_id` as of `now`: the one remembered unless it has been idle for
    /// longer than the TTL, else a new one that `request_id` starts.
    fn session(&self, session_id: &str, request_id: &str, now: Instant) -> Session {
        let sessions = self
            .sessions
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        match sessions.get(session_id) {
            Some(session) if now.duration_since(session.last_active) <= self.idle_session_ttl => {
                Session {
                    last_active: now,
                    ..session.clone()
                }
            }
            _ => Session::new(request_id, now),
        }
    }

    fn remember(&self, session_id: &str, session: Session) {
        let mut sessions = self
            .sessions
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        sessions.insert(session_id.to_owned(), session);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use async_trait::async_trait;
    use handover::escalation::EscalationSettings;
    use serde_json::json;

    use super::*;

    const TTL: Duration = Duration::from_secs(300);
    /// The slot the recording hook asks for before it lets the escalation intent through.
    const NAME_SLOT: &str = "CustomerName";

    /// A code hook that records every event and answers as the project's hook does in
    /// outline: it asks for the name on the escalation intent, marks the session attributes
    /// in the dialog hook, and closes the intent in the fulfillment hook.
    #[derive(Clone, Default)]
    struct Recorder {
        events: Arc<Mutex<Vec<Value>>>,
    }

    impl Recorder {
        fn events(&self) -> Vec<Value> {
            self.events.lock().expect("not poisoned").clone()
        }
    }

    #[async_trait]
    impl CodeHookFunction for Recorder {
        async fn invoke(&self, event: Value) -> Result<Value, String> {
            self.events
                .lock()
                .expect("not poisoned")
                .push(event.clone());
            let intent = &event["sessionState"]["intent"];
            let mut attributes = event["sessionState"]["sessionAttributes"].clone();
            let action = if event["invocationSource"] == FULFILLMENT_CODE_HOOK {
                json!({"type": "Close"})
            } else if intent["slots"].get(NAME_SLOT) == Some(&Value::Null) {
                json!({"type": "ElicitSlot", "slotToElicit": NAME_SLOT})
            } else {
                attributes["marked_by"] = json!("dialog hook");
                json!({"type": "Delegate"})
            };
            Ok(json!({
                "sessionState": {
                    "dialogAction": action,
                    "intent": {"name": intent["name"], "state": "Fulfilled"},
                    "sessionAttributes": attributes,
                },
            }))
        }
    }

    fn bot(recorder: &Recorder) -> LocalBot {
        let definition = BotDefinition::demo(&EscalationSettings::default());
        LocalBot::new(definition, Box::new(recorder.clone()), TTL)
    }

    async fn say(bot: &LocalBot, session_id: &str, text: &str) -> TurnResponse {
        let request = TurnRequest {
            session_id: session_id.into(),
            text: text.into(),
            session_attributes: Some(BTreeMap::from([("page".into(), "orders".into())])),
            request_attributes: None,
        };
        match bot.recognize_text(request).await {
            Ok(response) => response,
            Err(err) => panic!("the turn {text:?} failed: {err}"),
        }
    }

    fn originating_request_id(event: &Value) -> &str {
        event["sessionState"]["originatingRequestId"]
            .as_str()
            .expect("every event has an originatingRequestId")
    }

    #[tokio::test]
    async fn every_turn_of_a_session_carries_the_id_of_its_first_request() {
        let recorder = Recorder::default();
        let bot = bot(&recorder);
        let first = say(&bot, "session-1", "hello").await;
        let second = say(&bot, "session-1", "where is my order").await;
        let elsewhere = say(&bot, "session-2", "hello").await;

        assert_eq!(first.originating_request_id, first.request_id);
        assert_eq!(second.originating_request_id, first.request_id);
        assert_ne!(
            second.request_id, first.request_id,
            "each request has its own id"
        );
        let events = recorder.events();
        assert_eq!(events.len(), 3, "one dialog hook call per turn");
        assert_eq!(originating_request_id(&events[0]), first.request_id);
        assert_eq!(originating_request_id(&events[1]), first.request_id);
        assert_eq!(originating_request_id(&events[2]), elsewhere.request_id);
        assert_ne!(elsewhere.request_id, first.request_id);
    }

    #[tokio::test(start_paused = true)]
    async fn a_session_idle_for_longer_than_the_ttl_starts_anew() {
        let recorder = Recorder::default();
        let bot = bot(&recorder);
        let asked = say(&bot, "session-1", "I want an agent").await;
        assert_eq!(asked.slot_to_elicit.as_deref(), Some(NAME_SLOT));

        tokio::time::advance(TTL + Duration::from_secs(1)).await;
        let expired = say(&bot, "session-1", "Ana").await;
        assert_ne!(expired.originating_request_id, asked.originating_request_id);
        assert_eq!(
            expired.originating_request_id, expired.request_id,
            "the first request of the new session"
        );
        assert_eq!(
            expired.intent.name, FALLBACK_INTENT,
            "the expired session's pending slot is forgotten"
        );

        tokio::time::advance(TTL).await;
        let kept = say(&bot, "session-1", "where is my order").await;
        assert_eq!(kept.originating_request_id, expired.originating_request_id);
        let events = recorder.events();
        let ids: Vec<&str> = events.iter().map(originating_request_id).collect();
        assert_eq!(
            ids,
            [
                asked.originating_request_id.as_str(),
                expired.originating_request_id.as_str(),
                expired.originating_request_id.as_str(),
            ]
        );
    }

    #[tokio::test]
    async fn both_hooks_of_a_turn_see_the_same_turn() {
        let recorder = Recorder::default();
        let bot = bot(&recorder);
        say(&bot, "session-1", "I want an agent").await;
        let fulfilled = say(&bot, "session-1", "Ana").await;
        assert_eq!(fulfilled.dialog_action, "Close");

        let events = recorder.events();
        let [_, dialog, fulfillment] = events.as_slice() else {
            panic!("expected the elicitation, then both hooks of the second turn: {events:#?}");
        };
        assert_eq!(dialog["invocationSource"], DIALOG_CODE_HOOK);
        assert_eq!(fulfillment["invocationSource"], FULFILLMENT_CODE_HOOK);
        for event in [dialog, fulfillment] {
            assert_eq!(event["inputTranscript"], "Ana");
            assert_eq!(
                originating_request_id(event),
                fulfilled.originating_request_id
            );
        }
        assert_eq!(
            fulfillment["sessionState"]["sessionAttributes"],
            json!({"page": "orders", "marked_by": "dialog hook"}),
            "the fulfillment hook sees the attributes as the dialog hook returned them"
        );
    }
}
