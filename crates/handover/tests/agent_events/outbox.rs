//! Agent messages for a customer between connections: kept, then shown once and in order.

use super::*;

const SECOND: &str = "conn-2";

impl Rig {
    /// The customer's connection goes (a reload, a dropped network) as `$disconnect` records it.
    async fn drop_connection(&self) {
        self.store.unbind_connection(CONNECTION).await.unwrap();
    }

    async fn reconnect(&self) {
        self.store.bind_connection(&self.key, SECOND).await.unwrap();
    }
}

fn shown(texts: &[&str]) -> Vec<Call> {
    texts
        .iter()
        .map(|text| Call::Post(SECOND.into(), Frame::message(*text, "Sam")))
        .collect()
}

#[tokio::test]
async fn messages_sent_while_the_customer_is_away_are_shown_in_order_before_the_next() {
    let rig = rig(AgentEventSettings::default()).await;
    rig.drop_connection().await;
    for (id, text) in [("m1", "one"), ("m2", "two"), ("m3", "three")] {
        assert_eq!(rig.handle(message(id, text)).await, Ok(Outcome::Queued));
    }
    assert_eq!(rig.poster.calls(), []);

    rig.reconnect().await;
    assert_eq!(
        rig.handle(message("m4", "four")).await,
        Ok(Outcome::Delivered)
    );
    assert_eq!(rig.poster.calls(), shown(&["one", "two", "three", "four"]));
    assert_eq!(rig.kept().await, Vec::<String>::new());
    // Retries of any of them are duplicates, whether kept or shown at once.
    for (id, text) in [("m1", "one"), ("m4", "four")] {
        assert_eq!(rig.handle(message(id, text)).await, Ok(Outcome::Duplicate));
    }
    assert_eq!(rig.poster.calls().len(), 4);
}

#[tokio::test]
async fn the_grace_period_counts_from_the_disconnect() {
    let rig = rig(AgentEventSettings::default()).await;
    let grace = AgentEventSettings::default().reconnect_grace;
    // Connected for longer than the grace period: only the time away counts.
    rig.clock.advance(grace * 2);
    rig.drop_connection().await;
    rig.clock.advance(grace - Duration::from_secs(1));
    assert_eq!(rig.handle(message("m1", "one")).await, Ok(Outcome::Queued));
    rig.clock.advance(Duration::from_secs(1));
    assert_eq!(
        rig.handle(message("m2", "two")).await,
        Ok(Outcome::CustomerDisconnected)
    );
    assert_eq!(rig.kept().await, ["talkdesk#m1"]);
}

#[tokio::test]
async fn a_zero_grace_period_keeps_nothing() {
    let settings = AgentEventSettings {
        reconnect_grace: Duration::ZERO,
        ..AgentEventSettings::default()
    };
    let rig = rig(settings).await;
    rig.drop_connection().await;
    assert_eq!(
        rig.handle(message("m1", "one")).await,
        Ok(Outcome::CustomerDisconnected)
    );
    assert_eq!(rig.kept().await, Vec::<String>::new());
}

#[tokio::test]
async fn a_full_outbox_tells_the_agent_the_customer_is_gone() {
    let settings = AgentEventSettings {
        max_kept_messages: 2,
        ..AgentEventSettings::default()
    };
    let rig = rig(settings).await;
    rig.drop_connection().await;
    assert_eq!(rig.handle(message("m1", "one")).await, Ok(Outcome::Queued));
    assert_eq!(rig.handle(message("m2", "two")).await, Ok(Outcome::Queued));
    assert_eq!(
        rig.handle(message("m3", "three")).await,
        Ok(Outcome::CustomerDisconnected)
    );
    // Not claimed: a retry once the customer is back is shown, after the kept ones.
    rig.reconnect().await;
    assert_eq!(
        rig.handle(message("m3", "three")).await,
        Ok(Outcome::Delivered)
    );
    assert_eq!(rig.poster.calls(), shown(&["one", "two", "three"]));
}

