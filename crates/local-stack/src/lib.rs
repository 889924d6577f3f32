//! The whole live-chat handover on 127.0.0.1, in one process, with no AWS or Talkdesk account.
//!
//! The three Lambdas' own handlers run unchanged (the Lex code hook, the WebSocket API routes
//! and the agent callback), called through their Lambda entry points with the events AWS would
//! send. Only the front doors and the contact center are stand-ins:
//!
//! | part | here | in AWS |
//! | --- | --- | --- |
//! | customer's chat page | `pages` (served with the Lex runtime, one origin) | the Lex Web UI |
//! | Lex V2 runtime | [`lex`]: `RecognizeText` with a keyword bot, calling the code hook as Lex does | Amazon Lex V2 |
//! | WebSocket API and its Management API | `apigw`: events, routes, limits and 410 Gone as API Gateway | API Gateway |
//! | callback REST API | `apigw`: REST proxy events, converted by lambda_http as in the Lambda | API Gateway |
//! | queue of customer messages | `fifo`: per conversation in order, failed records back after 2 s, at least once | SQS FIFO |
//! | conversation store | in memory, or DynamoDB at a local endpoint | DynamoDB |
//! | secrets | generated at start-up, or read from a file | Secrets Manager |
//! | Talkdesk | [`talkdesk`]: OAuth, Digital Connect and an agent console | Talkdesk |
//! | Amazon Connect chat and its SNS stream | [`connect`]: both services, the stream delivered at least once and unordered, an agent console | Amazon Connect, SNS |
//!
//! The handlers reach the Management API and DynamoDB through the real AWS SDK clients,
//! Talkdesk through the real Talkdesk client and Amazon Connect through the real adapter and
//! its SDK clients, pointed at local URLs. `--provider` chooses `CONTACT_CENTERS`.

mod apigw;
mod aws;
pub mod connect;
mod error;
mod fifo;
mod handlers;
pub mod lex;
mod options;
mod pages;
mod running;
mod secrets;
mod server;
mod settings;
mod sqs;
mod store;
pub mod talkdesk;

use std::sync::Arc;

use aws_adapters::connections::ApiGatewayConnections;
use tokio::sync::{mpsc, watch};

pub use apigw::STAGE;
pub use aws::REGION;
pub use error::{ShutdownError, StartError};
pub use fifo::{FifoOptions, VISIBILITY_TIMEOUT as CUSTOMER_MESSAGE_VISIBILITY_TIMEOUT};
pub use options::{LexSettings, Options, Ports, Providers, StoreChoice, WebSocketLimits};
pub use running::{Running, Urls};
pub use secrets::read_secrets_file;

use crate::apigw::{Connections, WebSocketEmulator};
use crate::connect::SimulatedConnect;
use crate::lex::{BotDefinition, LocalBot};
use crate::secrets::Secrets;
use crate::settings::{Addresses, LambdaConfigs};
use crate::talkdesk::SimulatedTalkdesk;

/// Starts local stacks.
pub struct LocalStack;

impl LocalStack {
    /// Listens on every port, wires the handlers and serves until [`Running::shutdown`].
    pub async fn start(options: Options) -> Result<Running, StartError> {
        let ports = options.ports;
        let customer = server::listen("customer page and Lex V2 runtime", ports.customer).await?;
        let websocket = server::listen("WebSocket API", ports.websocket).await?;
        let callback = server::listen("callback API", ports.callback).await?;
        let talkdesk = server::listen("simulated Talkdesk", ports.talkdesk).await?;
        let connect = server::listen("simulated Amazon Connect", ports.connect).await?;
        let urls = Urls::new(Ports {
            customer: customer.port,
            websocket: websocket.port,
            callback: callback.port,
            talkdesk: talkdesk.port,
            connect: connect.port,
        });

        let table = match &options.store {
            StoreChoice::Memory => None,
            StoreChoice::DynamoDb { table, .. } => Some(table.as_str()),
        };
        let connect_instance = settings::connect_instance(&options.environment);
        let contact_centers = options.providers.contact_centers();
        let addresses = Addresses {
            table,
            talkdesk: &urls.talkdesk,
            connections: &urls.management_api,
            connect: &urls.connect,
            connect_instance: &connect_instance,
            contact_centers: &contact_centers,
        };
        let configs = LambdaConfigs::read(&options.environment, &addresses)?;
        let Secrets {
            source,
            account,
            callback_api_key,
        } = secrets::prepare(&configs, options.secrets)?;
        let aws = aws::sdk_config();
        let lifetime = configs.store_lifetime();
        let store = store::open(&options.store, &aws, lifetime).await?;
        let poster = Arc::new(ApiGatewayConnections::at(&aws, &urls.management_api));
        let handlers = handlers::wire(
            &configs,
            store,
            Arc::new(source),
            poster,
            options.websocket_limits.max_duration,
            options.customer_messages,
            &aws,
        )?;
        let bot = options
            .bot
            .unwrap_or_else(|| BotDefinition::demo(&configs.code_hook.escalation));
        bot.validate().map_err(StartError::Bot)?;

        let simulated = SimulatedTalkdesk::new(
            urls.callback.clone(),
            callback_api_key.clone(),
            account.client_id,
            account.client_secret,
            account.touchpoint_id,
        );
        simulated.set_fault(options.talkdesk_fault);
        let simulated_connect = SimulatedConnect::new(
            connect_instance,
            Arc::new(handlers.connect_events),
            options.connect_events,
        );
        simulated_connect.set_fault(options.connect_fault);
        let (stop, stopping) = watch::channel(false);
        let (alive, sockets_closed) = mpsc::channel(1);
        let page = pages::customer_router(
            pages::BotAddress {
                bot_id: bot.bot_id.clone(),
                alias_id: bot.alias_id.clone(),
                locale_id: bot.locale_id.clone(),
            },
            urls.websocket.clone(),
        );
        let runtime = lex::router(Arc::new(LocalBot::new(
            bot.clone(),
            Box::new(handlers.code_hook),
            options.lex.idle_session_ttl,
        )));
        let connections = Connections::default();
        let emulator = WebSocketEmulator::new(
            handlers.relay,
            connections.clone(),
            format!("127.0.0.1:{}", websocket.port),
            options.websocket_limits,
            stopping.clone(),
            alive,
        );
        let servers = vec![
            customer.serve(page.merge(runtime), stopping.clone()),
            websocket.serve(
                apigw::websocket_router(Arc::new(emulator)),
                stopping.clone(),
            ),
            callback.serve(
                apigw::callback_router(Arc::new(handlers.callback)),
                stopping.clone(),
            ),
            talkdesk.serve(simulated.router(), stopping.clone()),
            connect.serve(simulated_connect.router(), stopping),
        ];
        Ok(Running {
            urls,
            bot,
            callback_api_key,
            talkdesk: simulated,
            connect: simulated_connect,
            providers: options.providers,
            connections,
            stop,
            servers,
            sockets_closed,
        })
    }
}
