//! A Lex V2 session played against a code hook as real Lex and the real Lex Web UI play it,
//! unkind parts included:
//!
//! - Lex sends the same `originatingRequestId` on every turn (the session's first request);
//! - it calls the dialog hook, then, on `Delegate` of an intent with a fulfillment hook, the
//!   fulfillment hook with the attributes and slots the dialog hook returned;
//! - the client sends back the session attributes of the last response, old
//!   `talkdesk_conversation_id` included, and updates `previousUtterance` and
//!   `previousLexResponse` after every turn except the one that hands over: it switches to
//!   live chat before it shows the bot's reply, so on later turns they are stale.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// The attribute that switches the Lex Web UI to live chat.
const REFERENCE: &str = "talkdesk_conversation_id";

/// An intent of the bot.
#[derive(Clone, Debug)]
pub struct BotIntent {
    /// Its name.
    pub name: &'static str,
    /// Its slots, all optional.
    pub slots: &'static [&'static str],
    /// Whether its fulfillment code hook is enabled.
    pub fulfillment_hook: bool,
    /// What Lex says when it closes the intent without a hook message.
    pub closing_response: Option<&'static str>,
}

/// What the customer saw after a turn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    /// The bot's messages.
    Reply(Vec<String>),
    /// The client switched to live chat with this reference; the bot's reply was not shown.
    LiveChat(String),
}

/// One Lex session of one customer in the Lex Web UI.
pub struct WebUiSession {
    session_id: String,
    originating_request_id: String,
    intents: Vec<BotIntent>,
    attributes: BTreeMap<String, String>,
    last_reference: Option<String>,
    /// The intent (name and slots) whose slot the bot asked for, and the slot.
    eliciting: Option<(String, Value, String)>,
    /// The next answer to a slot prompt fills no slot.
    unresolved: bool,
}

impl WebUiSession {
    /// A new session of a bot with `intents`; the client starts with `attributes` (as a page
    /// sets them in the Web UI's configuration).
    pub fn new(session_id: &str, intents: Vec<BotIntent>, attributes: &[(&str, &str)]) -> Self {
        Self {
            session_id: session_id.to_owned(),
            originating_request_id: uuid::Uuid::new_v4().to_string(),
            intents,
            attributes: attributes
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect(),
            last_reference: None,
            eliciting: None,
            unresolved: false,
        }
    }

    /// The attributes the client will send with the next turn.
    pub fn attributes(&self) -> &BTreeMap<String, String> {
        &self.attributes
    }

    /// Lex will not resolve the customer's next answer to a slot prompt into a value (a slot
    /// type that does not match it): the slot stays empty.
    pub fn leave_next_answer_unresolved(&mut self) {
        self.unresolved = true;
    }

    /// The customer types `text`, which Lex recognises as `intent` unless the bot asked for a
    /// slot, which `text` then fills. `hook` is the code hook: a Lex event in, its response
    /// out (an error fails the turn as Lex fails it, and changes nothing).
    pub async fn say<E: std::fmt::Debug>(
        &mut self,
        text: &str,
        intent: &str,
        hook: impl AsyncFn(Value) -> Result<Value, E>,
    ) -> Result<Seen, E> {
        let (name, mut slots) = match self.eliciting.clone() {
            Some((name, mut slots, slot)) => {
                if !std::mem::take(&mut self.unresolved) {
                    slots[slot.as_str()] = slot_value(text);
                }
                (name, slots)
            }
            None => {
                let definition = self.intent(intent);
                let slots: serde_json::Map<_, _> = definition
                    .slots
                    .iter()
                    .map(|slot| ((*slot).to_owned(), Value::Null))
                    .collect();
                (intent.to_owned(), Value::Object(slots))
            }
        };
        let definition = self.intent(&name);
        let dialog = self.event("DialogCodeHook", text, &name, &slots, &self.attributes);
        let mut response = hook(dialog).await?;
        if action(&response) == "Delegate" && definition.fulfillment_hook {
            // Lex carries on with what the dialog hook returned.
            if let Some(returned) = response["sessionState"]["intent"]["slots"].as_object() {
                slots = Value::Object(returned.clone());
            }
            let attributes = string_map(&response["sessionState"]["sessionAttributes"]);
            let fulfillment = self.event("FulfillmentCodeHook", text, &name, &slots, &attributes);
            response = hook(fulfillment).await?;
        }
        let eliciting = action(&response) == "ElicitSlot";
        self.eliciting = None;
        if eliciting {
            let slot = response["sessionState"]["dialogAction"]["slotToElicit"]
                .as_str()
                .expect("ElicitSlot names a slot")
                .to_owned();
            assert!(
                definition.slots.contains(&slot.as_str()),
                "the hook elicited slot {slot}, which intent {name} does not have: Lex fails such a turn"
            );
            self.eliciting = Some((name.clone(), slots, slot));
        }
        let mut messages = messages(&response);
        if messages.is_empty() && !eliciting {
            messages.extend(definition.closing_response.map(str::to_owned));
        }
        let attributes = string_map(&response["sessionState"]["sessionAttributes"]);
        Ok(self.client_receives(text, attributes, messages))
    }

