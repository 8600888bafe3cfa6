//! A stand-in for the Lambda Runtime API, as a function binary meets it on Lambda: each
//! `GET /2018-06-01/runtime/invocation/next` waits until `invoke` queues an event and answers it
//! with the headers the runtime client needs; `POST …/invocation/{id}/response` or `…/error` (or
//! `/runtime/init/error`) is recorded with the time it arrived. One function process per stand-in,
//! invoked as many times as the caller likes, one invocation at a time, as Lambda does.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

const PREFIX: &str = "/2018-06-01/runtime";
/// Where an error during the function's init is recorded (it belongs to no invocation).
const INIT: &str = "init";

#[derive(Debug, Clone)]
pub enum Outcome {
    /// The function's answer, as the JSON text it posted.
    Response { at: Instant, body: String },
    /// The function reported an error for the invocation (`…/error`) or at init (`/init/error`).
    Error { path: String, body: String },
}

struct State {
    function_arn: String,
    invocations: AtomicUsize,
    first_next: OnceLock<Instant>,
    queue: Mutex<VecDeque<(String, String)>>,
    queued: Notify,
    outcomes: Mutex<HashMap<String, Outcome>>,
    done: Notify,
}

pub struct RuntimeApi {
    addr: SocketAddr,
    state: Arc<State>,
    server: JoinHandle<()>,
}

impl RuntimeApi {
    /// Listens on a free loopback port, for the function named `function_name`.
    pub async fn start(function_name: &str) -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            function_arn: format!("arn:aws:lambda:eu-west-1:123456789012:function:{function_name}"),
            invocations: AtomicUsize::new(0),
            first_next: OnceLock::new(),
            queue: Mutex::new(VecDeque::new()),
            queued: Notify::new(),
            outcomes: Mutex::new(HashMap::new()),
            done: Notify::new(),
        });
        let server_state = state.clone();
        let server = tokio::spawn(async move {
            // Owned here, so aborting the server aborts every connection with it.
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let state = server_state.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(handle(&state, req).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self { addr, state, server })
    }

    /// `127.0.0.1:PORT`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn host_port(&self) -> String {
        self.addr.to_string()
    }

    /// When the function first asked for an invocation: the end of its init phase.
    pub fn first_next(&self) -> Option<Instant> {
        self.state.first_next.get().copied()
    }

    /// Hands `event` to the function and waits for its answer (or its error, or an error at init),
    /// at most `timeout`; `None` when nothing came.
    pub async fn invoke(&self, event: String, timeout: Duration) -> Option<Outcome> {
        let number = self.state.invocations.fetch_add(1, Ordering::SeqCst);
        let request_id = format!("8476a536-e9f4-11e8-9739-{number:012x}");
        self.state
            .queue
            .lock()
            .expect("not poisoned")
            .push_back((request_id.clone(), event));
        self.state.queued.notify_one();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.state.done.notified();
            {
                let outcomes = self.state.outcomes.lock().expect("not poisoned");
                if let Some(outcome) = outcomes.get(&request_id).or_else(|| outcomes.get(INIT)) {
                    return Some(outcome.clone());
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return None;
            }
        }
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn record(state: &State, key: &str, outcome: Outcome) {
    state
        .outcomes
        .lock()
        .expect("not poisoned")
        .entry(key.to_owned())
        .or_insert(outcome);
    state.done.notify_waiters();
}

/// The next queued invocation; waits (as Lambda does between invocations) until there is one.
async fn next_invocation(state: &State) -> (String, String) {
    loop {
        let notified = state.queued.notified();
        if let Some(next) = state.queue.lock().expect("not poisoned").pop_front() {
            return next;
        }
        notified.await;
    }
}

async fn handle(state: &State, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let arrived = Instant::now();
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return reply(StatusCode::NOT_FOUND, "{\"errorMessage\":\"unknown path\"}");
    };
    let body = match req.into_body().collect().await {
        Ok(collected) => String::from_utf8_lossy(&collected.to_bytes()).into_owned(),
        Err(_) => String::new(),
    };
    match (method, rest) {
        (Method::GET, "/invocation/next") => {
            let _ = state.first_next.set(arrived);
            let (request_id, event) = next_invocation(state).await;
            let deadline = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis()
                + 30_000;
            Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .header("Lambda-Runtime-Aws-Request-Id", request_id)
                .header("Lambda-Runtime-Deadline-Ms", deadline.to_string())
                .header("Lambda-Runtime-Invoked-Function-Arn", state.function_arn.as_str())
                .header(
                    "Lambda-Runtime-Trace-Id",
                    "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=0",
                )
                .body(Full::new(Bytes::from(event)))
                .unwrap_or_else(|_| reply(StatusCode::INTERNAL_SERVER_ERROR, "{}"))
        }
        (Method::POST, "/init/error") => {
            let path = rest.to_owned();
            record(state, INIT, Outcome::Error { path, body });
            reply(StatusCode::ACCEPTED, "{\"status\":\"OK\"}")
        }
        (Method::POST, rest) => {
            let tail = rest.strip_prefix("/invocation/").and_then(|t| t.split_once('/'));
            match tail {
                Some((request_id, "response")) => {
                    record(state, request_id, Outcome::Response { at: arrived, body });
                    reply(StatusCode::ACCEPTED, "{\"status\":\"OK\"}")
                }
                Some((request_id, "error")) => {
                    let path = rest.to_owned();
                    record(state, request_id, Outcome::Error { path, body });
                    reply(StatusCode::ACCEPTED, "{\"status\":\"OK\"}")
                }
                _ => reply(StatusCode::NOT_FOUND, "{\"errorMessage\":\"unknown path\"}"),
            }
        }
        _ => reply(StatusCode::NOT_FOUND, "{\"errorMessage\":\"unknown path\"}"),
    }
}

fn reply(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *res.status_mut() = status;
    res.headers_mut().insert(
        "content-type",
        hyper::header::HeaderValue::from_static("application/json"),
    );
    res
}
