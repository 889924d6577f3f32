//! The store in one DynamoDB table (design in the crate documentation).

mod errors;
mod item;
mod outbox;
pub mod table;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};

use self::errors::store_error;
use self::item::{
    EVENT_CLAIMED, EVENT_STATE, Item, LEASE_UNTIL, connection_item, connection_pk,
    conversation_from_item, conversation_item, conversation_pk, event_item, event_pk, expires_at,
    is_claimed, millis, provider_item, provider_pk, seconds, transcript_from_item, transcript_item,
    transcript_pk,
};
use self::table::PARTITION_KEY;
use crate::settings::StoreSettings;
use handover::clock::{Clock, SystemClock};
use handover::conversation::{
    Binding, Conversation, ConversationKey, ConversationStatus, NewConversation, Provider,
};
use handover::errors::Cause;
use handover::store::StoreError;
use handover::store::lifetime::{DEFAULT_LIFETIME, expiry, is_expired};
use handover::store::{Change, Claim, Conversations, HandledEvents, Transcripts, new_record};
use handover::transcript::{Escalation, Transcript, TranscriptLimits, Turn};

/// How often a write is retried when a concurrent writer changed the record first.
const WRITE_ATTEMPTS: u32 = 10;

/// Written only if the item is absent or has expired (DynamoDB removes expired items lazily).
const ABSENT_OR_EXPIRED: &str = "attribute_not_exists(pk) OR expires_at <= :now";

/// The store on a DynamoDB table created as [`table::create_table`] does.
#[derive(Debug, Clone)]
pub struct DynamoDbStore {
    client: Client,
    table: String,
    lifetime: Duration,
    clock: Arc<dyn Clock>,
}

/// The copies a conversation write also touches.
struct CopyWrites<'a> {
    /// Put a copy of the conversation here, refused if the connection belongs to another one.
    bind: Option<&'a str>,
    /// Delete these connection items.
    delete: Vec<&'a str>,
    /// Put the copy found by the contact center's id, unless a newer conversation took it.
    provider: bool,
}

