//! A local stack per test, and the customer's side of the live-chat protocol: the Lex Web UI's
//! RecognizeText calls through the real Lex V2 runtime SDK client, and its WebSocket.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_lexruntimev2::Client;
use aws_sdk_lexruntimev2::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_lexruntimev2::operation::recognize_text::RecognizeTextOutput;
use aws_sdk_lexruntimev2::types::SessionState;
use futures_util::{SinkExt, StreamExt};
use local_stack::connect::{SimChat, StreamOptions};
use local_stack::talkdesk::SimConversation;
use local_stack::{LocalStack, Options, Running};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::time::{Instant, sleep, timeout};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

/// The longest any single wait in a test may take.
pub const WAIT: Duration = Duration::from_secs(10);

/// The session attribute that switches the Lex Web UI to live chat.
pub const REFERENCE: &str = "talkdesk_conversation_id";

/// The customer's WebSocket.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A local stack with the default options.
pub async fn start() -> Running {
    start_with(Options::default()).await
}

/// A local stack with `options`.
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

/// The Lex V2 runtime client, as any AWS SDK user would configure it for the local endpoint.
pub fn lex_client(running: &Running) -> Client {
    let config = aws_sdk_lexruntimev2::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .endpoint_url(&running.urls().lex_runtime)
        .build();
    Client::from_conf(config)
}

/// A customer at the Lex Web UI: one Lex session, whose attributes are re-sent every turn
/// with `previousUtterance` and `previousLexResponse`, as the Lex Web UI does. On a turn that
/// brings a new `talkdesk_conversation_id` the Lex Web UI switches to live chat before it
/// records the turn, so those two then keep describing the turn before.
pub struct Customer {
    client: Client,
    bot_id: String,
    alias_id: String,
    locale_id: String,
    pub session_id: String,
    pub attributes: HashMap<String, String>,
    last_reference: Option<String>,
}

impl Customer {
    pub fn new(running: &Running) -> Self {
        let bot = running.bot();
        Self {
            client: lex_client(running),
            bot_id: bot.bot_id.clone(),
            alias_id: bot.alias_id.clone(),
            locale_id: bot.locale_id.clone(),
            // The Lex Web UI uses the Cognito identity id.
            session_id: format!("us-east-1:{}", uuid::Uuid::new_v4()),
            attributes: HashMap::new(),
            last_reference: None,
        }
    }

    /// One RecognizeText turn; the bot must answer.
    pub async fn say(&mut self, text: &str) -> RecognizeTextOutput {
        let request = self
            .client
            .recognize_text()
            .bot_id(&self.bot_id)
            .bot_alias_id(&self.alias_id)
            .locale_id(&self.locale_id)
            .session_id(&self.session_id)
            .text(text)
            .session_state(
                SessionState::builder()
                    .set_session_attributes(Some(self.attributes.clone()))
                    .build(),
            )
            .send();
        let output = match timeout(WAIT, request).await {
            Ok(Ok(output)) => output,
            Ok(Err(err)) => panic!(
                "RecognizeText {text:?} failed: {}",
                aws_sdk_lexruntimev2::error::DisplayErrorContext(err)
            ),
            Err(_) => panic!("RecognizeText {text:?} did not answer within {WAIT:?}"),
        };
        self.attributes = output
            .session_state()
            .and_then(|state| state.session_attributes())
            .cloned()
            .unwrap_or_default();
        if let Some(new) = reference(&output).filter(|value| {
            !value.is_empty() && self.last_reference.as_deref() != Some(value.as_str())
        }) {
            self.last_reference = Some(new);
            return output;
        }
        let previous = json!({"messages": replies(&output)
            .iter()
            .map(|text| json!({"type": "PlainText", "value": text}))
            .collect::<Vec<_>>()});
        self.attributes
            .insert("previousUtterance".into(), text.to_owned());
        self.attributes
            .insert("previousLexResponse".into(), previous.to_string());
        output
    }
}