    /// What the Lex Web UI does with the response.
    fn client_receives(
        &mut self,
        text: &str,
        attributes: BTreeMap<String, String>,
        messages: Vec<String>,
    ) -> Seen {
        self.attributes = attributes;
        let reference = self
            .attributes
            .get(REFERENCE)
            .filter(|reference| !reference.is_empty())
            .cloned();
        if reference.is_some() && reference != self.last_reference {
            self.last_reference.clone_from(&reference);
            return Seen::LiveChat(reference.unwrap_or_default());
        }
        self.attributes
            .insert("previousUtterance".into(), text.to_owned());
        let shown: Vec<_> = messages
            .iter()
            .map(|text| json!({"type": "PlainText", "value": text}))
            .collect();
        self.attributes.insert(
            "previousLexResponse".into(),
            json!({ "messages": shown }).to_string(),
        );
        Seen::Reply(messages)
    }

    fn intent(&self, name: &str) -> BotIntent {
        self.intents
            .iter()
            .find(|intent| intent.name == name)
            .unwrap_or_else(|| panic!("the bot has no intent {name}"))
            .clone()
    }

    fn event(
        &self,
        source: &str,
        text: &str,
        intent: &str,
        slots: &Value,
        attributes: &BTreeMap<String, String>,
    ) -> Value {
        json!({
            "messageVersion": "1.0",
            "invocationSource": source,
            "inputMode": "Text",
            "responseContentType": "text/plain; charset=utf-8",
            "sessionId": self.session_id,
            "inputTranscript": text,
            "bot": {"id": "BOTID00001", "name": "Handover", "aliasId": "TSTALIASID",
                    "aliasName": "TestBotAlias", "localeId": "en_US", "version": "DRAFT"},
            "interpretations": [{"intent": {"name": intent, "slots": slots, "state": "InProgress",
                                            "confirmationState": "None"},
                                 "nluConfidence": 0.93}],
            "sessionState": {
                "originatingRequestId": self.originating_request_id,
                "sessionAttributes": attributes,
                "intent": {"name": intent, "slots": slots,
                           "state": if source == "FulfillmentCodeHook" { "ReadyForFulfillment" } else { "InProgress" },
                           "confirmationState": "None"}
            }
        })
    }
}

fn slot_value(text: &str) -> Value {
    json!({"shape": "Scalar", "value": {"originalValue": text, "interpretedValue": text,
                                        "resolvedValues": [text]}})
}

fn string_map(value: &Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .map(|object| {
            object
                .iter()
                .filter_map(|(name, value)| Some((name.clone(), value.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn action(response: &Value) -> &str {
    response["sessionState"]["dialogAction"]["type"]
        .as_str()
        .unwrap_or_default()
}

fn messages(response: &Value) -> Vec<String> {
    response["messages"]
        .as_array()
        .map(|messages| {
            messages
                .iter()
                .filter_map(|message| message["content"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
