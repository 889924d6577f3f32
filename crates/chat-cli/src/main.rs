//! `lex-chat`: chat with the live-chat handover as the customer, or smoke-test it.

use std::process::ExitCode;

use chat_cli::cli::{Cli, run};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("lex-chat: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(run(cli));
    // The terminal's reader may still be blocked on a line nobody will read: do not wait for it.
    runtime.shutdown_background();
    code
}
