//! The bot: a Lex V2 RecognizeText session kept as the Lex Web UI keeps it. The response's
//! session attributes replace the client's and are all sent with the next turn (an old
//! `talkdesk_conversation_id` included: the bot keeps echoing it after its live chat).
//!
//! A `talkdesk_conversation_id` other than the one live chat last started on is the switch to
//! live chat, which the Lex Web UI makes before anything else: it never shows the bot's reply
//! to that turn and does not record the turn. Every other turn it records as
//! `previousUtterance` (what the customer typed) and `previousLexResponse` (the bot's reply),
//! so after a live chat the next turn sends those of the turn before the escalating one.

use std::collections::HashMap;

use aws_sdk_lexruntimev2::Client;
use aws_sdk_lexruntimev2::config::timeout::TimeoutConfig;
use aws_sdk_lexruntimev2::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_lexruntimev2::error::SdkError;
use aws_sdk_lexruntimev2::operation::recognize_text::RecognizeTextOutput;
use aws_sdk_lexruntimev2::types::{Message, SessionState};
use handover::errors::chain;
use serde_json::json;

use crate::aws::{OPERATION_TIMEOUT, standard_config};

/// The session attribute that carries the signed reference and switches to live chat.
pub const REFERENCE_ATTRIBUTE: &str = "talkdesk_conversation_id";

/// Where the bot is: the ids in RecognizeText's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BotAddress {
    /// The bot's id.
    pub bot_id: String,
    /// The bot alias's id (`TSTALIASID` is Lex's test alias).
    pub alias_id: String,
    /// The locale, such as `en_US`.
    pub locale_id: String,
}

/// How the Lex V2 runtime is reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexEndpoint {
    /// An emulated runtime, such as the local stack's, with dummy credentials (it checks no
    /// signature, but the SDK signs every request).
    Emulated {
        /// Its URL.
        url: String,
        /// The region the client claims.
        region: String,
    },
    /// Amazon Lex V2, with the standard AWS credential chain.
    Aws {
        /// The region; `None` for the chain's (`AWS_REGION`, the profile).
        region: Option<String>,
    },
}

/// Why the bot could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum LexError {
    /// No region was given or configured.
    #[error("no AWS region: pass --region or set AWS_REGION")]
    NoRegion,
    /// The Lex V2 runtime could not be reached.
    #[error("the Lex V2 runtime could not be reached: {0}")]
    Unreachable(String),
    /// RecognizeText failed.
    #[error("the bot did not answer: {0}")]
    Request(String),
}

/// A Lex V2 runtime client for `endpoint`.
pub async fn client(endpoint: &LexEndpoint) -> Result<Client, LexError> {
    match endpoint {
        LexEndpoint::Emulated { url, region } => {
            let credentials = Credentials::new("local", "local", None, None, "lex-chat");
            let config = aws_sdk_lexruntimev2::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(region.clone()))
                .credentials_provider(credentials)
                .endpoint_url(url)
                .timeout_config(
                    TimeoutConfig::builder()
                        .operation_timeout(OPERATION_TIMEOUT)
                        .build(),
                )
                .build();
            Ok(Client::from_conf(config))
        }
        LexEndpoint::Aws { region } => standard_config(region.as_deref())
            .await
            .map(|config| Client::new(&config))
            .ok_or(LexError::NoRegion),
    }
}

/// What the bot answered to one turn.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BotTurn {
    /// What the bot said, in order. The Lex Web UI never shows it on a turn that opens a live
    /// chat.
    pub messages: Vec<String>,
    /// The intent the turn was about.
    pub intent: Option<String>,
    /// `Close`, `ElicitSlot`, `ElicitIntent`, ...
    pub dialog_action: Option<String>,
    /// The slot the bot asked for, with `ElicitSlot`.
    pub slot_to_elicit: Option<String>,
    /// A `talkdesk_conversation_id` other than the one live chat last started on: the Lex Web
    /// UI opens the live chat with it. The bot keeps echoing the attribute after a chat, so the
    /// same value again is not a new chat.
    pub live_chat: Option<String>,
}

/// One customer's conversation with the bot.
pub struct LexSession {
    client: Client,
    bot: BotAddress,
    session_id: String,
    attributes: HashMap<String, String>,
    last_reference: Option<String>,
}

impl LexSession {
    /// A new session with the bot at `bot`.
    pub fn new(client: Client, bot: BotAddress) -> Self {
        Self {
            client,
            bot,
            session_id: format!("lex-chat-{}", uuid::Uuid::new_v4().simple()),
            attributes: HashMap::new(),
            last_reference: None,
        }
    }

    /// The Lex session id.
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// The `talkdesk_conversation_id` the session attributes hold now, which may be an old
    /// one: what the Lex Web UI opens a live chat with when the customer types a live chat
    /// term.
    pub fn reference(&self) -> Option<&str> {
        self.attributes.get(REFERENCE_ATTRIBUTE).map(String::as_str)
    }

    /// Sends `text` with the session's attributes, and keeps the attributes of the answer.
    pub async fn say(&mut self, text: &str) -> Result<BotTurn, LexError> {
        let output = self
            .client
            .recognize_text()
            .bot_id(&self.bot.bot_id)
            .bot_alias_id(&self.bot.alias_id)
            .locale_id(&self.bot.locale_id)
            .session_id(&self.session_id)
            .text(text)
            .session_state(
                SessionState::builder()
                    .set_session_attributes(Some(self.attributes.clone()))
                    .build(),
            )
            .send()
            .await
            .map_err(|err| {
                let unreachable = matches!(err, SdkError::DispatchFailure(_));
                let text = chain(&err).to_string();
                if unreachable {
                    LexError::Unreachable(text)
                } else {
                    LexError::Request(text)
                }
            })?;
        Ok(self.remember(text, &output))
    }

