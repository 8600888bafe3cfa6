//! dynalite (DynamoDB written in node, from the repo's `node_modules`) for the end-to-end tests.
//!
//! Tests keep apart by tables, not by processes: `Dynalite::start` hands out the test run's shared
//! dynalite (started once by nextest's setup script, `.config/nextest.toml`, and named by
//! `HEARTBEAT_TEST_DYNALITE`), or, outside nextest, one dynalite per test process; every test then
//! makes its own tables with `fresh_table`. A test that stops, restarts or counts the whole dynalite
//! starts its own with `start_own` or `start_on_disk`: a child process on a free loopback port,
//! killed when the value is dropped, and by the kernel's help when the test dies hard.

use crate::client::dynamo_client;
use crate::ports::free_port;
use crate::repo::{dynalite_cli, repo_root};
use heartbeat_shared::store::schema::ensure_table;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::OnceCell;

const START_TIMEOUT: Duration = Duration::from_secs(10);
const READY_POLL: Duration = Duration::from_millis(20);
/// A free port can be taken by a parallel test before dynalite binds it; then we pick another.
const PORT_ATTEMPTS: usize = 3;
const LISTENING_LINE: &str = "Dynalite listening at";
/// The endpoint of the test run's shared dynalite, set by `tests/shared-dynalite/start.sh`.
pub const SHARED_ENDPOINT_VAR: &str = "HEARTBEAT_TEST_DYNALITE";
/// Where that dynalite writes its output.
const SHARED_LOG_VAR: &str = "HEARTBEAT_TEST_DYNALITE_LOG";
/// A shared dynalite makes tables ACTIVE at once: tests wait on their own tables, not on dynalite's
/// imitation of AWS's creation delay (`start_own` keeps that delay, 500 ms, for the tests of it).
const SHARED_OPTIONS: [&str; 6] = ["--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"];

/// Runs dynalite's cli.js, exiting as soon as its stdin closes. The test process holds the only write
/// end of that pipe, so the kernel closes it when the test process ends in any way (panic=abort, a
/// signal, nextest's timeout), and dynalite goes with it even when `Drop` never ran.
const WATCHDOG: &str = "process.stdin.on('end', () => process.exit(0)); \
     process.stdin.on('error', () => process.exit(0)); \
     process.stdin.resume(); \
     require(require('path').resolve(process.argv[1]));";

/// A dynalite to make tables in: shared (`start`), or this value's own, running or, after `stop`,
/// stopped (`start_own`, `start_on_disk`). In memory unless started with `start_on_disk`.
///
/// An own dynalite stays in the test's process group on purpose: nextest signals a timed-out test's
/// whole group, and Ctrl-C in a terminal reaches it too.
pub struct Dynalite {
    root: PathBuf,
    cli: PathBuf,
    store: Option<PathBuf>,
    options: &'static [&'static str],
    port: u16,
    running: Option<Running>,
    shared: Option<Shared>,
}

/// This process's shared dynalite, when the test run has none. Never dropped: the stdin watchdog
/// ends it with the process.
static PROCESS: OnceCell<Dynalite> = OnceCell::const_new();

/// Which shared dynalite a `start` handed out.
#[derive(Clone, Copy)]
enum Shared {
    /// The test run's, started by nextest's setup script.
    Run,
    /// This process's, started by its first `start` and ended with the process.
    Process,
}

struct Running {
    child: Child,
    output: Arc<Mutex<String>>,
    listening: Arc<AtomicBool>,
    readers: Vec<JoinHandle<()>>,
}

enum StartFailure {
    PortTaken(String),
    Other(String),
}

impl Dynalite {
    /// The shared in-memory dynalite to make this test's tables in (`fresh_table`): the test run's
    /// when nextest's setup script started one (`HEARTBEAT_TEST_DYNALITE`), else this process's,
    /// started on first use. It cannot be stopped: a test that stops dynalite, or lists every table
    /// it holds, starts its own with `start_own`.
    pub async fn start() -> Self {
        if let Some(port) = shared_port_from_env() {
            return Self::handle(port, Shared::Run);
        }
        let own = PROCESS.get_or_init(|| Self::start_with(None, &SHARED_OPTIONS)).await;
        Self::handle(own.port, Shared::Process)
    }

    /// An in-memory dynalite of this test's own, in a node process of its own: every table is gone
    /// when it stops.
    pub async fn start_own() -> Self {
        Self::start_with(None, &[]).await
    }

