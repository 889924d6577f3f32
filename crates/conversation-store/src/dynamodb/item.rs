//! Conversations and transcripts as DynamoDB items, and back.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;

use super::table::{PARTITION_KEY, TTL_ATTRIBUTE};
use handover::conversation::{Conversation, ConversationKey, Provider};
use handover::errors::Cause;
use handover::store::StoreError;
use handover::transcript::{LastTurn, Transcript, TranscriptEntry};

/// An item as the SDK passes it.
pub(crate) type Item = HashMap<String, AttributeValue>;

/// The partition key of a conversation item.
pub(crate) fn conversation_pk(key: &ConversationKey) -> AttributeValue {
    AttributeValue::S(format!("CONV#{key}"))
}

/// The partition key of a connection item.
pub(crate) fn connection_pk(connection_id: &str) -> AttributeValue {
    AttributeValue::S(format!("CONN#{connection_id}"))
}

/// An event item's state attribute: [`EVENT_CLAIMED`] or [`EVENT_HANDLED`].
pub(crate) const EVENT_STATE: &str = "event_state";
/// The state of an event claimed until [`LEASE_UNTIL`].
pub(crate) const EVENT_CLAIMED: &str = "claimed";
/// The state of an event that was handled.
pub(crate) const EVENT_HANDLED: &str = "handled";
/// When a claim's lease ends (epoch milliseconds).
pub(crate) const LEASE_UNTIL: &str = "lease_until";
/// When a conversation's last connection went (epoch milliseconds), while none is bound.
const DISCONNECTED_AT: &str = "disconnected_at";

/// The partition key of a handled-event item.
pub(crate) fn event_pk(source: &str, event_id: &str) -> AttributeValue {
    AttributeValue::S(format!("EVENT#{source}#{event_id}"))
}

/// The partition key of a Lex session's transcript item.
pub(crate) fn transcript_pk(lex_session_id: &str) -> AttributeValue {
    AttributeValue::S(format!("SESSION#{lex_session_id}"))
}

/// The partition key of the item that finds a conversation by the contact center's id.
pub(crate) fn provider_pk(provider: Provider, provider_conversation_id: &str) -> AttributeValue {
    AttributeValue::S(format!("PROVIDER#{provider}#{provider_conversation_id}"))
}

/// The conversation's own item.
pub(crate) fn conversation_item(conversation: &Conversation) -> Item {
    let mut item = attributes(conversation);
    item.insert(PARTITION_KEY.into(), conversation_pk(&conversation.key));
    item.insert("item_type".into(), AttributeValue::S("conversation".into()));
    item
}

/// The item that finds `conversation` by the contact center's id: a copy of the conversation.
pub(crate) fn provider_item(conversation: &Conversation) -> Item {
    let mut item = attributes(conversation);
    item.insert(
        PARTITION_KEY.into(),
        provider_pk(
            conversation.provider,
            &conversation.provider_conversation_id,
        ),
    );
    item.insert("item_type".into(), AttributeValue::S("provider".into()));
    item
}

/// The item of the connection bound to `conversation`: a copy of the conversation.
pub(crate) fn connection_item(conversation: &Conversation, connection_id: &str) -> Item {
    let mut item = attributes(conversation);
    item.insert(PARTITION_KEY.into(), connection_pk(connection_id));
    item.insert("item_type".into(), AttributeValue::S("connection".into()));
    item
}

/// The item remembering a handled event.
/// The item of an event claimed until `lease_until`, or handled when that is `None`.
pub(crate) fn event_item(
    source: &str,
    event_id: &str,
    lease_until: Option<SystemTime>,
    expires_at: SystemTime,
) -> Item {
    let state = if lease_until.is_some() {
        EVENT_CLAIMED
    } else {
        EVENT_HANDLED
    };
    let mut item = HashMap::from([
        (PARTITION_KEY.into(), event_pk(source, event_id)),
        ("item_type".into(), AttributeValue::S("event".into())),
        (EVENT_STATE.into(), AttributeValue::S(state.into())),
        (TTL_ATTRIBUTE.into(), seconds(expires_at)),
    ]);
    if let Some(lease_until) = lease_until {
        item.insert(LEASE_UNTIL.into(), millis(lease_until));
    }
    item
}