impl DynamoDbStore {
    /// A store on `table`, whose records live [`DEFAULT_LIFETIME`] after their last write.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            lifetime: DEFAULT_LIFETIME,
            clock: Arc::new(SystemClock),
        }
    }

    /// A store on the table `settings` name, with their lifetime.
    pub fn from_settings(client: Client, settings: &StoreSettings) -> Self {
        Self::new(client, &settings.table).with_lifetime(settings.lifetime)
    }

    /// Records live `lifetime` after their last write.
    pub fn with_lifetime(self, lifetime: Duration) -> Self {
        Self { lifetime, ..self }
    }

    /// Reads the time from `clock`.
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self }
    }

    async fn live_item(
        &self,
        pk: AttributeValue,
        now: SystemTime,
    ) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, pk)
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        match output.item {
            Some(item) if !is_expired(expires_at(&item)?, now) => Ok(Some(item)),
            _ => Ok(None),
        }
    }

    async fn live_conversation(
        &self,
        key: &ConversationKey,
        now: SystemTime,
    ) -> Result<Conversation, StoreError> {
        match self.live_item(conversation_pk(key), now).await? {
            Some(item) => conversation_from_item(&item),
            None => Err(StoreError::NotFound(key.clone())),
        }
    }

    /// Reads the conversation, applies `change`, and writes it back with `connections` in one
    /// transaction conditional on the version read; retries when another writer came first.
    async fn change(
        &self,
        key: &ConversationKey,
        change: Change<'_>,
    ) -> Result<(Conversation, Conversation), StoreError> {
        let mut provider = true;
        for attempt in 1..=WRITE_ATTEMPTS {
            let now = self.clock.now();
            let current = self.live_conversation(key, now).await?;
            let next = change.apply(&current, now, self.lifetime)?;
            let writes = copy_writes(change, &current, &next, provider);
            match self.write(&current, &next, &writes, now).await {
                Ok(()) => return Ok((current, next)),
                // Only the newest conversation with a contact-center id is found by it.
                Err(WriteRefused::ProviderIdTaken) => provider = false,
                Err(WriteRefused::ConnectionInUse) => {
                    return Err(StoreError::ConnectionInUse {
                        connection_id: writes.bind.unwrap_or_default().to_owned(),
                    });
                }
                Err(WriteRefused::Raced) => backoff(attempt).await,
                Err(WriteRefused::Failed(err)) => return Err(err),
            }
        }
        Err(StoreError::Conflict {
            record: format!("conversation {key}"),
            attempts: WRITE_ATTEMPTS,
        })
    }

    /// Binds `connection_id` to the conversation by `change` (a bind or a farewell).
    async fn bind(
        &self,
        key: &ConversationKey,
        change: Change<'_>,
        connection_id: &str,
    ) -> Result<Binding, StoreError> {
        let (previous, conversation) = self.change(key, change).await?;
        Ok(Binding {
            replaced: previous
                .connection_id
                .filter(|replaced| replaced != connection_id),
            conversation,
        })
    }

    async fn live_transcript(
        &self,
        lex_session_id: &str,
        now: SystemTime,
    ) -> Result<Option<Transcript>, StoreError> {
        self.live_item(transcript_pk(lex_session_id), now)
            .await?
            .map(|item| transcript_from_item(&item))
            .transpose()
    }

    /// Applies `change` to the session's live transcript (an empty one if none) and writes
    /// what it returns, reading again and retrying when another writer came first; `None`
    /// leaves the transcript as it was.
    async fn update_transcript(
        &self,
        lex_session_id: &str,
        change: impl Fn(&Transcript, SystemTime) -> Option<Transcript>,
    ) -> Result<Transcript, StoreError> {
        for attempt in 1..=WRITE_ATTEMPTS {
            let now = self.clock.now();
            let read = self.live_transcript(lex_session_id, now).await?;
            let read_version = read.as_ref().map(|transcript| transcript.version);
            let current = read.unwrap_or_else(|| Transcript::empty(lex_session_id));
            let Some(next) = change(&current, now) else {
                return Ok(current);
            };
            match self
                .put_versioned(transcript_item(&next), read_version, now)
                .await
            {
                Ok(()) => return Ok(next),
                Err(err) if is_condition_failure(&err) => backoff(attempt).await,
                Err(err) => return Err(store_error(err)),
            }
        }
        Err(StoreError::Conflict {
            record: format!("transcript of Lex session {lex_session_id}"),
            attempts: WRITE_ATTEMPTS,
        })
    }

    /// Writes `item` if the stored record is still the one read: at `read_version`, or absent
    /// or expired when none was read (transcripts and outboxes change this way).
    async fn put_versioned(
        &self,
        item: Item,
        read_version: Option<u64>,
        now: SystemTime,
    ) -> Result<(), SdkError<PutItemError>> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item));
        let put = match read_version {
            Some(version) => put
                .condition_expression("version = :version")
                .expression_attribute_values(":version", AttributeValue::N(version.to_string())),
            None => put
                .condition_expression(ABSENT_OR_EXPIRED)
                .expression_attribute_values(":now", seconds(now)),
        };
        put.send().await.map(drop)
    }

    async fn write(
        &self,
        current: &Conversation,
        next: &Conversation,
        copies: &CopyWrites<'_>,
        now: SystemTime,
    ) -> Result<(), WriteRefused> {
        let conversation = Put::builder()
            .table_name(&self.table)
            .set_item(Some(conversation_item(next)))
            .condition_expression("version = :version")
            .expression_attribute_values(":version", AttributeValue::N(current.version.to_string()))
            .build()
            .map_err(build_error)?;
        let mut items = vec![TransactWriteItem::builder().put(conversation).build()];
        let mut positions = Positions::default();
        if let Some(connection_id) = copies.bind {
            positions.bind = Some(items.len());
            let bind = Put::builder()
                .table_name(&self.table)
                .set_item(Some(connection_item(next, connection_id)))
                .condition_expression(format!("{ABSENT_OR_EXPIRED} OR conversation_key = :key"))
                .expression_attribute_values(":now", seconds(now))
                .expression_attribute_values(":key", AttributeValue::S(next.key.to_string()))
                .build()
                .map_err(build_error)?;
            items.push(TransactWriteItem::builder().put(bind).build());
        }
        for connection_id in &copies.delete {
            let delete = Delete::builder()
                .table_name(&self.table)
                .key(PARTITION_KEY, connection_pk(connection_id))
                .build()
                .map_err(build_error)?;
            items.push(TransactWriteItem::builder().delete(delete).build());
        }
        if copies.provider {
            positions.provider = Some(items.len());
            let provider = Put::builder()
                .table_name(&self.table)
                .set_item(Some(provider_item(next)))
                .condition_expression(format!("{ABSENT_OR_EXPIRED} OR conversation_key = :key"))
                .expression_attribute_values(":now", seconds(now))
                .expression_attribute_values(":key", AttributeValue::S(next.key.to_string()))
                .build()
                .map_err(build_error)?;
            items.push(TransactWriteItem::builder().put(provider).build());
        }
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map(drop)
            .map_err(|err| refusal(err, positions))
    }
}

