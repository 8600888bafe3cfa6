//! The local runtime (`heartbeat-local`'s server and service) over a fresh dynalite table, on a free
//! loopback port, with helpers to call it the way real clients do and to look at the raw items.

use crate::dynalite::Dynalite;
use aws_sdk_dynamodb::types::{AttributeValue, Select};
use chrono::{TimeDelta, Utc};
use heartbeat_local::{Server, ServerError, Service};
use heartbeat_shared::app::{App, ChannelApp};
use heartbeat_shared::config::Config;
use heartbeat_shared::handlers::monitor::MonitorFailure;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;

/// The dashboard secret unless a test gives its own `DASHBOARD_SECRET`.
pub const TEST_SECRET: &str = "e2e-secret-7f3a";
/// Every HTTP call of a test gives up after this long: no request may hang.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(5);
/// A free port can be taken by a parallel test between finding it and binding it; then we retry.
const BIND_ATTEMPTS: usize = 5;

/// A raw HTTP answer: status, headers, body as text.
pub type RawResponse = (StatusCode, HeaderMap, String);

pub struct LocalRuntime {
    base: String,
    secret: Option<String>,
    table: String,
    client: heartbeat_shared::store::Dynamo,
    service: Service,
    http: reqwest::Client,
    server: JoinHandle<()>,
}

