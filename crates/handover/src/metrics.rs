//! What an operator watches, counted through the vendor-neutral [`metrics`] facade at the
//! point where each decision is made. Each Lambda installs a recorder that writes the counts as
//! CloudWatch Embedded Metric Format lines after every invocation; where none is installed
//! (most tests) the calls cost nothing and count nothing.
//!
//! Dimensions are few and bounded (a provider, a reason, a direction, a source), so that each
//! metric has a handful of series. The names are what the template's alarms and
//! `docs/observability.md` use.

use std::time::Duration;

use metrics::{Unit, counter, describe_counter, describe_histogram, histogram};

use crate::conversation::Provider;

/// Conversations started at a contact center (dimension `Provider`).
pub const ESCALATIONS_STARTED: &str = "EscalationsStarted";
/// Escalations that failed on our side or the contact center's (dimension `Reason`): alarmed.
pub const ESCALATIONS_FAILED: &str = "EscalationsFailed";
/// Escalations refused for a reason that is nobody's fault: no agent capacity, a detail the
/// customer did not give, parameters the page sent wrong (dimension `Reason`).
pub const ESCALATIONS_DECLINED: &str = "EscalationsDeclined";
/// Messages relayed (dimensions `Direction`, `Provider`).
pub const MESSAGES_RELAYED: &str = "MessagesRelayed";
/// Messages that did not reach the other side, told to the sender where it can be (dimension
/// `Direction`): alarmed.
pub const DELIVERY_FAILURES: &str = "DeliveryFailures";
/// Deliveries of something already handled, dropped (dimension `Source`).
pub const DUPLICATES_DROPPED: &str = "DuplicatesDropped";
/// Keep-alives posted to idle connections.
pub const KEEP_ALIVES_SENT: &str = "KeepAlivesSent";
/// Connections that took a chat over from an earlier connection of the same chat.
pub const RECONNECTS: &str = "Reconnects";
/// Milliseconds from the escalation to the agent joining (dimension `Provider`).
pub const TIME_TO_AGENT: &str = "TimeToAgent";

/// Why an escalation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EscalationFailure {
    /// The contact center did not start the conversation.
    ContactCenter,
    /// The store could not choose or keep the conversation.
    Store,
    /// The key that signs references could not be read.
    ReferenceKey,
    /// The code hook ran out of time.
    Timeout,
}

impl EscalationFailure {
    fn as_str(self) -> &'static str {
        match self {
            Self::ContactCenter => "ContactCenter",
            Self::Store => "Store",
            Self::ReferenceKey => "ReferenceKey",
            Self::Timeout => "Timeout",
        }
    }
}

/// Why an escalation was declined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EscalationDecline {
    /// No agent can take it now.
    NoCapacity,
    /// A customer detail is missing and may not be asked for.
    MissingDetails,
    /// The page's contact-center parameters are invalid.
    InvalidParameters,
}

impl EscalationDecline {
    fn as_str(self) -> &'static str {
        match self {
            Self::NoCapacity => "NoCapacity",
            Self::MissingDetails => "MissingDetails",
            Self::InvalidParameters => "InvalidParameters",
        }
    }
}

/// Which way a message goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// From the customer to the agent.
    ToAgent,
    /// From the agent to the customer.
    ToCustomer,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Self::ToAgent => "ToAgent",
            Self::ToCustomer => "ToCustomer",
        }
    }
}

/// What was delivered again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DuplicateSource {
    /// A customer message the queue delivered again.
    CustomerMessage,
    /// An agent message or end the contact center sent again.
    AgentEvent,
    /// A keep-alive tick the queue delivered again.
    KeepAlive,
}

impl DuplicateSource {
    fn as_str(self) -> &'static str {
        match self {
            Self::CustomerMessage => "CustomerMessage",
            Self::AgentEvent => "AgentEvent",
            Self::KeepAlive => "KeepAlive",
        }
    }
}

/// Every metric that counts.
pub const COUNTS: [&str; 8] = [
    ESCALATIONS_STARTED,
    ESCALATIONS_FAILED,
    ESCALATIONS_DECLINED,
    MESSAGES_RELAYED,
    DELIVERY_FAILURES,
    DUPLICATES_DROPPED,
    KEEP_ALIVES_SENT,
    RECONNECTS,
];

/// Tells the installed recorder each metric's unit.
pub fn describe() {
    for count in COUNTS {
        describe_counter!(count, Unit::Count, "");
    }
    describe_histogram!(TIME_TO_AGENT, Unit::Milliseconds, "");
}

pub(crate) fn escalation_started(provider: Provider) {
    counter!(ESCALATIONS_STARTED, "Provider" => provider.as_str()).increment(1);
}

pub(crate) fn escalation_failed(reason: EscalationFailure) {
    counter!(ESCALATIONS_FAILED, "Reason" => reason.as_str()).increment(1);
}

pub(crate) fn escalation_declined(reason: EscalationDecline) {
    counter!(ESCALATIONS_DECLINED, "Reason" => reason.as_str()).increment(1);
}

pub(crate) fn message_relayed(direction: Direction, provider: Provider) {
    counter!(MESSAGES_RELAYED, "Direction" => direction.as_str(), "Provider" => provider.as_str())
        .increment(1);
}

pub(crate) fn delivery_failed(direction: Direction) {
    counter!(DELIVERY_FAILURES, "Direction" => direction.as_str()).increment(1);
}

pub(crate) fn duplicate_dropped(source: DuplicateSource) {
    counter!(DUPLICATES_DROPPED, "Source" => source.as_str()).increment(1);
}

pub(crate) fn keep_alive_sent() {
    counter!(KEEP_ALIVES_SENT).increment(1);
}

pub(crate) fn reconnected() {
    counter!(RECONNECTS).increment(1);
}

pub(crate) fn agent_joined_after(provider: Provider, waited: Duration) {
    histogram!(TIME_TO_AGENT, "Provider" => provider.as_str()).record(waited.as_secs_f64() * 1e3);
}
