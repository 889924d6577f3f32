//! The contract cases. Each takes a fresh store whose clock starts at [`START`] and whose
//! records live [`LIFETIME`].

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use handover::clock::{Clock, ManualClock};
use handover::conversation::{
    Conversation, ConversationKey, ConversationStatus, NewConversation, Provider,
};
use handover::store::Claim;
use handover::store::{ConversationStore, StoreError};
use handover::transcript::{
    Escalation, PreviousExchange, Speaker, Transcript, TranscriptEntry, TranscriptLimits, Turn,
};

mod farewell;
mod outbox;

pub use self::farewell::*;
pub use self::outbox::*;

/// Where every test clock starts (a whole second, so expiries are exact).
pub const START: u64 = 1_800_000_000;
/// How long records live in the tests.
pub const LIFETIME: Duration = Duration::from_secs(3_600);

pub struct Harness {
    pub store: Arc<dyn ConversationStore>,
    pub clock: Arc<ManualClock>,
}

fn new_conversation(provider: Provider, provider_id: &str) -> NewConversation {
    NewConversation {
        key: ConversationKey::generate(),
        provider,
        provider_conversation_id: provider_id.to_owned(),
        provider_data: BTreeMap::new(),
        lex_session_id: "us-east-1:24ac4405-504c-4787-9b11-aa5633788026".to_owned(),
    }
}

async fn create(h: &Harness) -> Conversation {
    let provider_id = format!("td-{}", ConversationKey::generate());
    h.store
        .create_conversation(new_conversation(Provider::Talkdesk, &provider_id))
        .await
        .expect("create a conversation")
}

fn at(unix_seconds: u64) -> std::time::SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix_seconds)
}

/// A Lex session id as Lex V2 forms them.
const SESSION: &str = "us-east-1:24ac4405-504c-4787-9b11-aa5633788026";

/// A turn whose request is `request` and whose utterance is identified by its text.
fn lex_turn(request: &str, intent: &str, customer: &str) -> Turn {
    Turn {
        request: request.to_owned(),
        intent: intent.to_owned(),
        customer_text: Some(customer.to_owned()),
        utterance: Some(customer.to_owned()),
        previous_exchange: None,
        prompt: None,
    }
}

/// `turn`, whose client reports that the bot answered `reply` to `utterance`.
fn replying(turn: Turn, utterance: &str, reply: &str) -> Turn {
    Turn {
        previous_exchange: Some(PreviousExchange {
            utterance: utterance.to_owned(),
            fingerprint: format!("{utterance}|{reply}"),
            bot_reply: Some(reply.to_owned()),
        }),
        ..turn
    }
}

fn lines(transcript: &Transcript) -> Vec<(Speaker, &str)> {
    transcript
        .entries
        .iter()
        .map(|entry| (entry.speaker, entry.text.as_str()))
        .collect()
}

pub async fn create_and_look_up(h: Harness) {
    let new = new_conversation(Provider::Talkdesk, "td-conversation-1");
    let created = h.store.create_conversation(new.clone()).await.unwrap();
    assert_eq!(created.key, new.key);
    assert_eq!(created.provider, Provider::Talkdesk);
    assert_eq!(created.provider_conversation_id, "td-conversation-1");
    assert_eq!(created.lex_session_id, new.lex_session_id);
    assert_eq!(created.status, ConversationStatus::Pending);
    assert_eq!(created.connection_id, None);
    assert_eq!(created.created_at, at(START));
    assert_eq!(created.updated_at, at(START));
    assert_eq!(created.expires_at, at(START) + LIFETIME);
    assert_eq!(created.version, 1);

    assert_eq!(
        h.store.conversation(&new.key).await.unwrap(),
        Some(created.clone())
    );
    let by_provider = h
        .store
        .conversation_by_provider_id(Provider::Talkdesk, "td-conversation-1")
        .await
        .unwrap();
    assert_eq!(by_provider, Some(created));
}

pub async fn creating_a_taken_key_is_refused(h: Harness) {
    let new = new_conversation(Provider::Talkdesk, "td-1");
    let first = h.store.create_conversation(new.clone()).await.unwrap();
    let again = new_conversation(Provider::AmazonConnect, "contact-2");
    let again = NewConversation {
        key: new.key.clone(),
        ..again
    };
    assert_eq!(
        h.store.create_conversation(again).await,
        Err(StoreError::AlreadyExists(new.key.clone()))
    );
    assert_eq!(h.store.conversation(&new.key).await.unwrap(), Some(first));
}

pub async fn unknown_lookups_find_nothing(h: Harness) {
    create(&h).await;
    let unknown = ConversationKey::generate();
    assert_eq!(h.store.conversation(&unknown).await.unwrap(), None);
    let by_provider = h
        .store
        .conversation_by_provider_id(Provider::Talkdesk, "nobody")
        .await
        .unwrap();
    assert_eq!(by_provider, None);
    assert_eq!(
        h.store.conversation_by_connection("nobody=").await.unwrap(),
        None
    );
}