/// Whether a stored event is claimed rather than handled (an item written before claims
/// existed has no state, and was handled).
pub(crate) fn is_claimed(item: &Item) -> bool {
    matches!(item.get(EVENT_STATE), Some(AttributeValue::S(state)) if state == EVENT_CLAIMED)
}

/// A Lex session's transcript item.
pub(crate) fn transcript_item(transcript: &Transcript) -> Item {
    let entries = transcript.entries.iter().map(entry_value).collect();
    let intents = transcript
        .intents
        .iter()
        .map(|intent| AttributeValue::S(intent.clone()))
        .collect();
    let mut item = HashMap::from([
        (
            PARTITION_KEY.into(),
            transcript_pk(&transcript.lex_session_id),
        ),
        ("item_type".into(), AttributeValue::S("transcript".into())),
        (
            "lex_session_id".into(),
            AttributeValue::S(transcript.lex_session_id.clone()),
        ),
        ("entries".into(), AttributeValue::L(entries)),
        ("intents".into(), AttributeValue::L(intents)),
        ("updated_at".into(), millis(transcript.updated_at)),
        (TTL_ATTRIBUTE.into(), seconds(transcript.expires_at)),
        (
            "version".into(),
            AttributeValue::N(transcript.version.to_string()),
        ),
    ]);
    let prompts = transcript
        .prompts
        .iter()
        .map(|(slot, count)| (slot.clone(), AttributeValue::N(count.to_string())))
        .collect();
    item.insert("prompts".into(), AttributeValue::M(prompts));
    item.insert(
        "escalations".into(),
        AttributeValue::N(transcript.escalations.to_string()),
    );
    if let Some(request) = &transcript.last_escalation {
        item.insert("last_escalation".into(), AttributeValue::S(request.clone()));
    }
    if let Some(last) = &transcript.last_turn {
        item.insert("last_turn".into(), last_turn_value(last));
    }
    item
}

fn last_turn_value(last: &LastTurn) -> AttributeValue {
    let mut map = HashMap::from([
        ("request".into(), AttributeValue::S(last.request.clone())),
        ("escalated".into(), AttributeValue::Bool(last.escalated)),
    ]);
    let optional = [
        ("utterance", &last.utterance),
        ("previous_exchange", &last.previous_exchange),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            map.insert(name.into(), AttributeValue::S(value.clone()));
        }
    }
    AttributeValue::M(map)
}

fn last_turn_from_map(map: &Item) -> Result<LastTurn, StoreError> {
    let optional = |name: &str| map.get(name).and_then(|v| v.as_s().ok()).cloned();
    Ok(LastTurn {
        request: string(map, "request")?.to_owned(),
        utterance: optional("utterance"),
        previous_exchange: optional("previous_exchange"),
        escalated: matches!(map.get("escalated"), Some(AttributeValue::Bool(true))),
    })
}

fn entry_value(entry: &TranscriptEntry) -> AttributeValue {
    AttributeValue::M(HashMap::from([
        (
            "speaker".into(),
            AttributeValue::S(entry.speaker.as_str().into()),
        ),
        ("text".into(), AttributeValue::S(entry.text.clone())),
        ("at".into(), millis(entry.at)),
    ]))
}

/// Reads a transcript back from its item.
pub(crate) fn transcript_from_item(item: &Item) -> Result<Transcript, StoreError> {
    let entries = list(item, "entries")?
        .iter()
        .map(|value| match value {
            AttributeValue::M(entry) => entry_from_map(entry),
            _ => Err(malformed("an entry is not a map")),
        })
        .collect::<Result<_, _>>()?;
    let intents = list(item, "intents")?
        .iter()
        .map(|value| match value {
            AttributeValue::S(intent) => Ok(intent.clone()),
            _ => Err(malformed("an intent is not a string")),
        })
        .collect::<Result<_, _>>()?;
    let prompts = match item.get("prompts") {
        Some(AttributeValue::M(map)) => map
            .iter()
            .map(|(slot, count)| {
                let count = count
                    .as_n()
                    .ok()
                    .and_then(|count| count.parse().ok())
                    .ok_or_else(|| malformed(format!("prompts.{slot} is not a count")))?;
                Ok((slot.clone(), count))
            })
            .collect::<Result<_, StoreError>>()?,
        Some(_) => return Err(missing("prompts")),
        None => BTreeMap::new(),
    };
    Ok(Transcript {
        lex_session_id: string(item, "lex_session_id")?.to_owned(),
        entries,
        intents,
        last_turn: match item.get("last_turn") {
            Some(AttributeValue::M(map)) => Some(last_turn_from_map(map)?),
            Some(_) => return Err(missing("last_turn")),
            None => None,
        },
        prompts,
        // Absent in transcripts written before escalations were counted.
        escalations: match item.get("escalations") {
            Some(_) => number(item, "escalations")?
                .try_into()
                .map_err(|_| malformed("escalations is out of range"))?,
            None => 0,
        },
        last_escalation: item
            .get("last_escalation")
            .and_then(|v| v.as_s().ok())
            .cloned(),
        updated_at: UNIX_EPOCH + Duration::from_millis(number(item, "updated_at")?),
        expires_at: expires_at(item)?,
        version: number(item, "version")?,
    })
}

