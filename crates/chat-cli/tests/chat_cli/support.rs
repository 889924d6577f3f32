//! A local stack per test on free ports, and the client's pieces pointed at it.

use std::time::Duration;

use chat_cli::lex::{self, BotAddress, LexEndpoint, LexSession};
use local_stack::talkdesk::SimConversation;
use local_stack::{LocalStack, Options, Running};
use tokio::time::{Instant, sleep, timeout};

/// The longest any single wait in a test may take.
pub const WAIT: Duration = Duration::from_secs(15);

/// A local stack on free ports.
pub async fn start() -> Running {
    start_with(Options::default()).await
}

/// A local stack on free ports with `options`.
pub async fn start_with(options: Options) -> Running {
    match timeout(WAIT, LocalStack::start(options)).await {
        Ok(Ok(running)) => running,
        Ok(Err(err)) => panic!("the local stack did not start: {err}"),
        Err(_) => panic!("the local stack did not start within {WAIT:?}"),
    }
}

/// Stops the stack, which must stop cleanly.
pub async fn stop(running: Running) {
    if let Err(err) = running.shutdown().await {
        panic!("the local stack did not stop cleanly: {err}");
    }
}

/// The stack's bot, as the client addresses it.
pub fn bot(running: &Running) -> BotAddress {
    let bot = running.bot();
    BotAddress {
        bot_id: bot.bot_id.clone(),
        alias_id: bot.alias_id.clone(),
        locale_id: bot.locale_id.clone(),
    }
}

/// The client's Lex V2 runtime client for the stack's emulated runtime.
pub async fn lex_client(running: &Running) -> aws_sdk_lexruntimev2::Client {
    let endpoint = LexEndpoint::Emulated {
        url: running.urls().lex_runtime.clone(),
        region: "us-east-1".into(),
    };
    lex::client(&endpoint)
        .await
        .expect("an emulated endpoint needs no AWS configuration")
}

/// A new customer session with the stack's bot.
pub async fn session(running: &Running) -> LexSession {
    LexSession::new(lex_client(running).await, bot(running))
}

/// The simulated Talkdesk's conversation for which `condition` holds, waited for: Talkdesk
/// is told asynchronously, after API Gateway took the frame, and has no way to notify.
pub async fn conversation_where(
    running: &Running,
    what: &str,
    condition: impl Fn(&SimConversation) -> bool,
) -> SimConversation {
    let deadline = Instant::now() + WAIT;
    loop {
        let conversations = running.talkdesk().conversations().await;
        if let Some(found) = conversations.iter().find(|c| condition(c)) {
            return found.clone();
        }
        if Instant::now() >= deadline {
            panic!("no simulated Talkdesk conversation {what} within {WAIT:?}: {conversations:#?}");
        }
        sleep(Duration::from_millis(20)).await;
    }
}
