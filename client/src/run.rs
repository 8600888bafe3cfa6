//! `heartbeat run`: the command runs as if started directly (same stdin, its output shown live, its
//! exit code returned, SIGINT/SIGTERM passed on) while its start and its ending are reported.

use crate::deliver::Delivery;
use crate::exit::Ending;
use crate::report::{Report, Signal};
use crate::tail::Tail;
use crate::target::Target;
use crate::terminal::{self, Terminal};
use crate::warn::Warn;
use rustix::process::{Pid, Signal as UnixSignal, kill_process, kill_process_group};
use std::ffi::OsString;
use std::io::IsTerminal;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::process::{Child, Command};
use tokio::signal::unix::{Signal as Listener, SignalKind, signal};

/// How long a start still in flight may hold up the ending's report once the command has ended: a
/// healthy service answers in milliseconds, and an unhealthy one must not delay the job further.
const START_GRACE: Duration = Duration::from_secs(1);
/// Processes the command left running may keep its output open; we stop passing it on after this.
const OUTPUT_GRACE: Duration = Duration::from_millis(500);

/// How the job's output reaches us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Two pipes: stdout and stderr stay apart, and the job behaves as under cron.
    Pipes,
    /// One pseudo-terminal for both (`--tty`): line by line, in the order written.
    Terminal,
}

pub async fn run(
    target: &Target,
    delivery: Arc<Delivery>,
    timeout: Duration,
    command: &[OsString],
    output: Output,
    warn: Warn,
) -> u8 {
    // Listening before the command starts: from here on SIGINT/SIGTERM reach us as events, not as
    // our death, so the command always gets them and its ending is always reported.
    let mut listeners = match Listeners::new() {
        Ok(listeners) => listeners,
        Err(e) => {
            warn.say(&format!(
                "cannot listen for SIGINT/SIGTERM ({e}); they will not be passed on"
            ));
            Listeners::none()
        }
    };

    let rid = crate::report::new_rid();
    let start_request = target.request(&Report {
        rid: Some(rid.clone()),
        ..Report::new(Signal::Start)
    });
    let start_delivery = Arc::clone(&delivery);
    let mut start = tokio::spawn(async move { start_delivery.send(&start_request).await });

    let began = Instant::now();
    let tail = Arc::new(Mutex::new(Tail::default()));
    // In a process group of its own, the command hears each SIGINT/SIGTERM once, from us, and all of
    // it (a pipeline, a script's children) hears it, as from a terminal. A command reading a
    // terminal must stay in the terminal's group, or its reads would stop it (SIGTTIN).
    let own_group = !std::io::stdin().is_terminal();
    let ending = match spawn(command, own_group, output) {
        Ok((mut child, terminal)) => {
            // Through the terminal both streams come in one, in the order written, to our stdout.
            let copies = match terminal {
                Some(terminal) => vec![tokio::spawn(tee(terminal, tokio::io::stdout(), Arc::clone(&tail)))],
                None => {
                    let out = child
                        .stdout
                        .take()
                        .map(|o| tokio::spawn(tee(o, tokio::io::stdout(), Arc::clone(&tail))));
                    let err = child
                        .stderr
                        .take()
                        .map(|e| tokio::spawn(tee(e, tokio::io::stderr(), Arc::clone(&tail))));
                    [out, err].into_iter().flatten().collect()
                }
            };
            let ending = wait(&mut child, own_group, &mut listeners).await;
            let _ = tokio::time::timeout(OUTPUT_GRACE, async {
                for task in copies {
                    let _ = task.await;
                }
            })
            .await;
            ending
        }
        Err(e) => {
            let ending = Ending::from_spawn_error(&e);
            // The job's own error, shown as a shell shows it, whatever --quiet says.
            eprintln!("heartbeat: cannot run {:?}: {e}", command[0]);
            ending
        }
    };
    let duration = began.elapsed();

    match tokio::time::timeout(START_GRACE.min(timeout), &mut start).await {
        Ok(Ok(outcome)) => warn.outcome(Signal::Start, &outcome),
        Ok(Err(_)) => {}
        Err(_) => {
            start.abort();
            warn.say("the start was not delivered before the command ended; reporting the ending only");
        }
    }

    let signal = if ending.succeeded() {
        Signal::Success
    } else {
        Signal::Failure
    };
    let log = tail.lock().map(|t| t.text()).unwrap_or_default();
    let report = Report {
        exit: Some(ending.code()),
        duration: Some(duration),
        message: ending.message(),
        rid: Some(rid),
        log: Some(log),
        ..Report::new(signal)
    };
    let request = target.request(&report);
    // A Ctrl-C or a `systemctl stop` reaches the command and us at once: that one was for the
    // command. Only a signal after it ended means "stop reporting".
    listeners.drain().await;
    tokio::select! {
        sent = delivery.send(&request) => warn.outcome(signal, &sent),
        // Whoever stops us now wants us gone: the command has ended, only the report is left.
        _ = listeners.any() => warn.say(&format!("interrupted; the {} was not reported", signal.noun())),
    }
    ending.code()
}