fn entry_from_map(entry: &Item) -> Result<TranscriptEntry, StoreError> {
    Ok(TranscriptEntry {
        speaker: string(entry, "speaker")?
            .parse()
            .map_err(corrupt("speaker"))?,
        text: string(entry, "text")?.to_owned(),
        at: UNIX_EPOCH + Duration::from_millis(number(entry, "at")?),
    })
}

fn attributes(conversation: &Conversation) -> Item {
    let provider_data = conversation
        .provider_data
        .iter()
        .map(|(name, value)| (name.clone(), AttributeValue::S(value.clone())))
        .collect();
    let mut item = HashMap::from([
        (
            "conversation_key".into(),
            AttributeValue::S(conversation.key.to_string()),
        ),
        (
            "provider".into(),
            AttributeValue::S(conversation.provider.to_string()),
        ),
        (
            "provider_conversation_id".into(),
            AttributeValue::S(conversation.provider_conversation_id.clone()),
        ),
        ("provider_data".into(), AttributeValue::M(provider_data)),
        (
            "lex_session_id".into(),
            AttributeValue::S(conversation.lex_session_id.clone()),
        ),
        (
            "status".into(),
            AttributeValue::S(conversation.status.as_str().into()),
        ),
        ("created_at".into(), millis(conversation.created_at)),
        ("updated_at".into(), millis(conversation.updated_at)),
        (TTL_ATTRIBUTE.into(), seconds(conversation.expires_at)),
        (
            "version".into(),
            AttributeValue::N(conversation.version.to_string()),
        ),
    ]);
    if let Some(connection_id) = &conversation.connection_id {
        item.insert(
            "connection_id".into(),
            AttributeValue::S(connection_id.clone()),
        );
    }
    if let Some(disconnected_at) = conversation.disconnected_at {
        item.insert(DISCONNECTED_AT.into(), millis(disconnected_at));
    }
    item
}

/// Reads a conversation back from its own item or from a connection item.
pub(crate) fn conversation_from_item(item: &Item) -> Result<Conversation, StoreError> {
    let key = ConversationKey::parse(string(item, "conversation_key")?)
        .map_err(corrupt("conversation_key"))?;
    let provider_data = match item.get("provider_data") {
        Some(AttributeValue::M(map)) => map
            .iter()
            .map(|(name, value)| match value {
                AttributeValue::S(text) => Ok((name.clone(), text.clone())),
                _ => Err(malformed(format!("provider_data.{name} is not a string"))),
            })
            .collect::<Result<BTreeMap<_, _>, _>>()?,
        _ => return Err(missing("provider_data")),
    };
    Ok(Conversation {
        key,
        provider: string(item, "provider")?
            .parse()
            .map_err(corrupt("provider"))?,
        provider_conversation_id: string(item, "provider_conversation_id")?.to_owned(),
        provider_data,
        lex_session_id: string(item, "lex_session_id")?.to_owned(),
        status: string(item, "status")?.parse().map_err(corrupt("status"))?,
        connection_id: item
            .get("connection_id")
            .and_then(|v| v.as_s().ok())
            .cloned(),
        // Absent on records written before it was kept, and while a connection is bound.
        disconnected_at: match item.get(DISCONNECTED_AT) {
            Some(_) => Some(UNIX_EPOCH + Duration::from_millis(number(item, DISCONNECTED_AT)?)),
            None => None,
        },
        created_at: UNIX_EPOCH + Duration::from_millis(number(item, "created_at")?),
        updated_at: UNIX_EPOCH + Duration::from_millis(number(item, "updated_at")?),
        expires_at: expires_at(item)?,
        version: number(item, "version")?,
    })
}