pub async fn provider_lookup_tells_providers_apart_and_prefers_the_newest(h: Harness) {
    let talkdesk = h
        .store
        .create_conversation(new_conversation(Provider::Talkdesk, "same-id"))
        .await
        .unwrap();
    let connect = h
        .store
        .create_conversation(new_conversation(Provider::AmazonConnect, "same-id"))
        .await
        .unwrap();
    let found = |provider| h.store.conversation_by_provider_id(provider, "same-id");
    assert_eq!(found(Provider::Talkdesk).await.unwrap(), Some(talkdesk));
    assert_eq!(found(Provider::AmazonConnect).await.unwrap(), Some(connect));

    h.clock.advance(Duration::from_secs(5));
    let newer = h
        .store
        .create_conversation(new_conversation(Provider::Talkdesk, "same-id"))
        .await
        .unwrap();
    assert_eq!(found(Provider::Talkdesk).await.unwrap(), Some(newer));
}

pub async fn the_provider_lookup_sees_every_change_at_once(h: Harness) {
    let created = create(&h).await;
    let found = || {
        h.store
            .conversation_by_provider_id(created.provider, &created.provider_conversation_id)
    };
    assert_eq!(found().await.unwrap(), Some(created.clone()));

    let bound = h
        .store
        .bind_connection(&created.key, "conn-A=")
        .await
        .unwrap()
        .conversation;
    assert_eq!(found().await.unwrap(), Some(bound));
    let connected = h.store.mark_connected(&created.key).await.unwrap();
    assert_eq!(found().await.unwrap(), Some(connected));
    let rebound = h
        .store
        .bind_connection(&created.key, "conn-B=")
        .await
        .unwrap()
        .conversation;
    assert_eq!(found().await.unwrap(), Some(rebound));
    let unbound = h.store.unbind_connection("conn-B=").await.unwrap();
    assert_eq!(found().await.unwrap(), unbound);
    let ended = h.store.mark_ended(&created.key).await.unwrap();
    assert_eq!(found().await.unwrap(), Some(ended));
}

pub async fn an_older_conversation_s_changes_leave_its_provider_id_with_the_newer(h: Harness) {
    let older = h
        .store
        .create_conversation(new_conversation(Provider::Talkdesk, "reused-id"))
        .await
        .unwrap();
    h.clock.advance(Duration::from_secs(5));
    let newer = h
        .store
        .create_conversation(new_conversation(Provider::Talkdesk, "reused-id"))
        .await
        .unwrap();

    let older_bound = h
        .store
        .bind_connection(&older.key, "conn-old=")
        .await
        .unwrap()
        .conversation;
    assert_eq!(older_bound.connection_id.as_deref(), Some("conn-old="));
    assert_eq!(
        h.store.conversation(&older.key).await.unwrap(),
        Some(older_bound)
    );
    let found = h
        .store
        .conversation_by_provider_id(Provider::Talkdesk, "reused-id")
        .await
        .unwrap();
    assert_eq!(found, Some(newer));
}

pub async fn provider_data_is_kept_as_given(h: Harness) {
    let mut new = new_conversation(Provider::AmazonConnect, "contact-1");
    new.provider_data = BTreeMap::from([
        (
            "participant_token".to_owned(),
            "QVFJREFIaGV4YW1wbGU=".to_owned(),
        ),
        ("connection_token".to_owned(), String::new()),
        ("display_name".to_owned(), "Zoë «cliente» 客户".to_owned()),
    ]);
    let created = h.store.create_conversation(new.clone()).await.unwrap();
    assert_eq!(created.provider_data, new.provider_data);
    let read = h.store.conversation(&new.key).await.unwrap().unwrap();
    assert_eq!(read.provider_data, new.provider_data);
}

pub async fn kept_provider_data_replaces_the_old_everywhere_it_is_read(h: Harness) {
    let created = h
        .store
        .create_conversation(new_conversation(Provider::AmazonConnect, "contact-1"))
        .await
        .unwrap();
    h.store
        .bind_connection(&created.key, "conn-A=")
        .await
        .unwrap();
    h.clock.advance(Duration::from_secs(60));
    let renewed = BTreeMap::from([
        ("participant_token".to_owned(), "participant".to_owned()),
        ("connection_token".to_owned(), "renewed".to_owned()),
    ]);

    let kept = h
        .store
        .keep_provider_data(&created.key, &renewed)
        .await
        .unwrap();
    assert_eq!(kept.provider_data, renewed);
    assert!(
        kept.expires_at > created.expires_at,
        "the lifetime is refreshed"
    );
    assert_eq!(kept.connection_id.as_deref(), Some("conn-A="));
    let by_key = h.store.conversation(&created.key).await.unwrap();
    let by_provider = h
        .store
        .conversation_by_provider_id(Provider::AmazonConnect, "contact-1")
        .await
        .unwrap();
    let by_connection = h.store.conversation_by_connection("conn-A=").await.unwrap();
    for read in [by_key, by_provider, by_connection] {
        assert_eq!(read.as_ref(), Some(&kept));
    }
}

pub async fn bind_and_look_up_by_connection(h: Harness) {
    let conversation = create(&h).await;
    let binding = h
        .store
        .bind_connection(&conversation.key, "conn-A=")
        .await
        .unwrap();
    assert_eq!(binding.replaced, None);
    assert_eq!(
        binding.conversation.connection_id.as_deref(),
        Some("conn-A=")
    );
    assert_eq!(binding.conversation.version, 2);

    let by_connection = h.store.conversation_by_connection("conn-A=").await.unwrap();
    assert_eq!(by_connection, Some(binding.conversation.clone()));
    let by_key = h.store.conversation(&conversation.key).await.unwrap();
    assert_eq!(by_key, Some(binding.conversation));
}