/// A customer who gives their name and subject through the page's session attributes and
/// asks for an agent; answers the reference and Talkdesk's id of the conversation.
pub async fn hand_over(running: &Running, name: &str, subject: &str) -> (String, String) {
    let mut customer = Customer::new(running);
    customer
        .attributes
        .insert("customer_name".into(), name.into());
    customer.attributes.insert("subject".into(), subject.into());
    let handed_over = customer.say("I would like to talk to an agent").await;
    let reference = reference(&handed_over).unwrap_or_else(|| {
        panic!(
            "no talkdesk_conversation_id; the bot said {:?}",
            replies(&handed_over)
        )
    });
    let conversation = conversation_where(running, &format!("for {name}"), |c| {
        c.contact_name.as_deref() == Some(name)
    })
    .await;
    (reference, conversation.id)
}

/// The texts of the bot's messages.
pub fn replies(output: &RecognizeTextOutput) -> Vec<String> {
    output
        .messages()
        .iter()
        .filter_map(|message| message.content().map(str::to_owned))
        .collect()
}

/// The intent the turn was about.
pub fn intent_name(output: &RecognizeTextOutput) -> String {
    let intent = output.session_state().and_then(|state| state.intent());
    intent
        .map(|intent| intent.name().to_owned())
        .unwrap_or_default()
}

/// The dialog action's type and slot.
pub fn dialog_action(output: &RecognizeTextOutput) -> (String, Option<String>) {
    let action = output
        .session_state()
        .and_then(|state| state.dialog_action())
        .expect("a dialog action");
    (
        action.r#type().as_str().to_owned(),
        action.slot_to_elicit().map(str::to_owned),
    )
}

/// The reference the Lex Web UI opens the WebSocket with, if the turn handed over.
pub fn reference(output: &RecognizeTextOutput) -> Option<String> {
    output
        .session_state()?
        .session_attributes()?
        .get(REFERENCE)
        .cloned()
}

/// Opens the WebSocket as the Lex Web UI does: `ENDPOINT + "?conversationId=" + VALUE`, the
/// value not URL-encoded. Refused handshakes answer their HTTP status.
pub async fn connect(running: &Running, reference: &str) -> Result<Socket, u16> {
    let url = format!("{}?conversationId={reference}", running.urls().websocket);
    match timeout(WAIT, connect_async(url)).await {
        Ok(Ok((socket, _))) => Ok(socket),
        Ok(Err(tokio_tungstenite::tungstenite::Error::Http(response))) => {
            Err(response.status().as_u16())
        }
        Ok(Err(err)) => panic!("the WebSocket handshake failed without a status: {err}"),
        Err(_) => panic!("the WebSocket handshake did not finish within {WAIT:?}"),
    }
}

/// Opens the WebSocket, which must be accepted.
pub async fn connected(running: &Running, reference: &str) -> Socket {
    connect(running, reference)
        .await
        .unwrap_or_else(|status| panic!("the WebSocket was refused with {status}"))
}

/// Sends a text frame.
pub async fn send(socket: &mut Socket, frame: Value) {
    let sent = timeout(WAIT, socket.send(Message::text(frame.to_string()))).await;
    match sent {
        Ok(Ok(())) => {}
        Ok(Err(err)) => panic!("could not send a frame: {err}"),
        Err(_) => panic!("sending a frame took longer than {WAIT:?}"),
    }
}

/// The customer ends the chat as the Lex Web UI does: close code 4000, reason
/// `conversationId:<reference>`.
pub async fn end_live_chat(socket: &mut Socket, reference: &str) {
    let frame = CloseFrame {
        code: 4000.into(),
        reason: format!("conversationId:{reference}").into(),
    };
    match timeout(WAIT, socket.close(Some(frame))).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => panic!("could not close the WebSocket: {err}"),
        Err(_) => panic!("closing the WebSocket took longer than {WAIT:?}"),
    }
}

