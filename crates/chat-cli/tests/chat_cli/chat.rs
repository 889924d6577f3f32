//! The interactive chat against the local stack: typed lines go to the bot, then to the agent
//! once the bot hands over (the bot's reply to that turn unseen); `/end` and end of input close
//! with 4000; after the agent's end, `/end` returns the customer to the bot; a live chat term
//! opens the chat with whatever reference the session holds.

use chat_cli::chat::{self, ChatError, LiveChatTerms, Screen, Shown};
use local_stack::Running;
use tokio::io::{AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::timeout;

use crate::support::{WAIT, conversation_where, session, start, stop};

const GREETING: &str = "Hello! I can check on an order, or connect you to an agent.";
const ASK_NAME: &str = "Before I connect you, what is your name?";
const ASK_SUBJECT: &str = "What would you like to talk to an agent about?";

/// Hands what the chat shows to the test.
struct Channel(mpsc::UnboundedSender<Shown>);

impl Screen for Channel {
    fn show(&mut self, shown: Shown) {
        // The test may have stopped listening after a failed assertion.
        let _ = self.0.send(shown);
    }
}

/// A chat running against the stack, typed into and watched by the test.
struct Customer {
    typing: Option<DuplexStream>,
    shown: mpsc::UnboundedReceiver<Shown>,
    task: JoinHandle<Result<(), ChatError>>,
}

impl Customer {
    async fn start(running: &Running) -> Self {
        Self::start_with_terms(running, LiveChatTerms::default()).await
    }

    async fn start_with_terms(running: &Running, terms: LiveChatTerms) -> Self {
        let session = session(running).await;
        let websocket = running.urls().websocket.clone();
        let (typing, input) = tokio::io::duplex(4096);
        let (sender, shown) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            chat::run(
                session,
                &websocket,
                &terms,
                BufReader::new(input),
                &mut Channel(sender),
            )
            .await
        });
        let mut customer = Self {
            typing: Some(typing),
            shown,
            task,
        };
        let banner = customer.next().await;
        assert!(
            matches!(&banner, Shown::Notice(text) if text.contains("/end")),
            "the chat starts by saying how to use it: {banner:?}"
        );
        customer
    }

    async fn types(&mut self, line: &str) {
        let typing = self.typing.as_mut().expect("input is open");
        let line = format!("{line}\n");
        let written = typing.write_all(line.as_bytes());
        timeout(WAIT, written)
            .await
            .expect("typing took too long")
            .expect("the chat reads its input");
    }

    /// What the chat shows next.
    async fn next(&mut self) -> Shown {
        match timeout(WAIT, self.shown.recv()).await {
            Ok(Some(shown)) => shown,
            Ok(None) => panic!("the chat stopped showing anything"),
            Err(_) => panic!("the chat showed nothing within {WAIT:?}"),
        }
    }

    /// Ctrl-D: the end of input.
    fn closes_input(&mut self) {
        self.typing = None;
    }

    /// The chat must have left, without error.
    async fn left(self) {
        let finished = timeout(WAIT, self.task)
            .await
            .unwrap_or_else(|_| panic!("the chat did not leave within {WAIT:?}"));
        finished
            .expect("the chat did not panic")
            .expect("the chat left without error");
    }

    /// Asks for an agent and answers the bot's questions; answers Talkdesk's conversation id.
    async fn hands_over(&mut self, running: &Running, name: &str, subject: &str) -> String {
        self.types("I want to talk to an agent").await;
        assert_eq!(self.next().await, Shown::Bot(ASK_NAME.into()));
        self.types(name).await;
        assert_eq!(self.next().await, Shown::Bot(ASK_SUBJECT.into()));
        self.types(subject).await;
        assert_eq!(
            self.next().await,
            Shown::LiveChatStarted,
            "the live chat opens at once: the bot's reply to the turn is never shown"
        );
        conversation_where(running, "with the subject", |c| c.subject == subject)
            .await
            .id
    }
}