pub async fn binding_again_is_idempotent(h: Harness) {
    let conversation = create(&h).await;
    h.store
        .bind_connection(&conversation.key, "conn-A=")
        .await
        .unwrap();
    let again = h
        .store
        .bind_connection(&conversation.key, "conn-A=")
        .await
        .unwrap();
    assert_eq!(again.replaced, None);
    assert_eq!(again.conversation.connection_id.as_deref(), Some("conn-A="));
}

pub async fn a_new_connection_replaces_the_old(h: Harness) {
    let conversation = create(&h).await;
    h.store
        .bind_connection(&conversation.key, "conn-A=")
        .await
        .unwrap();
    let binding = h
        .store
        .bind_connection(&conversation.key, "conn-B=")
        .await
        .unwrap();
    assert_eq!(binding.replaced.as_deref(), Some("conn-A="));
    assert_eq!(
        binding.conversation.connection_id.as_deref(),
        Some("conn-B=")
    );
    assert_eq!(
        h.store.conversation_by_connection("conn-A=").await.unwrap(),
        None
    );
    let by_b = h.store.conversation_by_connection("conn-B=").await.unwrap();
    assert_eq!(by_b.map(|c| c.key), Some(conversation.key));
}

pub async fn binding_is_refused_for_unknown_or_ended_conversations(h: Harness) {
    let unknown = ConversationKey::generate();
    assert_eq!(
        h.store.bind_connection(&unknown, "conn-A=").await,
        Err(StoreError::NotFound(unknown))
    );
    let conversation = create(&h).await;
    h.store.mark_ended(&conversation.key).await.unwrap();
    assert_eq!(
        h.store.bind_connection(&conversation.key, "conn-A=").await,
        Err(StoreError::AlreadyEnded(conversation.key.clone()))
    );
    assert_eq!(
        h.store.conversation_by_connection("conn-A=").await.unwrap(),
        None
    );
}

pub async fn a_connection_serves_one_conversation(h: Harness) {
    let first = create(&h).await;
    let second = create(&h).await;
    h.store
        .bind_connection(&first.key, "conn-A=")
        .await
        .unwrap();
    assert_eq!(
        h.store.bind_connection(&second.key, "conn-A=").await,
        Err(StoreError::ConnectionInUse {
            connection_id: "conn-A=".to_owned()
        })
    );
    let second_now = h.store.conversation(&second.key).await.unwrap().unwrap();
    assert_eq!(second_now.connection_id, None);
    let owner = h.store.conversation_by_connection("conn-A=").await.unwrap();
    assert_eq!(owner.map(|c| c.key), Some(first.key));
}

pub async fn unbinding_forgets_the_connection(h: Harness) {
    let conversation = create(&h).await;
    h.store
        .bind_connection(&conversation.key, "conn-A=")
        .await
        .unwrap();
    let unbound = h.store.unbind_connection("conn-A=").await.unwrap().unwrap();
    assert_eq!(unbound.key, conversation.key);
    assert_eq!(unbound.connection_id, None);
    assert_eq!(unbound.status, ConversationStatus::Pending);
    assert_eq!(
        h.store.conversation_by_connection("conn-A=").await.unwrap(),
        None
    );
    let stored = h
        .store
        .conversation(&conversation.key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.connection_id, None);
    assert_eq!(h.store.unbind_connection("conn-A=").await.unwrap(), None);
    assert_eq!(
        h.store.unbind_connection("never-bound=").await.unwrap(),
        None
    );
    // The conversation stays open: the customer may reconnect.
    h.store
        .bind_connection(&conversation.key, "conn-B=")
        .await
        .unwrap();
}

