//! The chat in a terminal: one line per thing shown, labelled with who said it.

use std::io::Write;

use super::{AGENT_JOINED_MESSAGE, CHAT_ENDED_MESSAGE, Screen, Shown};

/// A [`Screen`] writing lines to a terminal (or any writer).
pub struct Terminal<W> {
    out: W,
}

impl<W: Write> Terminal<W> {
    /// A screen writing to `out`.
    pub fn new(out: W) -> Self {
        Self { out }
    }
}

impl<W: Write> Screen for Terminal<W> {
    fn show(&mut self, shown: Shown) {
        // A closed terminal leaves no one to tell.
        let _ = writeln!(self.out, "{}", line(&shown));
        let _ = self.out.flush();
    }
}

fn line(shown: &Shown) -> String {
    let code = |code: &Option<u16>| code.map_or_else(|| "none".to_owned(), |code| code.to_string());
    match shown {
        Shown::Bot(text) => format!("bot> {text}"),
        Shown::Agent {
            author: Some(author),
            text,
        } if !author.trim().is_empty() => format!("agent ({})> {text}", author.trim()),
        Shown::Agent { text, .. } => format!("agent> {text}"),
        Shown::LiveChatStarted => {
            format!("-- {AGENT_JOINED_MESSAGE} (/end goes back to the bot.)")
        }
        Shown::CustomerEnded(answered) => format!(
            "-- {CHAT_ENDED_MESSAGE} (close code 4000; the server answered {}.)",
            code(answered)
        ),
        Shown::AgentEnded => "-- The agent ended the conversation.".to_owned(),
        Shown::ServerClosed(closed) => format!(
            "-- The server closed the live chat (close code {}); the Lex Web UI does not notice. \
             /end goes back to the bot.",
            code(closed)
        ),
        Shown::Notice(text) => format!("-- {text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_line_says_who_speaks() {
        let mut out = Vec::new();
        let mut terminal = Terminal::new(&mut out);
        terminal.show(Shown::Bot("Hello!".into()));
        terminal.show(Shown::Agent {
            author: Some("Sam".into()),
            text: "Hi, I am Sam.".into(),
        });
        terminal.show(Shown::Agent {
            author: None,
            text: "Still here?".into(),
        });
        terminal.show(Shown::LiveChatStarted);
        terminal.show(Shown::CustomerEnded(Some(4000)));
        terminal.show(Shown::ServerClosed(None));
        let text = String::from_utf8(out).expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "bot> Hello!");
        assert_eq!(lines[1], "agent (Sam)> Hi, I am Sam.");
        assert_eq!(lines[2], "agent> Still here?");
        assert!(lines[3].contains(AGENT_JOINED_MESSAGE), "{}", lines[3]);
        assert!(lines[4].contains(CHAT_ENDED_MESSAGE), "{}", lines[4]);
        assert!(lines[4].contains("answered 4000"), "{}", lines[4]);
        assert!(lines[5].contains("close code none"), "{}", lines[5]);
    }
}