/// Where the conditional copies are among a transaction's items.
#[derive(Default, Clone, Copy)]
struct Positions {
    bind: Option<usize>,
    provider: Option<usize>,
}

/// Why a conversation transaction did not go through.
enum WriteRefused {
    /// Another writer changed the conversation (or the same items) first.
    Raced,
    /// The connection item belongs to another conversation.
    ConnectionInUse,
    /// A newer conversation has the same contact-center id.
    ProviderIdTaken,
    Failed(StoreError),
}

fn refusal(err: SdkError<TransactWriteItemsError>, positions: Positions) -> WriteRefused {
    let Some(codes) = cancellation_codes(&err) else {
        return WriteRefused::Failed(store_error(err));
    };
    // Reasons come in the order of the transaction's items, the conversation first; when it
    // failed its version check, another writer came first whatever the copies say.
    let failed = |position: Option<usize>| {
        position.is_some_and(|at| codes.get(at).map(String::as_str) == Some(CONDITION_FAILED))
    };
    match codes.first().map(String::as_str) {
        Some("None") if failed(positions.bind) => WriteRefused::ConnectionInUse,
        Some("None") if failed(positions.provider) => WriteRefused::ProviderIdTaken,
        _ => WriteRefused::Raced,
    }
}

/// The reason DynamoDB gives when an item's condition is not met.
const CONDITION_FAILED: &str = "ConditionalCheckFailed";

/// Each item's reason, when the transaction was cancelled.
fn cancellation_codes(err: &SdkError<TransactWriteItemsError>) -> Option<Vec<String>> {
    let SdkError::ServiceError(service) = err else {
        return None;
    };
    let TransactWriteItemsError::TransactionCanceledException(cancelled) = service.err() else {
        return None;
    };
    let codes = cancelled
        .cancellation_reasons()
        .iter()
        .map(|reason| reason.code().unwrap_or("None").to_owned())
        .collect();
    Some(codes)
}

fn build_error(err: aws_sdk_dynamodb::error::BuildError) -> WriteRefused {
    WriteRefused::Failed(StoreError::Unavailable(Cause::new(err)))
}

/// The copies to write along with a conversation change.
fn copy_writes<'a>(
    change: Change<'a>,
    current: &'a Conversation,
    next: &'a Conversation,
    provider: bool,
) -> CopyWrites<'a> {
    let mut delete: Vec<&str> = current
        .connection_id
        .as_deref()
        .filter(|previous| next.connection_id.as_deref() != Some(previous))
        .into_iter()
        .collect();
    if let Change::Unbind(connection_id) = change
        && !delete.contains(&connection_id)
    {
        delete.push(connection_id);
    }
    CopyWrites {
        bind: next.connection_id.as_deref(),
        delete,
        provider,
    }
}