pub async fn unbinding_a_replaced_connection_leaves_the_new_one(h: Harness) {
    let conversation = create(&h).await;
    h.store
        .bind_connection(&conversation.key, "conn-A=")
        .await
        .unwrap();
    h.store
        .bind_connection(&conversation.key, "conn-B=")
        .await
        .unwrap();
    assert_eq!(h.store.unbind_connection("conn-A=").await.unwrap(), None);
    let stored = h
        .store
        .conversation(&conversation.key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.connection_id.as_deref(), Some("conn-B="));
    assert!(
        h.store
            .conversation_by_connection("conn-B=")
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn status_moves_forward_and_ends_once(h: Harness) {
    let conversation = create(&h).await;
    let key = &conversation.key;
    let connected = h.store.mark_connected(key).await.unwrap();
    assert_eq!(connected.status, ConversationStatus::Connected);
    let connected_again = h.store.mark_connected(key).await.unwrap();
    assert_eq!(connected_again.status, ConversationStatus::Connected);
    let ended = h.store.mark_ended(key).await.unwrap();
    assert_eq!(ended.status, ConversationStatus::Ended);
    assert_eq!(
        h.store.mark_ended(key).await,
        Err(StoreError::AlreadyEnded(key.clone()))
    );
    assert_eq!(
        h.store.mark_connected(key).await,
        Err(StoreError::AlreadyEnded(key.clone()))
    );
    let stored = h.store.conversation(key).await.unwrap().unwrap();
    assert_eq!(stored.status, ConversationStatus::Ended);

    let unknown = ConversationKey::generate();
    assert_eq!(
        h.store.mark_ended(&unknown).await,
        Err(StoreError::NotFound(unknown.clone()))
    );
    assert_eq!(
        h.store.touch(&unknown).await,
        Err(StoreError::NotFound(unknown))
    );
}

pub async fn the_connection_lookup_sees_status_changes(h: Harness) {
    let conversation = create(&h).await;
    h.store
        .bind_connection(&conversation.key, "conn-A=")
        .await
        .unwrap();
    h.store.mark_connected(&conversation.key).await.unwrap();
    let seen = h
        .store
        .conversation_by_connection("conn-A=")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen.status, ConversationStatus::Connected);
    let ended = h.store.mark_ended(&conversation.key).await.unwrap();
    let seen = h.store.conversation_by_connection("conn-A=").await.unwrap();
    assert_eq!(seen, Some(ended));
}

const LEASE: Duration = Duration::from_secs(30);

async fn claim(h: &Harness, source: &str, event_id: &str) -> Claim {
    h.store.claim_event(source, event_id, LEASE).await.unwrap()
}

pub async fn a_released_event_is_claimed_again(h: Harness) {
    assert_eq!(claim(&h, "talkdesk", "msg-1").await, Claim::Claimed);
    assert_eq!(claim(&h, "talkdesk", "msg-2").await, Claim::Claimed);
    h.store.release_event("talkdesk", "msg-1").await.unwrap();
    assert_eq!(claim(&h, "talkdesk", "msg-1").await, Claim::Claimed);
    assert_eq!(
        claim(&h, "talkdesk", "msg-2").await,
        Claim::InProgress,
        "others are kept"
    );
    h.store
        .release_event("talkdesk", "never-seen")
        .await
        .unwrap();

    h.store.complete_event("talkdesk", "msg-1").await.unwrap();
    h.store.release_event("talkdesk", "msg-1").await.unwrap();
    assert_eq!(
        claim(&h, "talkdesk", "msg-1").await,
        Claim::Handled,
        "a handled event stays handled"
    );
}

pub async fn events_are_handled_once(h: Harness) {
    assert_eq!(claim(&h, "talkdesk", "msg-1").await, Claim::Claimed);
    assert_eq!(claim(&h, "talkdesk", "msg-1").await, Claim::InProgress);
    h.store.complete_event("talkdesk", "msg-1").await.unwrap();
    assert_eq!(claim(&h, "talkdesk", "msg-1").await, Claim::Handled);
    assert_eq!(claim(&h, "talkdesk", "msg-1").await, Claim::Handled);
    assert_eq!(claim(&h, "talkdesk", "msg-2").await, Claim::Claimed);
    assert_eq!(
        claim(&h, "amazon-connect", "msg-1").await,
        Claim::Claimed,
        "each source has its own ids"
    );

    let racers: Vec<_> = (0..8)
        .map(|_| {
            let store = h.store.clone();
            tokio::spawn(async move { store.claim_event("sns", "redelivered", LEASE).await })
        })
        .collect();
    let mut claimed = 0;
    for racer in racers {
        match racer.await.unwrap().unwrap() {
            Claim::Claimed => claimed += 1,
            other => assert_eq!(other, Claim::InProgress),
        }
    }
    assert_eq!(claimed, 1, "exactly one of the racing deliveries holds it");

    h.clock.advance(LIFETIME);
    assert_eq!(
        claim(&h, "talkdesk", "msg-1").await,
        Claim::Claimed,
        "an event id is forgotten once its lifetime has passed"
    );
}

pub async fn a_claim_whose_holder_died_lapses_with_its_lease(h: Harness) {
    assert_eq!(claim(&h, "talkdesk", "msg-1").await, Claim::Claimed);
    h.clock.advance(LEASE - Duration::from_millis(1));
    assert_eq!(claim(&h, "talkdesk", "msg-1").await, Claim::InProgress);
    h.clock.advance(Duration::from_millis(1));
    assert_eq!(
        claim(&h, "talkdesk", "msg-1").await,
        Claim::Claimed,
        "the holder never completed: the next delivery takes it over"
    );
    assert_eq!(claim(&h, "talkdesk", "msg-1").await, Claim::InProgress);
    h.store.complete_event("talkdesk", "msg-1").await.unwrap();
    h.clock.advance(LEASE * 2);
    assert_eq!(
        claim(&h, "talkdesk", "msg-1").await,
        Claim::Handled,
        "a handled event has no lease to lapse"
    );
}

pub async fn every_write_refreshes_the_lifetime(h: Harness) {
    let conversation = create(&h).await;
    let key = &conversation.key;
    assert_eq!(conversation.expires_at, at(START) + LIFETIME);

    h.clock.advance(Duration::from_secs(600));
    let touched = h.store.touch(key).await.unwrap();
    assert_eq!(touched.created_at, at(START));
    assert_eq!(touched.updated_at, at(START + 600));
    assert_eq!(touched.expires_at, at(START + 600) + LIFETIME);
    assert_eq!(touched.version, 2);

    h.clock.advance(Duration::from_millis(1_500));
    let bound = h
        .store
        .bind_connection(key, "conn-A=")
        .await
        .unwrap()
        .conversation;
    assert_eq!(bound.updated_at, h.clock.now());
    assert_eq!(
        bound.expires_at,
        at(START + 602) + LIFETIME,
        "a fractional second rounds up, never expiring early"
    );
    let by_connection = h
        .store
        .conversation_by_connection("conn-A=")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_connection.expires_at, bound.expires_at);

    h.clock.advance(Duration::from_secs(60));
    h.store.touch(key).await.unwrap();
    let by_connection = h
        .store
        .conversation_by_connection("conn-A=")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        by_connection.expires_at,
        at(START + 662) + LIFETIME,
        "touching the conversation refreshes its connection too"
    );
    assert_eq!(
        h.store.mark_connected(key).await.unwrap().expires_at,
        at(START + 662) + LIFETIME
    );
}

