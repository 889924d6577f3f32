//! The smoke test against the local stack: every step passes with the agent's side, the
//! customer's side alone ends the chat with 4000, and a wrong API key fails where it should.

use chat_cli::agent::CallbackApi;
use chat_cli::lookup::TalkdeskConsole;
use chat_cli::smoke::{self, AgentSide, Finder, Progress, Report, SmokeConfig, StepResult};
use local_stack::Running;

use crate::support::{WAIT, bot, conversation_where, lex_client, start, stop};

/// Keeps every step it is told of.
#[derive(Default)]
struct Recorded(Vec<StepResult>);

impl Progress for Recorded {
    fn step(&mut self, step: &StepResult) {
        self.0.push(step.clone());
    }
}

/// The smoke configuration for `running`, acting as the agent with `api_key` if given.
async fn config(running: &Running, api_key: Option<&str>) -> SmokeConfig {
    let urls = running.urls();
    // The CallbackRestAPI output's shape: the stage's base, without `/talkdesk`.
    let callback_base = urls.callback.trim_end_matches("/talkdesk");
    SmokeConfig {
        lex: lex_client(running).await,
        bot: bot(running),
        websocket_url: urls.websocket.clone(),
        agent: api_key.map(|key| AgentSide {
            callback: CallbackApi::new(callback_base, key.to_owned()),
            finder: Finder::Console(TalkdeskConsole::new(&urls.talkdesk)),
        }),
        step_timeout: WAIT,
    }
}

fn shown(report: &Report) -> String {
    let lines: Vec<String> = report.steps.iter().map(smoke::line).collect();
    format!("{}\n{}", lines.join("\n"), report.summary())
}

fn names(report: &Report) -> Vec<&'static str> {
    report.steps.iter().map(|step| step.name).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_step_passes_against_the_local_stack() {
    let stack = start().await;
    let config = config(&stack, Some(stack.callback_api_key())).await;
    let mut progress = Recorded::default();
    let report = smoke::run(&config, &mut progress).await;

    assert!(
        report.passed(),
        "the smoke test failed:\n{}",
        shown(&report)
    );
    assert!(!report.agent_skipped);
    assert_eq!(
        names(&report),
        [
            "the bot hands over to an agent",
            "the customer opens the live chat",
            "the customer sends a message",
            "the agent's side finds Talkdesk's conversation id",
            "Talkdesk received the customer's message",
            "the agent accepts (conversation_started)",
            "the agent writes (message_created)",
            "the customer receives exactly the agent's message, and no echo",
            "the agent ends (conversation_ended)",
            "the customer is told the chat ended (message_created)",
            "the customer receives conversation_ended",
            "the server closes the connection",
        ]
    );
    assert_eq!(progress.0, report.steps, "each step is told as it finishes");

    // The conversation Talkdesk got is this run's: its subject and the customer's message
    // carry the run id.
    let run_id = report.run_id.clone();
    let conversation =
        conversation_where(&stack, "for this run", |c| c.subject.contains(&run_id)).await;
    assert_eq!(
        conversation.contact_name.as_deref(),
        Some(smoke::CUSTOMER_NAME)
    );
    assert_eq!(conversation.customer_messages.len(), 1);
    assert!(conversation.customer_messages[0].contains(&run_id));
    assert!(
        stack.connection_ids().is_empty(),
        "the agent's end closed the connection"
    );
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_api_key_the_customer_ends_the_chat_with_4000() {
    let stack = start().await;
    let config = config(&stack, None).await;
    let report = smoke::run(&config, &mut Recorded::default()).await;

    assert!(
        report.passed(),
        "the smoke test failed:\n{}",
        shown(&report)
    );
    assert!(report.agent_skipped);
    assert!(
        report.summary().contains("--api-key"),
        "{}",
        report.summary()
    );
    assert_eq!(
        names(&report).last(),
        Some(&"the customer ends the chat (close code 4000)")
    );
    let run_id = report.run_id.clone();
    conversation_where(&stack, "ended by the customer", |c| {
        c.subject.contains(&run_id) && c.ended_by_customer
    })
    .await;
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_api_key_fails_at_the_first_callback_and_ends_the_chat() {
    let stack = start().await;
    let config = config(&stack, Some("not-the-key")).await;
    let report = smoke::run(&config, &mut Recorded::default()).await;

    assert!(!report.passed(), "{}", shown(&report));
    let failed = report.steps.last().expect("steps ran");
    assert_eq!(failed.name, "the agent accepts (conversation_started)");
    let why = failed.outcome.clone().expect_err("the step failed");
    assert!(why.contains("HTTP 403"), "{why}");
    assert!(
        report.steps[..report.steps.len() - 1]
            .iter()
            .all(StepResult::passed),
        "{}",
        shown(&report)
    );
    assert!(
        !shown(&report).contains("not-the-key"),
        "the key is never shown"
    );
    // Nothing is left open at Talkdesk: the customer ended the chat.
    let run_id = report.run_id.clone();
    conversation_where(&stack, "ended by the customer", |c| {
        c.subject.contains(&run_id) && c.ended_by_customer
    })
    .await;
    stop(stack).await;
}
