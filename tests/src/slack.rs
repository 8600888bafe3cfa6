//! A stand-in for a Slack incoming webhook: a real HTTP/1.1 server on loopback that records every
//! request and answers as the test tells it to, changeable while it runs.

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// One answer of the webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// This status, with Slack's body: `ok` for a 2xx, a short error text otherwise.
    Status(u16),
    /// Read the request, then never answer (the connection stays open).
    Hang,
}

/// How the webhook answers. Request counting for `Sequence` restarts at every `set_behaviour`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behaviour {
    Respond(u16),
    Hang,
    /// The n-th request gets the n-th reply; the last reply repeats forever.
    Sequence(Vec<Reply>),
}

impl Behaviour {
    /// Panics in the test, not in the server task, where a panic would only drop a connection.
    fn check(&self) {
        let statuses = match self {
            Self::Respond(status) => vec![*status],
            Self::Hang => vec![],
            Self::Sequence(replies) => {
                assert!(!replies.is_empty(), "Behaviour::Sequence needs at least one reply");
                replies
                    .iter()
                    .filter_map(|reply| match reply {
                        Reply::Status(status) => Some(*status),
                        Reply::Hang => None,
                    })
                    .collect()
            }
        };
        for status in statuses {
            assert!(
                StatusCode::from_u16(status).is_ok(),
                "{status} is not an HTTP status code"
            );
        }
    }

    fn reply(&self, index: usize) -> Reply {
        match self {
            Self::Respond(status) => Reply::Status(*status),
            Self::Hang => Reply::Hang,
            Self::Sequence(replies) => *replies
                .get(index)
                .or(replies.last())
                .expect("checked when the behaviour was set"),
        }
    }
}

/// A request as it arrived.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    /// Path and query, e.g. `/services/T000/B000/XXXX`.
    pub path: String,
    /// Names lowercased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body parsed, if it is JSON.
    pub json: Option<serde_json::Value>,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }
}

struct State {
    behaviour: Behaviour,
    /// Requests seen under the current behaviour; indexes `Sequence`.
    served: usize,
    requests: Vec<RecordedRequest>,
}

pub struct SlackRecorder {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    count: watch::Receiver<usize>,
    server: JoinHandle<()>,
}

impl SlackRecorder {
    pub async fn start(behaviour: Behaviour) -> Self {
        behaviour.check();
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("cannot bind a loopback port for the Slack recorder");
        let addr = listener.local_addr().expect("bound listener has an address");
        let state = Arc::new(Mutex::new(State {
            behaviour,
            served: 0,
            requests: Vec::new(),
        }));
        let (count_tx, count) = watch::channel(0);
        let server = tokio::spawn(serve(listener, state.clone(), Arc::new(count_tx)));
        Self {
            addr,
            state,
            count,
            server,
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// A webhook URL shaped like Slack's.
    pub fn url(&self) -> String {
        format!("http://{}/services/T000/B000/XXXX", self.addr)
    }

    pub fn set_behaviour(&self, behaviour: Behaviour) {
        behaviour.check();
        let mut state = lock(&self.state);
        state.behaviour = behaviour;
        state.served = 0;
    }

    /// Every request so far, in arrival order (hanging ones included).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state).requests.clone()
    }

    /// Waits until at least `n` requests have arrived and returns them all; panics after `timeout`
    /// with what did arrive.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<RecordedRequest> {
        let mut count = self.count.clone();
        let arrived = matches!(
            tokio::time::timeout(timeout, count.wait_for(|count| *count >= n)).await,
            Ok(Ok(_))
        );
        if !arrived {
            let requests = self.requests();
            panic!(
                "the Slack recorder expected {n} request(s) within {timeout:?} but got {}: {requests:#?}",
                requests.len()
            );
        }
        self.requests()
    }
}

impl Drop for SlackRecorder {
    /// Stops accepting; dropping the accept loop drops its `JoinSet`, which ends every connection.
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn serve(listener: TcpListener, state: Arc<Mutex<State>>, count: Arc<watch::Sender<usize>>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let state = state.clone();
                let count = count.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| {
                        handle(request, state.clone(), count.clone())
                    });
                    // A client that gives up mid-request is its business, not a test failure.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            // Reaps finished connections so the set does not grow with every request.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn handle(
    request: Request<Incoming>,
    state: Arc<Mutex<State>>,
    count: Arc<watch::Sender<usize>>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await?.to_bytes();
    let body = String::from_utf8_lossy(&body).into_owned();
    let recorded = RecordedRequest {
        method: parts.method.to_string(),
        path: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect(),
        json: serde_json::from_str(&body).ok(),
        body,
    };
    let reply = {
        let mut state = lock(&state);
        let reply = state.behaviour.reply(state.served);
        state.served += 1;
        state.requests.push(recorded);
        count.send_replace(state.requests.len());
        reply
    };
    match reply {
        Reply::Status(status) => Ok(slack_response(status)),
        Reply::Hang => std::future::pending().await,
    }
}

fn slack_response(status: u16) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(status).expect("checked when the behaviour was set");
    let body = if status.is_success() {
        "ok".to_owned()
    } else {
        format!("recorder_error_{}", status.as_u16())
    };
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Full::new(Bytes::from(body)))
        .expect("a static response is valid")
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