pub async fn expired_records_are_gone(h: Harness) {
    let conversation = create(&h).await;
    h.store
        .bind_connection(&conversation.key, "conn-A=")
        .await
        .unwrap();
    h.clock.advance(LIFETIME - Duration::from_secs(1));
    assert!(
        h.store
            .conversation(&conversation.key)
            .await
            .unwrap()
            .is_some()
    );

    h.clock.advance(Duration::from_secs(1));
    assert_eq!(h.store.conversation(&conversation.key).await.unwrap(), None);
    assert_eq!(
        h.store.conversation_by_connection("conn-A=").await.unwrap(),
        None
    );
    let by_provider = h
        .store
        .conversation_by_provider_id(
            conversation.provider,
            &conversation.provider_conversation_id,
        )
        .await
        .unwrap();
    assert_eq!(by_provider, None);
    assert_eq!(
        h.store.bind_connection(&conversation.key, "conn-B=").await,
        Err(StoreError::NotFound(conversation.key.clone()))
    );

    // An expired record no longer holds its key or its connection.
    let again = NewConversation {
        key: conversation.key.clone(),
        ..new_conversation(Provider::Talkdesk, "td-again")
    };
    let recreated = h.store.create_conversation(again).await.unwrap();
    assert_eq!(recreated.version, 1);
    let other = create(&h).await;
    h.store
        .bind_connection(&other.key, "conn-A=")
        .await
        .unwrap();
}

pub async fn concurrent_binds_leave_exactly_one_connection(h: Harness) {
    let conversation = create(&h).await;
    let connections: Vec<String> = (0..8).map(|i| format!("conn-{i}=")).collect();
    let racers: Vec<_> = connections
        .iter()
        .map(|connection_id| {
            let store = h.store.clone();
            let key = conversation.key.clone();
            let connection_id = connection_id.clone();
            tokio::spawn(async move { store.bind_connection(&key, &connection_id).await })
        })
        .collect();
    let mut replaced = Vec::new();
    for racer in racers {
        let binding = racer
            .await
            .unwrap()
            .expect("every bind succeeds, one after another");
        replaced.extend(binding.replaced);
    }

    let stored = h
        .store
        .conversation(&conversation.key)
        .await
        .unwrap()
        .unwrap();
    let winner = stored
        .connection_id
        .clone()
        .expect("one connection is bound");
    let mut live = Vec::new();
    for connection_id in &connections {
        if h.store
            .conversation_by_connection(connection_id)
            .await
            .unwrap()
            .is_some()
        {
            live.push(connection_id.clone());
        }
    }
    assert_eq!(
        live,
        vec![winner.clone()],
        "only the winner finds the conversation"
    );

    // Every other connection was handed back exactly once, so each gets told and closed.
    let handed_back: HashSet<_> = replaced.iter().cloned().collect();
    assert_eq!(
        handed_back.len(),
        replaced.len(),
        "no connection handed back twice"
    );
    let expected: HashSet<_> = connections
        .iter()
        .filter(|c| **c != winner)
        .cloned()
        .collect();
    assert_eq!(handed_back, expected);
}

pub async fn bind_racing_end_never_binds_an_ended_conversation_unseen(h: Harness) {
    for round in 0..6 {
        let conversation = create(&h).await;
        let connection_id = format!("conn-{round}=");
        let (bound, ended) = tokio::join!(
            h.store.bind_connection(&conversation.key, &connection_id),
            h.store.mark_ended(&conversation.key),
        );
        let ended = ended.expect("ending always succeeds");
        assert_eq!(ended.status, ConversationStatus::Ended);
        let seen = h
            .store
            .conversation_by_connection(&connection_id)
            .await
            .unwrap();
        match bound {
            // The bind came first: the end must be visible through the connection.
            Ok(_) => assert_eq!(seen.map(|c| c.status), Some(ConversationStatus::Ended)),
            Err(StoreError::AlreadyEnded(key)) => {
                assert_eq!(key, conversation.key);
                assert_eq!(seen, None);
            }
            Err(other) => panic!("unexpected bind result: {other}"),
        }
    }
}

pub async fn one_connection_racing_for_two_conversations_gets_one(h: Harness) {
    for round in 0..4 {
        let first = create(&h).await;
        let second = create(&h).await;
        let connection_id = format!("shared-{round}=");
        let (a, b) = tokio::join!(
            h.store.bind_connection(&first.key, &connection_id),
            h.store.bind_connection(&second.key, &connection_id),
        );
        let winner = match (a, b) {
            (Ok(_), Err(StoreError::ConnectionInUse { .. })) => first.key.clone(),
            (Err(StoreError::ConnectionInUse { .. }), Ok(_)) => second.key.clone(),
            other => panic!("exactly one bind must win, got {other:?}"),
        };
        let owner = h
            .store
            .conversation_by_connection(&connection_id)
            .await
            .unwrap();
        assert_eq!(owner.map(|c| c.key), Some(winner.clone()));
        for key in [&first.key, &second.key] {
            let stored = h.store.conversation(key).await.unwrap().unwrap();
            let expected = (*key == winner).then(|| connection_id.clone());
            assert_eq!(stored.connection_id, expected);
        }
    }
}

