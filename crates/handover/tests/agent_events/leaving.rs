//! The agent leaving without ending the chat: the customer is told as for an end, and the
//! customer's side is ended at the contact center, until it is.

use handover::contact_center::{ContactCenterError, ContactCenters};
use test_support::fakes::FakeContactCenter;

use super::*;

fn left() -> AgentEvent {
    event(AgentAction::Left)
}

/// A connected customer whose contact center is `contact_center`.
async fn rig_with(contact_center: &Arc<FakeContactCenter>) -> Rig {
    let rig = rig(AgentEventSettings::default()).await;
    let contact_centers = ContactCenters::single(contact_center.clone());
    Rig {
        events: AgentEvents::new(
            rig.store.clone(),
            rig.poster.clone(),
            AgentEventSettings::default(),
        )
        .with_contact_centers(contact_centers),
        ..rig
    }
}

fn unavailable() -> ContactCenterError {
    ContactCenterError::Unavailable {
        code: "ThrottlingException".into(),
        cause: throttled(),
    }
}

#[tokio::test]
async fn an_agent_who_leaves_ends_the_chat_for_the_customer_and_at_the_contact_center() {
    let contact_center = Arc::new(FakeContactCenter::default());
    let rig = rig_with(&contact_center).await;
    assert_eq!(rig.handle(left()).await, Ok(Outcome::Delivered));
    assert_eq!(
        rig.poster.calls(),
        [
            posted(Frame::message(ENDED, "Sam")),
            posted(Frame::ConversationEnded),
            Call::Close(CONNECTION.into()),
        ]
    );
    assert_eq!(rig.status().await, ConversationStatus::Ended);
    assert_eq!(contact_center.ended(), [TALKDESK_ID]);
}

#[tokio::test]
async fn the_chats_end_at_the_contact_center_leaves_nothing_to_end_there() {
    let contact_center = Arc::new(FakeContactCenter::default());
    let rig = rig_with(&contact_center).await;
    assert_eq!(rig.handle(ended()).await, Ok(Outcome::Delivered));
    assert_eq!(rig.status().await, ConversationStatus::Ended);
    assert_eq!(contact_center.ended(), Vec::<String>::new());
}

#[tokio::test]
async fn a_contact_center_unavailable_at_the_leave_is_retried_and_the_retry_ends_it() {
    let contact_center = Arc::new(FakeContactCenter::default());
    let rig = rig_with(&contact_center).await;
    contact_center.refuse_with(unavailable());
    assert_eq!(
        rig.handle(left()).await,
        Err(AgentEventError::ContactCenter(unavailable()))
    );
    // The customer was told all the same, once.
    assert_eq!(rig.status().await, ConversationStatus::Ended);
    let told = rig.poster.calls().len();

    // Lambda retries the event; by then the contact center answers.
    let contact_center_back = Arc::new(FakeContactCenter::default());
    let retry = AgentEvents::new(
        rig.store.clone(),
        rig.poster.clone(),
        AgentEventSettings::default(),
    )
    .with_contact_centers(ContactCenters::single(contact_center_back.clone()));
    assert_eq!(retry.handle(&left()).await, Ok(Outcome::AlreadyEnded));
    assert_eq!(contact_center_back.ended(), [TALKDESK_ID]);
    assert_eq!(
        rig.poster.calls().len(),
        told,
        "the customer is not told twice"
    );
}

#[tokio::test]
async fn a_refusal_to_end_is_not_retried() {
    let contact_center = Arc::new(FakeContactCenter::default());
    let rig = rig_with(&contact_center).await;
    contact_center.refuse_with(ContactCenterError::Refused {
        code: "ValidationException".into(),
        cause: throttled(),
    });
    assert_eq!(rig.handle(left()).await, Ok(Outcome::Delivered));
    assert_eq!(rig.status().await, ConversationStatus::Ended);
}

#[tokio::test]
async fn without_a_contact_center_only_the_customer_is_told() {
    let rig = rig(AgentEventSettings::default()).await;
    assert_eq!(rig.handle(left()).await, Ok(Outcome::Delivered));
    assert_eq!(rig.status().await, ConversationStatus::Ended);
}