/// The customer's browser leaves the page (navigation, a network change): close code 1001.
pub async fn go_away(socket: &mut Socket) {
    let frame = CloseFrame {
        code: 1001.into(),
        reason: "".into(),
    };
    match timeout(WAIT, socket.close(Some(frame))).await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => panic!("could not close the WebSocket: {err}"),
        Err(_) => panic!("closing the WebSocket took longer than {WAIT:?}"),
    }
}

/// The next JSON text frame from the server.
pub async fn next_json(socket: &mut Socket) -> Value {
    match next_message(socket).await {
        Some(Message::Text(text)) => json_frame(&text),
        other => panic!("expected a JSON text frame, got {other:?}"),
    }
}

/// The JSON text frames the server sends until it closes the connection, and the close
/// frame's code, if any.
pub async fn frames_until_closed(socket: &mut Socket) -> (Vec<Value>, Option<u16>) {
    let mut frames = Vec::new();
    loop {
        match next_message(socket).await {
            Some(Message::Text(text)) => frames.push(json_frame(&text)),
            Some(Message::Close(frame)) => return (frames, frame.map(|frame| frame.code.into())),
            None => return (frames, None),
            other => panic!("expected a JSON text frame or the close, got {other:?}"),
        }
    }
}

fn json_frame(text: &str) -> Value {
    serde_json::from_str(text)
        .unwrap_or_else(|err| panic!("a text frame that is not JSON ({err}): {text}"))
}

/// Waits for the server to close the connection; answers the close frame's code, if any.
pub async fn closed(socket: &mut Socket) -> Option<u16> {
    match next_message(socket).await {
        Some(Message::Close(frame)) => frame.map(|frame| u16::from(frame.code)),
        None => None,
        other => panic!("expected the connection to close, got {other:?}"),
    }
}

/// The next message that is not a ping or pong; `None` once the stream ends.
async fn next_message(socket: &mut Socket) -> Option<Message> {
    let deadline = Instant::now() + WAIT;
    loop {
        let next = tokio::time::timeout_at(deadline, socket.next())
            .await
            .unwrap_or_else(|_| panic!("nothing came from the server within {WAIT:?}"));
        match next {
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(message)) => return Some(message),
            Some(Err(err)) => panic!("the WebSocket failed: {err}"),
            None => return None,
        }
    }
}

/// The simulated Talkdesk's conversation for which `condition` holds, waited for (Talkdesk
/// is told asynchronously, as API Gateway invokes the Lambda after it took the frame).
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

/// A local stack whose contact centers are `providers` (`CONTACT_CENTERS`), delivering every
/// Amazon Connect chat event twice when `twice`.
pub fn with_providers(providers: &str, twice: bool) -> Options {
    Options {
        providers: providers
            .parse()
            .unwrap_or_else(|err| panic!("providers {providers:?}: {err}")),
        connect_events: StreamOptions {
            deliver_twice: twice,
            ..StreamOptions::default()
        },
        ..Options::default()
    }
}

/// The simulated Amazon Connect's chat for which `condition` holds, waited for.
pub async fn chat_where(
    running: &Running,
    what: &str,
    condition: impl Fn(&SimChat) -> bool,
) -> SimChat {
    let deadline = Instant::now() + WAIT;
    loop {
        let chats = running.connect().chats();
        if let Some(found) = chats.iter().find(|c| condition(c)) {
            return found.clone();
        }
        if Instant::now() >= deadline {
            panic!("no simulated Amazon Connect chat {what} within {WAIT:?}: {chats:#?}");
        }
        sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until every chat event streamed so far has been delivered to `connect-events`,
/// retries included.
pub async fn events_delivered(running: &Running) {
    if timeout(WAIT, running.connect().settled()).await.is_err() {
        panic!("the simulated SNS topic still had deliveries after {WAIT:?}");
    }
}