pub async fn a_first_turn_creates_the_transcript(h: Harness) {
    let turn = replying(
        lex_turn("req-1", "Greeting", "I want to talk to someone"),
        "earlier",
        "Hi! How can I help?",
    );
    let recorded = h
        .store
        .record_turn(SESSION, turn, TranscriptLimits::default())
        .await
        .unwrap();
    assert_eq!(recorded.lex_session_id, SESSION);
    assert_eq!(
        recorded.entries,
        vec![TranscriptEntry {
            speaker: Speaker::Customer,
            text: "I want to talk to someone".to_owned(),
            at: at(START),
        }],
        "no recorded turn, so no reply can be tied to one"
    );
    assert_eq!(recorded.intents, vec!["Greeting".to_owned()]);
    let last = recorded.last_turn.clone().unwrap();
    assert_eq!(last.request, "req-1");
    assert_eq!(last.utterance.as_deref(), Some("I want to talk to someone"));
    assert_eq!(
        last.previous_exchange.as_deref(),
        Some("earlier|Hi! How can I help?")
    );
    assert!(!last.escalated);
    assert_eq!(recorded.escalations, 0);
    assert_eq!(recorded.updated_at, at(START));
    assert_eq!(recorded.expires_at, at(START) + LIFETIME);
    assert_eq!(recorded.version, 1);
    assert_eq!(h.store.transcript(SESSION).await.unwrap(), Some(recorded));
}

pub async fn the_bot_reply_comes_before_the_customer_text(h: Harness) {
    let limits = TranscriptLimits::default();
    let turns = [
        lex_turn("req-1", "Greeting", "hello"),
        replying(
            lex_turn("req-2", "CheckOrder", "12345"),
            "hello",
            "What is your order number?",
        ),
        replying(
            lex_turn("req-3", "TalkToAgent", "an agent, please"),
            "12345",
            "  ",
        ),
    ];
    for turn in turns {
        h.store.record_turn(SESSION, turn, limits).await.unwrap();
        h.clock.advance(Duration::from_millis(1_500));
    }
    let stored = h.store.transcript(SESSION).await.unwrap().unwrap();
    assert_eq!(
        lines(&stored),
        vec![
            (Speaker::Customer, "hello"),
            (Speaker::Bot, "What is your order number?"),
            (Speaker::Customer, "12345"),
            (Speaker::Customer, "an agent, please"),
        ]
    );
    let times: Vec<_> = stored.entries.iter().map(|entry| entry.at).collect();
    let second_turn = at(START) + Duration::from_millis(1_500);
    let third_turn = at(START) + Duration::from_millis(3_000);
    assert_eq!(times, vec![at(START), second_turn, second_turn, third_turn]);
    assert_eq!(
        stored.intents,
        vec!["Greeting", "CheckOrder", "TalkToAgent"]
    );
    assert_eq!(stored.version, 3);
}

pub async fn a_stale_account_of_the_last_turn_records_no_reply(h: Harness) {
    let limits = TranscriptLimits::default();
    let turns = [
        lex_turn("req-1", "CheckOrder", "where is my order"),
        replying(
            lex_turn("req-2", "CheckOrder", "42"),
            "where is my order",
            "Which order?",
        ),
        // The client did not update its account after the last turn.
        replying(
            lex_turn("req-3", "Greeting", "hello"),
            "where is my order",
            "Which order?",
        ),
    ];
    for turn in turns {
        h.store.record_turn(SESSION, turn, limits).await.unwrap();
    }
    let stored = h.store.transcript(SESSION).await.unwrap().unwrap();
    assert_eq!(
        lines(&stored),
        vec![
            (Speaker::Customer, "where is my order"),
            (Speaker::Bot, "Which order?"),
            (Speaker::Customer, "42"),
            (Speaker::Customer, "hello"),
        ]
    );
}

pub async fn transcripts_keep_within_their_limits(h: Harness) {
    let limits = TranscriptLimits {
        max_entries: 3,
        max_entry_chars: 5,
        max_intents: 2,
    };
    let turns = [
        lex_turn("req-1", "A", "Ça va très bien"),
        replying(
            lex_turn("req-2", "B", "Zürich"),
            "Ça va très bien",
            "Où êtes-vous ?",
        ),
        lex_turn("req-3", "B", "客服人员，谢谢"),
        lex_turn("req-4", "C", "ok"),
    ];
    let mut last = None;
    for turn in turns {
        last = Some(h.store.record_turn(SESSION, turn, limits).await.unwrap());
    }
    let stored = h.store.transcript(SESSION).await.unwrap();
    assert_eq!(stored, last);
    let stored = stored.unwrap();
    assert_eq!(
        lines(&stored),
        vec![
            (Speaker::Customer, "Züric"),
            (Speaker::Customer, "客服人员，"),
            (Speaker::Customer, "ok"),
        ]
    );
    assert_eq!(stored.intents, vec!["B", "C"]);
}