/// A short, jittered pause so that racing writers do not collide again in step.
async fn backoff(attempt: u32) {
    let ceiling_ms = 5 * u64::from(attempt.min(8));
    tokio::time::sleep(Duration::from_millis(fastrand::u64(1..=ceiling_ms))).await;
}

#[async_trait]
impl Conversations for DynamoDbStore {
    async fn create_conversation(&self, new: NewConversation) -> Result<Conversation, StoreError> {
        let now = self.clock.now();
        let conversation = new_record(new, now, self.lifetime);
        let own = Put::builder()
            .table_name(&self.table)
            .set_item(Some(conversation_item(&conversation)))
            .condition_expression(ABSENT_OR_EXPIRED)
            .expression_attribute_values(":now", seconds(now))
            .build()
            .map_err(|err| StoreError::Unavailable(Cause::new(err)))?;
        // The newest conversation with a contact-center id is the one found by it.
        let by_provider = Put::builder()
            .table_name(&self.table)
            .set_item(Some(provider_item(&conversation)))
            .build()
            .map_err(|err| StoreError::Unavailable(Cause::new(err)))?;
        for attempt in 1..=WRITE_ATTEMPTS {
            let written = self
                .client
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().put(own.clone()).build())
                .transact_items(
                    TransactWriteItem::builder()
                        .put(by_provider.clone())
                        .build(),
                )
                .send()
                .await;
            let Err(err) = written else {
                return Ok(conversation);
            };
            match cancellation_codes(&err) {
                Some(codes) if codes.first().map(String::as_str) == Some(CONDITION_FAILED) => {
                    return Err(StoreError::AlreadyExists(conversation.key));
                }
                Some(_) => backoff(attempt).await,
                None => return Err(store_error(err)),
            }
        }
        Err(StoreError::Conflict {
            record: format!("conversation {}", conversation.key),
            attempts: WRITE_ATTEMPTS,
        })
    }

    async fn conversation(
        &self,
        key: &ConversationKey,
    ) -> Result<Option<Conversation>, StoreError> {
        match self.live_conversation(key, self.clock.now()).await {
            Ok(conversation) => Ok(Some(conversation)),
            Err(StoreError::NotFound(_)) => Ok(None),
            Err(err) => Err(err),
        }
    }

    async fn conversation_by_provider_id(
        &self,
        provider: Provider,
        provider_conversation_id: &str,
    ) -> Result<Option<Conversation>, StoreError> {
        let now = self.clock.now();
        self.live_item(provider_pk(provider, provider_conversation_id), now)
            .await?
            .map(|item| conversation_from_item(&item))
            .transpose()
    }

    async fn conversation_by_connection(
        &self,
        connection_id: &str,
    ) -> Result<Option<Conversation>, StoreError> {
        let now = self.clock.now();
        self.live_item(connection_pk(connection_id), now)
            .await?
            .map(|item| conversation_from_item(&item))
            .transpose()
    }

    async fn bind_connection(
        &self,
        key: &ConversationKey,
        connection_id: &str,
    ) -> Result<Binding, StoreError> {
        self.bind(key, Change::Bind(connection_id), connection_id)
            .await
    }

    async fn bind_farewell(
        &self,
        key: &ConversationKey,
        connection_id: &str,
    ) -> Result<Binding, StoreError> {
        self.bind(key, Change::Farewell(connection_id), connection_id)
            .await
    }

    async fn unbind_connection(
        &self,
        connection_id: &str,
    ) -> Result<Option<Conversation>, StoreError> {
        let Some(bound) = self.conversation_by_connection(connection_id).await? else {
            return Ok(None);
        };
        match self.change(&bound.key, Change::Unbind(connection_id)).await {
            Ok((_, conversation)) => Ok(Some(conversation)),
            Err(StoreError::NotFound(_)) => Ok(None),
            Err(err) => Err(err),
        }
    }

    async fn mark_connected(&self, key: &ConversationKey) -> Result<Conversation, StoreError> {
        let status = Change::Status(ConversationStatus::Connected);
        Ok(self.change(key, status).await?.1)
    }

    async fn mark_ended(&self, key: &ConversationKey) -> Result<Conversation, StoreError> {
        let status = Change::Status(ConversationStatus::Ended);
        Ok(self.change(key, status).await?.1)
    }

    async fn touch(&self, key: &ConversationKey) -> Result<Conversation, StoreError> {
        Ok(self.change(key, Change::Touch).await?.1)
    }

    async fn keep_provider_data(
        &self,
        key: &ConversationKey,
        provider_data: &BTreeMap<String, String>,
    ) -> Result<Conversation, StoreError> {
        Ok(self
            .change(key, Change::ProviderData(provider_data))
            .await?
            .1)
    }
}

