//! What a local stack is started with: ports, the conversation store, secrets, the bot and the
//! handlers' settings. Every default works with no AWS or Talkdesk account.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use handover::conversation::Provider;

use crate::connect::{ConnectFault, StreamOptions};
use crate::fifo::FifoOptions;
use crate::lex::BotDefinition;
use crate::talkdesk::Fault;

/// How to start a [`LocalStack`](crate::LocalStack).
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The ports to listen on, on 127.0.0.1.
    pub ports: Ports,
    /// Where conversations are kept.
    pub store: StoreChoice,
    /// Secret values by name, replacing the generated ones of the same name (see
    /// [`read_secrets_file`](crate::read_secrets_file)).
    pub secrets: BTreeMap<String, String>,
    /// The bot behind the Lex V2 runtime; `None` for the demo bot.
    pub bot: Option<BotDefinition>,
    /// The handlers' settings, as the Lambdas read them from their environment
    /// (`ESCALATION_INTENT`, `AGENT_ENDED_MESSAGE`, ...). Where the store, Talkdesk, Amazon
    /// Connect and the WebSocket API are is always the local stack's own, and
    /// `CONTACT_CENTERS` is always [`Options::providers`].
    pub environment: BTreeMap<String, String>,
    /// How long API Gateway keeps a WebSocket open.
    pub websocket_limits: WebSocketLimits,
    /// How the Lex V2 runtime keeps sessions.
    pub lex: LexSettings,
    /// How the simulated Talkdesk's Send a Message misbehaves from the start (it can be
    /// switched later with `PUT /simulator/fault`).
    pub talkdesk_fault: Fault,
    /// How the stand-in for the FIFO queue of customer messages behaves.
    pub customer_messages: FifoOptions,
    /// The contact centers enabled (`CONTACT_CENTERS`); the first takes new escalations.
    pub providers: Providers,
    /// How the simulated Amazon Connect misbehaves from the start (it can be switched later
    /// with `PUT /simulator/fault`).
    pub connect_fault: ConnectFault,
    /// How the simulated SNS delivers Amazon Connect's chat events to `connect-events`.
    pub connect_events: StreamOptions,
}

/// The contact centers a stack enables, in `CONTACT_CENTERS` order: the first takes new
/// escalations, the others carry on the conversations started with them. Talkdesk by default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Providers(Vec<Provider>);

impl Providers {
    /// These providers, the first taking new escalations; `None` if empty or one is repeated.
    pub fn new(providers: Vec<Provider>) -> Option<Self> {
        let repeated = providers
            .iter()
            .enumerate()
            .any(|(index, provider)| providers[..index].contains(provider));
        (!providers.is_empty() && !repeated).then_some(Self(providers))
    }

    /// The provider that takes new escalations.
    pub fn escalation(&self) -> Provider {
        // Never empty: `new` and `Default` see to it.
        self.0[0]
    }

    /// The value of `CONTACT_CENTERS`.
    pub fn contact_centers(&self) -> String {
        let names: Vec<_> = self.0.iter().map(|provider| provider.as_str()).collect();
        names.join(",")
    }
}

impl Default for Providers {
    fn default() -> Self {
        Self(vec![Provider::Talkdesk])
    }
}

impl FromStr for Providers {
    type Err = String;

    /// `talkdesk`, `amazon-connect`, or both comma-separated.
    fn from_str(list: &str) -> Result<Self, Self::Err> {
        let providers = list
            .split(',')
            .map(|name| name.trim().parse::<Provider>())
            .collect::<Result<Vec<_>, _>>();
        providers.ok().and_then(Self::new).ok_or_else(|| {
            format!(
                "{list:?} is not a provider list: talkdesk, amazon-connect, or both \
                     comma-separated (the first takes new escalations)"
            )
        })
    }
}

/// The ports of the five servers; 0 lets the system pick a free one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ports {
    /// The customer's chat page and the Lex V2 runtime (one origin, as the page needs).
    pub customer: u16,
    /// The API Gateway WebSocket API and its Management API.
    pub websocket: u16,
    /// The callback REST API that Talkdesk Connections call.
    pub callback: u16,
    /// The simulated Talkdesk: OAuth, Digital Connect and the agent console.
    pub talkdesk: u16,
    /// The simulated Amazon Connect: both services and its agent console.
    pub connect: u16,
}

/// Where conversations are kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum StoreChoice {
    /// In the process; gone when it stops.
    #[default]
    Memory,
    /// In a DynamoDB table at `endpoint` (DynamoDB Local, moto, ...), created if missing.
    DynamoDb {
        /// The DynamoDB endpoint URL.
        endpoint: String,
        /// The table's name.
        table: String,
    },
}

/// API Gateway's limits on a WebSocket connection; it closes the connection (code 1001) when
/// either is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebSocketLimits {
    /// Closed after this long without a frame either way (API Gateway: 10 minutes).
    pub idle_timeout: Duration,
    /// Closed this long after it opened (API Gateway: 2 hours).
    pub max_duration: Duration,
}

impl Default for WebSocketLimits {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(10 * 60),
            max_duration: Duration::from_secs(2 * 60 * 60),
        }
    }
}

/// How the emulated Lex V2 runtime keeps sessions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LexSettings {
    /// A session idle for longer than this is forgotten, and its session id starts a new one
    /// with a new `originatingRequestId` (the bot's `idleSessionTTLInSeconds`; 5 minutes, the Lex
    /// console's default).
    pub idle_session_ttl: Duration,
}

impl Default for LexSettings {
    fn default() -> Self {
        Self {
            idle_session_ttl: Duration::from_secs(5 * 60),
        }
    }
}