impl LocalRuntime {
    /// Serves heartbeat over a fresh table of `dynalite`. `vars` are environment variables as the
    /// functions read them (e.g. `SLACK_WEBHOOK_URL`, `REMIND_EVERY_HOURS`) and win over the
    /// defaults set here (`TABLE_NAME`, `DASHBOARD_SECRET`, `BASE_URL`).
    pub async fn start(dynalite: &Dynalite, vars: &[(&str, &str)]) -> Self {
        let table = dynalite.fresh_table_with_history().await;
        let client = dynalite.client();
        for attempt in 1..=BIND_ATTEMPTS {
            let port = free_port();
            let base = format!("http://127.0.0.1:{port}");
            let mut env: HashMap<String, String> = HashMap::from([
                ("TABLE_NAME".to_owned(), table.clone()),
                ("DASHBOARD_SECRET".to_owned(), TEST_SECRET.to_owned()),
                ("BASE_URL".to_owned(), base.clone()),
            ]);
            env.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
            let config = Config::from_vars(&env).unwrap_or_else(|e| panic!("config {env:?}: {e}"));
            let secret = config.dashboard_secret.as_ref().map(|s| s.expose().to_owned());
            // Channels and routes only when the test names a configuration table it created, as `make run` does.
            let channels = match vars.iter().any(|(k, _)| *k == "CONFIG_TABLE_NAME") {
                true => Some(
                    ChannelApp::build(&config.config_table_name, &env, &client, config.slack_timeout)
                        .await
                        .expect("the channels build"),
                ),
                false => None,
            };
            let mut app = App::with_client(config, client.clone())
                .expect("the app builds")
                .trimming_history_locally();
            app.channels = channels;
            let service = Service::with_keys(app, heartbeat_shared::api::Keys::from_vars(&env));
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            match Server::bind(addr, service.clone()).await {
                Ok(server) => {
                    assert_eq!(server.local_addr(), addr);
                    let server = tokio::spawn(server.serve());
                    let http = reqwest::Client::builder()
                        .timeout(HTTP_TIMEOUT)
                        .redirect(reqwest::redirect::Policy::none())
                        .build()
                        .expect("a reqwest client");
                    return Self {
                        base,
                        secret,
                        table,
                        client,
                        service,
                        http,
                        server,
                    };
                }
                Err(ServerError::PortInUse { .. }) if attempt < BIND_ATTEMPTS => continue,
                Err(err) => panic!("the local runtime could not listen on {addr}: {err}"),
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    /// `http://127.0.0.1:P`, the runtime's `BASE_URL`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `http://127.0.0.1:P/heartbeat/{path_and_query}`.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}/heartbeat/{}", self.base, path_and_query.trim_start_matches('/'))
    }

    /// The configured dashboard secret.
    pub fn secret(&self) -> &str {
        self.secret.as_deref().expect("this runtime has no DASHBOARD_SECRET")
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// A DynamoDB client of the runtime's dynalite, to look at raw items.
    pub fn client(&self) -> &heartbeat_shared::store::Dynamo {
        &self.client
    }

    /// An HTTP client with a 5 s timeout that does not follow redirects.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// One monitor run as the EventBridge schedule triggers it (no secret).
    pub async fn scheduled_run(&self) -> Result<serde_json::Value, MonitorFailure> {
        self.service.scheduled_run(false).await
    }

    /// A scheduled run that also brings items outside the due index into it (as the Sunday runs do).
    pub async fn scheduled_backfill(&self) -> Result<serde_json::Value, MonitorFailure> {
        self.service.scheduled_run(true).await
    }

    /// `…/heartbeat/{path}` with `params` properly percent-encoded.
    pub fn url_with(&self, path: &str, params: &[(&str, &str)]) -> Url {
        Url::parse_with_params(&self.url(path), params).expect("a valid URL")
    }

    /// `GET /heartbeat/pulse` with `params` properly encoded.
    pub async fn pulse(&self, params: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .get(self.url_with("pulse", params))
            .send()
            .await
            .expect("GET /heartbeat/pulse")
    }

    /// A pulse that must succeed.
    pub async fn pulse_ok(&self, host: &str, category: &str, kind: &str, name: &str) {
        let response = self
            .pulse(&[("host", host), ("category", category), ("type", kind), ("name", name)])
            .await;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::OK, "pulse answered {status}: {body}");
    }

    /// `GET /heartbeat/dashboard?secret=S`, which must answer 200; its HTML.
    pub async fn dashboard(&self) -> String {
        let response = self
            .http
            .get(self.url_with("dashboard", &[("secret", self.secret())]))
            .send()
            .await
            .expect("GET /heartbeat/dashboard");
        let status = response.status();
        let body = response.text().await.expect("a dashboard body");
        assert_eq!(status, StatusCode::OK, "dashboard answered {status}: {body}");
        body
    }

    /// `GET /heartbeat/monitor?secret=S` with the right secret: its status and JSON answer.
    pub async fn monitor(&self) -> (StatusCode, serde_json::Value) {
        self.monitor_with_secret(self.secret()).await
    }

    /// The monitor by URL with `backfill=1`: also items outside the due index (a full scan).
    pub async fn monitor_backfill(&self) -> (StatusCode, serde_json::Value) {
        self.monitor_query(&[("secret", self.secret()), ("backfill", "1")])
            .await
    }

    pub async fn monitor_with_secret(&self, secret: &str) -> (StatusCode, serde_json::Value) {
        self.monitor_query(&[("secret", secret)]).await
    }

    async fn monitor_query(&self, query: &[(&str, &str)]) -> (StatusCode, serde_json::Value) {
        let response = self
            .http
            .get(self.url_with("monitor", query))
            .send()
            .await
            .expect("GET /heartbeat/monitor");
        let status = response.status();
        let content_type = header(response.headers(), "content-type").to_owned();
        let body = response.text().await.expect("a monitor body");
        assert!(
            content_type.starts_with("application/json"),
            "the monitor answered {status} with {content_type:?}: {body}"
        );
        let json =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("the monitor's answer is not JSON ({e}): {body}"));
        (status, json)
    }

    /// `GET` of `/heartbeat/{path_and_query}` written byte for byte on a plain TCP connection, so
    /// unencoded parameters arrive exactly as the original Node client sends them.
    pub async fn raw_get(&self, path_and_query: &str) -> RawResponse {
        self.raw_get_bytes(path_and_query.as_bytes()).await
    }

    /// [`raw_get`](Self::raw_get) with any bytes in the target, e.g. Latin-1 as Node writes it.
    pub async fn raw_get_bytes(&self, path_and_query: &[u8]) -> RawResponse {
        let host = self.base.trim_start_matches("http://");
        let mut request = b"GET /heartbeat/".to_vec();
        request.extend_from_slice(path_and_query.strip_prefix(b"/").unwrap_or(path_and_query));
        request.extend_from_slice(format!(" HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes());
        let target = String::from_utf8_lossy(path_and_query);
        let exchange = async {
            let mut stream = tokio::net::TcpStream::connect(host).await?;
            stream.write_all(&request).await?;
            let mut bytes = Vec::new();
            stream.read_to_end(&mut bytes).await?;
            Ok::<_, std::io::Error>(bytes)
        };
        let bytes = tokio::time::timeout(HTTP_TIMEOUT, exchange)
            .await
            .unwrap_or_else(|_| panic!("GET {target} got no complete answer in {HTTP_TIMEOUT:?}"))
            .unwrap_or_else(|e| panic!("GET {target}: {e}"));
        parse_response(&bytes)
    }

    /// The raw item with this `_id` (consistent read).
    pub async fn item(&self, id: &str) -> Option<HashMap<String, AttributeValue>> {
        self.client
            .get_item()
            .table_name(&self.table)
            .key(crate::KEY_ATTRIBUTE, AttributeValue::S(id.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .expect("GetItem")
            .item
    }

    /// Writes an item exactly as the original parcelLab server did (`items::put_original_item`).
    /// Returns the `_id`.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_original_item(
        &self,
        host: &str,
        category: &str,
        kind: &str,
        name: &str,
        timestamp: &str,
        threshold: &str,
        saturday: &str,
    ) -> String {
        let fields = [host, category, kind, name, timestamp, threshold, saturday];
        crate::items::put_original_item(&self.client, &self.table, fields).await
    }

    /// An item as heartbeat itself would have written it (`items::put_indexed_item`).
    #[allow(clippy::too_many_arguments)]
    pub async fn put_indexed_item(
        &self,
        host: &str,
        category: &str,
        kind: &str,
        name: &str,
        timestamp: &str,
        threshold: &str,
        saturday: &str,
    ) -> String {
        let fields = [host, category, kind, name, timestamp, threshold, saturday];
        crate::items::put_indexed_item(&self.client, &self.table, fields).await
    }

    /// How many items the table holds (every Scan page counted).
    pub async fn scan_count(&self) -> usize {
        let mut count = 0;
        let mut start_key = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.table)
                .select(Select::Count)
                .set_exclusive_start_key(start_key)
                .send()
                .await
                .expect("Scan");
            count += usize::try_from(page.count()).expect("a count ≥ 0");
            start_key = page.last_evaluated_key().cloned();
            if start_key.is_none() {
                return count;
            }
        }
    }
}

impl Drop for LocalRuntime {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The original rule for `_id`: lowercase hex SHA-256 of host + category + type + name.
pub fn original_id(host: &str, category: &str, kind: &str, name: &str) -> String {
    let mut hash = Sha256::new();
    for part in [host, category, kind, name] {
        hash.update(part.as_bytes());
    }
    hex::encode(hash.finalize())
}

/// A `timestampF` `days` days ago, in the original format.
pub fn stamp_days_ago(days: i64) -> String {
    heartbeat_shared::model::format_stamp(Utc::now() - TimeDelta::days(days))
}

/// A header's value as text; empty when absent.
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// A string attribute of a raw item; panics naming the attribute when it is missing or not an S.
pub fn s_attr<'a>(item: &'a HashMap<String, AttributeValue>, name: &str) -> &'a str {
    match item.get(name) {
        Some(AttributeValue::S(value)) => value,
        other => panic!("attribute {name} is not a string but {other:?} in {item:#?}"),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("cannot bind a loopback port")
}

fn parse_response(bytes: &[u8]) -> RawResponse {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("not an HTTP response: {text:?}"));
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .and_then(|code| StatusCode::from_u16(code).ok())
        .unwrap_or_else(|| panic!("no status in {status_line:?}"));
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("a malformed header line {line:?}"));
        headers.append(
            HeaderName::from_bytes(name.trim().as_bytes()).expect("a header name"),
            HeaderValue::from_str(value.trim()).expect("a header value"),
        );
    }
    assert!(
        !header(&headers, "transfer-encoding").contains("chunked"),
        "a chunked answer, which raw_get does not decode: {text:?}"
    );
    (status, headers, body.to_owned())
}
