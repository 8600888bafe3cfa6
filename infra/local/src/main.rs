//! `heartbeat-local`: the whole service on this machine (what `make run` starts).

use heartbeat_local::dynalite::Dynalite;
use heartbeat_local::lock::DataLock;
use heartbeat_local::options::{Options, StoreChoice};
use heartbeat_local::{Server, ServerError, Service, schedule, secret};
use heartbeat_shared::app::App;
use heartbeat_shared::config::Config;
use heartbeat_shared::store::{local_client, schema};
use heartbeat_shared::telemetry;
use std::collections::HashMap;
use std::fmt;
use std::process::ExitCode;

/// Why the runtime could not start: what it was doing (when the cause does not say it already) and
/// the cause, in one line a person can act on.
#[derive(Debug)]
struct StartError {
    doing: Option<String>,
    cause: Box<dyn std::error::Error + Send + Sync>,
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.doing {
            Some(doing) => write!(f, "{doing}: {}", self.cause),
            None => write!(f, "{}", self.cause),
        }
    }
}

/// Errors that already say everything (the port, the data folder, a setting) pass on as they are.
impl<E: std::error::Error + Send + Sync + 'static> From<E> for StartError {
    fn from(cause: E) -> Self {
        Self {
            doing: None,
            cause: Box::new(cause),
        }
    }
}

trait Context<T> {
    fn context(self, doing: impl Into<String>) -> Result<T, StartError>;
}

impl<T, E: std::error::Error + Send + Sync + 'static> Context<T> for Result<T, E> {
    fn context(self, doing: impl Into<String>) -> Result<T, StartError> {
        self.map_err(|cause| StartError {
            doing: Some(doing.into()),
            cause: Box::new(cause),
        })
    }
}

// One thread serves every route: a pulse's HTTP exchanges wake no other thread, which took a tenth
// to a quarter off the CPU per pulse in `make bench` (docs/PERFORMANCE.md).
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    telemetry::init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("heartbeat-local: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), StartError> {
    let mut vars: HashMap<String, String> = std::env::vars().collect();
    let options = Options::from_vars(&vars)?;
    // Claim the port first: a second `make run` stops here with a clear message, before touching dynalite's files.
    port_is_free(options.listen)?;
    std::fs::create_dir_all(&options.data_dir)
        .context(format!("cannot create the data folder {}", options.data_dir.display()))?;
    let _lock = DataLock::acquire(&options.data_dir)?;
    if !vars.contains_key("DASHBOARD_SECRET") {
        let secret = secret::load_or_create(&options.data_dir).context("cannot keep the dashboard secret")?;
        vars.insert("DASHBOARD_SECRET".into(), secret);
    }
    let base_url = format!("http://{}", options.listen);
    vars.entry("BASE_URL".into()).or_insert_with(|| base_url.clone());
    let config = Config::from_vars(&vars)?;

    let (client, dynalite) = match &options.store {
        StoreChoice::Dynalite { port } => {
            let port = if *port == 0 { free_port()? } else { *port };
            let root = std::env::current_dir().context("cannot read the current folder")?;
            let dynalite = Dynalite::start(&root, &options.data_dir.join("dynalite"), port).await?;
            let client = local_client(&dynalite.endpoint());
            schema::ensure_table(&client, &config.table_name)
                .await
                .context(format!("cannot create the table {} in dynalite", config.table_name))?;
            heartbeat_shared::store::ensure_config_table(&client, &config.config_table_name)
                .await
                .context(format!(
                    "cannot create the table {} in dynalite",
                    config.config_table_name
                ))?;
            heartbeat_shared::store::ensure_events_table(&client, &config.events_table_name)
                .await
                .context(format!(
                    "cannot create the table {} in dynalite",
                    config.events_table_name
                ))?;
            (client, Some(dynalite))
        }
        StoreChoice::Aws { create_table } => {
            let client = heartbeat_shared::store::Dynamo::from_env().await;
            if *create_table {
                schema::ensure_table(&client, &config.table_name)
                    .await
                    .context(format!("cannot create the table {} on AWS", config.table_name))?;
                heartbeat_shared::store::ensure_config_table(&client, &config.config_table_name)
                    .await
                    .context(format!("cannot create the table {} on AWS", config.config_table_name))?;
                heartbeat_shared::store::ensure_events_table(&client, &config.events_table_name)
                    .await
                    .context(format!("cannot create the table {} on AWS", config.events_table_name))?;
            }
            (client, None)
        }
    };
    let table = config.table_name.clone();
    let secret = config
        .dashboard_secret
        .as_ref()
        .map(|s| s.expose().to_owned())
        .unwrap_or_default();
    let slack = config.slack_webhook_url.is_some();
    let keys = heartbeat_shared::api::Keys::from_vars(&vars);
    let api_key_set = keys.read_write.is_some() || keys.read_only.is_some();
    // Channels and routes live in the configuration table created above, next to the maintenance windows.
    let channels =
        heartbeat_shared::app::ChannelApp::build(&config.config_table_name, &vars, &client, config.slack_timeout)
            .await?;
    let mut app = App::with_client(config, client)?;
    if dynalite.is_some() {
        app = app.trimming_history_locally();
    }
    app.channels = Some(channels);
    let service = Service::with_keys(app, keys);
    let server = Server::bind(options.listen, service.clone()).await?;

    print_banner(
        &base_url,
        &secret,
        &table,
        dynalite.as_ref().map(|d| d.endpoint()),
        slack,
        api_key_set,
        &options,
    );
    let serving = tokio::spawn(server.serve());
    let scheduling = options
        .monitor_every
        .map(|every| tokio::spawn(schedule::run_every(service, every)));

    shutdown_signal().await;
    println!("\nStopping heartbeat…");
    serving.abort();
    if let Some(task) = scheduling {
        task.abort();
    }
    if let Some(dynalite) = dynalite {
        dynalite.stop().await;
    }
    println!("Stopped. Data is kept in {}.", options.data_dir.display());
    Ok(())
}

