//! The contact center's id of a conversation (Talkdesk's conversation id, Amazon Connect's
//! contact id), which the agent's events carry. The customer only knows
//! the signed reference `v1.<conversation key>.<expiry>.<tag>`, so the agent's side finds it:
//!
//! - against the local stack, in the simulated contact center's console API
//!   (`GET /console/api/conversations`), by the conversation's subject;
//! - against a deployment, in the conversation table: one GetItem of `pk = CONV#<conversation
//!   key>`, whose `provider_conversation_id` is the contact center's id.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use handover::errors::chain;
use serde::Deserialize;

use crate::aws::standard_config;

/// How long one console request may take.
const CONSOLE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the conversation could not be looked up.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// The console API did not answer, or not as expected.
    #[error("the simulated contact center's console at {url}: {reason}")]
    Console {
        /// The console's base URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The reference is not `v1.<key>.<expiry>.<tag>`.
    #[error("the reference is not of the form v1.<conversation key>.<expiry>.<tag>")]
    MalformedReference,
    /// No region was given or configured for DynamoDB.
    #[error("no AWS region for DynamoDB: pass --region or set AWS_REGION")]
    NoRegion,
    /// GetItem failed.
    #[error("reading the table {table} failed: {reason}")]
    Table {
        /// The table.
        table: String,
        /// Why, as the SDK said it.
        reason: String,
    },
    /// The table has no such conversation, or it has no Talkdesk id.
    #[error("the table {table} has no conversation {key} with a provider_conversation_id")]
    NotInTable {
        /// The table.
        table: String,
        /// The conversation key.
        key: String,
    },
}

/// A conversation as the simulated Talkdesk's console lists it (the fields used here).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct ConsoleConversation {
    /// Talkdesk's id.
    pub id: String,
    /// The subject the customer gave.
    pub subject: String,
    /// The bot transcript the conversation was started with: (`USER` or `EXTERNAL`, text), in
    /// order.
    #[serde(default)]
    pub previous_messages: Vec<(String, String)>,
    /// What the customer wrote in the live chat, in order.
    #[serde(default)]
    pub customer_messages: Vec<String>,
    /// Everything that happened in the live chat, in order, each stamped when the contact
    /// center had it.
    #[serde(default)]
    pub timeline: Vec<ConsoleEntry>,
}

/// One line of a conversation's live-chat timeline in the console.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct ConsoleEntry {
    /// `customer`, `agent` or `event`.
    pub from: String,
    /// The message, or what happened.
    pub text: String,
    /// When, in RFC 3339 (Talkdesk's to the nanosecond, Amazon Connect's to the millisecond).
    pub at: String,
}

#[derive(Deserialize)]
struct ConsoleList {
    conversations: Vec<ConsoleConversation>,
}

/// The simulated Talkdesk's console API.
pub struct TalkdeskConsole {
    http: reqwest::Client,
    base: String,
}

impl TalkdeskConsole {
    /// The console of the simulated Talkdesk at `base`, such as `http://127.0.0.1:8103`.
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(CONSOLE_TIMEOUT)
            .build()
            .expect("a client with only a timeout builds");
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// Every conversation, newest first.
    pub async fn conversations(&self) -> Result<Vec<ConsoleConversation>, LookupError> {
        let failed = |reason: String| LookupError::Console {
            url: self.base.clone(),
            reason,
        };
        let response = self
            .http
            .get(format!("{}/console/api/conversations", self.base))
            .send()
            .await
            .map_err(|err| failed(err.to_string()))?;
        if !response.status().is_success() {
            return Err(failed(format!("HTTP {}", response.status().as_u16())));
        }
        let list: ConsoleList = response
            .json()
            .await
            .map_err(|err| failed(format!("unexpected answer: {err}")))?;
        Ok(list.conversations)
    }

    /// The newest conversation with this subject, if any.
    pub async fn find_by_subject(
        &self,
        subject: &str,
    ) -> Result<Option<ConsoleConversation>, LookupError> {
        let conversations = self.conversations().await?;
        Ok(conversations.into_iter().find(|c| c.subject == subject))
    }
}

/// The conversation table of a deployment.
pub struct ConversationTable {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl ConversationTable {
    /// The table `table` read with `client`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: String) -> Self {
        Self { client, table }
    }

    /// The table `table` read with the standard AWS credential chain, in `region` if given.
    pub async fn with_standard_credentials(
        region: Option<&str>,
        table: String,
    ) -> Result<Self, LookupError> {
        let config = standard_config(region).await.ok_or(LookupError::NoRegion)?;
        Ok(Self::new(aws_sdk_dynamodb::Client::new(&config), table))
    }

    /// Talkdesk's id of the conversation the signed `reference` names.
    pub async fn provider_conversation_id(&self, reference: &str) -> Result<String, LookupError> {
        let key = conversation_key(reference).ok_or(LookupError::MalformedReference)?;
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(format!("CONV#{key}")))
            .projection_expression("provider_conversation_id")
            .consistent_read(true)
            .send()
            .await
            .map_err(|err| LookupError::Table {
                table: self.table.clone(),
                reason: chain(&err).to_string(),
            })?;
        output
            .item()
            .and_then(|item| item.get("provider_conversation_id"))
            .and_then(|value| value.as_s().ok())
            .filter(|id| !id.is_empty())
            .cloned()
            .ok_or_else(|| LookupError::NotInTable {
                table: self.table.clone(),
                key: key.to_owned(),
            })
    }
}

/// The conversation key of a signed reference `v1.<conversation key>.<expiry>.<tag>`: its
/// second dot-separated field.
pub fn conversation_key(reference: &str) -> Option<&str> {
    let mut fields = reference.split('.');
    let (version, key) = (fields.next()?, fields.next()?);
    let rest: Vec<&str> = fields.collect();
    let well_formed = version == "v1" && !key.is_empty() && rest.len() == 2;
    well_formed.then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_the_reference_s_second_field() {
        let reference = "v1.3f6c1e0d9a8b4c7d.1795262400.3q2-7wAAAA";
        assert_eq!(conversation_key(reference), Some("3f6c1e0d9a8b4c7d"));
        assert_eq!(conversation_key("v2.key.1.tag"), None);
        assert_eq!(conversation_key("v1..1.tag"), None);
        assert_eq!(conversation_key("v1.key.1"), None);
        assert_eq!(conversation_key("8a3f1b2c9d7e4f60a1b2c3d4e5f60718"), None);
    }
}
