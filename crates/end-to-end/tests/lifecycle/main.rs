//! Whole conversations through the Lambdas (the customer-relay one fed from the FIFO queue), each wired as its `main` wires it, sharing
//! one table and one set of secrets in the AWS emulator that `scripts/test` starts, with
//! Talkdesk faked on loopback and what reached the customer read back from the emulator.
//! The DynamoDB and Secrets Manager calls they make are counted (see `warm_path`).

mod calls;
mod warm_path;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use agent_callback::Callback;
use aws_adapters::connections::ApiGatewayConnections;
use aws_adapters::messages::SqsMessageQueue;
use aws_adapters::queue::SqsTickQueue;
use aws_adapters::secrets::SecretsManager;
use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use aws_sdk_sqs::types::MessageSystemAttributeName;
use calls::Calls;
use conversation_store::DynamoDbStore;
use handover::conversation::{ConversationStatus, Provider};
use handover::escalation::CodeHook;
use handover::reference::SESSION_ATTRIBUTE;
use handover::relay::CustomerRelay;
use handover::relay::ordered::OrderedRelay;
use handover::secrets::{CachedSecrets, SecretSource};
use handover::store::Conversations;
use lambda_http::Body;
use lambda_http::http::{Request, StatusCode};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{Value, json};
use test_support::files::event as sample;
use test_support::lex::{BotIntent, Seen, WebUiSession};
use test_support::{Recorder, talkdesk, unique};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API_KEY: &str = "lifecycle-callback-key-7c2e9a41";

struct Stack {
    code_hook: CodeHook,
    relay: CustomerRelay,
    customer_relay: OrderedRelay,
    sqs: aws_sdk_sqs::Client,
    customer_message_queue: String,
    callback: Callback,
    store: DynamoDbStore,
    talkdesk: MockServer,
    talkdesk_id: String,
    recorder: Recorder,
    /// Every DynamoDB call the Lambdas made, by operation.
    dynamodb_calls: Calls,
    /// Every Secrets Manager call the Lambdas made, by operation.
    secrets_calls: Calls,
}