#[tokio::test]
async fn a_delivery_under_way_elsewhere_is_not_overtaken() {
    let rig = rig(AgentEventSettings::default()).await;
    rig.drop_connection().await;
    assert_eq!(rig.handle(message("m1", "one")).await, Ok(Outcome::Queued));
    rig.reconnect().await;
    // A keep-alive tick is posting m1 right now.
    let lease = Duration::from_secs(30);
    assert_eq!(
        rig.store
            .claim_event("outbox", "talkdesk#m1", lease)
            .await
            .unwrap(),
        Claim::Claimed
    );
    assert_eq!(rig.handle(message("m2", "two")).await, Ok(Outcome::Queued));
    assert_eq!(rig.poster.calls(), []);
    assert_eq!(rig.kept().await, ["talkdesk#m1", "talkdesk#m2"]);

    // That delivery died: its claim lapses and the next event shows everything, in order.
    rig.clock.advance(lease);
    assert_eq!(
        rig.handle(message("m3", "three")).await,
        Ok(Outcome::Delivered)
    );
    assert_eq!(rig.poster.calls(), shown(&["one", "two", "three"]));
}

#[tokio::test]
async fn a_kept_message_shown_but_not_yet_forgotten_is_not_shown_again() {
    let rig = rig(AgentEventSettings::default()).await;
    rig.drop_connection().await;
    assert_eq!(rig.handle(message("m1", "one")).await, Ok(Outcome::Queued));
    rig.reconnect().await;
    // A delivery posted m1 and recorded it, then died before forgetting it.
    let lease = Duration::from_secs(30);
    rig.store
        .claim_event("outbox", "talkdesk#m1", lease)
        .await
        .unwrap();
    rig.store
        .complete_event("outbox", "talkdesk#m1")
        .await
        .unwrap();
    assert_eq!(
        rig.handle(message("m2", "two")).await,
        Ok(Outcome::Delivered)
    );
    assert_eq!(rig.poster.calls(), shown(&["two"]));
    assert_eq!(rig.kept().await, Vec::<String>::new());
}

#[tokio::test]
async fn the_agents_end_comes_after_the_kept_messages() {
    let rig = rig(AgentEventSettings::default()).await;
    rig.drop_connection().await;
    assert_eq!(
        rig.handle(message("m1", "Your refund is on its way."))
            .await,
        Ok(Outcome::Queued)
    );
    rig.reconnect().await;
    assert_eq!(rig.handle(ended()).await, Ok(Outcome::Delivered));
    let frames = rig.poster.frames(SECOND);
    assert_eq!(
        frames,
        [
            Frame::message("Your refund is on its way.", "Sam"),
            Frame::message(ENDED, "Sam"),
            Frame::ConversationEnded,
        ]
    );
}

#[tokio::test]
async fn the_agents_end_while_the_customer_is_away_keeps_the_goodbye_last() {
    let rig = rig(AgentEventSettings::default()).await;
    rig.drop_connection().await;
    assert_eq!(rig.handle(message("m1", "one")).await, Ok(Outcome::Queued));
    assert_eq!(rig.handle(ended()).await, Ok(Outcome::Queued));
    assert_eq!(rig.status().await, ConversationStatus::Ended);
    assert_eq!(rig.poster.calls(), []);
    let goodbye = format!("{}#ended", rig.key);
    assert_eq!(rig.kept().await, ["talkdesk#m1", goodbye.as_str()]);
    let kept = rig.store.kept_messages(&rig.key).await.unwrap();
    assert_eq!(kept[1].text, ENDED);
    // A retry finds the chat ended and keeps nothing more.
    assert_eq!(rig.handle(ended()).await, Ok(Outcome::AlreadyEnded));
    assert_eq!(rig.kept().await.len(), 2);
}

#[tokio::test]
async fn a_full_outbox_still_takes_the_goodbye() {
    let settings = AgentEventSettings {
        max_kept_messages: 1,
        ..AgentEventSettings::default()
    };
    let rig = rig(settings).await;
    rig.drop_connection().await;
    assert_eq!(rig.handle(message("m1", "one")).await, Ok(Outcome::Queued));
    assert_eq!(rig.handle(ended()).await, Ok(Outcome::Queued));
    assert_eq!(rig.kept().await.len(), 2);
}

#[tokio::test]
async fn with_a_zero_grace_period_the_end_keeps_nothing() {
    let settings = AgentEventSettings {
        reconnect_grace: Duration::ZERO,
        ..AgentEventSettings::default()
    };
    let rig = rig(settings).await;
    rig.poster.fail_next([PostError::Gone]);
    assert_eq!(rig.handle(ended()).await, Ok(Outcome::CustomerDisconnected));
    assert_eq!(rig.status().await, ConversationStatus::Ended);
    assert_eq!(rig.kept().await, Vec::<String>::new());
}
