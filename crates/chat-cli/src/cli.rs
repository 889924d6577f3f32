//! The command line: `lex-chat [chat]`, `lex-chat smoke` and `lex-chat load`. Every default
//! points at the local stack on its default ports; flags point at a deployment.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use tokio::io::BufReader;

use crate::agent::CallbackApi;
use crate::chat::{self, LiveChatTerms, Terminal};
use crate::connect_agent::ConnectConsoleAgent;
use crate::lex::{self, BotAddress, LexEndpoint, LexSession};
use crate::load::{self, LoadConfig};
use crate::lookup::{ConversationTable, TalkdeskConsole};
use crate::smoke::{self, AgentActions, AgentSide, Finder, Printer, SmokeConfig};

/// The local stack's Lex V2 runtime (`local-stack --customer-port`).
pub const LOCAL_LEX_ENDPOINT: &str = "http://127.0.0.1:8100";
/// The local stack's WebSocket API (`--websocket-port`, stage `local`).
pub const LOCAL_WEBSOCKET_URL: &str = "ws://127.0.0.1:8101/local";
/// The local stack's callback API base (`--callback-port`, stage `local`).
pub const LOCAL_CALLBACK_URL: &str = "http://127.0.0.1:8102/local";
/// The local stack's simulated Talkdesk (`--talkdesk-port`).
pub const LOCAL_TALKDESK_CONSOLE: &str = "http://127.0.0.1:8103";
/// The local stack's simulated Amazon Connect (`--connect-port`).
pub const LOCAL_CONNECT_CONSOLE: &str = "http://127.0.0.1:8104";
/// The local stack's bot.
pub const LOCAL_BOT_ID: &str = "LOCALBOT01";
/// The region the local stack's clients claim.
pub const LOCAL_REGION: &str = "us-east-1";

/// Chat with the live-chat handover as the customer, in a terminal: the Lex V2 bot first,
/// then the agent over the WebSocket API once the bot hands over, exactly as the Amazon Lex
/// Web UI does. Every default points at the local stack (`cargo run -p local-stack`).
// No Debug: it would print the API key.
#[derive(Parser)]
#[command(name = "lex-chat", version)]
pub struct Cli {
    /// What to do; `chat` when left out.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Where the bot and the WebSocket API are.
    #[command(flatten)]
    pub target: TargetArgs,
}

/// The commands.
#[derive(Subcommand)]
pub enum Command {
    /// Chat as the customer (the default). Lines go to the bot, then to the agent; `/end` (or
    /// Ctrl-D) ends a live chat with close code 4000 and returns to the bot, `/quit` leaves.
    Chat(ChatArgs),
    /// Run one whole conversation and check every step; exits 0 only if all pass.
    Smoke(SmokeArgs),
    /// Run many conversations at once against the local stack and count every message; exits
    /// 0 only if nothing was lost or duplicated and every conversation ran through.
    Load(LoadArgs),
}

/// Where the bot and the WebSocket API are.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Use Amazon Lex V2 in AWS, with the standard AWS credential chain, instead of an
    /// emulated runtime. Needs --bot-id and --websocket-url.
    #[arg(long, global = true)]
    pub aws: bool,
    /// The Lex V2 runtime endpoint of an emulator [default: http://127.0.0.1:8100, the local
    /// stack].
    #[arg(long, global = true, value_name = "URL", conflicts_with = "aws")]
    pub lex_endpoint: Option<String>,
    /// The AWS region [default: us-east-1 with an emulator; with --aws, the AWS_REGION or
    /// profile's].
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// The bot's id [default: LOCALBOT01, the local stack's bot].
    #[arg(long, global = true, value_name = "ID")]
    pub bot_id: Option<String>,
    /// The bot alias's id.
    #[arg(long, global = true, value_name = "ID", default_value = "TSTALIASID")]
    pub alias_id: String,
    /// The bot's locale.
    #[arg(long, global = true, value_name = "LOCALE", default_value = "en_US")]
    pub locale: String,
    /// The WebSocket API, as the Lex Web UI's talkDeskWebsocketEndpoint (a deployment's
    /// WebSocketAPIEndpoint output) [default: ws://127.0.0.1:8101/local].
    #[arg(long, global = true, value_name = "URL")]
    pub websocket_url: Option<String>,
}

