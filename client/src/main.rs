//! `heartbeat`: see `heartbeat --help`.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = heartbeat_client::cli::Cli::parse();
    // One thread is plenty: a child process, two pipes and one HTTP call at a time.
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("heartbeat: cannot start: {e}");
            return ExitCode::from(heartbeat_client::USAGE);
        }
    };
    ExitCode::from(runtime.block_on(heartbeat_client::main(cli)))
}
