//! The smoke test's steps: each does one thing and checks what came of it, answering a short
//! detail when it passed and why when it did not.

use std::time::Duration;

use serde_json::Value;

use super::{AGENT_NAME, AgentActions, CUSTOMER_NAME, Finder};
use crate::agent::AgentEvent;
use crate::lex::{BotTurn, LexSession};
use crate::live_chat::{Frame, LiveChat};
use crate::lookup::{ConsoleConversation, TalkdeskConsole, conversation_key};

/// A step's value and detail, or why it failed.
pub(crate) type Outcome<T> = Result<(T, Option<String>), String>;

/// A transcript line as Talkdesk gets it: `USER` or `EXTERNAL` (the bot), and the text.
type TranscriptLine = (String, String);

/// One bot turn as the customer saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SaidTurn {
    /// What the customer said.
    pub said: String,
    /// What the bot answered, in order; nothing was shown on a turn that opened a live chat.
    pub replies: Vec<String>,
}

/// The most turns the bot may take to hand over (the request, the name, the subject, and one
/// to spare).
const MAX_TURNS: usize = 4;
/// The longest a reference may be (the Lex Web UI puts it in a close reason).
const MAX_REFERENCE_BYTES: usize = 108;
/// How often the simulated Talkdesk's console is asked again; it has no way to push.
const CONSOLE_POLL: Duration = Duration::from_millis(100);

/// The customer says `request` and answers what the bot asks: the name for a slot named like
/// a name, the subject for any other. Answers the reference, which differs from any the
/// session opened a live chat with before, and the turns taken.
pub(crate) async fn hand_over(
    lex: &mut LexSession,
    request: &str,
    subject: &str,
) -> Outcome<(String, Vec<SaidTurn>)> {
    let mut said = request;
    let mut turns = Vec::new();
    for count in 1..=MAX_TURNS {
        let turn = lex.say(said).await.map_err(|err| err.to_string())?;
        turns.push(SaidTurn {
            said: said.to_owned(),
            replies: turn.messages.clone(),
        });
        if let Some(reference) = turn.live_chat {
            check_reference(&reference)?;
            return Ok(((reference, turns), Some(format!("{count} turns"))));
        }
        said = match turn.slot_to_elicit.as_deref() {
            Some(slot) if slot.to_ascii_lowercase().contains("name") => CUSTOMER_NAME,
            Some(_) => subject,
            None => {
                return Err(format!(
                    "no new talkdesk_conversation_id; {}",
                    described(&turn)
                ));
            }
        };
    }
    Err(format!("the bot was still asking after {MAX_TURNS} turns"))
}

/// The customer says `text`; the bot must answer it without opening a live chat (it keeps
/// echoing the last chat's reference, which is not a new one).
pub(super) async fn bot_answers(lex: &mut LexSession, text: &str) -> Outcome<SaidTurn> {
    let turn = lex.say(text).await.map_err(|err| err.to_string())?;
    if turn.live_chat.is_some() {
        return Err(format!("the bot opened a live chat; {}", described(&turn)));
    }
    if turn.messages.is_empty() {
        return Err(format!("the bot said nothing; {}", described(&turn)));
    }
    let detail = turn
        .intent
        .as_ref()
        .map(|intent| format!("intent {intent}"));
    let said = SaidTurn {
        said: text.to_owned(),
        replies: turn.messages,
    };
    Ok((said, detail))
}

/// The turn as a failure explains it: what the bot did and said.
fn described(turn: &BotTurn) -> String {
    format!(
        "the bot answered {} on intent {} saying {:?}",
        turn.dialog_action.as_deref().unwrap_or("no dialog action"),
        turn.intent.as_deref().unwrap_or("none"),
        turn.messages
    )
}

/// A reference the Lex Web UI can use: `v1.<key>.<expiry>.<tag>`, URL-safe, at most 108 bytes.
fn check_reference(reference: &str) -> Result<(), String> {
    let url_safe = |c: char| c.is_ascii_alphanumeric() || "-_.~".contains(c);
    if conversation_key(reference).is_none() {
        Err("talkdesk_conversation_id is not of the form v1.<key>.<expiry>.<tag>".into())
    } else if !reference.chars().all(url_safe) {
        Err("talkdesk_conversation_id is not URL-safe".into())
    } else if reference.len() > MAX_REFERENCE_BYTES {
        Err(format!(
            "talkdesk_conversation_id is {} bytes, over {MAX_REFERENCE_BYTES}",
            reference.len()
        ))
    } else {
        Ok(())
    }
}