    fn remember(&mut self, text: &str, output: &RecognizeTextOutput) -> BotTurn {
        let state = output.session_state();
        self.attributes = state
            .and_then(SessionState::session_attributes)
            .cloned()
            .unwrap_or_default();
        let said: Vec<(&str, String)> = output
            .messages()
            .iter()
            .filter_map(|message| Some((message.content_type().as_str(), shown(message)?)))
            .collect();
        let reference = self
            .attributes
            .get(REFERENCE_ATTRIBUTE)
            .filter(|value| !value.is_empty())
            .cloned();
        let live_chat = reference.filter(|value| self.last_reference.as_ref() != Some(value));
        if live_chat.is_some() {
            self.last_reference.clone_from(&live_chat);
        } else {
            // The Lex Web UI's own record of the turn, in its V1-style shape.
            let previous = json!({
                "messages": said
                    .iter()
                    .map(|(kind, text)| json!({"type": kind, "value": text}))
                    .collect::<Vec<_>>()
            });
            self.attributes
                .insert("previousUtterance".to_owned(), text.to_owned());
            self.attributes
                .insert("previousLexResponse".to_owned(), previous.to_string());
        }
        let action = state.and_then(SessionState::dialog_action);
        BotTurn {
            messages: said.into_iter().map(|(_, text)| text).collect(),
            intent: state
                .and_then(SessionState::intent)
                .map(|intent| intent.name().to_owned()),
            dialog_action: action.map(|action| action.r#type().as_str().to_owned()),
            slot_to_elicit: action.and_then(|action| action.slot_to_elicit().map(str::to_owned)),
            live_chat,
        }
    }
}

/// A message as text: its content, or a response card's title and buttons.
fn shown(message: &Message) -> Option<String> {
    if let Some(content) = message.content().filter(|content| !content.is_empty()) {
        return Some(content.to_owned());
    }
    let card = message.image_response_card()?;
    let buttons: Vec<&str> = card.buttons().iter().map(|button| button.text()).collect();
    Some(if buttons.is_empty() {
        card.title().to_owned()
    } else {
        format!("{} [{}]", card.title(), buttons.join(" | "))
    })
}

#[cfg(test)]
mod tests {
    use aws_sdk_lexruntimev2::types::MessageContentType;

    use super::*;

    const PREVIOUS_UTTERANCE: &str = "previousUtterance";
    const PREVIOUS_LEX_RESPONSE: &str = "previousLexResponse";

    fn session() -> LexSession {
        let config = aws_sdk_lexruntimev2::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .build();
        let bot = BotAddress {
            bot_id: "BOT".into(),
            alias_id: "ALIAS".into(),
            locale_id: "en_US".into(),
        };
        LexSession::new(Client::from_conf(config), bot)
    }

    /// A RecognizeText answer saying `reply`: the attributes `lex` sent, echoed as Lex and the
    /// code hook do, with the session attribute `reference` if any.
    fn answer(lex: &LexSession, reference: Option<&str>, reply: &str) -> RecognizeTextOutput {
        let mut attributes = lex.attributes.clone();
        if let Some(reference) = reference {
            attributes.insert(REFERENCE_ATTRIBUTE.to_owned(), reference.to_owned());
        }
        let state = SessionState::builder()
            .set_session_attributes(Some(attributes))
            .build();
        let message = Message::builder()
            .content_type(MessageContentType::PlainText)
            .content(reply)
            .build()
            .expect("a message with a content type");
        RecognizeTextOutput::builder()
            .session_state(state)
            .messages(message)
            .build()
    }

    fn recorded(session: &LexSession) -> (Option<&str>, Option<&str>) {
        let attribute = |name: &str| session.attributes.get(name).map(String::as_str);
        (
            attribute(PREVIOUS_UTTERANCE),
            attribute(PREVIOUS_LEX_RESPONSE),
        )
    }

    #[test]
    fn the_turn_that_opens_a_live_chat_is_never_recorded() {
        let mut lex = session();
        let order = lex.remember("Where is my order?", &answer(&lex, None, "It shipped."));
        assert_eq!(order.live_chat, None);
        let order_recorded = (
            Some("Where is my order?"),
            Some(r#"{"messages":[{"type":"PlainText","value":"It shipped."}]}"#),
        );
        assert_eq!(recorded(&lex), order_recorded);

        let connecting = answer(&lex, Some("v1.k.1.t"), "Connecting you.");
        let escalated = lex.remember("A refund", &connecting);
        assert_eq!(escalated.live_chat.as_deref(), Some("v1.k.1.t"));
        assert_eq!(escalated.messages, ["Connecting you."]);
        assert_eq!(
            recorded(&lex),
            order_recorded,
            "the turn before the hand-over stays recorded"
        );
        assert_eq!(lex.reference(), Some("v1.k.1.t"));

        let echoed = lex.remember("Hello", &answer(&lex, None, "Hi!"));
        assert_eq!(
            echoed.live_chat, None,
            "the same reference is not a new chat"
        );
        assert_eq!(recorded(&lex).0, Some("Hello"));
        let connecting = answer(&lex, Some("v1.k2.1.t"), "Connecting you.");
        let again = lex.remember("An agent", &connecting);
        assert_eq!(again.live_chat.as_deref(), Some("v1.k2.1.t"));
        assert_eq!(recorded(&lex).0, Some("Hello"));
    }
}