    /// A dynalite of this test's own keeping its tables in LevelDB under `path` (created if
    /// missing), so they survive `stop` and `restart`.
    pub async fn start_on_disk(path: impl AsRef<Path>) -> Self {
        Self::start_with(Some(path.as_ref().to_path_buf()), &[]).await
    }

    fn handle(port: u16, shared: Shared) -> Self {
        let root = repo_root();
        Self {
            cli: PathBuf::new(),
            root,
            store: None,
            options: &SHARED_OPTIONS,
            port,
            running: None,
            shared: Some(shared),
        }
    }

    async fn start_with(store: Option<PathBuf>, options: &'static [&'static str]) -> Self {
        let root = repo_root();
        let cli = dynalite_cli(&root);
        let mut dynalite = Self {
            root,
            cli,
            store,
            options,
            port: 0,
            running: None,
            shared: None,
        };
        for attempt in 1..=PORT_ATTEMPTS {
            dynalite.port = free_port();
            match dynalite.launch().await {
                Ok(running) => {
                    dynalite.running = Some(running);
                    return dynalite;
                }
                Err(StartFailure::PortTaken(_)) if attempt < PORT_ATTEMPTS => continue,
                Err(StartFailure::PortTaken(output) | StartFailure::Other(output)) => {
                    panic!("dynalite did not start on 127.0.0.1:{}: {output}", dynalite.port)
                }
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A client of this dynalite: static test credentials, us-east-1, connect timeout 1 s, operation
    /// timeout 5 s. It stays valid across `stop` and `restart`.
    pub fn client(&self) -> heartbeat_shared::store::Dynamo {
        dynamo_client(&self.endpoint())
    }

    /// The node process's id while running; `None` for a shared dynalite.
    pub fn pid(&self) -> Option<u32> {
        self.running.as_ref().map(|running| running.child.id())
    }

    /// Everything dynalite printed so far (stdout and stderr), for failure messages; for the test
    /// run's shared dynalite, where its log is.
    pub fn output(&self) -> String {
        match self.shared {
            Some(Shared::Run) => format!(
                "(the test run's shared dynalite at {}: its output is in {})",
                self.endpoint(),
                std::env::var(SHARED_LOG_VAR).unwrap_or_else(|_| format!("the file ${SHARED_LOG_VAR} names"))
            ),
            Some(Shared::Process) => PROCESS.get().map(Dynalite::output).unwrap_or_default(),
            None => self
                .running
                .as_ref()
                .map(|running| lock(&running.output).clone())
                .unwrap_or_default(),
        }
    }

    /// Kills dynalite (SIGKILL, like a crash) and keeps its port for `restart`; nothing holds the
    /// port meanwhile. Calls made while stopped fail with a connection error. Idempotent. Only for a
    /// dynalite of the test's own: other tests' tables live in a shared one.
    pub fn stop(&mut self) {
        assert!(
            self.shared.is_none(),
            "this test would stop the shared dynalite, which holds other tests' tables: start a \
             dynalite of its own with `Dynalite::start_own()` (or `start_on_disk`)"
        );
        self.kill();
    }

    fn kill(&mut self) {
        if let Some(mut running) = self.running.take() {
            // Errors mean it has exited already; `wait` reaps it either way.
            let _ = running.child.kill();
            let _ = running.child.wait();
            for reader in running.readers {
                let _ = reader.join();
            }
        }
    }

    /// Starts dynalite again on the same port (stopping it first if needed). In memory, the tables
    /// are gone; on disk, they are back.
    pub async fn restart(&mut self) {
        self.stop();
        match self.launch().await {
            Ok(running) => self.running = Some(running),
            Err(StartFailure::PortTaken(output)) => panic!(
                "dynalite could not restart: another process took 127.0.0.1:{} while it was stopped: {output}",
                self.port
            ),
            Err(StartFailure::Other(output)) => {
                panic!("dynalite did not restart on 127.0.0.1:{}: {output}", self.port)
            }
        }
    }

    /// A table name no other call uses, in this process or any other test process of the run
    /// (process ids are reused, hence the process's start time), for a test that creates a table
    /// its own way in a shared dynalite.
    pub fn unique_table_name() -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        static STARTED: OnceLock<u128> = OnceLock::new();
        let started = STARTED.get_or_init(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_nanos())
        });
        format!(
            "heartbeat-test-{}-{started:x}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// Creates a table with a `unique_table_name`, through the production `ensure_table`, and
    /// returns its name once it is ACTIVE.
    pub async fn fresh_table(&self) -> String {
        let name = Self::unique_table_name();
        if let Err(err) = ensure_table(&self.client(), &name).await {
            panic!(
                "ensure_table({name}) against {} failed: {}\ndynalite output:\n{}",
                self.endpoint(),
                error_chain(&err),
                self.output()
            );
        }
        name
    }

    /// A fresh table with its history beside it (`{table}-events`, `EVENTS_TABLE_NAME`'s default),
    /// as the local runtime creates them: a process started on the table writes every signal's
    /// event, instead of failing that write and warning about it on every pulse.
    pub async fn fresh_table_with_history(&self) -> String {
        let table = self.fresh_table().await;
        let events = format!("{table}-events");
        if let Err(err) = heartbeat_shared::store::ensure_events_table(&self.client(), &events).await {
            panic!(
                "ensure_events_table({events}) against {} failed: {}\ndynalite output:\n{}",
                self.endpoint(),
                error_chain(&err),
                self.output()
            );
        }
        table
    }

    async fn launch(&self) -> Result<Running, StartFailure> {
        let mut running = self.spawn()?;
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = running.child.try_wait() {
                for reader in running.readers.drain(..) {
                    let _ = reader.join();
                }
                let output = lock(&running.output).clone();
                let message = format!("node exited with {status}; its output:\n{output}");
                return Err(if output.contains("EADDRINUSE") {
                    StartFailure::PortTaken(message)
                } else {
                    StartFailure::Other(message)
                });
            }
            // Our own child saying it listens rules out having connected to someone else's server.
            if running.listening.load(Ordering::Acquire)
                && tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok()
            {
                return Ok(running);
            }
            if started.elapsed() > START_TIMEOUT {
                let _ = running.child.kill();
                let _ = running.child.wait();
                let output = lock(&running.output).clone();
                return Err(StartFailure::Other(format!(
                    "it did not answer within {START_TIMEOUT:?}; its output:\n{output}"
                )));
            }
            tokio::time::sleep(READY_POLL).await;
        }
    }

    fn spawn(&self) -> Result<Running, StartFailure> {
        let mut command = Command::new("node");
        command
            .arg("-e")
            .arg(WATCHDOG)
            .arg(&self.cli)
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .args(self.options);
        if let Some(store) = &self.store {
            command.arg("--path").arg(store);
        }
        command
            .current_dir(&self.root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().map_err(|err| {
            StartFailure::Other(if err.kind() == std::io::ErrorKind::NotFound {
                "`node` is not on PATH: install Node.js 20 or later".to_owned()
            } else {
                format!("cannot run node: {err}")
            })
        })?;
        let output = Arc::new(Mutex::new(String::new()));
        let listening = Arc::new(AtomicBool::new(false));
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let readers = vec![
            collect(stdout, output.clone(), Some(listening.clone())),
            collect(stderr, output.clone(), None),
        ];
        Ok(Running {
            child,
            output,
            listening,
            readers,
        })
    }
}

impl Drop for Dynalite {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The port of the test run's shared dynalite, when `HEARTBEAT_TEST_DYNALITE` names one.
fn shared_port_from_env() -> Option<u16> {
    let endpoint = std::env::var(SHARED_ENDPOINT_VAR).ok().filter(|v| !v.is_empty())?;
    let port = endpoint
        .strip_prefix("http://127.0.0.1:")
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("{SHARED_ENDPOINT_VAR}={endpoint:?} is not http://127.0.0.1:<port>"));
    Some(port)
}

/// Copies a pipe into `output` line by line until the child closes it, so it never fills up and
/// blocks dynalite; flags the line that says dynalite is listening.
fn collect(
    pipe: impl Read + Send + 'static,
    output: Arc<Mutex<String>>,
    listening: Option<Arc<AtomicBool>>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if line.contains(LISTENING_LINE) {
                if let Some(flag) = &listening {
                    flag.store(true, Ordering::Release);
                }
            }
            let mut output = lock(&output);
            output.push_str(&line);
            output.push('\n');
        }
    })
}

fn lock(output: &Mutex<String>) -> std::sync::MutexGuard<'_, String> {
    output.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
