//! `local-stack`: the whole live-chat handover on 127.0.0.1 until Ctrl-C.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use handover::conversation::Provider;
use local_stack::connect::{ConnectFault, StreamOptions};
use local_stack::lex::BotDefinition;
use local_stack::talkdesk::Fault;
use local_stack::{
    FifoOptions, LexSettings, LocalStack, Options, Ports, Providers, REGION, Running, StartError,
    StoreChoice, WebSocketLimits, read_secrets_file,
};
use tracing_subscriber::EnvFilter;

// Fixed by default so that people, the `lex-chat` client and documentation find the stack
// without flags; 0 picks any free port (what tests and CI use).
/// Default port of the customer page and the Lex V2 runtime.
const CUSTOMER_PORT: u16 = 8100;
/// Default port of the WebSocket API and its Management API.
const WEBSOCKET_PORT: u16 = 8101;
/// Default port of the callback API.
const CALLBACK_PORT: u16 = 8102;
/// Default port of the simulated Talkdesk and its agent console.
const TALKDESK_PORT: u16 = 8103;
/// Default port of the simulated Amazon Connect and its agent console.
const CONNECT_PORT: u16 = 8104;
/// Default idle session TTL of the Lex V2 runtime, as the Lex console's.
const LEX_IDLE_SESSION_SECONDS: u64 = 300;

/// Runs the live-chat handover on 127.0.0.1 with no AWS or Talkdesk account: the Lambdas' own
/// handlers behind an emulated Lex V2 runtime and API Gateway, with a simulated Talkdesk and a
/// simulated Amazon Connect, each with an agent console. The handlers' settings are read from the environment, as the Lambdas
/// read them (ESCALATION_INTENT, AGENT_ENDED_MESSAGE, ...). Logs go to stderr (RUST_LOG).
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// Port of the customer page and the Lex V2 runtime (0: any free port).
    #[arg(long, default_value_t = CUSTOMER_PORT, value_name = "PORT")]
    customer_port: u16,
    /// Port of the WebSocket API and its Management API (0: any free port).
    #[arg(long, default_value_t = WEBSOCKET_PORT, value_name = "PORT")]
    websocket_port: u16,
    /// Port of the callback API (0: any free port).
    #[arg(long, default_value_t = CALLBACK_PORT, value_name = "PORT")]
    callback_port: u16,
    /// Port of the simulated Talkdesk and its agent console (0: any free port).
    #[arg(long, default_value_t = TALKDESK_PORT, value_name = "PORT")]
    talkdesk_port: u16,
    /// Port of the simulated Amazon Connect and its agent console (0: any free port).
    #[arg(long, default_value_t = CONNECT_PORT, value_name = "PORT")]
    connect_port: u16,
    /// The contact centers enabled (CONTACT_CENTERS): talkdesk, amazon-connect, or both
    /// comma-separated; the first takes new escalations.
    #[arg(long, default_value = "talkdesk", value_name = "PROVIDERS")]
    provider: Providers,
    /// Keep conversations in DynamoDB at this endpoint (DynamoDB Local, moto) instead of in
    /// memory.
    #[arg(long, env = "LOCAL_DYNAMODB_ENDPOINT", value_name = "URL")]
    dynamodb_endpoint: Option<String>,
    /// The DynamoDB table, created if missing.
    #[arg(long, default_value = "local-stack-conversations", value_name = "NAME")]
    dynamodb_table: String,
    /// A JSON object of secret name to value (a string, or a JSON object for JSON secrets)
    /// replacing the generated secrets of those names.
    #[arg(long, value_name = "FILE")]
    secrets: Option<PathBuf>,
    /// A JSON bot definition (ids, keyword intents, slots, responses) instead of the demo bot.
    #[arg(long, value_name = "FILE")]
    bot: Option<PathBuf>,
    /// The bot's idle session TTL: a Lex session idle for longer is forgotten, and its session
    /// id then starts a new session with a new originatingRequestId.
    #[arg(
        long,
        default_value_t = LEX_IDLE_SESSION_SECONDS,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    lex_idle_session_seconds: u64,
    /// API Gateway's idle timeout: a WebSocket without a frame either way for this long is
    /// closed (1001).
    #[arg(
        long,
        default_value_t = WebSocketLimits::default().idle_timeout.as_secs(),
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    websocket_idle_seconds: u64,
    /// API Gateway's connection cap: a WebSocket is closed (1001) this long after it opened.
    #[arg(
        long,
        default_value_t = WebSocketLimits::default().max_duration.as_secs(),
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    websocket_max_seconds: u64,
    /// Start the simulated Talkdesk's Send a Message misbehaving: none, slow (answers after
    /// 6 s), throttled (429), server-error (500 after storing the message) or closed (409).
    #[arg(long, default_value = "none", value_name = "FAULT")]
    talkdesk_fault: Fault,
    /// Deliver every batch of customer messages twice, as SQS may: each still reaches the
    /// agent once.
    #[arg(long)]
    deliver_customer_messages_twice: bool,
    /// Start the simulated Amazon Connect misbehaving: none, no-capacity (StartChatContact
    /// answers LimitExceededException), or SendMessage slow (answers after 6 s), throttled
    /// (429) or server-error (500 after storing the message).
    #[arg(long, default_value = "none", value_name = "FAULT")]
    connect_fault: ConnectFault,
    /// Deliver every Amazon Connect chat event to connect-events twice, as SNS may: each agent
    /// message is still shown once.
    #[arg(long)]
    deliver_connect_events_twice: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("local-stack: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn Error>> {
    let port_flags = cli.port_flags();
    let options = cli.options()?;
    let store = match &options.store {
        StoreChoice::Memory => "in memory (gone when this stops)".to_owned(),
        StoreChoice::DynamoDb { endpoint, table } => {
            format!("DynamoDB table {table} at {endpoint}")
        }
    };
    let running = LocalStack::start(options)
        .await
        .map_err(|err| explain_start_error(err, &port_flags))?;
    print_summary(&running, &store);
    tokio::signal::ctrl_c().await?;
    println!("Stopping...");
    running.shutdown().await?;
    println!("Stopped.");
    Ok(())
}

