//! Conversations as DynamoDB items, and back.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;

use super::table::{CREATED_AT, PARTITION_KEY, PROVIDER_REF, TTL_ATTRIBUTE};
use crate::error::StoreError;
use crate::model::{Conversation, ConversationKey, Provider};

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

/// The partition key of a handled-event item.
pub(crate) fn event_pk(source: &str, event_id: &str) -> AttributeValue {
    AttributeValue::S(format!("EVENT#{source}#{event_id}"))
}

/// The value of the provider index's key for this conversation.
pub(crate) fn provider_ref(provider: Provider, provider_conversation_id: &str) -> AttributeValue {
    AttributeValue::S(format!("{provider}#{provider_conversation_id}"))
}

/// The conversation's own item.
pub(crate) fn conversation_item(conversation: &Conversation) -> Item {
    let mut item = attributes(conversation);
    item.insert(PARTITION_KEY.into(), conversation_pk(&conversation.key));
    item.insert("item_type".into(), AttributeValue::S("conversation".into()));
    item.insert(
        PROVIDER_REF.into(),
        provider_ref(
            conversation.provider,
            &conversation.provider_conversation_id,
        ),
    );
    item
}

/// The item of the connection bound to `conversation`: a copy of the conversation, without
/// the index key so that the provider index holds conversation items only.
pub(crate) fn connection_item(conversation: &Conversation, connection_id: &str) -> Item {
    let mut item = attributes(conversation);
    item.insert(PARTITION_KEY.into(), connection_pk(connection_id));
    item.insert("item_type".into(), AttributeValue::S("connection".into()));
    item
}

/// The item remembering a handled event.
pub(crate) fn event_item(source: &str, event_id: &str, expires_at: SystemTime) -> Item {
    HashMap::from([
        (PARTITION_KEY.into(), event_pk(source, event_id)),
        ("item_type".into(), AttributeValue::S("event".into())),
        (TTL_ATTRIBUTE.into(), seconds(expires_at)),
    ])
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
        (CREATED_AT.into(), millis(conversation.created_at)),
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
                _ => Err(StoreError::Corrupt(format!(
                    "provider_data.{name} is not a string"
                ))),
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
        created_at: UNIX_EPOCH + Duration::from_millis(number(item, CREATED_AT)?),
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

fn millis(at: SystemTime) -> AttributeValue {
    AttributeValue::N(since_epoch(at).as_millis().to_string())
}

fn since_epoch(at: SystemTime) -> Duration {
    at.duration_since(UNIX_EPOCH).unwrap_or_default()
}

fn string<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(text)) => Ok(text),
        _ => Err(missing(name)),
    }
}

fn number(item: &Item, name: &str) -> Result<u64, StoreError> {
    match item.get(name) {
        Some(AttributeValue::N(text)) => text
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("{name} is not a whole number"))),
        _ => Err(missing(name)),
    }
}

fn missing(name: &str) -> StoreError {
    StoreError::Corrupt(format!("attribute {name} is missing or of the wrong type"))
}

fn corrupt<E: std::fmt::Display>(name: &'static str) -> impl Fn(E) -> StoreError {
    move |err| StoreError::Corrupt(format!("{name}: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ConversationStatus;

    fn sample() -> Conversation {
        Conversation {
            key: ConversationKey::parse("k1").unwrap(),
            provider: Provider::AmazonConnect,
            provider_conversation_id: "contact-1".into(),
            provider_data: BTreeMap::from([("participant_token".into(), "t".into())]),
            lex_session_id: "us-east-1:abc".into(),
            status: ConversationStatus::Connected,
            connection_id: Some("AAAA1234=".into()),
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
        assert_eq!(
            item["provider_ref"],
            AttributeValue::S("amazon-connect#contact-1".into())
        );
        assert_eq!(item["expires_at"], AttributeValue::N("1700086402".into()));
        assert_eq!(conversation_from_item(&item), Ok(conversation));
    }

    #[test]
    fn connection_items_copy_the_conversation_but_stay_out_of_the_index() {
        let conversation = sample();
        let item = connection_item(&conversation, "AAAA1234=");
        assert_eq!(item["pk"], AttributeValue::S("CONN#AAAA1234=".into()));
        assert!(!item.contains_key("provider_ref"));
        assert_eq!(conversation_from_item(&item), Ok(conversation));
    }

    #[test]
    fn malformed_items_say_what_is_wrong() {
        let mut item = conversation_item(&sample());
        item.insert("status".into(), AttributeValue::S("lost".into()));
        assert_eq!(
            conversation_from_item(&item),
            Err(StoreError::Corrupt(
                "status: unknown status \"lost\"".into()
            ))
        );
        item.remove("version");
        assert!(conversation_from_item(&item).is_err());
    }
}