/// Opens the live chat as the Lex Web UI does.
pub(super) async fn connect(websocket_url: &str, reference: &str) -> Outcome<LiveChat> {
    let chat = LiveChat::connect(websocket_url, reference)
        .await
        .map_err(|err| err.to_string())?;
    Ok((chat, None))
}

/// Sends one `onMessage` frame.
pub(super) async fn send(chat: &mut LiveChat, text: &str) -> Outcome<()> {
    chat.send(text).await.map_err(|err| err.to_string())?;
    Ok(((), None))
}

/// The customer ends the chat with close code 4000; the server must answer the close.
pub(super) async fn customer_ends(chat: LiveChat) -> Outcome<()> {
    let answered = chat.end().await.map_err(|err| err.to_string())?;
    let detail = answered.map_or_else(
        || "closed with no code".to_owned(),
        |code| format!("the server answered with close code {code}"),
    );
    Ok(((), Some(detail)))
}

/// The contact center's conversation id: by subject in the simulated contact center's console
/// (waiting for it to list it),
/// or by the reference's conversation key in the table.
pub(super) async fn find_conversation(
    finder: &Finder,
    subject: &str,
    reference: &str,
) -> Outcome<String> {
    match finder {
        Finder::Console(console) => loop {
            if let Some(found) = console
                .find_by_subject(subject)
                .await
                .map_err(|err| err.to_string())?
            {
                return Ok((found.id, Some("by subject, in the agent console".into())));
            }
            tokio::time::sleep(CONSOLE_POLL).await;
        },
        Finder::Table(table) => {
            let id = table
                .provider_conversation_id(reference)
                .await
                .map_err(|err| err.to_string())?;
            Ok((id, Some("in the conversation table".into())))
        }
    }
}

/// Waits until the simulated contact center lists the customer's message in the conversation
/// (it is relayed after API Gateway took the frame), and nothing else from the customer but,
/// when `transcript_first`, the bot transcript before it.
pub(super) async fn talkdesk_received(
    console: &TalkdeskConsole,
    id: &str,
    said: &str,
    transcript_first: bool,
) -> Outcome<()> {
    loop {
        let conversation = console_conversation(console, id).await?;
        let messages = conversation.customer_messages.as_slice();
        let (before, last) = match messages.split_last() {
            Some((last, before)) => (before, Some(last)),
            None => (messages, None),
        };
        let only_transcript_before = before
            .iter()
            .all(|text| transcript_first && text.starts_with(TRANSCRIPT_MARK));
        match last {
            Some(last) if last == said && only_transcript_before => {
                return Ok((
                    (),
                    Some(format!("{} transcript messages before it", before.len())),
                ));
            }
            Some(last) if transcript_first && last.starts_with(TRANSCRIPT_MARK) => {
                tokio::time::sleep(CONSOLE_POLL).await;
            }
            None => tokio::time::sleep(CONSOLE_POLL).await,
            Some(_) => {
                return Err(format!(
                    "the contact center got {} other messages",
                    messages.len()
                ));
            }
        }
    }
}

/// What marks the bot transcript's messages to an Amazon Connect agent.
const TRANSCRIPT_MARK: &str = "[Bot transcript] ";

/// The simulated Talkdesk's view of conversation `id`.
async fn console_conversation(
    console: &TalkdeskConsole,
    id: &str,
) -> Result<ConsoleConversation, String> {
    let conversations = console
        .conversations()
        .await
        .map_err(|err| err.to_string())?;
    conversations
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| "the conversation is gone from the simulated Talkdesk".into())
}

/// Talkdesk's conversation id as [`find_conversation`] finds it, which must not be
/// `earlier`'s: a second hand-over starts a new conversation.
pub(super) async fn find_new_conversation(
    finder: &Finder,
    subject: &str,
    reference: &str,
    earlier: Option<&str>,
) -> Outcome<String> {
    let (id, detail) = find_conversation(finder, subject, reference).await?;
    if earlier == Some(id.as_str()) {
        return Err("it is the first live chat's conversation".into());
    }
    Ok((id, detail))
}

