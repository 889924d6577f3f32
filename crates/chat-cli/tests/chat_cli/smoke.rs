//! The smoke test against the local stack: every step of both live chats passes with the
//! agent's side, the customer's side alone ends both chats with 4000, and a wrong API key fails
//! where it should.

use chat_cli::agent::CallbackApi;
use chat_cli::connect_agent::ConnectConsoleAgent;
use chat_cli::lookup::TalkdeskConsole;
use chat_cli::smoke::{
    self, AgentActions, AgentSide, Finder, Progress, Report, SmokeConfig, StepResult,
};
use local_stack::Running;
use local_stack::connect::EndedBy;

use crate::support::{WAIT, bot, conversation_where, lex_client, start, start_with, stop};

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
            actions: AgentActions::Callback(CallbackApi::new(callback_base, key.to_owned())),
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
            "back with the bot, the customer asks about an order and stays with the bot",
            "the bot hands over again, with a new talkdesk_conversation_id",
            "the customer opens the second live chat",
            "the customer sends a message in the second chat",
            "the agent's side finds the second conversation, a new one",
            "Talkdesk received the customer's message in the second chat",
            "the agent accepts the second conversation (conversation_started)",
            "the agent writes in the second chat (message_created)",
            "the customer receives exactly the agent's second message, and no echo",
            "Talkdesk's bot transcript holds only the turns since the first chat, none stale",
            "the customer ends the second chat (close code 4000)",
        ]
    );
    assert_eq!(progress.0, report.steps, "each step is told as it finishes");

    // Both conversations Talkdesk got are this run's: their subjects and the customer's
    // messages carry the run id.
    let run_id = report.run_id.clone();
    let first_subject = format!("lex-chat smoke test {run_id}, first question");
    let first = conversation_where(&stack, "for this run", |c| c.subject == first_subject).await;
    assert_eq!(first.contact_name.as_deref(), Some(smoke::CUSTOMER_NAME));
    assert_eq!(first.customer_messages.len(), 1);
    assert!(first.customer_messages[0].contains(&run_id));

    let second_subject = format!("lex-chat smoke test {run_id}, second question");
    let second = conversation_where(&stack, "for this run's second question", |c| {
        c.subject == second_subject && c.ended_by_customer
    })
    .await;
    assert_ne!(second.id, first.id);
    assert_eq!(second.contact_name.as_deref(), Some(smoke::CUSTOMER_NAME));
    assert_eq!(second.customer_messages.len(), 1);
    assert!(second.customer_messages[0].contains(&run_id));
    assert_eq!(
        second.previous_messages.first(),
        Some(&("USER".to_owned(), smoke::ORDER_QUESTION.to_owned())),
        "the first turn after the first chat, with no bot line before it: {:?}",
        second.previous_messages
    );
    assert!(
        second
            .previous_messages
            .iter()
            .all(|(_, text)| !text.contains(&first_subject)),
        "nothing of the first bot conversation: {:?}",
        second.previous_messages
    );
    assert!(
        stack.connection_ids().is_empty(),
        "both chats' connections are closed"
    );
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_step_passes_against_the_simulated_amazon_connect() {
    let options = local_stack::Options {
        providers: "amazon-connect".parse().expect("a provider"),
        ..local_stack::Options::default()
    };
    let stack = start_with(options).await;
    let console = &stack.urls().connect;
    let config = SmokeConfig {
        agent: Some(AgentSide {
            actions: AgentActions::ConnectConsole(ConnectConsoleAgent::new(console)),
            finder: Finder::Console(TalkdeskConsole::new(console)),
        }),
        ..config(&stack, None).await
    };
    let report = smoke::run(&config, &mut Recorded::default()).await;
    assert!(
        report.passed(),
        "the smoke test failed:\n{}",
        shown(&report)
    );
    let names = names(&report);
    assert_eq!(names.len(), 23, "{names:#?}");
    assert!(names.contains(&"the agent accepts (participant.joined)"));
    assert!(names.contains(
        &"the chat's bot transcript messages are only the turns since the first chat, none stale"
    ));

    // Both chats are this run's, each with the customer's one live message after the
    // transcript; nothing went to Talkdesk.
    // The agent ended the first; the customer's 4000 reaches DisconnectParticipant after the
    // close, so it is waited for.
    let deadline = tokio::time::Instant::now() + WAIT;
    let chats = loop {
        let chats = stack.connect().chats();
        let ends: Vec<_> = chats.iter().map(|chat| chat.ended_by).collect();
        if ends == [Some(EndedBy::Agent), Some(EndedBy::Customer)] {
            break chats;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the chats did not end as expected within {WAIT:?}: {chats:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    for chat in &chats {
        let live = chat
            .customer_messages
            .iter()
            .filter(|text| !text.starts_with("[Bot transcript] "));
        let live: Vec<_> = live.collect();
        assert_eq!(live.len(), 1, "{chat:?}");
        assert!(live[0].contains(&report.run_id), "{chat:?}");
    }
    assert!(stack.talkdesk().conversations().await.is_empty());
    assert!(
        stack.connection_ids().is_empty(),
        "both chats' connections are closed"
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
        names(&report),
        [
            "the bot hands over to an agent",
            "the customer opens the live chat",
            "the customer sends a message",
            "the customer ends the chat (close code 4000)",
            "back with the bot, the customer asks about an order and stays with the bot",
            "the bot hands over again, with a new talkdesk_conversation_id",
            "the customer opens the second live chat",
            "the customer sends a message in the second chat",
            "the customer ends the second chat (close code 4000)",
        ]
    );
    let run_id = &report.run_id;
    let first_subject = format!("lex-chat smoke test {run_id}, first question");
    let second_subject = format!("lex-chat smoke test {run_id}, second question");
    for subject in [first_subject, second_subject] {
        conversation_where(&stack, "ended by the customer", |c| {
            c.subject == subject && c.ended_by_customer
        })
        .await;
    }
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
