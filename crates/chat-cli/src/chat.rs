//! The interactive chat: the customer's typed lines go to the bot until a new
//! `talkdesk_conversation_id` appears, then to the agent over the live chat's WebSocket, and
//! back to the bot when the customer ends the chat. What the bot and the agent say is shown as
//! it arrives, and when the Lex Web UI shows it: the bot's reply to the turn that opens a live
//! chat never is, the Lex Web UI's `connect.agentJoinedMessage` is as soon as the WebSocket
//! opens, and its `connect.chatEndedMessage` when the customer ends the chat.
//!
//! As in the Lex Web UI, typing exactly one of its `ui.liveChatTerms` opens a live chat without
//! asking the bot, with whatever `talkdesk_conversation_id` the session holds; a refused or
//! closed WebSocket leaves the chat in live-chat mode, where what is typed is lost, until the
//! customer ends it.
//!
//! Commands: `/end` (or end of input, Ctrl-D) ends the live chat with close code 4000, as the
//! End Live Chat button does; `/quit` ends it and leaves; `/help`. End of input with no live
//! chat open leaves.

mod terminal;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, Lines};

use crate::lex::LexSession;
use crate::live_chat::{Frame, LiveChat, LiveChatError, ServerEvent};
pub use terminal::Terminal;

/// What the Lex Web UI shows when the live chat's WebSocket opens (its
/// `connect.agentJoinedMessage`, as the deployment guide recommends it).
pub const AGENT_JOINED_MESSAGE: &str =
    "You are now connected. An agent will answer here as soon as one is free.";
/// What the Lex Web UI shows when the customer ends the live chat (its
/// `connect.chatEndedMessage`, as the deployment guide recommends it).
pub const CHAT_ENDED_MESSAGE: &str = "Chat ended. You are back with the bot.";

/// The Lex Web UI's `ui.liveChatTerms`: phrases that, typed exactly (case aside), open a live
/// chat without asking the bot. Comma-separated; empty for none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveChatTerms(Vec<String>);

impl LiveChatTerms {
    /// The terms of a comma-separated list, lower-cased and trimmed as the Lex Web UI does.
    pub fn parse(list: &str) -> Self {
        if list.is_empty() {
            return Self::default();
        }
        Self(
            list.to_lowercase()
                .split(',')
                .map(|term| term.trim().to_owned())
                .collect(),
        )
    }

    /// Whether `text` is one of the terms.
    pub fn matches(&self, text: &str) -> bool {
        let text = text.to_lowercase();
        self.0.contains(&text)
    }
}

/// Something the chat shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The bot said this.
    Bot(String),
    /// The agent wrote this (a `message_created` frame).
    Agent {
        /// The agent's name, when the frame had one.
        author: Option<String>,
        /// The text.
        text: String,
    },
    /// The live chat's WebSocket opened: lines now go to the agent.
    LiveChatStarted,
    /// The customer ended the live chat; the server answered the close with this code (none
    /// when the connection had already failed or closed).
    CustomerEnded(Option<u16>),
    /// The agent ended the conversation (`conversation_ended`).
    AgentEnded,
    /// The server closed the live chat, with this close code; the chat stays in live-chat
    /// mode until the customer ends it, as the Lex Web UI does not notice.
    ServerClosed(Option<u16>),
    /// Anything else worth saying: help, a failure, a refused frame.
    Notice(String),
}

/// Where the chat shows things.
pub trait Screen {
    /// Shows one thing.
    fn show(&mut self, shown: Shown);
}

