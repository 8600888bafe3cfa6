//! A DynamoDB stand-in that answers from a script, for what dynalite never does: throttle. It speaks
//! awsJson1.0 over HTTP/1.1 on loopback and records when each request arrived and which operation it was.

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// One answer of the fake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// `400` with this error code, as DynamoDB sends it: in `x-amzn-ErrorType` and as the body's
    /// namespaced `__type`, which the SDK's awsJson1.0 error parser both reads and strips to the code.
    Error(&'static str),
    /// `200 {}`: a valid answer to `UpdateItem` (all of its output members are optional).
    EmptyOk,
}

pub const THROTTLING: &str = "ThrottlingException";
pub const THROUGHPUT_EXCEEDED: &str = "ProvisionedThroughputExceededException";

/// A request as it arrived.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub at: Instant,
    /// `X-Amz-Target`, e.g. `DynamoDB_20120810.UpdateItem`.
    pub target: String,
}

struct State {
    /// The n-th request gets the n-th answer; the last repeats forever.
    script: Vec<Answer>,
    arrivals: Vec<Arrival>,
}

pub struct FakeDynamo {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    server: JoinHandle<()>,
}

impl FakeDynamo {
    pub async fn start(script: Vec<Answer>) -> Self {
        assert!(!script.is_empty(), "the fake needs at least one answer");
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("cannot bind a loopback port for the fake DynamoDB");
        let addr = listener.local_addr().expect("a bound listener has an address");
        let state = Arc::new(Mutex::new(State {
            script,
            arrivals: Vec::new(),
        }));
        let server = tokio::spawn(serve(listener, state.clone()));
        Self { addr, state, server }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far, in arrival order.
    pub fn arrivals(&self) -> Vec<Arrival> {
        lock(&self.state).arrivals.clone()
    }

    /// Forgets the requests seen so far and answers from `script` again, from its start.
    pub fn reset(&self, script: Vec<Answer>) {
        assert!(!script.is_empty(), "the fake needs at least one answer");
        let mut state = lock(&self.state);
        state.script = script;
        state.arrivals.clear();
    }
}

impl Drop for FakeDynamo {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn serve(listener: TcpListener, state: Arc<Mutex<State>>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let state = state.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| answer(request, state.clone()));
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn answer(request: Request<Incoming>, state: Arc<Mutex<State>>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let target = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    // The whole request is read before answering, as a real server does.
    request.into_body().collect().await?;
    let answer = {
        let mut state = lock(&state);
        let index = state.arrivals.len();
        state.arrivals.push(Arrival {
            at: Instant::now(),
            target,
        });
        *state
            .script
            .get(index)
            .or(state.script.last())
            .expect("a non-empty script")
    };
    let builder = Response::builder()
        .header("content-type", "application/x-amz-json-1.0")
        .header(
            "x-amzn-requestid",
            "FAKE0000000000000000000000000000000000000000000000000",
        );
    let response = match answer {
        Answer::Error(code) => {
            let body = serde_json::json!({
                "__type": format!("com.amazonaws.dynamodb.v20120810#{code}"),
                "message": "Rate exceeded",
            });
            builder
                .status(400)
                .header("x-amzn-errortype", code)
                .body(Full::new(Bytes::from(body.to_string())))
        }
        Answer::EmptyOk => builder.status(200).body(Full::new(Bytes::from_static(b"{}"))),
    };
    Ok(response.expect("a static response is valid"))
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