/// How the chat's customer behaves, as the Lex Web UI's configuration would make it.
#[derive(Debug, Default, Args)]
pub struct ChatArgs {
    /// The Lex Web UI's ui.liveChatTerms: comma-separated phrases that, typed exactly, open a
    /// live chat with whatever talkdesk_conversation_id the session holds, without asking the
    /// bot (the Lex Web UI's own default is "live chat", which the deployment guide
    /// recommends, so that a chat continues after API Gateway's connection cap) [default:
    /// none].
    #[arg(long, value_name = "TERMS", default_value = "")]
    pub live_chat_terms: String,
}

/// The smoke test's agent side.
#[derive(Args)]
pub struct SmokeArgs {
    /// The callback API's key (x-api-key); the local stack prints it at start-up. Without it
    /// only the customer's side is checked.
    #[arg(
        long,
        env = "LEX_CHAT_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub api_key: Option<String>,
    /// The callback API's base, a deployment's CallbackRestAPI output [default:
    /// http://127.0.0.1:8102/local, the local stack].
    #[arg(long, value_name = "URL")]
    pub callback_url: Option<String>,
    /// The simulated Talkdesk, whose console API gives Talkdesk's conversation id by subject
    /// [default: http://127.0.0.1:8103, the local stack].
    #[arg(long, value_name = "URL", conflicts_with = "table")]
    pub talkdesk_console: Option<String>,
    /// Read Talkdesk's conversation id from this DynamoDB conversation table instead (a
    /// deployment's ConversationTableName output), with the standard AWS credential chain.
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
    /// The contact center the local stack hands over to (its --provider): talkdesk, whose
    /// agent acts through the callback API (--api-key), or amazon-connect, whose agent acts
    /// through the simulated Amazon Connect's console (no key needed).
    #[arg(long, value_enum, default_value_t = SmokeProvider::Talkdesk, value_name = "PROVIDER")]
    pub provider: SmokeProvider,
    /// The simulated Amazon Connect, whose console finds the chat by subject and acts as its
    /// agent [default: http://127.0.0.1:8104, the local stack].
    #[arg(long, value_name = "URL")]
    pub connect_console: Option<String>,
    /// The longest any one step may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 40)]
    pub step_timeout: u64,
}

/// How hard the load test pushes, and where its agent acts.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// How many conversations.
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub conversations: u32,
    /// How many messages the customer, and then the agent, writes in each conversation.
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub messages: u32,
    /// New conversations per second [default: all at once].
    #[arg(long, value_name = "PER_SECOND", value_parser = positive)]
    pub pace: Option<f64>,
    /// The contact center the local stack hands over to (its --provider); the agent acts in
    /// its simulated console either way.
    #[arg(long, value_enum, default_value_t = SmokeProvider::Talkdesk, value_name = "PROVIDER")]
    pub provider: SmokeProvider,
    /// The simulated Talkdesk [default: http://127.0.0.1:8103, the local stack].
    #[arg(long, value_name = "URL")]
    pub talkdesk_console: Option<String>,
    /// The simulated Amazon Connect [default: http://127.0.0.1:8104, the local stack].
    #[arg(long, value_name = "URL")]
    pub connect_console: Option<String>,
    /// The local stack's process id: its peak memory (VmHWM) and open file descriptors are
    /// reported.
    #[arg(long, value_name = "PID")]
    pub stack_pid: Option<u32>,
    /// The longest one step of a conversation may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub step_timeout: u64,
}

fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value > 0.0 && value.is_finite() => Ok(value),
        _ => Err("a number of conversations per second above 0".into()),
    }
}

/// The contact center the smoke test's agent is at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SmokeProvider {
    /// Talkdesk: the agent's events through the callback API.
    Talkdesk,
    /// Amazon Connect, simulated by the local stack: the agent in its console.
    AmazonConnect,
}

/// Flags that do not fit together.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(String);

/// Where the bot and the WebSocket API are, defaults applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The Lex V2 runtime.
    pub endpoint: LexEndpoint,
    /// The bot.
    pub bot: BotAddress,
    /// The WebSocket API.
    pub websocket_url: String,
}