/// Why the chat stopped early.
#[derive(Debug, thiserror::Error)]
#[error("reading the customer's input failed: {0}")]
pub struct ChatError(#[from] std::io::Error);

const HELP: &str = "Type to talk to the bot; when it hands you over, to the agent. \
    /end ends the live chat (Ctrl-D too), /quit leaves, /help shows this.";

/// What a typed line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Typed<'a> {
    Text(&'a str),
    Nothing,
    End,
    Quit,
    Help,
    Unknown(&'a str),
}

impl<'a> Typed<'a> {
    fn parse(line: &'a str) -> Self {
        match line.trim() {
            "" => Typed::Nothing,
            "/end" => Typed::End,
            "/quit" | "/exit" => Typed::Quit,
            "/help" | "/?" => Typed::Help,
            command if command.starts_with('/') => Typed::Unknown(command),
            text => Typed::Text(text),
        }
    }
}

/// Where the chat goes after a live chat.
#[derive(Debug, PartialEq, Eq)]
enum After {
    Bot,
    Quit,
}

/// Runs the chat until `/quit` or the end of `input` with no live chat open. `websocket_url`
/// is the WebSocket API, as the Lex Web UI's `talkDeskWebsocketEndpoint`.
pub async fn run<R>(
    mut lex: LexSession,
    websocket_url: &str,
    terms: &LiveChatTerms,
    input: R,
    screen: &mut impl Screen,
) -> Result<(), ChatError>
where
    R: AsyncBufRead + Unpin,
{
    let mut lines = input.lines();
    screen.show(Shown::Notice(format!(
        "Lex session {}. {HELP}",
        lex.session_id()
    )));
    while let Some(line) = lines.next_line().await? {
        let text = match Typed::parse(&line) {
            Typed::Text(text) => text,
            Typed::Nothing => continue,
            Typed::Quit => return Ok(()),
            Typed::End => {
                screen.show(Shown::Notice("No live chat is open.".into()));
                continue;
            }
            Typed::Help => {
                screen.show(Shown::Notice(HELP.into()));
                continue;
            }
            Typed::Unknown(command) => {
                screen.show(Shown::Notice(format!("Unknown command {command}. {HELP}")));
                continue;
            }
        };
        let reference = if terms.matches(text) {
            // What JavaScript writes for an attribute that was never set.
            lex.reference().unwrap_or("undefined").to_owned()
        } else {
            let turn = match lex.say(text).await {
                Ok(turn) => turn,
                Err(err) => {
                    screen.show(Shown::Notice(err.to_string()));
                    continue;
                }
            };
            match turn.live_chat {
                Some(reference) => reference,
                None => {
                    turn.messages
                        .into_iter()
                        .for_each(|message| screen.show(Shown::Bot(message)));
                    continue;
                }
            }
        };
        let after = match LiveChat::connect(websocket_url, &reference).await {
            Ok(chat) => {
                screen.show(Shown::LiveChatStarted);
                live(chat, &mut lines, screen).await?
            }
            Err(err) => {
                screen.show(Shown::Notice(format!(
                    "{err}. The Lex Web UI stays in live chat: /end goes back to the bot."
                )));
                disconnected(&mut lines, screen).await?
            }
        };
        if after == After::Quit {
            return Ok(());
        }
    }
    Ok(())
}

/// One thing that happened during a live chat.
enum Happened {
    Typed(Option<String>),
    Received(Result<Frame, LiveChatError>),
}

/// The live chat, until either side ends it.
async fn live<R>(
    mut chat: LiveChat,
    lines: &mut Lines<R>,
    screen: &mut impl Screen,
) -> Result<After, ChatError>
where
    R: AsyncBufRead + Unpin,
{
    loop {
        // Both are cancel-safe: whichever loses the race keeps its line or frame for later.
        let happened = tokio::select! {
            line = lines.next_line() => Happened::Typed(line?),
            frame = chat.next_frame() => Happened::Received(frame),
        };
        match happened {
            Happened::Typed(line) => {
                let typed = line.as_deref().map_or(Typed::End, Typed::parse);
                match typed {
                    Typed::Text(text) => {
                        if let Err(err) = chat.send(text).await {
                            screen.show(Shown::Notice(format!("Not sent: {err}")));
                        }
                    }
                    Typed::Nothing => {}
                    Typed::End => {
                        end(chat, screen).await;
                        return Ok(After::Bot);
                    }
                    Typed::Quit => {
                        end(chat, screen).await;
                        return Ok(After::Quit);
                    }
                    Typed::Help => screen.show(Shown::Notice(HELP.into())),
                    Typed::Unknown(command) => {
                        screen.show(Shown::Notice(format!("Unknown command {command}. {HELP}")));
                    }
                }
            }
            Happened::Received(Ok(Frame::Json(frame))) => match ServerEvent::from_json(&frame) {
                ServerEvent::Message { content, author } => {
                    screen.show(Shown::Agent {
                        author,
                        text: content,
                    });
                }
                ServerEvent::Ended => screen.show(Shown::AgentEnded),
                ServerEvent::Error(content) => {
                    screen.show(Shown::Notice(format!(
                        "The server refused a frame: {content}"
                    )));
                }
                ServerEvent::Ignored => {}
            },
            Happened::Received(Ok(Frame::NotJson(_))) => {
                screen.show(Shown::Notice(
                    "The server sent a frame that is not JSON (the Lex Web UI would fail on it)."
                        .into(),
                ));
            }
            Happened::Received(Ok(Frame::Closed(code))) => {
                screen.show(Shown::ServerClosed(code));
                return disconnected(lines, screen).await;
            }
            Happened::Received(Err(err)) => {
                screen.show(Shown::Notice(err.to_string()));
                return disconnected(lines, screen).await;
            }
        }
    }
}

/// Live-chat mode with no connection (refused, failed or closed by the server), which the Lex
/// Web UI stays in until the customer ends it: what is typed goes nowhere.
async fn disconnected<R>(lines: &mut Lines<R>, screen: &mut impl Screen) -> Result<After, ChatError>
where
    R: AsyncBufRead + Unpin,
{
    while let Some(line) = lines.next_line().await? {
        match Typed::parse(&line) {
            Typed::Text(_) => screen.show(Shown::Notice(
                "Not sent: the live chat is not connected. /end goes back to the bot.".into(),
            )),
            Typed::Nothing => {}
            Typed::End => {
                screen.show(Shown::CustomerEnded(None));
                return Ok(After::Bot);
            }
            Typed::Quit => return Ok(After::Quit),
            Typed::Help => screen.show(Shown::Notice(HELP.into())),
            Typed::Unknown(command) => {
                screen.show(Shown::Notice(format!("Unknown command {command}. {HELP}")));
            }
        }
    }
    screen.show(Shown::CustomerEnded(None));
    Ok(After::Bot)
}

/// Ends the live chat as the customer: close code 4000.
async fn end(chat: LiveChat, screen: &mut impl Screen) {
    match chat.end().await {
        Ok(code) => screen.show(Shown::CustomerEnded(code)),
        Err(err) => screen.show(Shown::Notice(format!(
            "The live chat did not close cleanly: {err}. Back to the bot."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_lines_are_text_or_commands() {
        assert_eq!(Typed::parse("  hello there "), Typed::Text("hello there"));
        assert_eq!(Typed::parse("   "), Typed::Nothing);
        assert_eq!(Typed::parse("/end"), Typed::End);
        assert_eq!(Typed::parse("/quit"), Typed::Quit);
        assert_eq!(Typed::parse("/help"), Typed::Help);
        assert_eq!(Typed::parse("/shrug"), Typed::Unknown("/shrug"));
    }

    #[test]
    fn live_chat_terms_are_read_as_the_lex_web_ui_reads_them() {
        let terms = LiveChatTerms::parse("Live Chat, talk to a HUMAN");
        assert!(terms.matches("live chat"));
        assert!(terms.matches("Talk to a human"));
        assert!(!terms.matches("I want live chat"));
        assert!(!terms.matches("live"));
        let none = LiveChatTerms::parse("");
        assert_eq!(none, LiveChatTerms::default());
        assert!(!none.matches(""));
    }
}
