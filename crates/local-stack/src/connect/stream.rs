//! Chat message streaming as Amazon Connect does it (`StartContactStreaming` to an SNS topic),
//! and SNS delivering to the subscribed Lambda as an asynchronous invocation does: each event
//! published as Connect's `Message` JSON with its `MessageAttributes`, invoked as an SNS event
//! with one record, at least once ([`StreamOptions::deliver_twice`]), each delivery after its own
//! random delay (so events published close together may arrive out of order), and a failed
//! invocation retried twice, as Lambda retries an asynchronous event.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use aws_lambda_events::sns::SnsEvent;
use serde_json::{Map, Value, json};
use tokio::sync::Notify;
use tokio::time::sleep;
use tracing::{debug, warn};

use super::state::{absolute_time, new_id};

/// The account the simulated instance is in.
pub const ACCOUNT_ID: &str = "123456789012";

/// Lambda retries a failed asynchronous invocation twice, after about 1 and then 2 minutes;
/// here after 1 and 2 seconds, so a retry is seen while one watches.
const RETRY_DELAYS: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(2)];

/// How SNS delivers the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamOptions {
    /// Every event is delivered twice, each copy on its own, as SNS may.
    pub deliver_twice: bool,
    /// Each delivery waits a random time up to this before the invocation: events published
    /// within it of one another may arrive in either order.
    pub max_delivery_delay: Duration,
}

impl Default for StreamOptions {
    fn default() -> Self {
        Self {
            deliver_twice: false,
            max_delivery_delay: Duration::from_millis(100),
        }
    }
}

/// The Lambda function subscribed to the topic, invoked with an SNS event; an error asks for a
/// retry, as a function error does.
#[async_trait]
pub trait TopicSubscriber: Send + Sync {
    /// One asynchronous invocation.
    async fn invoke(&self, event: SnsEvent) -> Result<(), String>;
}

/// Who an event is from, as Connect's `ParticipantRole`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Customer,
    Agent,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Customer => "CUSTOMER",
            Role::Agent => "AGENT",
        }
    }
}

/// What happened in a chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Happening {
    /// A `text/plain` message.
    Message { id: String, content: String },
    /// An event of this `...connect.event.` kind: `participant.joined`, `chat.ended`, ...
    Event(&'static str),
}

/// One event of a chat's stream.
#[derive(Clone, Debug)]
pub(crate) struct ChatEvent {
    pub(crate) contact_id: String,
    /// The participant it is from; `None` for the chat's own events (`chat.ended`).
    pub(crate) from: Option<Participant>,
    pub(crate) happening: Happening,
}

/// A participant of a chat.
#[derive(Clone, Debug)]
pub(crate) struct Participant {
    pub(crate) role: Role,
    pub(crate) id: String,
    pub(crate) display_name: String,
}

impl ChatEvent {
    /// Connect's `Message` JSON and the SNS `MessageAttributes`, as the streaming publishes them.
    fn notification(&self, instance_id: &str) -> (Value, Value) {
        let (kind, content_type, id, content) = match &self.happening {
            Happening::Message { id, content } => (
                "MESSAGE",
                "text/plain".to_owned(),
                id.clone(),
                Some(content),
            ),
            Happening::Event(event) => (
                "EVENT",
                format!("application/vnd.amazonaws.connect.event.{event}"),
                new_id(),
                None,
            ),
        };
        let mut message = Map::new();
        message.insert("AbsoluteTime".into(), json!(absolute_time()));
        if let Some(content) = content {
            message.insert("Content".into(), json!(content));
        }
        message.insert("ContentType".into(), json!(content_type));
        message.insert("Id".into(), json!(id));
        message.insert("Type".into(), json!(kind));
        if let Some(from) = &self.from {
            message.insert("ParticipantId".into(), json!(from.id));
            message.insert("DisplayName".into(), json!(from.display_name));
            message.insert("ParticipantRole".into(), json!(from.role.name()));
        }
        message.insert("InitialContactId".into(), json!(self.contact_id));
        message.insert("ContactId".into(), json!(self.contact_id));
        let attribute = |value: &str| json!({"Type": "String", "Value": value});
        let mut attributes = Map::new();
        attributes.insert("InitialContactId".into(), attribute(&self.contact_id));
        attributes.insert("ContactId".into(), attribute(&self.contact_id));
        if let Some(from) = &self.from {
            attributes.insert("ParticipantRole".into(), attribute(from.role.name()));
        }
        attributes.insert("InstanceId".into(), attribute(instance_id));
        attributes.insert("AccountId".into(), attribute(ACCOUNT_ID));
        attributes.insert("Type".into(), attribute(kind));
        attributes.insert("ContentType".into(), attribute(&content_type));
        attributes.insert("MessageVisibility".into(), attribute("ALL"));
        (Value::Object(message), Value::Object(attributes))
    }
}

/// The stack's standard SNS topic with its one subscriber, the connect-events function.
#[derive(Clone)]
pub(crate) struct Topic {
    pub(crate) arn: String,
    instance_id: String,
    subscriber: Arc<dyn TopicSubscriber>,
    options: StreamOptions,
    in_flight: Arc<InFlight>,
}

/// Deliveries not finished yet (retries included), and a wake-up when that number changes.
#[derive(Default)]
struct InFlight {
    count: AtomicUsize,
    changed: Notify,
}

