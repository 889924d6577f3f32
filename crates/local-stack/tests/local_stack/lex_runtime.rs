//! The Lex V2 runtime emulator through the real SDK client: the bot's intents, the session
//! attributes and request ids, and Lex's errors.

use aws_sdk_lexruntimev2::operation::RequestId;
use aws_sdk_lexruntimev2::operation::recognize_text::{RecognizeTextError, RecognizeTextOutput};
use local_stack::lex::FALLBACK_INTENT;
use serde_json::{Value, json};

use crate::support::{Customer, dialog_action, intent_name, lex_client, replies, start, stop};

#[tokio::test]
async fn intents_close_with_their_responses_and_the_rest_falls_back() {
    let stack = start().await;
    let mut customer = Customer::new(&stack);
    let greeting = customer.say("hi").await;
    assert_eq!(intent_name(&greeting), "Greeting");
    assert_eq!(dialog_action(&greeting), ("Close".into(), None));
    assert_eq!(
        greeting
            .session_state()
            .and_then(|state| state.intent())
            .and_then(|intent| intent.state())
            .map(|state| state.as_str()),
        Some("Fulfilled")
    );
    let interpretations = greeting.interpretations();
    assert_eq!(interpretations[0].intent().unwrap().name(), "Greeting");
    assert_eq!(
        interpretations[0].nlu_confidence().map(|c| c.score()),
        Some(1.0)
    );

    let unknown = customer.say("the weather on Mars").await;
    assert_eq!(intent_name(&unknown), FALLBACK_INTENT);
    assert_eq!(replies(&unknown), [stack.bot().fallback_response.clone()]);
    stop(stack).await;
}

#[tokio::test]
async fn session_attributes_go_round_and_request_attributes_come_back() {
    let stack = start().await;
    let bot = stack.bot();
    let output = lex_client(&stack)
        .recognize_text()
        .bot_id(&bot.bot_id)
        .bot_alias_id(&bot.alias_id)
        .locale_id(&bot.locale_id)
        .session_id("session-attributes-test")
        .text("where is my package")
        .session_state(
            aws_sdk_lexruntimev2::types::SessionState::builder()
                .session_attributes("page", "orders")
                .build(),
        )
        .request_attributes("channel", "web")
        .send()
        .await
        .expect("RecognizeText answers");
    let attributes = output
        .session_state()
        .and_then(|state| state.session_attributes())
        .expect("session attributes");
    assert_eq!(attributes.get("page").map(String::as_str), Some("orders"));
    assert_eq!(
        output
            .request_attributes()
            .and_then(|attributes| attributes.get("channel"))
            .map(String::as_str),
        Some("web")
    );
    assert_eq!(output.session_id(), Some("session-attributes-test"));
    stop(stack).await;
}

#[tokio::test]
async fn lex_s_errors_reach_the_sdk_as_their_exceptions() {
    let stack = start().await;
    let client = lex_client(&stack);
    let bot = stack.bot();
    let call = |bot_id: &str, text: String| {
        client
            .recognize_text()
            .bot_id(bot_id)
            .bot_alias_id(&bot.alias_id)
            .locale_id(&bot.locale_id)
            .session_id("errors-test")
            .text(text)
            .send()
    };
    let error = call("NOSUCHBOT1", "hi".into())
        .await
        .expect_err("unknown bot");
    assert!(
        matches!(
            error.as_service_error(),
            Some(RecognizeTextError::ResourceNotFoundException(_))
        ),
        "{error:?}"
    );
    for text in [String::new(), "x".repeat(1025)] {
        let error = call(&bot.bot_id, text).await.expect_err("invalid text");
        assert!(
            matches!(
                error.as_service_error(),
                Some(RecognizeTextError::ValidationException(_))
            ),
            "{error:?}"
        );
    }
    stop(stack).await;
}

#[tokio::test]
async fn an_unsigned_request_like_the_customer_page_s_reaches_the_bot() {
    let stack = start().await;
    let bot = stack.bot();
    let url = format!(
        "{}/bots/{}/botAliases/{}/botLocales/{}/sessions/page-session/text",
        stack.urls().lex_runtime,
        bot.bot_id,
        bot.alias_id,
        bot.locale_id
    );
    let response = reqwest::Client::new()
        .post(url)
        .json(&json!({"text": "hello", "sessionState": {"sessionAttributes": {"a": "b"}}}))
        .send()
        .await
        .expect("the runtime answers");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("a JSON answer");
    assert_eq!(body["sessionState"]["intent"]["name"], "Greeting");
    assert_eq!(body["sessionState"]["sessionAttributes"]["a"], "b");
    assert_eq!(body["messages"][0]["contentType"], "PlainText");
    stop(stack).await;
}

#[tokio::test]
async fn a_session_keeps_the_id_of_its_first_request_and_each_request_has_its_own() {
    let stack = start().await;
    let mut customer = Customer::new(&stack);
    let first = customer.say("hi").await;
    let second = customer.say("where is my order").await;
    let originating = |output: &RecognizeTextOutput| {
        output
            .session_state()
            .and_then(|state| state.originating_request_id())
            .map(str::to_owned)
            .expect("an originatingRequestId")
    };
    let first_request = first.request_id().expect("x-amzn-requestid").to_owned();
    assert_eq!(originating(&first), first_request);
    assert_eq!(originating(&second), first_request);
    assert_ne!(second.request_id(), Some(first_request.as_str()));
    let mut other = Customer::new(&stack);
    assert_ne!(originating(&other.say("hi").await), first_request);
    stop(stack).await;
}
