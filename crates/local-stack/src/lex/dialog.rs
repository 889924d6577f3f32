//! One RecognizeText turn, run as Lex V2 runs it: choose the intent (or fill the slot the bot
//! asked for), call the dialog code hook, follow its dialog action to fulfillment (calling the
//! fulfillment code hook where the intent has one), and remember the session for the next turn.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use handover::escalation::CodeHook;
use lambda_runtime::LambdaEvent;
use serde_json::Value;
use uuid::Uuid;

use super::bot::{BotDefinition, FALLBACK_INTENT, IntentDefinition};
use super::event::{
    AnsweredMessage, DIALOG_CODE_HOOK, FULFILLED, FULFILLMENT_CODE_HOOK, HookAnswer, IN_PROGRESS,
    IntentState, READY_FOR_FULFILLMENT, Turn, code_hook_event, interpretations,
};
use crate::handlers::lambda_context;

/// How long Lex waits for a code hook.
const CODE_HOOK_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest code hook answer Lex accepts.
const MAX_ANSWER_BYTES: usize = 25 * 1024;

/// The bot, its code hook and its sessions.
pub(crate) struct LocalBot {
    definition: BotDefinition,
    hook: CodeHook,
    sessions: Mutex<HashMap<String, Session>>,
}

/// What Lex remembers of a session between turns.
#[derive(Clone, Default)]
struct Session {
    attributes: BTreeMap<String, String>,
    /// The intent whose slot the bot asked for, and the slot.
    eliciting: Option<(IntentState, String)>,
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
    /// Identifies the request.
    pub request_id: String,
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
    /// The bot `definition`, whose code hook is `hook`.
    pub(crate) fn new(definition: BotDefinition, hook: CodeHook) -> Self {
        Self {
            definition,
            hook,
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
        let mut session = self.session(&request.session_id);
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
        let request_id = Uuid::new_v4().to_string();
        let turn = Turn {
            bot: &self.definition,
            session_id: &request.session_id,
            text,
            request_id: &request_id,
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
        };
        self.remember(&request.session_id, session);
        Ok(response)
    }

    /// Calls the code hook through the Lambda's entry point, and reads its answer as Lex does:
    /// from the JSON the Lambda returns.
    async fn invoke(
        &self,
        turn: &Turn<'_>,
        source: &str,
        intent: &IntentState,
        session_attributes: &BTreeMap<String, String>,
    ) -> Result<HookAnswer, DependencyFailed> {
        let event = code_hook_event(turn, source, intent, session_attributes);
        let context = lambda_context(CODE_HOOK_TIMEOUT);
        let invocation = lex_fulfillment::handle(&self.hook, LambdaEvent::new(event, context));
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

    fn session(&self, session_id: &str) -> Session {
        let sessions = self
            .sessions
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        sessions.get(session_id).cloned().unwrap_or_default()
    }

    fn remember(&self, session_id: &str, session: Session) {
        let mut sessions = self
            .sessions
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        sessions.insert(session_id.to_owned(), session);
    }
}
