//! What the contact center's console shows of the run, polled by one task for every
//! conversation: the console has no way to push, and one poll of its whole list serves them
//! all (each conversation asking on its own would cost the stack a list per conversation).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep};

use super::{MessageIds, Side};
use crate::lookup::TalkdeskConsole;

/// The shortest pause between two polls; a slower list makes it longer, so that polling never
/// takes more than a quarter of the time. Only waits depend on it (for a conversation's id,
/// and before ending), never a latency measured: the console stamps what it receives.
const POLL: Duration = Duration::from_millis(500);

/// One of the run's conversations as the console shows it.
#[derive(Clone, Debug, Default)]
pub(super) struct View {
    /// The contact center's id of it.
    pub(super) id: String,
    /// The run's customer messages it received, in order: (text, the console's time stamp).
    pub(super) customer_messages: Vec<(String, String)>,
}

/// The run's conversations by subject.
pub(super) type Shown = HashMap<String, View>;

/// The polling task.
pub(super) struct Watcher {
    console: Arc<TalkdeskConsole>,
    ids: MessageIds,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Watcher {
    /// Starts polling `console`; the receiver always holds the latest view.
    pub(super) fn start(
        console: TalkdeskConsole,
        ids: MessageIds,
    ) -> (Self, watch::Receiver<Arc<Shown>>) {
        let console = Arc::new(console);
        let (shown, receiver) = watch::channel(Arc::new(Shown::new()));
        let (stop, mut stopped) = oneshot::channel();
        let polling = (Arc::clone(&console), ids.clone());
        let task = tokio::spawn(async move {
            let (console, ids) = polling;
            loop {
                let began = Instant::now();
                // A failed poll is simply tried again; whoever waits for it times out.
                if let Ok(view) = fetch(&console, &ids).await {
                    shown.send_replace(Arc::new(view));
                }
                let pause = POLL.max(began.elapsed() * 3);
                tokio::select! {
                    () = sleep(pause) => {}
                    _ = &mut stopped => return,
                }
            }
        });
        let watcher = Self {
            console,
            ids,
            stop,
            task,
        };
        (watcher, receiver)
    }

    /// Stops polling and answers what the console shows once every conversation is over: as
    /// soon as it lists `sent` customer messages, or after `settle`. A customer who ended the
    /// chat at once may have left their last message on its way (it is queued before the end).
    pub(super) async fn finish(self, sent: usize, settle: Duration) -> Result<Shown, String> {
        // The task may have ended already; nothing is lost then.
        let _ = self.stop.send(());
        let _ = self.task.await;
        let until = Instant::now() + settle;
        loop {
            let shown = fetch(&self.console, &self.ids).await;
            let listed = shown.as_ref().map_or(0, |shown| {
                shown
                    .values()
                    .map(|view| view.customer_messages.len())
                    .sum()
            });
            if listed >= sent || Instant::now() >= until {
                return shown;
            }
            sleep(POLL).await;
        }
    }
}

/// The run's conversations in the console now.
async fn fetch(console: &TalkdeskConsole, ids: &MessageIds) -> Result<Shown, String> {
    let conversations = console
        .conversations()
        .await
        .map_err(|err| err.to_string())?;
    let prefix = ids.subject_prefix();
    let mut shown = Shown::new();
    for conversation in conversations {
        if !conversation.subject.starts_with(&prefix) {
            continue;
        }
        let customer_messages = conversation
            .timeline
            .into_iter()
            .filter(|entry| entry.from == "customer")
            .filter(|entry| {
                ids.parse(&entry.text)
                    .is_some_and(|id| id.from == Side::Customer)
            })
            .map(|entry| (entry.text, entry.at))
            .collect();
        let view = View {
            id: conversation.id,
            customer_messages,
        };
        shown.insert(conversation.subject, view);
    }
    Ok(shown)
}

/// The contact center's id of the conversation with `subject`, once the console lists it.
pub(super) async fn conversation_id(
    mut shown: watch::Receiver<Arc<Shown>>,
    subject: &str,
) -> Result<String, String> {
    let view = shown
        .wait_for(|shown| shown.contains_key(subject))
        .await
        .map_err(|_| "the console is no longer polled".to_owned())?;
    Ok(view[subject].id.clone())
}

/// Waits until the console lists `count` of the run's customer messages in the conversation
/// with `subject`.
pub(super) async fn customer_messages_shown(
    mut shown: watch::Receiver<Arc<Shown>>,
    subject: &str,
    count: usize,
) -> Result<(), String> {
    shown
        .wait_for(|shown| {
            shown
                .get(subject)
                .is_some_and(|view| view.customer_messages.len() >= count)
        })
        .await
        .map(|_| ())
        .map_err(|_| "the console is no longer polled".to_owned())
}
