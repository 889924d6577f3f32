//! What an operator sees of whole conversations, one per contact center: the functions' log
//! lines as Lambda's JSON log format writes them, which name the conversation and never hold a
//! secret, a token, the API key, the reference or anything the customer or the agent wrote;
//! and the metrics counted on the way.
//!
//! The log subscriber and the metrics recorder are installed for this test's thread only, and
//! the stack runs on that thread (a current-thread runtime), so that other tests running at the
//! same time neither add to nor read from what is captured.

use std::collections::BTreeMap;

use handover::metrics::{ESCALATIONS_STARTED, MESSAGES_RELAYED, TIME_TO_AGENT};
use local_stack::{Options, Running};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use serde_json::{Value, json};
use test_support::logs::{CapturedLogs, capture_json};

use crate::support::{
    Customer, chat_where, connected, conversation_where, events_delivered, frames_until_closed,
    reference, send, start_with, stop, with_providers,
};

/// Secret values the stack is given, so that the test knows what must never be logged.
const REFERENCE_KEY: &str = "5ec2e7-reference-key-0b5e7ac1e-at-least-32-bytes-long";
const CLIENT_SECRET: &str = "5ec2e7-talkdesk-client-secret-9d1";
const API_KEY: &str = "5ec2e7-callback-api-key-77f2c0";

/// What the customer and the agent say (and the subject the customer gives).
const SUBJECT: &str = "private-subject: my card ends 4242";
const CUSTOMER_TEXT: &str = "private-customer-text: my address is 1 Main St";
const AGENT_TEXT: &str = "private-agent-text: your refund code is R-99";

#[tokio::test]
async fn a_talkdesk_conversation_logs_its_decisions_without_secrets_or_texts() {
    let observed = Observed::install();
    let stack = start_with(options("talkdesk")).await;
    let reference = hand_over(&stack).await;
    let conversation = conversation_where(&stack, "for Ana", |c| {
        c.contact_name.as_deref() == Some("Ana")
    })
    .await;
    let mut socket = connected(&stack, &reference).await;
    say(&mut socket, &reference).await;
    conversation_where(&stack, "with the customer's message", |c| {
        c.id == conversation.id && c.customer_messages == [CUSTOMER_TEXT]
    })
    .await;
    let talkdesk = stack.talkdesk();
    assert_eq!(talkdesk.accept(&conversation.id, "Sam").await, Ok(200));
    assert_eq!(
        talkdesk.reply(&conversation.id, AGENT_TEXT, "Sam").await,
        Ok(200)
    );
    assert_eq!(talkdesk.end(&conversation.id, "Sam").await, Ok(200));
    assert_agent_text_shown(frames_until_closed(&mut socket).await.0);

    let never_logged = [talkdesk.issued_tokens(), vec![reference]].concat();
    stop(stack).await;
    observed.check("talkdesk", &never_logged);
}

#[tokio::test]
async fn an_amazon_connect_conversation_logs_its_decisions_without_secrets_or_texts() {
    let observed = Observed::install();
    let stack = start_with(options("amazon-connect")).await;
    let reference = hand_over(&stack).await;
    let chat = chat_where(&stack, "for Ana", |chat| chat.display_name == "Ana").await;
    let mut socket = connected(&stack, &reference).await;
    say(&mut socket, &reference).await;
    chat_where(&stack, "with the customer's message", |c| {
        c.contact_id == chat.contact_id && c.customer_messages.ends_with(&[CUSTOMER_TEXT.into()])
    })
    .await;
    let connect = stack.connect();
    connect.accept(&chat.contact_id, "Sam").unwrap();
    connect.reply(&chat.contact_id, AGENT_TEXT, "Sam").unwrap();
    events_delivered(&stack).await;
    connect.end(&chat.contact_id, "Sam").unwrap();
    assert_agent_text_shown(frames_until_closed(&mut socket).await.0);

    let never_logged = [connect.issued_tokens(), vec![reference]].concat();
    stop(stack).await;
    observed.check("amazon-connect", &never_logged);
}

fn options(providers: &str) -> Options {
    let secrets = [
        ("dev/handover/reference-key", REFERENCE_KEY.to_owned()),
        ("dev/handover/callback-api-key", API_KEY.to_owned()),
        (
            "dev/talkdesk/client/keys",
            json!({"client_id": "local-stack", "client_secret": CLIENT_SECRET}).to_string(),
        ),
    ];
    Options {
        secrets: secrets
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect(),
        ..with_providers(providers, false)
    }
}

/// Ana asks for an agent, with her name and subject given by the page; answers the reference.
async fn hand_over(stack: &Running) -> String {
    let mut customer = Customer::new(stack);
    customer
        .attributes
        .insert("customer_name".into(), "Ana".into());
    customer.attributes.insert("subject".into(), SUBJECT.into());
    let handed_over = customer.say("I would like to talk to an agent").await;
    reference(&handed_over).expect("a talkdesk_conversation_id")
}