impl Topic {
    pub(crate) fn new(
        arn: String,
        instance_id: String,
        subscriber: Arc<dyn TopicSubscriber>,
        options: StreamOptions,
    ) -> Self {
        Self {
            arn,
            instance_id,
            subscriber,
            options,
            in_flight: Arc::default(),
        }
    }

    /// Publishes `event`: delivered later, once or twice, each delivery on its own.
    pub(crate) fn publish(&self, event: &ChatEvent) {
        let (message, attributes) = event.notification(&self.instance_id);
        let sns_event = self.sns_event(&message, attributes);
        let copies = if self.options.deliver_twice { 2 } else { 1 };
        for _ in 0..copies {
            self.in_flight.count.fetch_add(1, Ordering::SeqCst);
            let topic = self.clone();
            let event = sns_event.clone();
            tokio::spawn(async move {
                topic.deliver(event).await;
                topic.in_flight.count.fetch_sub(1, Ordering::SeqCst);
                topic.in_flight.changed.notify_waiters();
            });
        }
    }

    /// Waits until every delivery published so far has finished, retries included.
    pub(crate) async fn settled(&self) {
        loop {
            let changed = self.in_flight.changed.notified();
            if self.in_flight.count.load(Ordering::SeqCst) == 0 {
                return;
            }
            changed.await;
        }
    }

    /// One delivery: the invocation after a random delay, retried as Lambda retries an
    /// asynchronous invocation that failed; after the last retry the event is dropped, as
    /// Lambda does without an on-failure destination.
    async fn deliver(&self, event: Value) {
        sleep(random_up_to(self.options.max_delivery_delay)).await;
        let sns_event: SnsEvent = match serde_json::from_value(event) {
            Ok(sns_event) => sns_event,
            Err(err) => {
                warn!(error = %err, "the simulated SNS built an event Lambda could not read");
                return;
            }
        };
        let message_id = sns_event.records[0].sns.message_id.clone();
        let mut retries = RETRY_DELAYS.iter();
        loop {
            match self.subscriber.invoke(sns_event.clone()).await {
                Ok(()) => return,
                Err(err) => match retries.next() {
                    Some(delay) => {
                        debug!(sns_message = %message_id, error = %err, "connect-events failed; Lambda retries the event");
                        sleep(*delay).await;
                    }
                    None => {
                        warn!(sns_message = %message_id, error = %err, "connect-events failed on the last retry; the event is dropped");
                        return;
                    }
                },
            }
        }
    }

    /// The SNS event Lambda is invoked with: one record, the notification in `Sns`. Every
    /// copy of one publication has the same `MessageId`, as SNS retries do.
    fn sns_event(&self, message: &Value, attributes: Value) -> Value {
        let message_id = new_id();
        json!({"Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": format!("{}:{}", self.arn, new_id()),
            "Sns": {
                "Type": "Notification",
                "MessageId": message_id,
                "TopicArn": self.arn,
                "Subject": null,
                "Message": message.to_string(),
                "Timestamp": absolute_time(),
                "SignatureVersion": "1",
                "Signature": "simulated",
                "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/simulated.pem",
                "UnsubscribeUrl": format!("https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={}", self.arn),
                "MessageAttributes": attributes,
            }
        }]})
    }
}

/// A random duration from zero to `max`.
fn random_up_to(max: Duration) -> Duration {
    let max_micros = max.as_micros();
    if max_micros == 0 {
        return Duration::ZERO;
    }
    let random = uuid::Uuid::new_v4().as_u128() % (max_micros + 1);
    Duration::from_micros(u64::try_from(random).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agent_message_is_published_as_connect_streams_it() {
        let event = ChatEvent {
            contact_id: "contact-1".into(),
            from: Some(Participant {
                role: Role::Agent,
                id: "agent-1".into(),
                display_name: "Sam".into(),
            }),
            happening: Happening::Message {
                id: "message-1".into(),
                content: "Hello".into(),
            },
        };
        let (message, attributes) = event.notification("instance-1");
        assert_eq!(message["Type"], "MESSAGE");
        assert_eq!(message["ContentType"], "text/plain");
        assert_eq!(message["Content"], "Hello");
        assert_eq!(message["Id"], "message-1");
        assert_eq!(message["ParticipantRole"], "AGENT");
        assert_eq!(message["DisplayName"], "Sam");
        assert_eq!(message["InitialContactId"], "contact-1");
        assert_eq!(attributes["MessageVisibility"]["Value"], "ALL");
        assert_eq!(attributes["InstanceId"]["Value"], "instance-1");
        assert_eq!(attributes["ParticipantRole"]["Value"], "AGENT");
    }

    #[test]
    fn the_chat_s_end_has_no_role() {
        let event = ChatEvent {
            contact_id: "contact-1".into(),
            from: None,
            happening: Happening::Event("chat.ended"),
        };
        let (message, attributes) = event.notification("instance-1");
        assert_eq!(message["Type"], "EVENT");
        assert_eq!(
            message["ContentType"],
            "application/vnd.amazonaws.connect.event.chat.ended"
        );
        assert!(message.get("ParticipantRole").is_none());
        assert!(message.get("Content").is_none());
        assert!(attributes.get("ParticipantRole").is_none());
    }

    #[test]
    fn random_delays_stay_within_their_bound() {
        let max = Duration::from_millis(5);
        assert!((0..100).all(|_| random_up_to(max) <= max));
        assert_eq!(random_up_to(Duration::ZERO), Duration::ZERO);
    }
}