pub async fn a_repeated_request_is_recorded_once(h: Harness) {
    let limits = TranscriptLimits::default();
    let first = h
        .store
        .record_turn(SESSION, lex_turn("req-1", "A", "hi"), limits)
        .await
        .unwrap();
    h.clock.advance(Duration::from_secs(2));
    let again = Turn {
        prompt: Some("Subject".into()),
        ..lex_turn("req-1", "A", "hi")
    };
    let again = h.store.record_turn(SESSION, again, limits).await.unwrap();
    assert_eq!(again, first, "the same request again changes nothing");
    assert_eq!(h.store.transcript(SESSION).await.unwrap(), Some(first));

    let next = replying(lex_turn("req-2", "A", "hi"), "hi", "Hello!");
    let next = h.store.record_turn(SESSION, next, limits).await.unwrap();
    assert_eq!(
        lines(&next),
        vec![
            (Speaker::Customer, "hi"),
            (Speaker::Bot, "Hello!"),
            (Speaker::Customer, "hi"),
        ]
    );
    assert_eq!(next.version, 2);
}

pub async fn prompts_are_counted_until_an_escalation(h: Harness) {
    let limits = TranscriptLimits::default();
    for (request, text) in [("req-1", "agent"), ("req-2", "?")] {
        let asking = Turn {
            prompt: Some("CustomerName".into()),
            ..lex_turn(request, "TalkToAgent", text)
        };
        h.store.record_turn(SESSION, asking, limits).await.unwrap();
    }
    let stored = h.store.transcript(SESSION).await.unwrap().unwrap();
    assert_eq!(stored.prompts_for("CustomerName"), 2);
    assert_eq!(stored.prompts_for("Subject"), 0);

    let escalation = Escalation {
        ordinal: 1,
        request: "req-2".into(),
    };
    let after = h
        .store
        .record_escalation(SESSION, escalation)
        .await
        .unwrap();
    assert_eq!(after.prompts_for("CustomerName"), 0);
}

pub async fn an_escalation_hands_over_the_transcript_once(h: Harness) {
    let limits = TranscriptLimits::default();
    let turns = [
        lex_turn("req-1", "CheckOrder", "where is my order"),
        replying(
            lex_turn("req-2", "TalkToAgent", "agent"),
            "where is my order",
            "Shipped.",
        ),
    ];
    for turn in turns {
        h.store.record_turn(SESSION, turn, limits).await.unwrap();
    }
    h.clock.advance(Duration::from_secs(1));
    let escalation = Escalation {
        ordinal: 1,
        request: "req-2".into(),
    };
    let handed_over = h
        .store
        .record_escalation(SESSION, escalation.clone())
        .await
        .unwrap();
    assert!(handed_over.entries.is_empty());
    assert!(handed_over.intents.is_empty());
    assert_eq!(handed_over.escalations, 1);
    assert_eq!(handed_over.last_escalation.as_deref(), Some("req-2"));
    assert!(handed_over.last_turn.as_ref().unwrap().escalated);
    assert_eq!(handed_over.version, 3);
    assert_eq!(handed_over.updated_at, at(START + 1));
    assert_eq!(handed_over.expires_at, at(START + 1) + LIFETIME);
    assert_eq!(
        h.store.transcript(SESSION).await.unwrap(),
        Some(handed_over.clone())
    );

    let again = h
        .store
        .record_escalation(SESSION, escalation)
        .await
        .unwrap();
    assert_eq!(again, handed_over, "an escalation is recorded once");

    // The next turn's client account is about the escalating turn, whose reply the customer
    // never saw: only the customer's text is recorded.
    let next = replying(
        lex_turn("req-3", "Greeting", "hello again"),
        "agent",
        "Connecting you.",
    );
    let next = h.store.record_turn(SESSION, next, limits).await.unwrap();
    assert_eq!(lines(&next), vec![(Speaker::Customer, "hello again")]);
    assert_eq!(next.intents, vec!["Greeting"]);
    assert_eq!(next.escalations, 1);

    let second = Escalation {
        ordinal: 2,
        request: "req-3".into(),
    };
    let second = h.store.record_escalation(SESSION, second).await.unwrap();
    assert_eq!(second.escalations, 2);
    assert_eq!(second.last_escalation.as_deref(), Some("req-3"));
    assert!(second.entries.is_empty());
}

pub async fn an_escalation_without_turns_is_recorded(h: Harness) {
    let escalation = Escalation {
        ordinal: 1,
        request: "req-1".into(),
    };
    let recorded = h
        .store
        .record_escalation(SESSION, escalation)
        .await
        .unwrap();
    assert_eq!(recorded.escalations, 1);
    assert_eq!(recorded.last_turn, None);
    assert_eq!(recorded.version, 1);
    assert_eq!(h.store.transcript(SESSION).await.unwrap(), Some(recorded));
}