/// The simulated Talkdesk's bot transcript of the conversation must be exactly `turns`'s:
/// each turn's words after the bot's reply to the turn before, the first turn with no bot
/// line before it, and nothing of an earlier bot conversation.
pub(super) async fn transcript_since_first_chat(
    console: &TalkdeskConsole,
    id: &str,
    turns: &[SaidTurn],
    in_messages: bool,
) -> Outcome<()> {
    let conversation = console_conversation(console, id).await?;
    let expected = transcript_of(turns);
    let got = if in_messages {
        transcript_messages(&conversation.customer_messages)
    } else {
        conversation.previous_messages
    };
    match transcript_mismatch(&expected, &got) {
        None => Ok(((), Some(format!("{} lines", expected.len())))),
        Some(why) => Err(why),
    }
}

/// The bot transcript in an Amazon Connect chat's first customer messages
/// (`[Bot transcript] Customer: ...` or `... Bot: ...`), as Talkdesk's transcript lines.
fn transcript_messages(messages: &[String]) -> Vec<TranscriptLine> {
    messages
        .iter()
        .filter_map(|text| text.strip_prefix(TRANSCRIPT_MARK))
        .filter_map(|line| {
            let (speaker, text) = line.split_once(": ")?;
            let kind = if speaker == "Customer" {
                "USER"
            } else {
                "EXTERNAL"
            };
            Some((kind.to_owned(), text.to_owned()))
        })
        .collect()
}

/// The transcript Talkdesk should get for `turns`, the last the hand-over: the bot's reply to
/// a turn reaches the code hook only with the next turn, as `previousLexResponse`.
fn transcript_of(turns: &[SaidTurn]) -> Vec<TranscriptLine> {
    let mut lines = Vec::new();
    for (index, turn) in turns.iter().enumerate() {
        let before = index.checked_sub(1).map(|earlier| &turns[earlier].replies);
        if let Some(replies) = before.filter(|replies| !replies.is_empty()) {
            lines.push(("EXTERNAL".to_owned(), replies.join("\n")));
        }
        lines.push(("USER".to_owned(), turn.said.clone()));
    }
    lines
}

/// Why `got` is not `expected`, or `None` if it is.
fn transcript_mismatch(expected: &[TranscriptLine], got: &[TranscriptLine]) -> Option<String> {
    if expected == got {
        return None;
    }
    let stale_first = got
        .first()
        .is_some_and(|(kind, _)| kind == "EXTERNAL" && expected.first() != got.first());
    let hint = if stale_first {
        " (a bot line before the first turn: a stale previousLexResponse was recorded)"
    } else {
        ""
    };
    let differs = expected
        .iter()
        .zip(got)
        .position(|(want, have)| want != have);
    Some(match differs {
        Some(index) => format!(
            "line {} is {:?}, expected {:?}{hint}; the transcript: {got:?}",
            index + 1,
            got[index],
            expected[index]
        ),
        None => format!(
            "{} lines, expected {}{hint}; the transcript: {got:?}, expected {expected:?}",
            got.len(),
            expected.len()
        ),
    })
}

/// The agent's event through the callback API, which must answer 200 `delivered`.
pub(super) async fn agent_event(
    actions: &AgentActions,
    event: AgentEvent,
    id: &str,
    content: Option<&str>,
) -> Outcome<()> {
    let callback = match actions {
        AgentActions::Callback(callback) => callback,
        AgentActions::ConnectConsole(console) => {
            console.act(event, id, AGENT_NAME, content).await?;
            return Ok(((), Some("streamed".into())));
        }
    };
    let answer = callback
        .post(event, id, AGENT_NAME, content)
        .await
        .map_err(|err| err.to_string())?;
    if answer.delivered() {
        Ok(((), None))
    } else {
        Err(format!(
            "the callback API answered HTTP {} {}",
            answer.status, answer.body
        ))
    }
}

/// The customer must receive `expected` exactly. Only the agent's own messages may come
/// before it (a deployment may announce the agent on `conversation_started`); the customer's
/// own message coming back, or any other frame, fails.
pub(super) async fn receive_agent_message(
    chat: &mut LiveChat,
    expected: &Value,
    said: &str,
) -> Outcome<()> {
    let mut earlier = 0;
    loop {
        let frame = json_frame(chat, "the agent's message").await?;
        if frame == *expected {
            let detail = (earlier > 0).then(|| format!("after {earlier} earlier agent message(s)"));
            return Ok(((), detail));
        }
        let text = |field: &str| frame.get(field).and_then(Value::as_str);
        if text("content") == Some(said) {
            return Err(format!("the customer's own message came back: {frame}"));
        }
        let from_agent = text("event_type") == Some("message_created")
            && text("author_name") == Some(AGENT_NAME);
        if !from_agent || text("content") == expected["content"].as_str() {
            return Err(format!("expected exactly {expected}, received {frame}"));
        }
        earlier += 1;
    }
}

