//! The load test against the local stack, small: three conversations of two messages each
//! way, with each contact center. Nothing is timed; the counts must be exact.

use chat_cli::load::{self, LoadConfig, LoadReport};
use local_stack::Running;

use crate::support::{WAIT, bot, lex_client, start, start_with, stop};

const CONVERSATIONS: usize = 3;
const MESSAGES: usize = 2;

async fn run(stack: &Running, console: &str, contact_center: &str) -> LoadReport {
    let config = LoadConfig {
        lex: lex_client(stack).await,
        bot: bot(stack),
        websocket_url: stack.urls().websocket.clone(),
        console: console.to_owned(),
        contact_center: contact_center.to_owned(),
        conversations: CONVERSATIONS,
        messages: MESSAGES,
        pace: None,
        stack_pid: Some(std::process::id()),
        step_timeout: WAIT,
    };
    load::run(config).await
}

/// Every message arrived once, and each side ended its share of the conversations.
fn assert_exact(report: &LoadReport) {
    assert!(report.passed(), "the load test failed:\n{report}");
    assert_eq!(report.completed, CONVERSATIONS, "{report}");
    assert_eq!(
        (report.ended_by_customer, report.ended_by_agent),
        (2, 1),
        "{report}"
    );
    for direction in [&report.customer_to_agent, &report.agent_to_customer] {
        assert_eq!(direction.sent, CONVERSATIONS * MESSAGES, "{report}");
        assert_eq!(direction.delivered, direction.sent, "{report}");
        assert_eq!((direction.lost, direction.duplicated), (0, 0), "{report}");
        assert!(direction.latencies.percentile(99.0).is_some(), "{report}");
    }
    let shown = report.to_string();
    assert!(shown.contains("lost 0, duplicated 0"), "{shown}");
    let stack = report.stack.expect("the process was sampled");
    assert!(stack.memory_kib.is_some() && stack.open_files.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_lost_or_duplicated_with_talkdesk() {
    let stack = start().await;
    let report = run(&stack, &stack.urls().talkdesk, "talkdesk").await;
    assert_exact(&report);
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_lost_or_duplicated_with_amazon_connect() {
    let options = local_stack::Options {
        providers: "amazon-connect".parse().expect("a provider"),
        ..local_stack::Options::default()
    };
    let stack = start_with(options).await;
    let report = run(&stack, &stack.urls().connect, "amazon-connect").await;
    assert_exact(&report);
    stop(stack).await;
}