impl TargetArgs {
    /// Applies the local stack's defaults, or checks that --aws has what it needs.
    pub fn resolve(&self) -> Result<Target, UsageError> {
        let endpoint = if self.aws {
            if self.bot_id.is_none() || self.websocket_url.is_none() {
                return Err(UsageError(
                    "--aws needs --bot-id and --websocket-url (the deployment's BotId and \
                     WebSocketAPIEndpoint outputs)"
                        .into(),
                ));
            }
            LexEndpoint::Aws {
                region: self.region.clone(),
            }
        } else {
            LexEndpoint::Emulated {
                url: self
                    .lex_endpoint
                    .as_deref()
                    .unwrap_or(LOCAL_LEX_ENDPOINT)
                    .into(),
                region: self.region.as_deref().unwrap_or(LOCAL_REGION).into(),
            }
        };
        Ok(Target {
            endpoint,
            bot: BotAddress {
                bot_id: self.bot_id.as_deref().unwrap_or(LOCAL_BOT_ID).into(),
                alias_id: self.alias_id.clone(),
                locale_id: self.locale.clone(),
            },
            websocket_url: self
                .websocket_url
                .as_deref()
                .unwrap_or(LOCAL_WEBSOCKET_URL)
                .into(),
        })
    }
}

/// Runs the command; the process's exit code.
pub async fn run(cli: Cli) -> ExitCode {
    let outcome = match cli.command.unwrap_or(Command::Chat(ChatArgs::default())) {
        Command::Chat(args) => chat(&cli.target, &args).await,
        Command::Smoke(args) => smoke(&cli.target, args).await,
        Command::Load(args) => load(&cli.target, &args).await,
    };
    outcome.unwrap_or_else(|err| {
        eprintln!("lex-chat: {err}");
        ExitCode::FAILURE
    })
}

type Failure = Box<dyn std::error::Error>;

async fn chat(args: &TargetArgs, chat_args: &ChatArgs) -> Result<ExitCode, Failure> {
    let target = args.resolve()?;
    let client = lex::client(&target.endpoint).await?;
    println!(
        "Customer of bot {} at {}, live chat at {}.",
        describe_bot(&target.bot),
        describe_endpoint(&target.endpoint),
        target.websocket_url
    );
    let session = LexSession::new(client, target.bot);
    let input = BufReader::new(tokio::io::stdin());
    let mut screen = Terminal::new(std::io::stdout());
    let terms = LiveChatTerms::parse(&chat_args.live_chat_terms);
    chat::run(session, &target.websocket_url, &terms, input, &mut screen).await?;
    Ok(ExitCode::SUCCESS)
}

