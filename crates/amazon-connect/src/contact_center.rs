//! Amazon Connect chat behind the handover's [`ContactCenter`] port: the customer's side of a
//! chat contact, driven through the participant service.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::SystemTime;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_connect::types::{ChatStreamingConfiguration, ParticipantDetails};
use aws_sdk_connectparticipant::types::{ConnectionType, MessageProcessingStatus};
use handover::contact_center::{
    ContactCenter, ContactCenterError, CustomerText, HandoverRequest, Relayed, StartedConversation,
};
use handover::conversation::{Conversation, Provider};
use handover::errors::{Cause, chain};
use tokio::time::Instant;
use tracing::{info, warn};

use crate::error::{ConnectError, bounded, contact_center_error};
use crate::text::{MAX_MESSAGE_CHARS, client_token, parts, transcript_messages};
use crate::tokens::{
    CONNECTION_EXPIRY, CONNECTION_TOKEN, PARTICIPANT_ID, PARTICIPANT_TOKEN, usable_connection_token,
};
use crate::{AmazonConnectSettings, attributes, clients};

/// The only content type offered: the Lex Web UI renders no Markdown.
const TEXT_PLAIN: &str = "text/plain";

/// Amazon Connect chat as a contact center.
pub struct AmazonConnectContactCenter {
    connect: OnFirstCall<aws_sdk_connect::Client>,
    participant: OnFirstCall<aws_sdk_connectparticipant::Client>,
    settings: AmazonConnectSettings,
}

/// A client made on its first call: making the first client of a service parses its endpoint
/// rules, a tenth of a cold start, and most events call only one of the two services, or none
/// (a function that serves both contact centers, with a Talkdesk conversation).
type OnFirstCall<C> = LazyLock<C, Box<dyn FnOnce() -> C + Send>>;

/// A connection token and when it expires.
struct Connection {
    token: String,
    expiry: String,
}

impl AmazonConnectContactCenter {
    /// The contact center as `settings` describe it, calling AWS with the credentials and
    /// region of `sdk`.
    pub fn new(sdk: &SdkConfig, settings: &AmazonConnectSettings) -> Self {
        let connect = clients::connect(sdk, settings);
        let participant = clients::participant(sdk, settings);
        Self {
            connect: LazyLock::new(Box::new(move || {
                aws_sdk_connect::Client::from_conf(connect)
            })),
            participant: LazyLock::new(Box::new(move || {
                aws_sdk_connectparticipant::Client::from_conf(participant)
            })),
            settings: settings.clone(),
        }
    }

    /// Creates the participant's connection; `connect` also joins the customer to the chat,
    /// which starts the contact flow.
    async fn connection(
        &self,
        participant_token: &str,
        connect: bool,
        deadline: Instant,
    ) -> Result<Connection, ConnectError> {
        const OPERATION: &str = "CreateParticipantConnection";
        let mut call = self
            .participant
            .create_participant_connection()
            .participant_token(participant_token)
            .r#type(ConnectionType::ConnectionCredentials);
        if connect {
            call = call.connect_participant(true);
        }
        let created = bounded(OPERATION, deadline, call.send()).await?;
        let credentials = created.connection_credentials();
        let field = |value: Option<&str>, field| {
            value.map(str::to_owned).ok_or(ConnectError::Incomplete {
                operation: OPERATION,
                field,
            })
        };
        Ok(Connection {
            token: field(
                credentials.and_then(|c| c.connection_token()),
                "ConnectionToken",
            )?,
            expiry: field(credentials.and_then(|c| c.expiry()), "Expiry")?,
        })
    }

