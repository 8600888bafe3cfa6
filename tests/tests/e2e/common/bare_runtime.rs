//! The local runtime's server and service over any DynamoDB endpoint (the harness's `LocalRuntime`
//! insists on a dynalite): here, a fake that throttles.

use heartbeat_local::{Server, Service};
use heartbeat_shared::app::App;
use heartbeat_shared::config::Config;
use heartbeat_shared::store::local_client;
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::task::JoinHandle;

pub const SECRET: &str = "faults-secret-51c2";
/// Longer than the SDK's whole operation timeout (8 s), so the runtime's own answer is what we see.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(15);

pub struct BareRuntime {
    base: String,
    http: reqwest::Client,
    server: JoinHandle<()>,
}

impl BareRuntime {
    /// Serves heartbeat with its table `table` at `endpoint`, through the production `local_client`
    /// (its timeouts and standard retries with 3 attempts).
    pub async fn start(endpoint: &str, table: &str) -> Self {
        let vars = HashMap::from([
            ("TABLE_NAME".to_owned(), table.to_owned()),
            ("DASHBOARD_SECRET".to_owned(), SECRET.to_owned()),
            // No history: the fake answers one script in arrival order, and a history PutItem made
            // beside the pulse's UpdateItem would take answers meant for it. A failing history
            // write is tested on its own (`history::`, and the handler tests' `BrokenHistory`).
            ("HISTORY_DAYS".to_owned(), "0".to_owned()),
        ]);
        let config = Config::from_vars(&vars).expect("a valid configuration");
        let app = App::with_client(config, local_client(endpoint)).expect("the app builds");
        // Port 0: the kernel picks a free port, so no other test can take it first.
        let server = Server::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), Service::new(app))
            .await
            .expect("the runtime listens on loopback");
        let base = format!("http://{}", server.local_addr());
        let server = tokio::spawn(server.serve());
        let http = reqwest::Client::builder()
            .timeout(CLIENT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a reqwest client");
        Self { base, http, server }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/heartbeat/{path}", self.base)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }
}

impl Drop for BareRuntime {
    fn drop(&mut self) {
        self.server.abort();
    }
}