async fn smoke(args: &TargetArgs, smoke_args: SmokeArgs) -> Result<ExitCode, Failure> {
    let target = args.resolve()?;
    let agent = agent_side(&target, args.region.as_deref(), &smoke_args).await?;
    let config = SmokeConfig {
        lex: lex::client(&target.endpoint).await?,
        bot: target.bot.clone(),
        websocket_url: target.websocket_url.clone(),
        agent,
        step_timeout: Duration::from_secs(smoke_args.step_timeout),
    };
    println!(
        "Smoke test of bot {} at {}, live chat at {}.",
        describe_bot(&target.bot),
        describe_endpoint(&target.endpoint),
        target.websocket_url
    );
    let report = smoke::run(&config, &mut Printer::new(std::io::stdout())).await;
    println!("{}", report.summary());
    // The summary must be out before the exit code is read by whoever waits for it.
    std::io::stdout().flush()?;
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn load(args: &TargetArgs, load_args: &LoadArgs) -> Result<ExitCode, Failure> {
    let target = args.resolve()?;
    if args.aws {
        return Err(UsageError(
            "the load test's agent acts in the local stack's simulated contact center; it does \
             not run against AWS"
                .into(),
        )
        .into());
    }
    let (console, default_console, contact_center) = match load_args.provider {
        SmokeProvider::Talkdesk => (
            &load_args.talkdesk_console,
            LOCAL_TALKDESK_CONSOLE,
            "talkdesk",
        ),
        SmokeProvider::AmazonConnect => (
            &load_args.connect_console,
            LOCAL_CONNECT_CONSOLE,
            "amazon-connect",
        ),
    };
    let config = LoadConfig {
        lex: lex::client(&target.endpoint).await?,
        bot: target.bot.clone(),
        websocket_url: target.websocket_url.clone(),
        console: console.as_deref().unwrap_or(default_console).to_owned(),
        contact_center: contact_center.to_owned(),
        conversations: load_args.conversations as usize,
        messages: load_args.messages as usize,
        pace: load_args.pace,
        stack_pid: load_args.stack_pid,
        step_timeout: Duration::from_secs(load_args.step_timeout),
    };
    println!(
        "Load test of bot {} at {}, live chat at {}, agent console at {}.",
        describe_bot(&target.bot),
        describe_endpoint(&target.endpoint),
        target.websocket_url,
        config.console
    );
    std::io::stdout().flush()?;
    let report = load::run(config).await;
    println!("{report}");
    std::io::stdout().flush()?;
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The agent side the flags ask for; `None` without an API key.
async fn agent_side(
    target: &Target,
    region: Option<&str>,
    args: &SmokeArgs,
) -> Result<Option<AgentSide>, Failure> {
    let deployed = matches!(target.endpoint, LexEndpoint::Aws { .. });
    if args.provider == SmokeProvider::AmazonConnect {
        if deployed {
            return Err(UsageError(
                "--provider amazon-connect drives the local stack's simulated Amazon Connect; \
                 against AWS an Amazon Connect agent is a person in the Contact Control Panel"
                    .into(),
            )
            .into());
        }
        let console = args
            .connect_console
            .as_deref()
            .unwrap_or(LOCAL_CONNECT_CONSOLE);
        return Ok(Some(AgentSide {
            actions: AgentActions::ConnectConsole(ConnectConsoleAgent::new(console)),
            finder: Finder::Console(TalkdeskConsole::new(console)),
        }));
    }
    let Some(api_key) = args.api_key.clone() else {
        return Ok(None);
    };
    if deployed && (args.callback_url.is_none() || args.table.is_none()) {
        return Err(UsageError(
            "against AWS the agent side needs --callback-url and --table (the deployment's \
             CallbackRestAPI and ConversationTableName outputs)"
                .into(),
        )
        .into());
    }
    let callback_url = args.callback_url.as_deref().unwrap_or(LOCAL_CALLBACK_URL);
    let finder = match &args.table {
        Some(table) => Finder::Table(
            ConversationTable::with_standard_credentials(region, table.clone()).await?,
        ),
        None => Finder::Console(TalkdeskConsole::new(
            args.talkdesk_console
                .as_deref()
                .unwrap_or(LOCAL_TALKDESK_CONSOLE),
        )),
    };
    Ok(Some(AgentSide {
        actions: AgentActions::Callback(CallbackApi::new(callback_url, api_key)),
        finder,
    }))
}

fn describe_bot(bot: &BotAddress) -> String {
    format!("{} (alias {}, {})", bot.bot_id, bot.alias_id, bot.locale_id)
}

fn describe_endpoint(endpoint: &LexEndpoint) -> String {
    match endpoint {
        LexEndpoint::Emulated { url, .. } if url == LOCAL_LEX_ENDPOINT => {
            format!("{url} (the local stack: cargo run -p local-stack)")
        }
        LexEndpoint::Emulated { url, .. } => url.clone(),
        LexEndpoint::Aws {
            region: Some(region),
        } => format!("Amazon Lex V2 in {region}"),
        LexEndpoint::Aws { region: None } => "Amazon Lex V2".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("lex-chat").chain(args.iter().copied()))
            .unwrap_or_else(|err| panic!("{args:?} did not parse: {err}"))
    }

    #[test]
    fn with_no_flags_it_chats_with_the_local_stack() {
        let cli = parse(&[]);
        assert!(cli.command.is_none());
        let target = cli.target.resolve().expect("the defaults resolve");
        assert_eq!(
            target.endpoint,
            LexEndpoint::Emulated {
                url: "http://127.0.0.1:8100".into(),
                region: "us-east-1".into()
            }
        );
        assert_eq!(target.bot.bot_id, "LOCALBOT01");
        assert_eq!(target.bot.alias_id, "TSTALIASID");
        assert_eq!(target.bot.locale_id, "en_US");
        assert_eq!(target.websocket_url, "ws://127.0.0.1:8101/local");
    }

    #[test]
    fn aws_needs_the_deployment_s_bot_and_websocket_api() {
        let missing = parse(&["--aws", "--bot-id", "ABCDEFGHIJ"]);
        let err = missing.target.resolve().expect_err("no WebSocket URL");
        assert!(err.to_string().contains("--websocket-url"), "{err}");
        let deployed = parse(&[
            "smoke",
            "--aws",
            "--region",
            "eu-west-1",
            "--bot-id",
            "ABCDEFGHIJ",
            "--alias-id",
            "KLMNOPQRST",
            "--websocket-url",
            "wss://abc.execute-api.eu-west-1.amazonaws.com/prod",
        ]);
        let target = deployed.target.resolve().expect("a deployment");
        assert_eq!(
            target.endpoint,
            LexEndpoint::Aws {
                region: Some("eu-west-1".into())
            }
        );
        assert_eq!(target.bot.alias_id, "KLMNOPQRST");
        assert!(Cli::try_parse_from(["lex-chat", "--aws", "--lex-endpoint", "http://x"]).is_err());
    }

    #[test]
    fn the_chat_has_no_live_chat_terms_unless_given() {
        let terms = |cli: Cli| match cli.command {
            None => ChatArgs::default().live_chat_terms,
            Some(Command::Chat(args)) => args.live_chat_terms,
            Some(Command::Smoke(_) | Command::Load(_)) => panic!("not the chat command"),
        };
        assert_eq!(terms(parse(&[])), "");
        assert_eq!(terms(parse(&["chat"])), "");
        assert_eq!(
            terms(parse(&["chat", "--live-chat-terms", "live chat"])),
            "live chat"
        );
    }

    #[test]
    fn smoke_drives_the_simulated_amazon_connect_only_locally() {
        let cli = parse(&["smoke", "--provider", "amazon-connect"]);
        let Some(Command::Smoke(args)) = cli.command else {
            panic!("not the smoke command");
        };
        assert_eq!(args.provider, SmokeProvider::AmazonConnect);
        let defaults = parse(&["smoke"]);
        let Some(Command::Smoke(defaults)) = defaults.command else {
            panic!("not the smoke command");
        };
        assert_eq!(defaults.provider, SmokeProvider::Talkdesk);
        let aws = parse(&[
            "smoke",
            "--aws",
            "--bot-id",
            "B",
            "--websocket-url",
            "wss://x/prod",
            "--provider",
            "amazon-connect",
        ]);
        let Some(Command::Smoke(aws_args)) = aws.command else {
            panic!("not the smoke command");
        };
        let target = aws.target.resolve().expect("a deployment target");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        let refused = runtime.block_on(agent_side(&target, Some("eu-west-1"), &aws_args));
        let Err(err) = refused else {
            panic!("the simulated console was used against AWS");
        };
        assert!(err.to_string().contains("Contact Control Panel"), "{err}");
    }

    #[test]
    fn load_runs_a_thousand_conversations_at_once_unless_told_otherwise() {
        let Some(Command::Load(defaults)) = parse(&["load"]).command else {
            panic!("not the load command");
        };
        assert_eq!((defaults.conversations, defaults.messages), (1000, 10));
        assert_eq!(defaults.pace, None);
        assert_eq!(defaults.provider, SmokeProvider::Talkdesk);
        let Some(Command::Load(paced)) =
            parse(&["load", "--conversations", "3", "--pace", "100"]).command
        else {
            panic!("not the load command");
        };
        assert_eq!((paced.conversations, paced.pace), (3, Some(100.0)));
        for refused in [
            ["--pace", "0"],
            ["--conversations", "0"],
            ["--messages", "0"],
        ] {
            let args = ["lex-chat", "load", refused[0], refused[1]];
            assert!(Cli::try_parse_from(args).is_err(), "{refused:?} was taken");
        }
    }

    #[test]
    fn smoke_takes_the_agent_side_s_flags() {
        let cli = parse(&["smoke", "--api-key", "k", "--table", "conversations"]);
        let Some(Command::Smoke(args)) = cli.command else {
            panic!("not the smoke command");
        };
        assert_eq!(args.api_key.as_deref(), Some("k"));
        assert_eq!(args.table.as_deref(), Some("conversations"));
        assert!(
            Cli::try_parse_from([
                "lex-chat",
                "smoke",
                "--table",
                "t",
                "--talkdesk-console",
                "http://x"
            ])
            .is_err(),
            "the console and the table are two ways to one answer"
        );
    }
}
