//! The `heartbeat` client: runs a job and reports its start and its ending to the heartbeat service,
//! or sends one signal for a script. The network never changes a job's outcome.

pub mod cli;
pub mod deliver;
pub mod exit;
pub mod host;
pub mod report;
pub mod run;
pub mod single;
pub mod tail;
pub mod target;
pub mod terminal;
pub mod warn;

use cli::{Cli, Command, Common};
use deliver::Delivery;
use report::{Report, Signal};
use std::sync::Arc;
use target::{Identity, Target};
use warn::Warn;

/// Exit code for a command line that cannot work (as sysexits' EX_USAGE), before anything ran.
pub const USAGE: u8 = 64;

/// Does what the command line says and returns the exit code.
pub async fn main(cli: Cli) -> u8 {
    let common = match &cli.command {
        Command::Run(args) => &args.common,
        Command::Pulse(args) => &args.common,
        Command::Start(args) => &args.common,
        Command::Fail(args) => &args.common,
    };
    let warn = Warn { quiet: common.quiet };
    let (target, delivery) = match setup(common) {
        Ok(setup) => setup,
        Err(problem) => {
            eprintln!("heartbeat: {problem}");
            return USAGE;
        }
    };
    let report = match cli.command {
        Command::Run(args) => {
            let output = if args.tty {
                run::Output::Terminal
            } else {
                run::Output::Pipes
            };
            return run::run(&target, delivery, args.common.timeout, &args.command, output, warn).await;
        }
        Command::Start(args) => Report {
            message: args.message,
            rid: args.rid,
            ..Report::new(Signal::Start)
        },
        Command::Pulse(args) => match said(Report::new(Signal::Success), args.said) {
            Ok(report) => report,
            Err(problem) => return usage(&problem),
        },
        Command::Fail(args) => match said(
            Report {
                exit: args.exit,
                ..Report::new(Signal::Failure)
            },
            args.said,
        ) {
            Ok(report) => report,
            Err(problem) => return usage(&problem),
        },
    };
    single::send(&target, &delivery, report, warn).await
}

fn usage(problem: &str) -> u8 {
    eprintln!("heartbeat: {problem}");
    USAGE
}

fn said(report: Report, said: cli::Said) -> Result<Report, String> {
    let log = match &said.log {
        Some(path) => {
            Some(single::read_log(path).map_err(|e| format!("cannot read the log {:?}: {e}", path.to_string_lossy()))?)
        }
        None => None,
    };
    Ok(Report {
        message: said.message,
        rid: said.rid,
        duration: said.duration,
        log,
        ..report
    })
}

fn setup(common: &Common) -> Result<(Target, Arc<Delivery>), String> {
    let host = match common.host.clone().or_else(host::this_machine) {
        Some(host) => host,
        None => return Err("this machine has no hostname: give the pulse's host with --host or HEARTBEAT_HOST".into()),
    };
    let identity = Identity {
        host,
        category: common.category.clone(),
        kind: common.kind.clone(),
        name: common.name.clone(),
    };
    let settings = [("threshold", &common.threshold), ("maxRuntime", &common.max_runtime)]
        .into_iter()
        .filter_map(|(name, value)| value.clone().map(|v| (name, v)))
        .collect();
    let target = Target::new(&common.url, common.key.clone(), identity, settings).map_err(|e| e.to_string())?;
    let delivery = Delivery::new(common.timeout, common.retries)
        .map_err(|e| format!("cannot set up HTTP (TLS certificates?): {e}"))?;
    Ok((target, Arc::new(delivery)))
}
