//! Each conversation's outbox as one item, `OUTBOX#<key>`, changed by versioned
//! read-modify-write as transcripts are.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;

use super::errors::store_error;
use super::item::{Item, malformed, number, seconds, string};
use super::table::{PARTITION_KEY, TTL_ATTRIBUTE};
use super::{DynamoDbStore, WRITE_ATTEMPTS, backoff, is_condition_failure};
use handover::conversation::ConversationKey;
use handover::outbox::{Kept, KeptMessage, Outbox};
use handover::store::{Outboxes, StoreError};

fn outbox_pk(key: &ConversationKey) -> AttributeValue {
    AttributeValue::S(format!("OUTBOX#{key}"))
}

fn outbox_item(outbox: &Outbox) -> Item {
    let messages = outbox
        .messages
        .iter()
        .map(|message| {
            AttributeValue::M(HashMap::from([
                ("id".into(), AttributeValue::S(message.id.clone())),
                ("text".into(), AttributeValue::S(message.text.clone())),
                (
                    "author".into(),
                    AttributeValue::S(message.author_name.clone()),
                ),
            ]))
        })
        .collect();
    HashMap::from([
        (PARTITION_KEY.into(), outbox_pk(&outbox.key)),
        ("item_type".into(), AttributeValue::S("outbox".into())),
        (
            "conversation_key".into(),
            AttributeValue::S(outbox.key.to_string()),
        ),
        ("messages".into(), AttributeValue::L(messages)),
        (TTL_ATTRIBUTE.into(), seconds(outbox.expires_at)),
        (
            "version".into(),
            AttributeValue::N(outbox.version.to_string()),
        ),
    ])
}

fn outbox_from_item(key: &ConversationKey, item: &Item) -> Result<Outbox, StoreError> {
    let messages = match item.get("messages") {
        Some(AttributeValue::L(messages)) => messages,
        _ => return Err(malformed("an outbox has no messages list")),
    };
    let messages = messages
        .iter()
        .map(|message| match message {
            AttributeValue::M(map) => Ok(KeptMessage {
                id: string(map, "id")?.to_owned(),
                text: string(map, "text")?.to_owned(),
                author_name: string(map, "author")?.to_owned(),
            }),
            _ => Err(malformed("a kept message is not a map")),
        })
        .collect::<Result<_, _>>()?;
    Ok(Outbox {
        key: key.clone(),
        messages,
        expires_at: UNIX_EPOCH + Duration::from_secs(number(item, TTL_ATTRIBUTE)?),
        version: number(item, "version")?,
    })
}

impl DynamoDbStore {
    async fn live_outbox(
        &self,
        key: &ConversationKey,
        now: SystemTime,
    ) -> Result<Option<Outbox>, StoreError> {
        self.live_item(outbox_pk(key), now)
            .await?
            .map(|item| outbox_from_item(key, &item))
            .transpose()
    }

    /// Applies `change` to the conversation's live outbox (an empty one if none) and writes
    /// the outbox it returns, reading again and retrying when another writer came first.
    async fn update_outbox<T>(
        &self,
        key: &ConversationKey,
        change: impl Fn(&Outbox, SystemTime) -> (T, Option<Outbox>),
    ) -> Result<T, StoreError> {
        for attempt in 1..=WRITE_ATTEMPTS {
            let now = self.clock.now();
            let read = self.live_outbox(key, now).await?;
            let read_version = read.as_ref().map(|outbox| outbox.version);
            let current = read.unwrap_or_else(|| Outbox::empty(key));
            let (answer, next) = change(&current, now);
            let Some(next) = next else {
                return Ok(answer);
            };
            match self
                .put_versioned(outbox_item(&next), read_version, now)
                .await
            {
                Ok(()) => return Ok(answer),
                Err(err) if is_condition_failure(&err) => backoff(attempt).await,
                Err(err) => return Err(store_error(err)),
            }
        }
        Err(StoreError::Conflict {
            record: format!("outbox of conversation {key}"),
            attempts: WRITE_ATTEMPTS,
        })
    }
}

#[async_trait]
impl Outboxes for DynamoDbStore {
    async fn keep_message(
        &self,
        key: &ConversationKey,
        message: KeptMessage,
        capacity: usize,
    ) -> Result<Kept, StoreError> {
        self.update_outbox(key, |current, now| {
            current.keep(message.clone(), capacity, now, self.lifetime)
        })
        .await
    }

    async fn kept_messages(&self, key: &ConversationKey) -> Result<Vec<KeptMessage>, StoreError> {
        let outbox = self.live_outbox(key, self.clock.now()).await?;
        Ok(outbox.map(|outbox| outbox.messages).unwrap_or_default())
    }

    async fn forget_message(&self, key: &ConversationKey, id: &str) -> Result<(), StoreError> {
        self.update_outbox(key, |current, now| {
            ((), current.forget(id, now, self.lifetime))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbox_items_round_trip() {
        let key = ConversationKey::parse("k1").unwrap();
        let outbox = Outbox {
            key: key.clone(),
            messages: vec![KeptMessage {
                id: "talkdesk#m1".into(),
                text: "Your parcel left today.".into(),
                author_name: "Sam".into(),
            }],
            expires_at: UNIX_EPOCH + Duration::from_secs(1_700_086_402),
            version: 4,
        };
        let item = outbox_item(&outbox);
        assert_eq!(item["pk"], AttributeValue::S("OUTBOX#k1".into()));
        assert_eq!(outbox_from_item(&key, &item), Ok(outbox));
    }
}