fn unique(text: &str) -> String {
    format!("{text} {}", uuid::Uuid::new_v4().simple())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_talks_to_the_bot_then_the_agent_and_ends_with_4000() {
    let stack = start().await;
    let mut customer = Customer::start(&stack).await;
    customer.types("Hello").await;
    assert_eq!(customer.next().await, Shown::Bot(GREETING.into()));

    let subject = unique("A double charge");
    let id = customer.hands_over(&stack, "Dana", &subject).await;
    customer.types("Are you there?").await;
    conversation_where(&stack, "with the customer's message", |c| {
        c.id == id && c.customer_messages == ["Are you there?"]
    })
    .await;
    let reply = "Hi Dana, I am Sam. I can see the double charge.";
    assert_eq!(stack.talkdesk().reply(&id, reply, "Sam").await, Ok(200));
    assert_eq!(
        customer.next().await,
        Shown::Agent {
            author: Some("Sam".into()),
            text: reply.into()
        },
        "the agent's message, and never the customer's own back"
    );

    customer.types("/end").await;
    assert_eq!(
        customer.next().await,
        Shown::CustomerEnded(Some(4000)),
        "the server answers the customer's close code"
    );
    let ended = conversation_where(&stack, "ended by the customer", |c| {
        c.id == id && c.ended_by_customer
    })
    .await;
    assert_eq!(ended.customer_messages, ["Are you there?"]);

    // Back with the bot, which keeps echoing the old reference: no second live chat.
    customer.types("Hello").await;
    assert_eq!(customer.next().await, Shown::Bot(GREETING.into()));
    customer.closes_input();
    customer.left().await;
    assert!(stack.connection_ids().is_empty());
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_agent_ends_the_chat_the_customer_stays_in_it_until_end() {
    let stack = start().await;
    let mut customer = Customer::start(&stack).await;
    let id = customer
        .hands_over(&stack, "Eli", &unique("Change my address"))
        .await;
    assert_eq!(stack.talkdesk().end(&id, "Sam").await, Ok(200));
    let goodbye = customer.next().await;
    assert!(
        matches!(&goodbye, Shown::Agent { text, .. } if text.contains("ended the chat")),
        "{goodbye:?}"
    );
    assert_eq!(customer.next().await, Shown::AgentEnded);
    assert!(
        matches!(customer.next().await, Shown::ServerClosed(_)),
        "the server closes the connection"
    );
    // The Lex Web UI does not notice the close: what is typed now goes nowhere.
    customer.types("Hello").await;
    assert!(
        matches!(customer.next().await, Shown::Notice(text) if text.starts_with("Not sent")),
        "a line typed after the close"
    );
    customer.types("/end").await;
    assert_eq!(customer.next().await, Shown::CustomerEnded(None));
    customer.types("Hello").await;
    assert_eq!(customer.next().await, Shown::Bot(GREETING.into()));
    customer.types("/quit").await;
    customer.left().await;
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_chat_term_opens_the_chat_with_the_reference_the_session_holds() {
    let stack = start().await;
    let terms = LiveChatTerms::parse("Live Chat, talk to a human");
    let mut customer = Customer::start_with_terms(&stack, terms).await;
    // No reference yet: the WebSocket is opened with "undefined", and refused.
    customer.types("live chat").await;
    let refused = customer.next().await;
    assert!(
        matches!(&refused, Shown::Notice(text) if text.contains("HTTP 400")),
        "{refused:?}"
    );
    customer.types("Is anyone there?").await;
    assert!(
        matches!(customer.next().await, Shown::Notice(text) if text.starts_with("Not sent")),
        "stuck in live chat, as the Lex Web UI is"
    );
    customer.types("/end").await;
    assert_eq!(customer.next().await, Shown::CustomerEnded(None));

    // After a chat the session holds its ended reference, which the term opens again. The
    // agent ends it: once the callback has answered, the conversation is ended for `$connect`.
    let id = customer.hands_over(&stack, "Gil", &unique("Billing")).await;
    assert_eq!(stack.talkdesk().end(&id, "Sam").await, Ok(200));
    assert!(matches!(customer.next().await, Shown::Agent { .. }));
    assert_eq!(customer.next().await, Shown::AgentEnded);
    assert!(matches!(customer.next().await, Shown::ServerClosed(_)));
    customer.types("/end").await;
    assert_eq!(customer.next().await, Shown::CustomerEnded(None));
    customer.types("Talk to a human").await;
    let refused = customer.next().await;
    assert!(
        matches!(&refused, Shown::Notice(text) if text.contains("HTTP 410")),
        "{refused:?}"
    );
    customer.types("/quit").await;
    customer.left().await;
    stop(stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_of_input_in_a_live_chat_ends_it_with_4000_then_leaves() {
    let stack = start().await;
    let mut customer = Customer::start(&stack).await;
    let id = customer
        .hands_over(&stack, "Fay", &unique("Warranty"))
        .await;
    customer.closes_input();
    assert_eq!(customer.next().await, Shown::CustomerEnded(Some(4000)));
    customer.left().await;
    conversation_where(&stack, "ended by the customer", |c| {
        c.id == id && c.ended_by_customer
    })
    .await;
    stop(stack).await;
}
