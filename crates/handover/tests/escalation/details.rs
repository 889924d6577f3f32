//! The customer's name and subject: asked for only where the intent has the slot, at most
//! `max_detail_prompts` times, then the default or a clear failure.

use test_support::lex::{BotIntent, Seen, WebUiSession};

use super::*;

const NAME_PROMPT: &str = "Before I connect you, what is your name?";
const SUBJECT_PROMPT: &str = "What would you like to talk to an agent about?";

fn bot(slots: &'static [&'static str]) -> Vec<BotIntent> {
    vec![BotIntent {
        name: "TalkToAgent",
        slots,
        fulfillment_hook: true,
        closing_response: None,
    }]
}

impl Rig {
    /// The customer says `text` in `session`, through this code hook.
    async fn say(&self, session: &mut WebUiSession, text: &str) -> Seen {
        let hook = async |event: Value| -> Result<Value, std::convert::Infallible> {
            Ok(run(self, event).await.1)
        };
        session.say(text, "TalkToAgent", hook).await.unwrap()
    }
}

fn reply(text: &str) -> Seen {
    Seen::Reply(vec![text.to_owned()])
}

#[tokio::test]
async fn a_detail_is_asked_for_at_most_the_configured_times_then_defaulted() {
    let rig = rig(EscalationSettings::default());
    let mut session = WebUiSession::new("us-east-1:capped", bot(&["CustomerName", "Subject"]), &[]);
    assert_eq!(rig.say(&mut session, "agent").await, reply(NAME_PROMPT));
    // The answer filled no slot (as when it cannot be resolved): asked once more, no more.
    session.leave_next_answer_unresolved();
    assert_eq!(rig.say(&mut session, "hmm").await, reply(NAME_PROMPT));
    session.leave_next_answer_unresolved();
    assert_eq!(rig.say(&mut session, "what?").await, reply(SUBJECT_PROMPT));
    let seen = rig.say(&mut session, "My parcel").await;
    assert!(matches!(seen, Seen::LiveChat(_)), "{seen:?}");

    let (request, _) = &rig.contact_center.starts()[0];
    assert_eq!(request.customer_name, "Customer");
    assert_eq!(request.subject, "My parcel");
}

#[tokio::test]
async fn a_detail_still_missing_fails_when_configured_so() {
    let rig = rig(EscalationSettings {
        max_detail_prompts: 1,
        when_details_missing: MissingDetails::Fail,
        ..EscalationSettings::default()
    });
    let mut session =
        WebUiSession::new("us-east-1:failing", bot(&["CustomerName", "Subject"]), &[]);
    assert_eq!(rig.say(&mut session, "agent").await, reply(NAME_PROMPT));
    session.leave_next_answer_unresolved();
    let missing = EscalationSettings::default().missing_details_message;
    assert_eq!(rig.say(&mut session, "hmm").await, reply(&missing));
    assert!(rig.contact_center.starts().is_empty());
}

#[tokio::test]
async fn an_intent_without_the_slot_is_never_asked_for_it() {
    let rig = rig(EscalationSettings::default());
    let mut session = WebUiSession::new("us-east-1:noslot", bot(&["CustomerName"]), &[]);
    assert_eq!(rig.say(&mut session, "agent").await, reply(NAME_PROMPT));
    let seen = rig.say(&mut session, "Ana").await;
    assert!(matches!(seen, Seen::LiveChat(_)), "{seen:?}");
    let (request, _) = &rig.contact_center.starts()[0];
    assert_eq!(request.customer_name, "Ana");
    assert_eq!(
        request.subject,
        EscalationSettings::default().subject.default
    );
}

#[tokio::test]
async fn without_the_slot_the_session_attribute_is_used() {
    let rig = rig(EscalationSettings::default());
    let attributes = [("customer_name", "Zoë"), ("subject", "Billing")];
    let mut session = WebUiSession::new("us-east-1:attrs", bot(&[]), &attributes);
    let seen = rig.say(&mut session, "agent").await;
    assert!(matches!(seen, Seen::LiveChat(_)), "{seen:?}");
    let (request, _) = &rig.contact_center.starts()[0];
    assert_eq!(
        (request.customer_name.as_str(), request.subject.as_str()),
        ("Zoë", "Billing")
    );
}

#[tokio::test]
async fn without_the_slot_and_with_the_fail_policy_the_escalation_fails_clearly() {
    let rig = rig(EscalationSettings {
        when_details_missing: MissingDetails::Fail,
        ..EscalationSettings::default()
    });
    let mut session = WebUiSession::new("us-east-1:strict", bot(&[]), &[("customer_name", "Zoë")]);
    let missing = EscalationSettings::default().missing_details_message;
    assert_eq!(rig.say(&mut session, "agent").await, reply(&missing));
    assert!(rig.contact_center.starts().is_empty());
}
