//! The farewell: a connection bound to a conversation that has ended, so that what was kept
//! for the customer is shown.

use handover::conversation::{ConversationKey, ConversationStatus};
use handover::store::StoreError;

use super::{Harness, create};

pub async fn an_ended_conversation_is_bound_only_for_its_farewell(h: Harness) {
    let unknown = ConversationKey::generate();
    assert_eq!(
        h.store.bind_farewell(&unknown, "conn-A=").await,
        Err(StoreError::NotFound(unknown))
    );
    let conversation = create(&h).await;
    h.store
        .bind_connection(&conversation.key, "conn-A=")
        .await
        .unwrap();
    h.store.unbind_connection("conn-A=").await.unwrap();
    h.store.mark_ended(&conversation.key).await.unwrap();
    assert_eq!(
        h.store.bind_connection(&conversation.key, "conn-B=").await,
        Err(StoreError::AlreadyEnded(conversation.key.clone()))
    );

    let bound = h
        .store
        .bind_farewell(&conversation.key, "conn-B=")
        .await
        .unwrap();
    assert_eq!(bound.replaced, None);
    assert_eq!(bound.conversation.status, ConversationStatus::Ended);
    assert_eq!(bound.conversation.connection_id.as_deref(), Some("conn-B="));
    let found = h.store.conversation_by_connection("conn-B=").await.unwrap();
    assert_eq!(found, Some(bound.conversation));

    // A second window replaces the first, as any bind does, and the end stays.
    let again = h
        .store
        .bind_farewell(&conversation.key, "conn-C=")
        .await
        .unwrap();
    assert_eq!(again.replaced.as_deref(), Some("conn-B="));
    assert_eq!(
        h.store.conversation_by_connection("conn-B=").await.unwrap(),
        None
    );
    let unbound = h.store.unbind_connection("conn-C=").await.unwrap().unwrap();
    assert_eq!(unbound.connection_id, None);
    assert_eq!(unbound.status, ConversationStatus::Ended);
    assert_eq!(
        h.store.mark_ended(&conversation.key).await,
        Err(StoreError::AlreadyEnded(conversation.key.clone()))
    );
}

pub async fn a_farewell_to_an_open_conversation_binds_it_as_ever(h: Harness) {
    let conversation = create(&h).await;
    let bound = h
        .store
        .bind_farewell(&conversation.key, "conn-A=")
        .await
        .unwrap();
    assert_eq!(bound.conversation.status, ConversationStatus::Pending);
    assert_eq!(bound.conversation.connection_id.as_deref(), Some("conn-A="));
    let other = create(&h).await;
    assert_eq!(
        h.store.bind_farewell(&other.key, "conn-A=").await,
        Err(StoreError::ConnectionInUse {
            connection_id: "conn-A=".to_owned()
        })
    );
}
