//! The table as DynamoDB sees it: what the deployment template must match.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_sdk_dynamodb::types::{AttributeValue, KeyType, TimeToLiveStatus};
use conversation_store::DynamoDbStore;
use conversation_store::dynamodb::table::{PARTITION_KEY, TTL_ATTRIBUTE};
use handover::clock::ManualClock;
use handover::conversation::{ConversationKey, NewConversation, Provider};
use handover::store::lifetime::DEFAULT_LIFETIME;
use handover::store::{Conversations, HandledEvents, Transcripts};
use handover::transcript::{TranscriptLimits, Turn};

use super::client_and_table;

#[tokio::test]
async fn the_table_has_its_key_and_ttl() {
    let (client, table) = client_and_table().await;
    let described = client
        .describe_table()
        .table_name(&table)
        .send()
        .await
        .unwrap();
    let description = described.table().expect("a table description");

    let keys: Vec<_> = description
        .key_schema()
        .iter()
        .map(|k| (k.attribute_name(), k.key_type().clone()))
        .collect();
    assert_eq!(keys, vec![(PARTITION_KEY, KeyType::Hash)]);

    assert!(
        description.global_secondary_indexes().is_empty(),
        "every lookup is a strongly consistent GetItem: no index to pay for or wait on"
    );

    let ttl = client
        .describe_time_to_live()
        .table_name(&table)
        .send()
        .await
        .unwrap();
    let ttl = ttl.time_to_live_description().expect("a TTL description");
    assert_eq!(ttl.attribute_name(), Some(TTL_ATTRIBUTE));
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
}

#[tokio::test]
async fn every_item_carries_a_ttl_of_now_plus_the_default_lifetime_in_epoch_seconds() {
    let (client, table) = client_and_table().await;
    let store = DynamoDbStore::new(client.clone(), &table)
        .with_clock(Arc::new(ManualClock::at(crate::cases::START)));
    let key = ConversationKey::generate();
    store
        .create_conversation(NewConversation {
            key: key.clone(),
            provider: Provider::Talkdesk,
            provider_conversation_id: "td-1".into(),
            provider_data: BTreeMap::new(),
            lex_session_id: "session".into(),
        })
        .await
        .unwrap();
    store.bind_connection(&key, "conn-A=").await.unwrap();
    store.complete_event("talkdesk", "msg-1").await.unwrap();
    let turn = Turn {
        intent: "TalkToAgent".into(),
        customer_text: Some("an agent, please".into()),
        ..Turn::default()
    };
    store
        .record_turn("session", turn, TranscriptLimits::default())
        .await
        .unwrap();

    let expected_expiry = crate::cases::START + DEFAULT_LIFETIME.as_secs();
    for pk in [
        format!("CONV#{key}"),
        "PROVIDER#talkdesk#td-1".into(),
        "CONN#conn-A=".into(),
        "EVENT#talkdesk#msg-1".into(),
        "SESSION#session".into(),
    ] {
        let item = client
            .get_item()
            .table_name(&table)
            .key(PARTITION_KEY, AttributeValue::S(pk.clone()))
            .send()
            .await
            .unwrap()
            .item
            .unwrap_or_else(|| panic!("item {pk} exists"));
        let ttl: u64 = item[TTL_ATTRIBUTE].as_n().unwrap().parse().unwrap();
        // Written within the same few seconds as the conversation, with a 24-hour lifetime.
        assert!(
            ttl.abs_diff(expected_expiry) <= 5,
            "{pk}: {ttl} vs {expected_expiry}"
        );
    }
}
