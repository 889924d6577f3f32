//! Code hook events the hook cannot use, or whose customer-controlled parts are hostile or
//! oversized, one test per row of `docs/bad-input.md` that no other test proves. An event that
//! is not a Lex V2 event fails the invocation naming the field (Lex fails the turn; only a
//! misconfigured caller sends one); anything a customer can put in a real event is answered.

use super::*;

/// The invocation's error for `payload`, after checking that nothing was started.
async fn failed(payload: Value) -> String {
    let contact_center = Arc::new(FakeContactCenter::default());
    let error = lex_fulfillment::handle(&hook(contact_center.clone()), event(payload))
        .await
        .expect_err("an event that is not a Lex V2 event fails the invocation");
    assert!(contact_center.starts().is_empty());
    error.to_string()
}

/// The response to `payload`, as JSON, and what the contact center was asked to start.
async fn answered(payload: Value) -> (Value, Arc<FakeContactCenter>) {
    let contact_center = Arc::new(FakeContactCenter::default());
    let response = lex_fulfillment::handle(&hook(contact_center.clone()), event(payload))
        .await
        .expect("a Lex V2 event is always answered");
    (serde_json::to_value(response).unwrap(), contact_center)
}

#[tokio::test]
async fn an_empty_session_id_fails_naming_it() {
    let mut payload = sample("lex-fulfillment.json");
    payload["sessionId"] = json!("");
    assert!(failed(payload).await.contains("`sessionId`"));
}

#[tokio::test]
async fn an_invocation_source_of_the_wrong_type_fails_naming_it() {
    let mut payload = sample("lex-dialog-hook.json");
    payload["invocationSource"] = json!(1);
    assert!(failed(payload).await.contains("`invocationSource`"));
}

#[tokio::test]
async fn a_session_attribute_that_is_not_a_string_fails_naming_the_format() {
    let mut payload = sample("lex-dialog-hook.json");
    payload["sessionState"]["sessionAttributes"] = json!({"customer_name": {"first": "Zoë"}});
    let error = failed(payload).await;
    assert!(error.contains("Lex V2 code hook format"), "{error}");
}

#[tokio::test]
async fn a_transcript_over_lexs_input_limit_is_answered() {
    // RecognizeText takes at most 1024 characters: Lex refuses longer text before the hook.
    let mut payload = sample("lex-dialog-hook.json");
    payload["inputTranscript"] = json!("é".repeat(4_000));
    let (response, _) = answered(payload).await;
    assert_eq!(response["sessionState"]["dialogAction"]["type"], "Delegate");
}

#[tokio::test]
async fn session_attributes_filling_lambdas_input_limit_are_answered() {
    // Lambda's input limit for a code hook is 12 KB; the Lex Web UI echoes what it was given.
    let mut payload = sample("lex-dialog-hook.json");
    payload["sessionState"]["sessionAttributes"] = json!({
        "previousLexResponse": format!("{{\"messages\":[{}", "[".repeat(5_000)),
        "previousUtterance": "x".repeat(5_000),
    });
    let (response, _) = answered(payload).await;
    assert_eq!(response["sessionState"]["dialogAction"]["type"], "Delegate");
}

#[tokio::test]
async fn a_forged_reference_in_the_session_is_replaced_by_a_new_one() {
    let forged = "v1.someone-elses-key.1900000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let mut payload = sample("lex-fulfillment.json");
    payload["sessionState"]["sessionAttributes"][SESSION_ATTRIBUTE] = json!(forged);
    let (response, contact_center) = answered(payload).await;
    assert_eq!(response["sessionState"]["intent"]["state"], "Fulfilled");
    let reference = &response["sessionState"]["sessionAttributes"][SESSION_ATTRIBUTE];
    assert!(reference.is_string() && reference != forged, "{reference}");
    assert_eq!(
        contact_center.starts().len(),
        1,
        "a conversation of its own"
    );
}