/// The customer must next be told, in a `message_created`, that the chat has ended (the Lex
/// Web UI shows nothing for `conversation_ended`).
pub(super) async fn receive_goodbye(chat: &mut LiveChat) -> Outcome<()> {
    let frame = json_frame(chat, "the goodbye message").await?;
    let content = frame.get("content").and_then(Value::as_str).unwrap_or("");
    if frame.get("event_type").and_then(Value::as_str) == Some("message_created")
        && !content.trim().is_empty()
    {
        Ok(((), None))
    } else {
        Err(format!("expected a message_created, received {frame}"))
    }
}

/// The customer must next receive `conversation_ended`.
pub(super) async fn receive_ended(chat: &mut LiveChat) -> Outcome<()> {
    let frame = json_frame(chat, "conversation_ended").await?;
    if frame.get("event_type").and_then(Value::as_str) == Some("conversation_ended") {
        Ok(((), None))
    } else {
        Err(format!("expected conversation_ended, received {frame}"))
    }
}

/// The server must then close the connection.
pub(super) async fn receive_close(chat: &mut LiveChat) -> Outcome<()> {
    match chat.next_frame().await.map_err(|err| err.to_string())? {
        Frame::Closed(code) => Ok((
            (),
            Some(code.map_or_else(
                || "no close code".into(),
                |code| format!("close code {code}"),
            )),
        )),
        Frame::Json(frame) => Err(format!("expected the close, received {frame}")),
        Frame::NotJson(text) => Err(format!("expected the close, received {text:?}")),
    }
}

/// The next frame, which must be JSON (the Lex Web UI throws on anything else).
async fn json_frame(chat: &mut LiveChat, waiting_for: &str) -> Result<Value, String> {
    match chat.next_frame().await.map_err(|err| err.to_string())? {
        Frame::Json(frame) => Ok(frame),
        Frame::NotJson(text) => Err(format!(
            "a frame that is not JSON (the Lex Web UI would throw) instead of {waiting_for}: {text:?}"
        )),
        Frame::Closed(code) => Err(format!(
            "the connection closed (code {code:?}) before {waiting_for}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(said: &str, replies: &[&str]) -> SaidTurn {
        SaidTurn {
            said: said.into(),
            replies: replies.iter().map(|reply| (*reply).to_owned()).collect(),
        }
    }

    fn line(kind: &str, text: &str) -> TranscriptLine {
        (kind.to_owned(), text.to_owned())
    }

    #[test]
    fn the_expected_transcript_puts_each_reply_before_the_next_turn() {
        let turns = [
            turn("Where is my order?", &["It shipped.", "Anything else?"]),
            turn("An agent", &["Your name?"]),
            turn("Alex", &[]),
            turn("A refund", &[]),
        ];
        assert_eq!(
            transcript_of(&turns),
            [
                line("USER", "Where is my order?"),
                line("EXTERNAL", "It shipped.\nAnything else?"),
                line("USER", "An agent"),
                line("EXTERNAL", "Your name?"),
                line("USER", "Alex"),
                line("USER", "A refund"),
            ]
        );
    }

    #[test]
    fn a_transcript_mismatch_names_the_line_and_a_stale_first_bot_line() {
        let expected = [
            line("USER", "Where is my order?"),
            line("EXTERNAL", "It shipped."),
        ];
        assert_eq!(transcript_mismatch(&expected, &expected), None);
        let stale = [
            line("EXTERNAL", "What about?"),
            line("USER", "Where is my order?"),
        ];
        let why = transcript_mismatch(&expected, &stale).expect("a mismatch");
        assert!(why.starts_with("line 1 is"), "{why}");
        assert!(why.contains("stale previousLexResponse"), "{why}");
        let short = transcript_mismatch(&expected, &expected[..1]).expect("a mismatch");
        assert!(short.starts_with("1 lines, expected 2"), "{short}");
    }

    #[test]
    fn references_are_checked_as_the_lex_web_ui_needs_them() {
        assert!(check_reference("v1.abc123.1795262400.3q2-7wAA_").is_ok());
        assert!(check_reference("8a3f1b2c9d7e4f60a1b2c3d4e5f60718").is_err());
        assert!(check_reference("v1.a b.1.tag").is_err());
        let long = format!("v1.{}.1.tag", "k".repeat(120));
        assert!(check_reference(&long).unwrap_err().contains("over 108"));
    }
}
