//! The local bot's definition: its ids, and intents recognised by keywords in place of Amazon
//! Lex's language understanding. Loaded from JSON with `--bot FILE`, or the demo bot.

use std::collections::HashSet;

use handover::escalation::EscalationSettings;
use serde::{Deserialize, Serialize};

/// The built-in intent Lex picks when no other matches.
pub const FALLBACK_INTENT: &str = "FallbackIntent";

/// A bot: where RecognizeText finds it, and what it understands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotDefinition {
    /// The bot id in RecognizeText paths and code hook events.
    pub bot_id: String,
    /// The bot's name, in code hook events.
    pub bot_name: String,
    /// The alias id in RecognizeText paths (`TSTALIASID` is Lex's test alias).
    pub alias_id: String,
    /// The alias name, in code hook events.
    pub alias_name: String,
    /// The locale, such as `en_US`.
    pub locale_id: String,
    /// The bot version, in code hook events.
    pub version: String,
    /// The intents, tried in order: the first with a keyword in the utterance wins.
    pub intents: Vec<IntentDefinition>,
    /// What the bot says when no intent matches (the `FallbackIntent`'s closing response).
    pub fallback_response: String,
}

/// One intent. The dialog code hook is called on every turn of every intent, as the
/// deployment enables it on all of them; slots are optional, so only the code hook elicits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentDefinition {
    /// The intent's name.
    pub name: String,
    /// Words or phrases that select the intent, matched case-insensitively on whole words.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The slots' names.
    #[serde(default)]
    pub slots: Vec<String>,
    /// Whether fulfillment calls the code hook (as it does for the escalation intent).
    #[serde(default)]
    pub fulfillment_code_hook: bool,
    /// What the bot says when the intent is fulfilled and the code hook said nothing.
    #[serde(default)]
    pub closing_response: Option<String>,
}

impl BotDefinition {
    /// The demo bot: the escalation intent of `escalation` (with its name and subject slots
    /// and the fulfillment code hook), an order status intent and a greeting.
    pub fn demo(escalation: &EscalationSettings) -> Self {
        let words = |words: &[&str]| words.iter().map(|word| (*word).to_owned()).collect();
        Self {
            bot_id: "LOCALBOT01".into(),
            bot_name: "LiveChatDemo".into(),
            alias_id: "TSTALIASID".into(),
            alias_name: "TestBotAlias".into(),
            locale_id: "en_US".into(),
            version: "DRAFT".into(),
            intents: vec![
                IntentDefinition {
                    name: escalation.escalation_intent.clone(),
                    keywords: words(&[
                        "agent",
                        "human",
                        "person",
                        "live chat",
                        "representative",
                        "operator",
                        "someone",
                    ]),
                    slots: vec![
                        escalation.customer_name.slot.clone(),
                        escalation.subject.slot.clone(),
                    ],
                    fulfillment_code_hook: true,
                    closing_response: None,
                },
                IntentDefinition {
                    name: "CheckOrderStatus".into(),
                    keywords: words(&["order", "track", "package", "delivery", "shipping"]),
                    slots: Vec::new(),
                    fulfillment_code_hook: false,
                    closing_response: Some(
                        "Your latest order shipped yesterday and should arrive within two days. \
                         Anything else? I can also connect you to an agent."
                            .into(),
                    ),
                },
                IntentDefinition {
                    name: "Greeting".into(),
                    keywords: words(&["hello", "hi", "hey", "good morning", "good afternoon"]),
                    slots: Vec::new(),
                    fulfillment_code_hook: false,
                    closing_response: Some(
                        "Hello! I can check on an order, or connect you to an agent.".into(),
                    ),
                },
            ],
            fallback_response:
                "Sorry, I did not get that. I can check on an order, or connect you to an agent."
                    .into(),
        }
    }

    /// Refuses a definition RecognizeText could not serve.
    pub fn validate(&self) -> Result<(), String> {
        let ids = [
            ("bot_id", &self.bot_id),
            ("alias_id", &self.alias_id),
            ("locale_id", &self.locale_id),
        ];
        for (field, value) in ids {
            let url_safe = value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if value.is_empty() || !url_safe {
                return Err(format!("{field} must be letters, digits, '_' or '-'"));
            }
        }
        let mut names = HashSet::from([FALLBACK_INTENT]);
        for intent in &self.intents {
            if intent.name.is_empty() || !names.insert(&intent.name) {
                return Err(format!(
                    "intent names must be unique, non-empty and not {FALLBACK_INTENT}: {:?}",
                    intent.name
                ));
            }
        }
        Ok(())
    }

    /// The intent `text` selects, or the fallback intent.
    pub fn recognise(&self, text: &str) -> IntentDefinition {
        let words = words(text);
        self.intents
            .iter()
            .find(|intent| {
                intent.keywords.iter().any(|keyword| {
                    let phrase = self::words(keyword);
                    !phrase.is_empty() && words.windows(phrase.len()).any(|run| run == phrase)
                })
            })
            .cloned()
            .unwrap_or_else(|| self.fallback())
    }

    /// The intent named `name` (the fallback intent included).
    pub fn intent(&self, name: &str) -> Option<IntentDefinition> {
        if name == FALLBACK_INTENT {
            return Some(self.fallback());
        }
        self.intents
            .iter()
            .find(|intent| intent.name == name)
            .cloned()
    }

    /// The built-in fallback intent, which closes with [`BotDefinition::fallback_response`].
    pub fn fallback(&self) -> IntentDefinition {
        IntentDefinition {
            name: FALLBACK_INTENT.into(),
            keywords: Vec::new(),
            slots: Vec::new(),
            fulfillment_code_hook: false,
            closing_response: Some(self.fallback_response.clone()),
        }
    }
}

/// The lower-cased words of `text`.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> BotDefinition {
        BotDefinition::demo(&EscalationSettings::default())
    }

    #[test]
    fn keywords_select_intents_on_whole_words() {
        let bot = demo();
        let cases = [
            ("I want to talk to an AGENT please", "TalkToAgent"),
            ("Can I get live chat?", "TalkToAgent"),
            ("where is my order", "CheckOrderStatus"),
            ("Hi there", "Greeting"),
            ("this is not something I say", FALLBACK_INTENT),
            ("agency", FALLBACK_INTENT),
            ("", FALLBACK_INTENT),
        ];
        for (text, intent) in cases {
            assert_eq!(bot.recognise(text).name, intent, "{text:?}");
        }
    }

    #[test]
    fn the_demo_escalation_intent_follows_the_code_hook_s_settings() {
        let mut settings = EscalationSettings {
            escalation_intent: "Handover".into(),
            ..EscalationSettings::default()
        };
        settings.subject.slot = "Topic".into();
        let bot = BotDefinition::demo(&settings);
        let intent = bot.intent("Handover").expect("the escalation intent");
        assert!(intent.fulfillment_code_hook);
        assert_eq!(intent.slots, ["CustomerName", "Topic"]);
        assert_eq!(
            bot.intent(FALLBACK_INTENT).unwrap().closing_response,
            Some(bot.fallback_response.clone())
        );
    }

    #[test]
    fn unusable_definitions_are_refused() {
        assert_eq!(demo().validate(), Ok(()));
        let mut bad_id = demo();
        bad_id.bot_id = "my bot".into();
        assert!(bad_id.validate().unwrap_err().contains("bot_id"));
        let mut twice = demo();
        twice.intents.push(twice.intents[0].clone());
        assert!(twice.validate().is_err());
    }
}
