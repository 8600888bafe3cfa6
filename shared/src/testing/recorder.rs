//! One recording HTTP server for every outbound integration under test (Slack, webhooks, a scripted
//! DynamoDB): a real HTTP/1.1 server on loopback that records each request and answers as the test
//! says, changeable while it runs.

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// This status with a short text body: `ok` for a 2xx (what Slack answers), else `recorder_error_<status>`.
    Status(u16),
    /// A whole answer. `{path}` in the body becomes the request's path, as a proxy's error page would echo it.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Read the request, then never answer (the connection stays open).
    Hang,
}

impl Reply {
    /// A `text/plain` answer with this body.
    pub fn text(status: u16, body: impl Into<String>) -> Self {
        Self::Full {
            status,
            headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
            body: body.into(),
        }
    }

    /// A redirect, which clients under test must not follow.
    pub fn redirect(status: u16, location: &str) -> Self {
        Self::Full {
            status,
            headers: vec![("location".into(), location.into())],
            body: String::new(),
        }
    }

    fn status(&self) -> Option<u16> {
        match self {
            Self::Status(status) | Self::Full { status, .. } => Some(*status),
            Self::Hang => None,
        }
    }
}

/// How the server answers. Counting for `Sequence` restarts at every `set_behaviour`.
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
        let replies = match self {
            Self::Respond(status) => vec![Reply::Status(*status)],
            Self::Hang => vec![],
            Self::Sequence(replies) => {
                assert!(!replies.is_empty(), "Behaviour::Sequence needs at least one reply");
                replies.clone()
            }
        };
        for status in replies.iter().filter_map(Reply::status) {
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
            Self::Sequence(replies) => replies
                .get(index)
                .or(replies.last())
                .cloned()
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
    /// When the request was complete, for tests of retries and backoff.
    pub at: Instant,
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

pub struct Recorder {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    count: watch::Receiver<usize>,
    server: JoinHandle<()>,
}

impl Recorder {
    pub async fn start(behaviour: Behaviour) -> Self {
        behaviour.check();
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("cannot bind a loopback port for the recorder");
        let addr = listener.local_addr().expect("a bound listener has an address");
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

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url_for(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn set_behaviour(&self, behaviour: Behaviour) {
        behaviour.check();
        let mut state = lock(&self.state);
        state.behaviour = behaviour;
        state.served = 0;
    }

    /// Forgets the requests seen so far and answers as `behaviour` from its start.
    pub fn reset(&self, behaviour: Behaviour) {
        self.set_behaviour(behaviour);
        lock(&self.state).requests.clear();
        // Requests still in flight were counted; waiters compare against the list, which is empty now.
    }

    /// Every request so far, in arrival order (hanging ones included).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state).requests.clone()
    }

    /// Waits until at least `n` requests have arrived and returns them all; panics after `timeout`
    /// with what did arrive.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<RecordedRequest> {
        let mut count = self.count.clone();
        let state = self.state.clone();
        let arrived = matches!(
            tokio::time::timeout(timeout, count.wait_for(|_| lock(&state).requests.len() >= n)).await,
            Ok(Ok(_))
        );
        if !arrived {
            let requests = self.requests();
            panic!(
                "the recorder expected {n} request(s) within {timeout:?} but got {}: {requests:#?}",
                requests.len()
            );
        }
        self.requests()
    }
}

impl Drop for Recorder {
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
                    let service = service_fn(move |request| handle(request, state.clone(), count.clone()));
                    // A client that gives up mid-request is its business, not a test failure.
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
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
    // The whole request is read before answering, as a real server does.
    let body = body.collect().await?.to_bytes();
    let body = String::from_utf8_lossy(&body).into_owned();
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let recorded = RecordedRequest {
        method: parts.method.to_string(),
        path: path.clone(),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        json: serde_json::from_str(&body).ok(),
        body,
        at: Instant::now(),
    };
    let reply = {
        let mut state = lock(&state);
        let reply = state.behaviour.reply(state.served);
        state.served += 1;
        state.requests.push(recorded);
        reply
    };
    // After the state's lock is released: `wait_for` takes it while holding the channel's.
    count.send_modify(|n| *n += 1);
    Ok(match reply {
        Reply::Status(status) => {
            let body = if (200..300).contains(&status) {
                "ok".to_owned()
            } else {
                format!("recorder_error_{status}")
            };
            response(
                status,
                &[("content-type".into(), "text/plain; charset=utf-8".into())],
                body,
            )
        }
        Reply::Full { status, headers, body } => response(status, &headers, body.replace("{path}", &path)),
        Reply::Hang => std::future::pending().await,
    })
}

fn response(status: u16, headers: &[(String, String)], body: String) -> Response<Full<Bytes>> {
    let mut builder =
        Response::builder().status(StatusCode::from_u16(status).expect("checked when the behaviour was set"));
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    builder
        .body(Full::new(Bytes::from(body)))
        .expect("a checked status and headers make a valid response")
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