#[async_trait]
impl HandledEvents for DynamoDbStore {
    async fn claim_event(
        &self,
        source: &str,
        event_id: &str,
        lease: Duration,
    ) -> Result<Claim, StoreError> {
        // A claim released between the refused write and the read is claimed again, once.
        for _ in 0..2 {
            let now = self.clock.now();
            let claim = event_item(
                source,
                event_id,
                Some(now + lease),
                expiry(now, self.lifetime),
            );
            let put = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(claim))
                .condition_expression(format!(
                    "{ABSENT_OR_EXPIRED} OR ({EVENT_STATE} = :claimed AND {LEASE_UNTIL} <= :now_ms)"
                ))
                .expression_attribute_values(":now", seconds(now))
                .expression_attribute_values(":now_ms", millis(now))
                .expression_attribute_values(":claimed", AttributeValue::S(EVENT_CLAIMED.into()))
                .send()
                .await;
            match put {
                Ok(_) => return Ok(Claim::Claimed),
                Err(err) if is_condition_failure(&err) => {}
                Err(err) => return Err(store_error(err)),
            }
            match self.live_item(event_pk(source, event_id), now).await? {
                Some(item) if is_claimed(&item) => return Ok(Claim::InProgress),
                Some(_) => return Ok(Claim::Handled),
                None => {}
            }
        }
        Ok(Claim::InProgress)
    }

    async fn complete_event(&self, source: &str, event_id: &str) -> Result<(), StoreError> {
        let handled = event_item(
            source,
            event_id,
            None,
            expiry(self.clock.now(), self.lifetime),
        );
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(handled))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn release_event(&self, source: &str, event_id: &str) -> Result<(), StoreError> {
        let delete = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, event_pk(source, event_id))
            .condition_expression(format!("{EVENT_STATE} = :claimed"))
            .expression_attribute_values(":claimed", AttributeValue::S(EVENT_CLAIMED.into()))
            .send()
            .await;
        match delete {
            // Absent, or handled meanwhile: nothing to give up.
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|service| service.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            other => other.map(|_| ()).map_err(store_error),
        }
    }
}

#[async_trait]
impl Transcripts for DynamoDbStore {
    async fn record_turn(
        &self,
        lex_session_id: &str,
        turn: Turn,
        limits: TranscriptLimits,
    ) -> Result<Transcript, StoreError> {
        self.update_transcript(lex_session_id, |current, now| {
            current.record(&turn, now, self.lifetime, limits)
        })
        .await
    }

    async fn record_escalation(
        &self,
        lex_session_id: &str,
        escalation: Escalation,
    ) -> Result<Transcript, StoreError> {
        self.update_transcript(lex_session_id, |current, now| {
            current.escalate(&escalation, now, self.lifetime)
        })
        .await
    }

    async fn transcript(&self, lex_session_id: &str) -> Result<Option<Transcript>, StoreError> {
        self.live_transcript(lex_session_id, self.clock.now()).await
    }
}

fn is_condition_failure(err: &SdkError<PutItemError>) -> bool {
    err.as_service_error()
        .is_some_and(|service| service.is_conditional_check_failed_exception())
}
