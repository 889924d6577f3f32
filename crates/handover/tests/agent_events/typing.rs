//! The agent typing: shown to a connected customer only, never kept, never an error.

use super::*;

fn typing() -> AgentEvent {
    event(AgentAction::Typing)
}

fn typing_frame() -> Frame {
    Frame::Typing {
        author_name: "Sam".into(),
    }
}

#[tokio::test]
async fn typing_is_shown_to_a_connected_customer() {
    let rig = rig(AgentEventSettings::default()).await;
    assert_eq!(rig.handle(typing()).await, Ok(Outcome::Delivered));
    assert_eq!(rig.poster.calls(), [posted(typing_frame())]);
}

#[tokio::test]
async fn typing_is_never_kept_for_a_customer_between_connections() {
    let rig = unconnected_rig(AgentEventSettings::default()).await;
    assert_eq!(
        rig.handle(typing()).await,
        Ok(Outcome::CustomerDisconnected)
    );
    assert_eq!(rig.poster.calls(), []);
    assert_eq!(rig.kept().await, Vec::<String>::new());
}

#[tokio::test]
async fn a_failed_typing_post_is_no_error_and_claims_nothing() {
    let rig = rig(AgentEventSettings::default()).await;
    rig.poster.fail_next([PostError::Failed(throttled())]);
    assert_eq!(
        rig.handle(typing()).await,
        Ok(Outcome::CustomerDisconnected)
    );
    assert_eq!(
        rig.poster.calls(),
        [Call::Refused(CONNECTION.into(), typing_frame())]
    );
    assert_eq!(rig.connection().await.as_deref(), Some(CONNECTION));
    assert_eq!(rig.kept().await, Vec::<String>::new());
}

#[tokio::test]
async fn typing_after_the_end_is_not_shown() {
    let rig = rig(AgentEventSettings::default()).await;
    rig.handle(ended()).await.unwrap();
    let before = rig.poster.calls().len();
    assert_eq!(
        rig.handle(typing()).await,
        Ok(Outcome::CustomerDisconnected)
    );
    assert_eq!(rig.poster.calls().len(), before);
}