async fn say(socket: &mut crate::support::Socket, reference: &str) {
    let frame =
        json!({"action": "onMessage", "message": CUSTOMER_TEXT, "conversationId": reference});
    send(socket, frame).await;
}

fn assert_agent_text_shown(frames: Vec<Value>) {
    assert!(
        frames.iter().any(|frame| frame["content"] == AGENT_TEXT),
        "the agent's message reached the customer: {frames:?}"
    );
}

/// The log lines and metrics of this test's thread.
struct Observed {
    logs: CapturedLogs,
    snapshotter: Snapshotter,
    _recording: metrics::LocalRecorderGuard<'static>,
}

impl Observed {
    fn install() -> Self {
        let recorder: &'static DebuggingRecorder = Box::leak(Box::new(DebuggingRecorder::new()));
        Self {
            logs: capture_json(),
            snapshotter: recorder.snapshotter(),
            _recording: metrics::set_default_local_recorder(recorder),
        }
    }

    fn check(self, provider: &str, never_logged: &[String]) {
        let text = self.logs.lines().join("\n");
        let lines: Vec<Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}")))
            .collect();
        let functions: Vec<&Value> = lines.iter().filter(|line| from_a_function(line)).collect();
        assert!(
            functions.len() >= 5,
            "the functions logged their decisions: {text}"
        );
        let handed_over = functions
            .iter()
            .find(|line| line["fields"]["message"] == "handed over to the contact center")
            .unwrap_or_else(|| panic!("no handover line: {text}"));
        assert_eq!(handed_over["fields"]["provider"], provider);
        let key = handed_over["fields"]["conversation"].as_str().unwrap();
        let decisions = [
            "customer connected",
            "customer message relayed",
            "agent event handled",
        ];
        for message in decisions {
            assert!(
                functions
                    .iter()
                    .any(|line| line["fields"]["message"] == message
                        && names_the_conversation(line, key)),
                "{message:?} names conversation {key}: {text}"
            );
        }
        let secrets = [
            REFERENCE_KEY,
            CLIENT_SECRET,
            API_KEY,
            SUBJECT,
            CUSTOMER_TEXT,
            AGENT_TEXT,
        ];
        let words = never_logged.iter().map(String::as_str).chain(secrets);
        for word in words.filter(|word| !word.is_empty()) {
            // The whole stack's output, not only the functions': the emulators do not log
            // them either.
            assert!(!text.contains(word), "{word:?} was logged: {text}");
        }

        let counted = self.counted();
        let expected = [
            (format!("{ESCALATIONS_STARTED}{{Provider={provider}}}"), 1.0),
            (
                format!("{MESSAGES_RELAYED}{{Direction=ToAgent,Provider={provider}}}"),
                1.0,
            ),
            (
                format!("{MESSAGES_RELAYED}{{Direction=ToCustomer,Provider={provider}}}"),
                1.0,
            ),
        ];
        for (metric, value) in expected {
            assert_eq!(counted.get(&metric), Some(&value), "{metric}: {counted:?}");
        }
        let waited = format!("{TIME_TO_AGENT}{{Provider={provider}}}");
        assert!(counted.contains_key(&waited), "{waited}: {counted:?}");
        let failures = counted.keys().filter(|metric| metric.contains("Failure"));
        assert_eq!(failures.count(), 0, "{counted:?}");
    }

    /// Each metric as `Name{Label=value,...}`: a counter's count, a histogram's sample count.
    fn counted(&self) -> BTreeMap<String, f64> {
        self.snapshotter
            .snapshot()
            .into_vec()
            .into_iter()
            .map(|(key, _, _, value)| {
                let key = key.key();
                let labels: Vec<_> = key
                    .labels()
                    .map(|label| format!("{}={}", label.key(), label.value()))
                    .collect();
                let value = match value {
                    DebugValue::Counter(count) => count as f64,
                    DebugValue::Gauge(gauge) => gauge.into_inner(),
                    DebugValue::Histogram(samples) => samples.len() as f64,
                };
                (format!("{}{{{}}}", key.name(), labels.join(",")), value)
            })
            .collect()
    }
}

/// Whether a line was written by a function's code (not by the emulators around it).
fn from_a_function(line: &Value) -> bool {
    let target = line["target"].as_str().unwrap_or_default();
    let crates = [
        "handover",
        "websocket",
        "agent_callback",
        "connect_events",
        "customer_relay",
        "keep_alive",
        "lex_fulfillment",
        "talkdesk",
        "amazon_connect",
        "contact_centers",
        "conversation_store",
        "aws_adapters",
    ];
    crates
        .iter()
        .any(|name| target == *name || target.starts_with(&format!("{name}::")))
}

/// Whether the line or one of its spans names the conversation `key`.
fn names_the_conversation(line: &Value, key: &str) -> bool {
    line["fields"]["conversation"] == key
        || line["spans"]
            .as_array()
            .is_some_and(|spans| spans.iter().any(|span| span["conversation"] == key))
}
