//! A counting proxy in front of dynalite: every DynamoDB request a process makes, as it crossed the
//! wire (its `X-Amz-Target` operation and the tables its body names), whatever client made it.
//! Point a function's `AWS_ENDPOINT_URL_DYNAMODB` at `endpoint()`.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// One request as it crossed the wire.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WireRequest {
    /// `UpdateItem`, `PutItem`, … (`X-Amz-Target` without its `DynamoDB_20120810.` prefix).
    pub operation: String,
    /// The tables the body names: `TableName`, or the keys of `RequestItems`, or those of each
    /// `TransactItems` entry.
    pub tables: Vec<String>,
}

struct Shared {
    upstream: String,
    http: reqwest::Client,
    seen: Mutex<Vec<WireRequest>>,
}

pub struct WireCounter {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl WireCounter {
    /// Listens on a free loopback port and passes every request on to `upstream` (e.g. dynalite's
    /// `http://127.0.0.1:PORT`), answering with what it answered.
    pub async fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("the counting proxy binds a loopback port");
        let addr = listener.local_addr().expect("a bound address");
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .expect("a reqwest client"),
            seen: Mutex::new(Vec::new()),
        });
        let server_shared = shared.clone();
        let server = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let shared = server_shared.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| {
                        let shared = shared.clone();
                        async move { Ok::<_, Infallible>(forward(&shared, req).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, shared, server }
    }

    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL_DYNAMODB`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The requests counted since the last call, in the order they arrived.
    pub fn take(&self) -> Vec<WireRequest> {
        std::mem::take(&mut *self.shared.seen.lock().expect("not poisoned"))
    }
}

impl Drop for WireCounter {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn forward(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            return reply(
                StatusCode::BAD_REQUEST,
                format!("the proxy could not read the request: {e}"),
            );
        }
    };
    let operation = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(|target| target.rsplit('.').next().unwrap_or(target).to_owned())
        .unwrap_or_default();
    shared.seen.lock().expect("not poisoned").push(WireRequest {
        operation,
        tables: tables_named(&body),
    });

    let path = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut outgoing = shared
        .http
        .request(parts.method.clone(), format!("{}{path}", shared.upstream))
        .body(body);
    for (name, value) in &parts.headers {
        if !is_hop_by_hop(name.as_str()) {
            outgoing = outgoing.header(name, value);
        }
    }
    let answer = match outgoing.send().await {
        Ok(answer) => answer,
        Err(e) => {
            return reply(
                StatusCode::BAD_GATEWAY,
                format!("the proxy could not reach dynalite: {e}"),
            );
        }
    };
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if !is_hop_by_hop(name.as_str()) {
            response = response.header(name, value);
        }
    }
    let bytes = answer.bytes().await.unwrap_or_default();
    response
        .body(Full::new(bytes))
        .unwrap_or_else(|e| reply(StatusCode::BAD_GATEWAY, e.to_string()))
}

/// Headers about one connection, which the proxy's own connections set for themselves.
fn is_hop_by_hop(name: &str) -> bool {
    matches!(
        name,
        "host" | "connection" | "content-length" | "transfer-encoding" | "keep-alive"
    )
}

fn tables_named(body: &[u8]) -> Vec<String> {
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let mut tables: Vec<String> = Vec::new();
    if let Some(name) = json["TableName"].as_str() {
        tables.push(name.to_owned());
    }
    if let Some(items) = json["RequestItems"].as_object() {
        tables.extend(items.keys().cloned());
    }
    for entry in json["TransactItems"].as_array().into_iter().flatten() {
        for action in entry.as_object().into_iter().flat_map(|o| o.values()) {
            if let Some(name) = action["TableName"].as_str() {
                tables.push(name.to_owned());
            }
        }
    }
    tables.sort();
    tables.dedup();
    tables
}

fn reply(status: StatusCode, text: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = status;
    response
}