fn port_is_free(addr: std::net::SocketAddr) -> Result<(), ServerError> {
    match std::net::TcpListener::bind(addr) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(ServerError::PortInUse { port: addr.port() }),
        Err(source) => Err(ServerError::Bind { addr, source }),
    }
}

fn free_port() -> Result<u16, StartError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .context("no free port for dynalite")
}

fn print_banner(
    base: &str,
    secret: &str,
    table: &str,
    dynalite: Option<String>,
    slack: bool,
    api_key_set: bool,
    options: &Options,
) {
    let store = match dynalite {
        Some(endpoint) => format!(
            "dynalite at {endpoint}, data in {}",
            options.data_dir.join("dynalite").display()
        ),
        None => format!("DynamoDB table {table} (AWS)"),
    };
    let monitor = match options.monitor_every {
        Some(every) => format!("every {} s", every.as_secs_f64()),
        None => "on demand only".into(),
    };
    let api = if api_key_set {
        format!("{base}/heartbeat/api/v1 (key from API_KEY / API_READ_KEY)")
    } else {
        format!("{base}/heartbeat/api/v1 (closed: start with API_KEY=… make run to open it)")
    };
    println!(
        "\nheartbeat is running.\n\n  Dashboard:  {base}/heartbeat/dashboard?secret={secret}\n  API:        {api}\n                curl -H \"Authorization: Bearer $API_KEY\" {base}/heartbeat/api/v1/pulses\n  Pulse URL:  {base}/heartbeat/pulse?host=HOST&category=CATEGORY&type=TYPE&name=NAME\n  Monitor:    {monitor} (now: {base}/heartbeat/monitor?secret={secret})\n  Store:      {store}\n  Slack:      {}\n\nTry it:\n  curl \"{base}/heartbeat/pulse?host=$(hostname)&category=backup&type=nightly&name=db-export&threshold=24\"\n\nPress Ctrl-C to stop.\n",
        if slack {
            "webhook configured"
        } else {
            "not configured: alerts are printed here"
        }
    );
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM can be watched");
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_error_says_what_was_being_done_unless_the_cause_says_it() {
        let io = || std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied");
        let with_context = Err::<(), _>(io())
            .context("cannot create the data folder /x")
            .unwrap_err();
        assert_eq!(
            with_context.to_string(),
            "cannot create the data folder /x: permission denied"
        );
        // The port and the data folder's lock already say everything, and what to do.
        let passed_on = StartError::from(ServerError::PortInUse { port: 8080 });
        assert!(
            passed_on
                .to_string()
                .starts_with("port 8080 is already in use — is heartbeat already running?"),
            "{passed_on}"
        );
    }
}