impl Cli {
    /// Each port flag with the port it asks for, to name the flag when a port is taken.
    fn port_flags(&self) -> [(&'static str, u16); 5] {
        [
            ("--customer-port", self.customer_port),
            ("--websocket-port", self.websocket_port),
            ("--callback-port", self.callback_port),
            ("--talkdesk-port", self.talkdesk_port),
            ("--connect-port", self.connect_port),
        ]
    }

    fn options(self) -> Result<Options, Box<dyn Error>> {
        let store = match self.dynamodb_endpoint {
            Some(endpoint) => StoreChoice::DynamoDb {
                endpoint,
                table: self.dynamodb_table,
            },
            None => StoreChoice::Memory,
        };
        Ok(Options {
            ports: Ports {
                customer: self.customer_port,
                websocket: self.websocket_port,
                callback: self.callback_port,
                talkdesk: self.talkdesk_port,
                connect: self.connect_port,
            },
            store,
            secrets: match &self.secrets {
                Some(path) => read_secrets_file(path)?,
                None => Default::default(),
            },
            bot: self.bot.as_deref().map(read_bot).transpose()?,
            environment: std::env::vars().collect(),
            lex: LexSettings {
                idle_session_ttl: Duration::from_secs(self.lex_idle_session_seconds),
            },
            websocket_limits: WebSocketLimits {
                idle_timeout: Duration::from_secs(self.websocket_idle_seconds),
                max_duration: Duration::from_secs(self.websocket_max_seconds),
            },
            talkdesk_fault: self.talkdesk_fault,
            customer_messages: FifoOptions {
                deliver_twice: self.deliver_customer_messages_twice,
                ..FifoOptions::default()
            },
            providers: self.provider,
            connect_fault: self.connect_fault,
            connect_events: StreamOptions {
                deliver_twice: self.deliver_connect_events_twice,
                ..StreamOptions::default()
            },
        })
    }
}

/// A taken port names the flag that moves it: most often another local stack (or anything
/// else) already listens on a default port.
fn explain_start_error(err: StartError, port_flags: &[(&'static str, u16)]) -> Box<dyn Error> {
    let StartError::Bind {
        server,
        port,
        source,
    } = &err
    else {
        return err.into();
    };
    // Port 0 failing is not about a taken port: keep the stack's own message.
    match port_flags
        .iter()
        .find(|(_, asked)| *port != 0 && asked == port)
    {
        Some((flag, _)) => format!(
            "cannot listen on 127.0.0.1:{port} for the {server}: {source} (is another local \
             stack running? pass {flag} 0 for any free port, or {flag} with another port)"
        )
        .into(),
        None => err.into(),
    }
}

fn read_bot(path: &Path) -> Result<BotDefinition, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read the bot definition {shown}: {err}"))?;
    serde_json::from_str(&text).map_err(|err| format!("the bot definition {shown}: {err}"))
}

fn print_summary(running: &Running, store: &str) {
    let urls = running.urls();
    let bot = running.bot();
    println!("Live-chat handover running on 127.0.0.1, no AWS or Talkdesk account needed.");
    println!("Customer page: {}", urls.customer_page);
    println!(
        "Contact centers (CONTACT_CENTERS): {}",
        running.providers().contact_centers()
    );
    // "Agent console: URL" is the console where new escalations arrive (scripts read it).
    let (first, other, other_name) = match running.providers().escalation() {
        Provider::Talkdesk => (&urls.agent_console, &urls.connect_console, "Amazon Connect"),
        Provider::AmazonConnect => (&urls.connect_console, &urls.agent_console, "Talkdesk"),
    };
    println!(
        "Agent console: {first} ({}, which takes new escalations)",
        running.providers().escalation()
    );
    println!("{other_name} agent console: {other}");
    println!("WebSocket API: {}", urls.websocket);
    println!(
        "Management API: {}/@connections/{{connectionId}}",
        urls.management_api
    );
    println!(
        "Callback API: {}/{{conversation_started|message_created|conversation_ended}}",
        urls.callback
    );
    println!(
        "Callback API key (x-api-key): {}",
        running.callback_api_key()
    );
    println!(
        "Lex V2 runtime: {} (bot {}, alias {}, locale {}, region {REGION})",
        urls.lex_runtime, bot.bot_id, bot.alias_id, bot.locale_id
    );
    println!(
        "Talkdesk (simulated): {} (OAuth and Digital Connect API)",
        urls.talkdesk
    );
    println!(
        "Amazon Connect (simulated): {} (connect and connectparticipant; chat events to connect-events through a simulated SNS topic)",
        urls.connect
    );
    println!("Conversation store: {store}");
    println!("Press Ctrl-C to stop.");
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[test]
    fn the_ports_default_to_the_documented_ones() {
        let cli = Cli::try_parse_from(["local-stack"]).expect("no flags are needed");
        let ports = cli.options().expect("default options").ports;
        assert_eq!(
            ports,
            Ports {
                customer: 8100,
                websocket: 8101,
                callback: 8102,
                talkdesk: 8103,
                connect: 8104,
            }
        );
        let cli = Cli::try_parse_from(["local-stack", "--websocket-port", "0"]).expect("a port");
        assert_eq!(cli.options().expect("options").ports.websocket, 0);
    }

    #[test]
    fn websocket_limits_and_talkdesk_faults_are_flags() {
        let defaults = Cli::try_parse_from(["local-stack"])
            .expect("defaults")
            .options();
        let defaults = defaults.expect("options");
        assert_eq!(defaults.websocket_limits, WebSocketLimits::default());
        assert_eq!(defaults.talkdesk_fault, Fault::None);
        let cli = Cli::try_parse_from([
            "local-stack",
            "--websocket-idle-seconds",
            "30",
            "--websocket-max-seconds",
            "120",
            "--talkdesk-fault",
            "slow",
        ])
        .expect("flags");
        let options = cli.options().expect("options");
        assert_eq!(
            options.websocket_limits,
            WebSocketLimits {
                idle_timeout: Duration::from_secs(30),
                max_duration: Duration::from_secs(120),
            }
        );
        assert_eq!(options.talkdesk_fault, Fault::Slow);
        assert!(Cli::try_parse_from(["local-stack", "--talkdesk-fault", "flaky"]).is_err());
    }

    #[test]
    fn lex_sessions_expire_after_five_idle_minutes_unless_told_otherwise() {
        let cli = Cli::try_parse_from(["local-stack"]).expect("no flags are needed");
        assert_eq!(
            cli.options().expect("default options").lex,
            LexSettings::default()
        );
        assert_eq!(
            LexSettings::default().idle_session_ttl,
            Duration::from_secs(300)
        );
        let cli =
            Cli::try_parse_from(["local-stack", "--lex-idle-session-seconds", "5"]).expect("a TTL");
        assert_eq!(
            cli.options().expect("options").lex.idle_session_ttl,
            Duration::from_secs(5)
        );
        assert!(Cli::try_parse_from(["local-stack", "--lex-idle-session-seconds", "0"]).is_err());
    }

    #[test]
    fn the_provider_flag_chooses_the_contact_centers() {
        let defaults = Cli::try_parse_from(["local-stack"]).expect("defaults");
        let defaults = defaults.options().expect("options");
        assert_eq!(defaults.providers.contact_centers(), "talkdesk");
        assert_eq!(defaults.connect_fault, ConnectFault::None);
        assert!(!defaults.connect_events.deliver_twice);
        let cli = Cli::try_parse_from([
            "local-stack",
            "--provider",
            "amazon-connect,talkdesk",
            "--connect-fault",
            "no-capacity",
            "--deliver-connect-events-twice",
        ])
        .expect("flags");
        let options = cli.options().expect("options");
        assert_eq!(
            options.providers.contact_centers(),
            "amazon-connect,talkdesk"
        );
        assert_eq!(options.providers.escalation(), Provider::AmazonConnect);
        assert_eq!(options.connect_fault, ConnectFault::NoCapacity);
        assert!(options.connect_events.deliver_twice);
        for wrong in ["genesys", "talkdesk,talkdesk", ""] {
            assert!(
                Cli::try_parse_from(["local-stack", "--provider", wrong]).is_err(),
                "{wrong:?} was taken"
            );
        }
    }

    #[test]
    fn a_taken_port_names_the_flag_that_moves_it() {
        let cli = Cli::try_parse_from(["local-stack"]).expect("no flags are needed");
        let err = StartError::Bind {
            server: "callback API",
            port: 8102,
            source: io::Error::from(io::ErrorKind::AddrInUse),
        };
        let message = explain_start_error(err, &cli.port_flags()).to_string();
        assert!(message.contains("127.0.0.1:8102"), "{message}");
        assert!(message.contains("--callback-port 0"), "{message}");
    }
}