    /// The stored connection token, or a fresh one when it has expired (or is about to),
    /// with the provider data to keep in that case.
    async fn connection_token(
        &self,
        conversation: &Conversation,
        deadline: Instant,
    ) -> Result<(String, Option<BTreeMap<String, String>>), ConnectError> {
        let data = &conversation.provider_data;
        if let Some(token) = usable_connection_token(data, SystemTime::now()) {
            return Ok((token.to_owned(), None));
        }
        let participant_token = data
            .get(PARTICIPANT_TOKEN)
            .ok_or(ConnectError::MissingToken("participant token"))?;
        let renewed = self.connection(participant_token, false, deadline).await?;
        info!(conversation = %conversation.key, "renewed the expired Amazon Connect connection token");
        let mut kept = data.clone();
        kept.insert(CONNECTION_TOKEN.to_owned(), renewed.token.clone());
        kept.insert(CONNECTION_EXPIRY.to_owned(), renewed.expiry);
        Ok((renewed.token, Some(kept)))
    }

    /// Sends `text` as one message or more, each with the client token `token(part)`.
    async fn send_parts(
        &self,
        connection_token: &str,
        texts: &[String],
        token: impl Fn(usize) -> String,
        deadline: Instant,
    ) -> Result<(), ConnectError> {
        for (index, text) in texts.iter().enumerate() {
            let call = self
                .participant
                .send_message()
                .connection_token(connection_token)
                .content_type(TEXT_PLAIN)
                .content(text)
                .client_token(token(index))
                .send();
            let sent = bounded("SendMessage", deadline, call).await?;
            let status = sent
                .message_metadata()
                .and_then(|metadata| metadata.message_processing_status());
            if let Some(
                status @ (MessageProcessingStatus::Failed | MessageProcessingStatus::Rejected),
            ) = status
            {
                return Err(ConnectError::NotProcessed {
                    status: status.as_str().to_owned(),
                });
            }
        }
        Ok(())
    }

    async fn start(
        &self,
        request: &HandoverRequest,
        key: &str,
        deadline: Instant,
    ) -> Result<StartedConversation, ConnectError> {
        const START: &str = "StartChatContact";
        let details = ParticipantDetails::builder()
            .display_name(request.customer_name.trim())
            .build()
            .map_err(|_| ConnectError::Construction { operation: START })?;
        let started = bounded(
            START,
            deadline,
            self.connect
                .start_chat_contact()
                .instance_id(&self.settings.instance_id)
                .contact_flow_id(&self.settings.contact_flow_id)
                .participant_details(details)
                .set_attributes(Some(
                    request.context_parameters.clone().into_iter().collect(),
                ))
                .supported_messaging_content_types(TEXT_PLAIN)
                .client_token(client_token("start-chat", &[key]))
                .send(),
        )
        .await?;
        let missing = |field| ConnectError::Incomplete {
            operation: START,
            field,
        };
        let contact_id = started.contact_id().ok_or(missing("ContactId"))?;
        let participant_token = started
            .participant_token()
            .ok_or(missing("ParticipantToken"))?;

        const STREAM: &str = "StartContactStreaming";
        let streaming = ChatStreamingConfiguration::builder()
            .streaming_endpoint_arn(&self.settings.streaming_topic_arn)
            .build()
            .map_err(|_| ConnectError::Construction { operation: STREAM })?;
        bounded(
            STREAM,
            deadline,
            self.connect
                .start_contact_streaming()
                .instance_id(&self.settings.instance_id)
                .contact_id(contact_id)
                .chat_streaming_configuration(streaming)
                .client_token(client_token("start-streaming", &[key]))
                .send(),
        )
        .await?;

        // Only once streaming has started: joining starts the flow, and with it the agent's
        // messages, none of which may be missed.
        let connection = self.connection(participant_token, true, deadline).await?;
        if self.settings.send_transcript {
            let messages = transcript_messages(&request.transcript);
            let token = |index: usize| client_token("transcript", &[key, &index.to_string()]);
            if let Err(err) = self
                .send_parts(&connection.token, &messages, token, deadline)
                .await
            {
                // The chat is open and the customer is being handed over: the agent misses
                // (part of) the transcript, which is no reason to fail the escalation.
                warn!(contact_id, code = %err.code(), error = %chain(&err), "the bot transcript was not sent in full");
            }
        }
        let mut provider_data = BTreeMap::from([
            (PARTICIPANT_TOKEN.to_owned(), participant_token.to_owned()),
            (CONNECTION_TOKEN.to_owned(), connection.token),
            (CONNECTION_EXPIRY.to_owned(), connection.expiry),
        ]);
        if let Some(participant_id) = started.participant_id() {
            provider_data.insert(PARTICIPANT_ID.to_owned(), participant_id.to_owned());
        }
        Ok(StartedConversation {
            provider_conversation_id: contact_id.to_owned(),
            provider_data,
        })
    }
}