/// The item's expiry.
pub(crate) fn expires_at(item: &Item) -> Result<SystemTime, StoreError> {
    Ok(UNIX_EPOCH + Duration::from_secs(number(item, TTL_ATTRIBUTE)?))
}

/// A time as a DynamoDB number of epoch seconds (the TTL attribute's unit).
pub(crate) fn seconds(at: SystemTime) -> AttributeValue {
    AttributeValue::N(since_epoch(at).as_secs().to_string())
}

/// A time as a DynamoDB number of epoch milliseconds.
pub(crate) fn millis(at: SystemTime) -> AttributeValue {
    AttributeValue::N(since_epoch(at).as_millis().to_string())
}

fn since_epoch(at: SystemTime) -> Duration {
    at.duration_since(UNIX_EPOCH).unwrap_or_default()
}

pub(crate) fn string<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(text)) => Ok(text),
        _ => Err(missing(name)),
    }
}

fn list<'a>(item: &'a Item, name: &str) -> Result<&'a [AttributeValue], StoreError> {
    match item.get(name) {
        Some(AttributeValue::L(values)) => Ok(values),
        _ => Err(missing(name)),
    }
}

pub(crate) fn number(item: &Item, name: &str) -> Result<u64, StoreError> {
    match item.get(name) {
        Some(AttributeValue::N(text)) => text
            .parse()
            .map_err(|_| malformed(format!("{name} is not a whole number"))),
        _ => Err(missing(name)),
    }
}

fn missing(name: &str) -> StoreError {
    malformed(format!("attribute {name} is missing or of the wrong type"))
}

/// An item that is malformed in a way no error of its own explains.
pub(crate) fn malformed(problem: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        problem: problem.into(),
        cause: None,
    }
}