/// The three Lambdas configured from one environment, as one deployment configures them.
async fn stack() -> Stack {
    let aws = test_support::emulator().await;
    let (_, table) = test_support::conversation_table(&aws).await;
    let dynamodb_calls = Calls::default();
    let dynamodb = dynamodb_calls.dynamodb(&aws);
    let secrets_calls = Calls::default();
    let names = test_support::put_secrets(
        &aws,
        &[
            ("touchpoint", r#"{"touchpoint_id":"tp-life"}"#),
            (
                "client",
                r#"{"client_id":"life","client_secret":"cycle-secret"}"#,
            ),
            (
                "reference-key",
                "lifecycle-reference-signing-key-0123456789",
            ),
            ("callback-api-key", API_KEY),
        ],
    )
    .await;
    let talkdesk = talkdesk::start().await;
    let talkdesk_id = unique("td-");
    talkdesk::token().mount(&talkdesk).await;
    // Each conversation started gets an id of its own: the first `talkdesk_id`, the n-th
    // `talkdesk_id-n`.
    let starts = AtomicUsize::new(0);
    let first_id = talkdesk_id.clone();
    Mock::given(method("POST"))
        .and(path("/digital-connect/conversations"))
        .respond_with(move |_: &wiremock::Request| {
            let id = match starts.fetch_add(1, Ordering::SeqCst) + 1 {
                1 => first_id.clone(),
                n => format!("{first_id}-{n}"),
            };
            ResponseTemplate::new(201).set_body_json(json!({ "id": id }))
        })
        .mount(&talkdesk)
        .await;
    talkdesk::send_message().mount(&talkdesk).await;
    talkdesk::end_conversation().mount(&talkdesk).await;

    let keep_alive_queue = test_support::keep_alive_queue(&aws).await;
    let customer_message_queue = test_support::customer_message_queue(&aws).await;
    let vars = HashMap::from([
        ("CONVERSATION_TABLE", table.clone()),
        ("CONNECTIONS_ENDPOINT", test_support::endpoint()),
        ("KEEP_ALIVE_QUEUE_URL", keep_alive_queue.clone()),
        ("CUSTOMER_MESSAGE_QUEUE_URL", customer_message_queue.clone()),
        ("TALKDESK_OAUTH_BASE", talkdesk.uri()),
        ("TALKDESK_API_BASE", talkdesk.uri()),
        ("TALKDESK_TOUCHPOINT_SECRET", names[0].clone()),
        ("TALKDESK_CLIENT_SECRET", names[1].clone()),
        ("REFERENCE_KEY_SECRET", names[2].clone()),
        ("CALLBACK_API_KEY_SECRET", names[3].clone()),
    ]);
    let var = |name: &str| vars.get(name).cloned();
    let secrets = || -> Arc<dyn SecretSource> {
        let client = secrets_calls.secrets_manager(&aws);
        Arc::new(CachedSecrets::new(
            SecretsManager::new(client),
            std::time::Duration::from_secs(300),
        ))
    };
    let connections = || Arc::new(ApiGatewayConnections::at(&aws, &test_support::endpoint()));

    let store = DynamoDbStore::new(dynamodb, table);
    let code_hook = lex_fulfillment::code_hook(
        &lex_fulfillment::Config::from_vars(var).unwrap(),
        Arc::new(store.clone()),
        secrets(),
        &aws,
    )
    .unwrap();
    let relay = websocket::relay(
        &websocket::Config::from_vars(var).unwrap(),
        Arc::new(store.clone()),
        connections(),
        secrets(),
        Arc::new(SqsTickQueue::new(&aws, &keep_alive_queue)),
        Arc::new(SqsMessageQueue::new(&aws, &customer_message_queue)),
        &aws,
    )
    .unwrap();
    let customer_relay = customer_relay::relay(
        &customer_relay::Config::from_vars(var).unwrap(),
        Arc::new(store.clone()),
        connections(),
        secrets(),
        &aws,
    )
    .unwrap();
    let callback = agent_callback::callback(
        &agent_callback::Config::from_vars(var).unwrap(),
        Arc::new(store.clone()),
        connections(),
        secrets(),
    );
    Stack {
        code_hook,
        relay,
        customer_relay,
        sqs: aws_sdk_sqs::Client::new(&aws),
        customer_message_queue,
        callback,
        store,
        talkdesk,
        talkdesk_id,
        recorder: Recorder::start().await,
        dynamodb_calls,
        secrets_calls,
    }
}

fn context() -> Context {
    let mut context = Context::default();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    context.deadline = now.as_millis() as u64 + 20_000;
    context
}

impl Stack {
    /// The customer asks the bot for an agent; returns the reference the Lex Web UI gets.
    async fn escalate(&self) -> String {
        let mut event = sample("lex-fulfillment.json");
        event["sessionId"] = json!(unique("us-east-1:"));
        let response = lex_fulfillment::handle(&self.code_hook, LambdaEvent::new(event, context()))
            .await
            .unwrap();
        response.session_state.session_attributes[SESSION_ATTRIBUTE].clone()
    }

    /// One WebSocket route, from its sample event; returns the status.
    async fn websocket(&self, event: &str, connection_id: &str, reference: Option<&str>) -> i64 {
        let status = self.websocket_only(event, connection_id, reference).await;
        self.relay_queued_messages().await;
        status
    }

    /// The WebSocket function alone, as [`Self::websocket`] runs it, leaving what it queued
    /// for the customer-relay function.
    async fn websocket_only(
        &self,
        event: &str,
        connection_id: &str,
        reference: Option<&str>,
    ) -> i64 {
        let mut payload = sample(event);
        payload["requestContext"]["connectionId"] = json!(connection_id);
        // API Gateway's request id is each frame's own.
        payload["requestContext"]["requestId"] = json!(unique("req-"));
        payload["queryStringParameters"] = match reference {
            Some(reference) => json!({"conversationId": reference}),
            None => json!({}),
        };
        let request: ApiGatewayWebsocketProxyRequest = serde_json::from_value(payload).unwrap();
        let response = websocket::handle(&self.relay, LambdaEvent::new(request, context()))
            .await
            .unwrap();
        response.status_code
    }

    /// The customer-relay function on what the FIFO queue holds, as Lambda's poller hands it
    /// over; what it handled is deleted, as the poller does.
    async fn relay_queued_messages(&self) {
        let received = self
            .sqs
            .receive_message()
            .queue_url(&self.customer_message_queue)
            .max_number_of_messages(10)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .expect("received");
        if received.messages().is_empty() {
            return;
        }
        let mut event = SqsEvent::default();
        for message in received.messages() {
            let mut record = SqsMessage::default();
            record.message_id = message.message_id().map(str::to_owned);
            record.body = message.body().map(str::to_owned);
            for (name, value) in message.attributes().into_iter().flatten() {
                record
                    .attributes
                    .insert(name.as_str().to_owned(), value.clone());
            }
            event.records.push(record);
        }
        let response =
            customer_relay::handle(&self.customer_relay, LambdaEvent::new(event, context()))
                .await
                .unwrap();
        assert!(
            response.batch_item_failures.is_empty(),
            "every message was relayed"
        );
        for message in received.messages() {
            self.sqs
                .delete_message()
                .queue_url(&self.customer_message_queue)
                .receipt_handle(message.receipt_handle().unwrap())
                .send()
                .await
                .expect("deleted");
        }
    }

    /// Talkdesk Connections calling the callback; returns the status and the JSON answer.
    async fn agent(&self, action: &str, body: Value) -> (StatusCode, Value) {
        let request = Request::builder()
            .method("POST")
            .uri(format!("/prod/talkdesk/{action}"))
            .header("x-api-key", API_KEY)
            .body(Body::from(body.to_string()))
            .unwrap();
        let response = self.callback.handle(request).await;
        let answer = serde_json::from_slice(response.body().as_ref()).unwrap();
        (response.status(), answer)
    }

    async fn talkdesk_requests(&self, verb: &str, suffix: &str) -> Vec<Value> {
        let requests = self.talkdesk.received_requests().await.unwrap();
        requests
            .iter()
            .filter(|r| r.method.as_str() == verb && r.url.path().ends_with(suffix))
            .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
            .collect()
    }

    async fn status(&self) -> ConversationStatus {
        let conversation = self
            .store
            .conversation_by_provider_id(Provider::Talkdesk, &self.talkdesk_id)
            .await
            .unwrap()
            .expect("the conversation is stored");
        conversation.status
    }
}

#[tokio::test]
async fn a_conversation_the_agent_ends() {
    let stack = stack().await;
    let connection = unique("conn-") + "=";

    let reference = stack.escalate().await;
    assert_eq!(stack.status().await, ConversationStatus::Pending);
    assert_eq!(
        stack
            .websocket("websocket-connect.json", &connection, Some(&reference))
            .await,
        200
    );

    assert_eq!(
        stack
            .websocket("websocket-message.json", &connection, None)
            .await,
        200
    );
    let relayed = stack
        .talkdesk_requests("POST", &format!("{}/messages", stack.talkdesk_id))
        .await;
    assert_eq!(
        relayed,
        vec![json!({"content": "Hi, I was charged twice for order 1234."})]
    );

    let id = &stack.talkdesk_id;
    let started =
        json!({"conversation_id": id, "event_type": "conversation_started", "author_name": "Sam"});
    assert_eq!(
        stack.agent("conversation_started", started).await.0,
        StatusCode::OK
    );
    assert_eq!(stack.status().await, ConversationStatus::Connected);
    let reply = json!({
        "conversation_id": id, "event_type": "message_created", "message_id": unique("msg-"),
        "content": "Hi Ana, I can see the double charge. Refunding it now.", "author_name": "Sam"
    });
    assert_eq!(
        stack.agent("message_created", reply).await,
        (StatusCode::OK, json!({"status": "delivered"}))
    );
    let ended =
        json!({"conversation_id": id, "event_type": "conversation_ended", "author_name": "Sam"});
    assert_eq!(
        stack.agent("conversation_ended", ended).await.0,
        StatusCode::OK
    );

    assert_eq!(
        stack.recorder.posted(&connection).await,
        vec![
            json!({"event_type": "message_created", "content": "Hi Ana, I can see the double charge. Refunding it now.", "author_name": "Sam"}),
            json!({"event_type": "message_created", "content": "The agent has ended the chat. Press End Live Chat to go back to the bot.", "author_name": "Sam"}),
            json!({"event_type": "conversation_ended"}),
        ]
    );
    assert!(stack.recorder.closed(&connection).await);
    assert_eq!(stack.status().await, ConversationStatus::Ended);

    // API Gateway then reports the close; the customer cannot rejoin an ended chat.
    assert_eq!(
        stack
            .websocket("websocket-disconnect-1006.json", &connection, None)
            .await,
        200
    );
    let again = unique("again-");
    assert_eq!(
        stack
            .websocket("websocket-connect.json", &again, Some(&reference))
            .await,
        410
    );
    assert!(
        stack
            .talkdesk_requests("DELETE", &stack.talkdesk_id)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_conversation_the_customer_ends() {
    let stack = stack().await;
    let connection = unique("conn-") + "=";

    let reference = stack.escalate().await;
    assert_eq!(
        stack
            .websocket("websocket-connect.json", &connection, Some(&reference))
            .await,
        200
    );
    assert_eq!(
        stack
            .websocket("websocket-message.json", &connection, None)
            .await,
        200
    );
    assert_eq!(
        stack
            .websocket("websocket-disconnect-4000.json", &connection, None)
            .await,
        200
    );

    assert_eq!(
        stack
            .talkdesk_requests("DELETE", &stack.talkdesk_id)
            .await
            .len(),
        1,
        "Talkdesk's end call is made"
    );
    assert_eq!(stack.status().await, ConversationStatus::Ended);
    let late = json!({
        "conversation_id": stack.talkdesk_id, "event_type": "message_created",
        "message_id": unique("msg-"), "content": "Are you still there?", "author_name": "Sam"
    });
    assert_eq!(
        stack.agent("message_created", late).await.0,
        StatusCode::GONE
    );
    assert!(stack.recorder.posted(&connection).await.is_empty());
}

#[tokio::test]
async fn the_customer_s_last_message_reaches_the_agent_before_their_end() {
    let stack = stack().await;
    let connection = unique("conn-") + "=";
    let reference = stack.escalate().await;
    stack
        .websocket("websocket-connect.json", &connection, Some(&reference))
        .await;

    // Typed, then End Live Chat, before the customer-relay function ran.
    for event in ["websocket-message.json", "websocket-disconnect-4000.json"] {
        assert_eq!(stack.websocket_only(event, &connection, None).await, 200);
    }
    let id = &stack.talkdesk_id;
    assert!(stack.talkdesk_requests("DELETE", id).await.is_empty());
    stack.relay_queued_messages().await;

    let requests = stack.talkdesk.received_requests().await.unwrap();
    let calls: Vec<_> = requests
        .iter()
        .filter(|r| r.url.path().contains(id.as_str()))
        .map(|r| (r.method.to_string(), r.url.path().to_owned()))
        .collect();
    let conversation = format!("/digital-connect/conversations/{id}");
    assert_eq!(
        calls,
        [
            ("POST".to_owned(), format!("{conversation}/messages")),
            ("DELETE".to_owned(), conversation)
        ]
    );
    assert_eq!(stack.status().await, ConversationStatus::Ended);
}

/// The deployment template's bot, as far as the code hook sees it.
fn bot() -> Vec<BotIntent> {
    vec![
        BotIntent {
            name: "CheckOrderStatus",
            slots: &[],
            fulfillment_hook: false,
            closing_response: Some("Your order has shipped."),
        },
        BotIntent {
            name: "TalkToAgent",
            slots: &["CustomerName", "Subject"],
            fulfillment_hook: true,
            closing_response: None,
        },
    ]
}

impl Stack {
    /// The customer types `text` in the Lex Web UI; Lex calls the code hook Lambda.
    async fn say(&self, session: &mut WebUiSession, text: &str, intent: &str) -> Seen {
        let hook = async |event: Value| {
            let response =
                lex_fulfillment::handle(&self.code_hook, LambdaEvent::new(event, context()))
                    .await?;
            Ok::<_, lambda_runtime::Error>(serde_json::to_value(response).unwrap())
        };
        session.say(text, intent, hook).await.unwrap()
    }

    /// Asks for an agent, gives a name and `subject`; returns the reference switched on.
    async fn ask_for_an_agent(&self, session: &mut WebUiSession, subject: &str) -> String {
        self.say(session, "I want to talk to a person", "TalkToAgent")
            .await;
        self.say(session, "Ana", "TalkToAgent").await;
        match self.say(session, subject, "TalkToAgent").await {
            Seen::LiveChat(reference) => reference,
            other => panic!("no live chat: {other:?}"),
        }
    }

    /// `(type, content)` of the previous messages of each conversation started, in order.
    async fn handed_over_transcripts(&self) -> Vec<Vec<(String, String)>> {
        let starts = self
            .talkdesk_requests("POST", "/digital-connect/conversations")
            .await;
        starts
            .iter()
            .map(|start| {
                start["previous_messages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|message| {
                        let field = |name: &str| message[name].as_str().unwrap().to_owned();
                        (field("type"), field("content"))
                    })
                    .collect()
            })
            .collect()
    }
}

#[tokio::test]
async fn a_lex_session_that_hands_over_twice() {
    let stack = stack().await;
    let mut session = WebUiSession::new(&unique("us-east-1:"), bot(), &[]);
    let line = |kind: &str, text: &str| (kind.to_owned(), text.to_owned());

    stack
        .say(&mut session, "where is my order", "CheckOrderStatus")
        .await;
    let first = stack
        .ask_for_an_agent(&mut session, "Refund for order 1234")
        .await;
    let connection = unique("conn-") + "=";
    assert_eq!(
        stack
            .websocket("websocket-connect.json", &connection, Some(&first))
            .await,
        200
    );
    // The customer ends the chat with End Live Chat.
    assert_eq!(
        stack
            .websocket("websocket-disconnect-4000.json", &connection, None)
            .await,
        200
    );
    assert_eq!(stack.status().await, ConversationStatus::Ended);

    // Back with the bot, in the same Lex session.
    stack
        .say(&mut session, "where is my order", "CheckOrderStatus")
        .await;
    let second = stack.ask_for_an_agent(&mut session, "Late delivery").await;
    assert_ne!(second, first);

    let transcripts = stack.handed_over_transcripts().await;
    let asked = [
        line("USER", "I want to talk to a person"),
        line("EXTERNAL", "Before I connect you, what is your name?"),
        line("USER", "Ana"),
        line("EXTERNAL", "What would you like to talk to an agent about?"),
    ];
    let mut expected_first = vec![
        line("USER", "where is my order"),
        line("EXTERNAL", "Your order has shipped."),
    ];
    expected_first.extend(asked.clone());
    expected_first.push(line("USER", "Refund for order 1234"));
    let mut expected_second = vec![
        line("USER", "where is my order"),
        line("EXTERNAL", "Your order has shipped."),
    ];
    expected_second.extend(asked);
    expected_second.push(line("USER", "Late delivery"));
    assert_eq!(transcripts, vec![expected_first, expected_second]);

    // The second conversation is a new one at Talkdesk, and the new reference joins it.
    let second_id = format!("{}-2", stack.talkdesk_id);
    let again = unique("conn-") + "=";
    assert_eq!(
        stack
            .websocket("websocket-connect.json", &again, Some(&second))
            .await,
        200
    );
    let conversation = stack
        .store
        .conversation_by_connection(&again)
        .await
        .unwrap()
        .expect("bound");
    assert_eq!(conversation.provider_conversation_id, second_id);
    assert_eq!(conversation.status, ConversationStatus::Pending);
    assert_eq!(
        stack
            .websocket("websocket-connect.json", &unique("old-"), Some(&first))
            .await,
        410,
        "the first chat stays ended"
    );
}