/// A request the adapter refuses before calling anything.
fn refused(
    code: &str,
    problem: impl std::error::Error + Send + Sync + 'static,
) -> ContactCenterError {
    ContactCenterError::Refused {
        code: code.to_owned(),
        cause: Cause::new(problem),
    }
}

/// The customer details Amazon Connect cannot go without.
#[derive(Debug, thiserror::Error)]
#[error("the handover request lacks {0}")]
struct MissingDetails(String);

#[async_trait]
impl ContactCenter for AmazonConnectContactCenter {
    fn provider(&self) -> Provider {
        Provider::AmazonConnect
    }

    async fn start_conversation(
        &self,
        request: &HandoverRequest,
        idempotency_key: &str,
        deadline: Instant,
    ) -> Result<StartedConversation, ContactCenterError> {
        let missing: Vec<_> = [
            ("the customer's name", &request.customer_name),
            ("the subject", &request.subject),
        ]
        .into_iter()
        .filter(|(_, value)| value.trim().is_empty())
        .map(|(name, _)| name)
        .collect();
        if !missing.is_empty() {
            return Err(refused(
                "missing_details",
                MissingDetails(missing.join(" and ")),
            ));
        }
        attributes::check(&request.context_parameters)
            .map_err(|problem| refused("invalid_attributes", problem))?;
        self.start(request, idempotency_key, deadline)
            .await
            .map_err(contact_center_error)
    }

    async fn send_message(
        &self,
        conversation: &Conversation,
        message: CustomerText<'_>,
        deadline: Instant,
    ) -> Result<Relayed, ContactCenterError> {
        let texts = parts(message.text, MAX_MESSAGE_CHARS);
        if texts.is_empty() {
            return Err(refused("empty_message", EmptyMessage));
        }
        let send = async {
            let (connection_token, renewed) = self.connection_token(conversation, deadline).await?;
            // A redelivered message repeats its tokens, so Amazon Connect keeps one copy; two
            // messages with the same words have two ids.
            let key = conversation.key.as_str();
            let token =
                |index: usize| client_token("message", &[key, message.id, &index.to_string()]);
            self.send_parts(&connection_token, &texts, token, deadline)
                .await?;
            Ok(Relayed {
                provider_data: renewed,
            })
        };
        send.await.map_err(contact_center_error)
    }

    async fn end_conversation(
        &self,
        conversation: &Conversation,
        deadline: Instant,
    ) -> Result<(), ContactCenterError> {
        let end = async {
            let (connection_token, _) = self.connection_token(conversation, deadline).await?;
            let call = self
                .participant
                .disconnect_participant()
                .connection_token(connection_token)
                .client_token(client_token("disconnect", &[conversation.key.as_str()]))
                .send();
            bounded("DisconnectParticipant", deadline, call).await
        };
        match end.await {
            Ok(_) => Ok(()),
            // The chat has ended already: what ending it was for.
            Err(err) if err.chat_ended() => Ok(()),
            Err(err) => Err(contact_center_error(err)),
        }
    }
}

/// A message with nothing to send.
#[derive(Debug, thiserror::Error)]
#[error("the message is empty")]
struct EmptyMessage;
