//! A stand-in for the Lambda Runtime API, enough for one cold start: the first
//! `GET /2018-06-01/runtime/invocation/next` answers one event with the headers the runtime client
//! needs; `POST …/invocation/{id}/response` (or `…/error`, or `/runtime/init/error`) is recorded with
//! the time it arrived. Later `next` calls wait forever, as on Lambda between invocations.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

const PREFIX: &str = "/2018-06-01/runtime";
pub const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";

#[derive(Debug, Clone)]
pub enum Outcome {
    Response { at: Instant, body: String },
    Error { path: String, body: String },
}

struct State {
    event: String,
    function_arn: String,
    next_calls: AtomicUsize,
    first_next: OnceLock<Instant>,
    outcome: Mutex<Option<Outcome>>,
    done: Notify,
}

pub struct RuntimeApi {
    addr: SocketAddr,
    state: Arc<State>,
    server: JoinHandle<()>,
}

impl RuntimeApi {
    /// Listens on a free loopback port; `event` is the one invocation's payload.
    pub async fn start(event: String, function_name: &str) -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            event,
            function_arn: format!("arn:aws:lambda:eu-west-1:123456789012:function:{function_name}"),
            next_calls: AtomicUsize::new(0),
            first_next: OnceLock::new(),
            outcome: Mutex::new(None),
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

    /// Waits until the function answered (or failed), at most `timeout`.
    pub async fn outcome(&self, timeout: Duration) -> Option<Outcome> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.state.done.notified();
            if let Some(outcome) = self.state.outcome.lock().expect("not poisoned").clone() {
                return Some(outcome);
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

fn record(state: &State, outcome: Outcome) {
    let mut slot = state.outcome.lock().expect("not poisoned");
    if slot.is_none() {
        *slot = Some(outcome);
    }
    drop(slot);
    state.done.notify_waiters();
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
            if state.next_calls.fetch_add(1, Ordering::SeqCst) > 0 {
                // One invocation per cold start: the function waits here until it is killed.
                std::future::pending::<()>().await;
            }
            let _ = state.first_next.set(arrived);
            let deadline = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis()
                + 30_000;
            Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .header("Lambda-Runtime-Aws-Request-Id", REQUEST_ID)
                .header("Lambda-Runtime-Deadline-Ms", deadline.to_string())
                .header("Lambda-Runtime-Invoked-Function-Arn", state.function_arn.as_str())
                .header(
                    "Lambda-Runtime-Trace-Id",
                    "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=0",
                )
                .body(Full::new(Bytes::from(state.event.clone())))
                .unwrap_or_else(|_| reply(StatusCode::INTERNAL_SERVER_ERROR, "{}"))
        }
        (Method::POST, rest) if rest.ends_with("/response") => {
            record(state, Outcome::Response { at: arrived, body });
            reply(StatusCode::ACCEPTED, "{\"status\":\"OK\"}")
        }
        (Method::POST, rest) if rest.ends_with("/error") => {
            record(
                state,
                Outcome::Error {
                    path: rest.to_owned(),
                    body,
                },
            );
            reply(StatusCode::ACCEPTED, "{\"status\":\"OK\"}")
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