/// The running command, and the terminal its output comes through when it has one. Our copies of
/// the job's end of the terminal are gone when this returns, so the terminal ends with the job.
fn spawn(command: &[OsString], own_group: bool, output: Output) -> std::io::Result<(Child, Option<Terminal>)> {
    let mut spawn = Command::new(&command[0]);
    spawn.args(&command[1..]).stdin(Stdio::inherit());
    let terminal = match output {
        Output::Pipes => {
            spawn.stdout(Stdio::piped()).stderr(Stdio::piped());
            None
        }
        Output::Terminal => {
            let (terminal, job_end) = terminal::open()
                .map_err(|e| std::io::Error::new(e.kind(), format!("cannot open a pseudo-terminal for --tty: {e}")))?;
            let (stdout, stderr) = job_end.stdout_and_stderr()?;
            spawn.stdout(stdout).stderr(stderr);
            Some(terminal)
        }
    };
    if own_group {
        spawn.process_group(0);
    }
    Ok((spawn.spawn()?, terminal))
}

/// Copies the command's output to ours as it comes, keeping its end. A closed stdout of ours (a
/// reader that went away) must not stop the command, so write errors stop the copy, not the reading.
async fn tee(mut from: impl AsyncRead + Unpin, mut to: impl AsyncWrite + Unpin, tail: Arc<Mutex<Tail>>) {
    let mut buffer = vec![0u8; 16 * 1024];
    let mut passing = true;
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        let chunk = &buffer[..read];
        if let Ok(mut tail) = tail.lock() {
            tail.push(chunk);
        }
        if passing {
            passing = to.write_all(chunk).await.is_ok() && to.flush().await.is_ok();
        }
    }
}

async fn wait(child: &mut Child, own_group: bool, listeners: &mut Listeners) -> Ending {
    loop {
        tokio::select! {
            status = child.wait() => {
                return match status {
                    Ok(status) => Ending::from_status(status),
                    // Only when the child is not ours to wait for, which cannot happen here.
                    Err(e) => Ending::NotStarted { code: crate::exit::CANNOT_EXECUTE, reason: format!("lost the command: {e}") },
                };
            }
            signal = listeners.any() => {
                if let (Some(signal), Some(pid)) = (signal, child.id().and_then(|id| Pid::from_raw(id as i32))) {
                    // It may have ended a moment ago: then there is nobody left to tell.
                    let _ = if own_group { kill_process_group(pid, signal) } else { kill_process(pid, signal) };
                }
            }
        }
    }
}

/// SIGINT and SIGTERM as events.
struct Listeners {
    interrupt: Option<Listener>,
    terminate: Option<Listener>,
}

impl Listeners {
    fn new() -> std::io::Result<Self> {
        Ok(Self {
            interrupt: Some(signal(SignalKind::interrupt())?),
            terminate: Some(signal(SignalKind::terminate())?),
        })
    }

    fn none() -> Self {
        Self {
            interrupt: None,
            terminate: None,
        }
    }

    /// Forgets the signals already received.
    async fn drain(&mut self) {
        const SETTLE: Duration = Duration::from_millis(20);
        while tokio::time::timeout(SETTLE, self.any()).await.is_ok() {}
    }

    /// The next SIGINT or SIGTERM; never, without listeners.
    async fn any(&mut self) -> Option<UnixSignal> {
        let interrupt = async {
            match &mut self.interrupt {
                Some(listener) => listener.recv().await.map(|()| UnixSignal::INT),
                None => std::future::pending().await,
            }
        };
        let terminate = async {
            match &mut self.terminate {
                Some(listener) => listener.recv().await.map(|()| UnixSignal::TERM),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            signal = interrupt => signal,
            signal = terminate => signal,
        }
    }
}