/// An item whose attribute `name` holds a value that does not parse.
fn corrupt<E>(name: &'static str) -> impl Fn(E) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
{
    move |err| StoreError::Corrupt {
        problem: format!("attribute {name} is invalid"),
        cause: Some(Cause::new(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use handover::conversation::{ConversationStatus, UnknownName};
    use handover::transcript::Speaker;

    fn sample() -> Conversation {
        Conversation {
            key: ConversationKey::parse("k1").unwrap(),
            provider: Provider::AmazonConnect,
            provider_conversation_id: "contact-1".into(),
            provider_data: BTreeMap::from([("participant_token".into(), "t".into())]),
            lex_session_id: "us-east-1:abc".into(),
            status: ConversationStatus::Connected,
            connection_id: Some("AAAA1234=".into()),
            disconnected_at: None,
            created_at: UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
            updated_at: UNIX_EPOCH + Duration::from_millis(1_700_000_001_456),
            expires_at: UNIX_EPOCH + Duration::from_secs(1_700_086_402),
            version: 3,
        }
    }

    #[test]
    fn conversation_items_round_trip() {
        let conversation = sample();
        let item = conversation_item(&conversation);
        assert_eq!(item["pk"], AttributeValue::S("CONV#k1".into()));
        assert_eq!(item["expires_at"], AttributeValue::N("1700086402".into()));
        assert_eq!(conversation_from_item(&item), Ok(conversation));
    }

    #[test]
    fn connection_and_provider_items_copy_the_conversation() {
        let conversation = sample();
        let item = connection_item(&conversation, "AAAA1234=");
        assert_eq!(item["pk"], AttributeValue::S("CONN#AAAA1234=".into()));
        assert_eq!(conversation_from_item(&item), Ok(conversation.clone()));
        let item = provider_item(&conversation);
        assert_eq!(
            item["pk"],
            AttributeValue::S("PROVIDER#amazon-connect#contact-1".into())
        );
        assert_eq!(conversation_from_item(&item), Ok(conversation));
    }

    fn sample_transcript() -> Transcript {
        let entry = |speaker, text: &str, millis| TranscriptEntry {
            speaker,
            text: text.into(),
            at: UNIX_EPOCH + Duration::from_millis(millis),
        };
        Transcript {
            lex_session_id: "us-east-1:abc".into(),
            entries: vec![
                entry(Speaker::Bot, "How can I help?", 1_700_000_000_123),
                entry(
                    Speaker::Customer,
                    "Zoë wants an agent 客服",
                    1_700_000_000_123,
                ),
            ],
            intents: vec!["Greeting".into(), "TalkToAgent".into()],
            last_turn: Some(LastTurn {
                request: "9f2c".into(),
                utterance: Some("41ab".into()),
                previous_exchange: Some("77d0".into()),
                escalated: true,
            }),
            prompts: BTreeMap::from([("CustomerName".into(), 2), ("Subject".into(), 1)]),
            escalations: 3,
            last_escalation: Some("9f2c".into()),
            updated_at: UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
            expires_at: UNIX_EPOCH + Duration::from_secs(1_700_086_401),
            version: 2,
        }
    }

    #[test]
    fn transcript_items_round_trip() {
        let transcript = sample_transcript();
        let item = transcript_item(&transcript);
        assert_eq!(
            item["pk"],
            AttributeValue::S("SESSION#us-east-1:abc".into())
        );
        assert_eq!(item["item_type"], AttributeValue::S("transcript".into()));
        assert_eq!(item["expires_at"], AttributeValue::N("1700086401".into()));
        let AttributeValue::L(entries) = &item["entries"] else {
            panic!("entries is a list");
        };
        let AttributeValue::M(first) = &entries[0] else {
            panic!("an entry is a map");
        };
        assert_eq!(first["speaker"], AttributeValue::S("bot".into()));
        assert_eq!(first["at"], AttributeValue::N("1700000000123".into()));
        assert_eq!(transcript_from_item(&item), Ok(transcript));

        let fresh = Transcript {
            entries: Vec::new(),
            intents: Vec::new(),
            last_turn: Some(LastTurn {
                request: "9f2c".into(),
                ..LastTurn::default()
            }),
            prompts: BTreeMap::new(),
            escalations: 0,
            last_escalation: None,
            ..sample_transcript()
        };
        let item = transcript_item(&fresh);
        assert!(!item.contains_key("last_escalation"));
        assert_eq!(transcript_from_item(&item), Ok(fresh));
    }

    #[test]
    fn transcripts_written_before_escalations_were_counted_still_read() {
        let mut item = transcript_item(&sample_transcript());
        for newer in ["last_turn", "prompts", "escalations", "last_escalation"] {
            item.remove(newer);
        }
        item.insert("last_request_id".into(), AttributeValue::S("req-2".into()));
        let read = transcript_from_item(&item).unwrap();
        assert_eq!(read.last_turn, None);
        assert!(read.prompts.is_empty());
        assert_eq!(read.escalations, 0);
        assert_eq!(read.entries, sample_transcript().entries);
    }

    #[test]
    fn malformed_transcripts_say_what_is_wrong() {
        let mut item = transcript_item(&sample_transcript());
        let AttributeValue::L(entries) = item.get_mut("entries").unwrap() else {
            panic!("entries is a list");
        };
        let AttributeValue::M(first) = &mut entries[0] else {
            panic!("an entry is a map");
        };
        first.insert("speaker".into(), AttributeValue::S("agent".into()));
        assert_eq!(
            transcript_from_item(&item),
            Err(StoreError::Corrupt {
                problem: "attribute speaker is invalid".into(),
                cause: Some(Cause::new(UnknownName("speaker \"agent\"".into())))
            })
        );

        let mut item = transcript_item(&sample_transcript());
        let AttributeValue::M(prompts) = item.get_mut("prompts").unwrap() else {
            panic!("prompts is a map");
        };
        prompts.insert("Subject".into(), AttributeValue::S("two".into()));
        assert_eq!(
            transcript_from_item(&item),
            Err(StoreError::Corrupt {
                problem: "prompts.Subject is not a count".into(),
                cause: None
            })
        );

        let mut item = transcript_item(&sample_transcript());
        item.insert("intents".into(), AttributeValue::S("Greeting".into()));
        assert_eq!(
            transcript_from_item(&item),
            Err(StoreError::Corrupt {
                problem: "attribute intents is missing or of the wrong type".into(),
                cause: None
            })
        );
    }

    #[test]
    fn malformed_items_say_what_is_wrong() {
        let mut item = conversation_item(&sample());
        item.insert("status".into(), AttributeValue::S("lost".into()));
        assert_eq!(
            conversation_from_item(&item),
            Err(StoreError::Corrupt {
                problem: "attribute status is invalid".into(),
                cause: Some(Cause::new(UnknownName("status \"lost\"".into())))
            })
        );
        item.remove("version");
        assert!(conversation_from_item(&item).is_err());
    }
}