pub async fn sessions_have_their_own_transcripts(h: Harness) {
    let limits = TranscriptLimits::default();
    let other = "eu-west-2:7d4c6a0e-93a1-4f57-8a52-0d3d2e1f8c11";
    h.store
        .record_turn(SESSION, lex_turn("req-1", "A", "mine"), limits)
        .await
        .unwrap();
    h.store
        .record_turn(other, lex_turn("req-1", "B", "theirs"), limits)
        .await
        .unwrap();
    let mine = h.store.transcript(SESSION).await.unwrap().unwrap();
    let theirs = h.store.transcript(other).await.unwrap().unwrap();
    assert_eq!(lines(&mine), vec![(Speaker::Customer, "mine")]);
    assert_eq!(mine.intents, vec!["A"]);
    assert_eq!(theirs.lex_session_id, other);
    assert_eq!(lines(&theirs), vec![(Speaker::Customer, "theirs")]);
    assert_eq!(
        theirs.version, 1,
        "the same request in another session is new"
    );
}

pub async fn an_unknown_session_has_no_transcript(h: Harness) {
    let conversation = create(&h).await;
    assert_eq!(
        h.store
            .transcript(&conversation.lex_session_id)
            .await
            .unwrap(),
        None,
        "a conversation alone records no transcript"
    );
    h.store
        .record_turn(
            SESSION,
            lex_turn("req-1", "A", "hi"),
            TranscriptLimits::default(),
        )
        .await
        .unwrap();
    assert_eq!(h.store.transcript("us-east-1:nobody").await.unwrap(), None);
}

pub async fn every_turn_refreshes_the_transcript_lifetime(h: Harness) {
    let limits = TranscriptLimits::default();
    let first = h
        .store
        .record_turn(SESSION, lex_turn("req-1", "A", "one"), limits)
        .await
        .unwrap();
    assert_eq!(first.expires_at, at(START) + LIFETIME);

    h.clock.advance(LIFETIME - Duration::from_millis(500));
    let second = h
        .store
        .record_turn(SESSION, lex_turn("req-2", "A", "two"), limits)
        .await
        .unwrap();
    assert_eq!(second.updated_at, h.clock.now());
    assert_eq!(
        second.expires_at,
        at(START) + LIFETIME + LIFETIME,
        "a fractional second rounds up, never expiring early"
    );
    assert_eq!(second.version, 2);

    h.clock.advance(LIFETIME - Duration::from_secs(1));
    let stored = h.store.transcript(SESSION).await.unwrap().unwrap();
    assert_eq!(
        lines(&stored).len(),
        2,
        "still alive thanks to the second turn"
    );
    assert_eq!(stored.expires_at, second.expires_at);
}

pub async fn an_expired_transcript_is_gone(h: Harness) {
    let limits = TranscriptLimits::default();
    h.store
        .record_turn(SESSION, lex_turn("req-1", "A", "old"), limits)
        .await
        .unwrap();
    h.clock.advance(LIFETIME - Duration::from_secs(1));
    assert!(h.store.transcript(SESSION).await.unwrap().is_some());

    h.clock.advance(Duration::from_secs(1));
    assert_eq!(h.store.transcript(SESSION).await.unwrap(), None);

    // The same request again: the expired transcript no longer remembers it.
    let fresh = h
        .store
        .record_turn(SESSION, lex_turn("req-1", "B", "new"), limits)
        .await
        .unwrap();
    assert_eq!(fresh.version, 1);
    assert_eq!(lines(&fresh), vec![(Speaker::Customer, "new")]);
    assert_eq!(fresh.intents, vec!["B"]);
    assert_eq!(fresh.expires_at, at(START) + LIFETIME + LIFETIME);
    assert_eq!(h.store.transcript(SESSION).await.unwrap(), Some(fresh));
}

pub async fn concurrent_turns_lose_nothing(h: Harness) {
    let limits = TranscriptLimits {
        max_entries: 100,
        ..TranscriptLimits::default()
    };
    let texts: Vec<String> = (0..8).map(|i| format!("message {i}")).collect();
    let racers: Vec<_> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let store = h.store.clone();
            let turn = lex_turn(&format!("req-{i}"), "TalkToAgent", text);
            tokio::spawn(async move { store.record_turn(SESSION, turn, limits).await })
        })
        .collect();
    for racer in racers {
        racer
            .await
            .unwrap()
            .expect("every turn is recorded, one after another");
    }

    let stored = h.store.transcript(SESSION).await.unwrap().unwrap();
    let recorded: HashSet<_> = stored.entries.iter().map(|e| e.text.clone()).collect();
    assert_eq!(stored.entries.len(), texts.len(), "no turn recorded twice");
    assert_eq!(recorded, texts.into_iter().collect::<HashSet<_>>());
    assert_eq!(stored.version, 8);
    assert_eq!(stored.intents, vec!["TalkToAgent"]);
}

pub async fn concurrent_invocations_of_one_turn_record_it_once(h: Harness) {
    let limits = TranscriptLimits::default();
    let racers: Vec<_> = (0..6)
        .map(|_| {
            let store = h.store.clone();
            let turn = Turn {
                prompt: Some("Subject".into()),
                ..lex_turn("req-1", "TalkToAgent", "agent")
            };
            tokio::spawn(async move { store.record_turn(SESSION, turn, limits).await })
        })
        .collect();
    for racer in racers {
        racer.await.unwrap().expect("each invocation is answered");
    }
    let stored = h.store.transcript(SESSION).await.unwrap().unwrap();
    assert_eq!(lines(&stored), vec![(Speaker::Customer, "agent")]);
    assert_eq!(stored.prompts_for("Subject"), 1);
    assert_eq!(stored.version, 1);
}
