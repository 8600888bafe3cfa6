//! A DynamoDB stand-in that answers from a script, for what dynalite never does: throttle. It speaks
//! awsJson1.0 over HTTP/1.1 on loopback and records when each request arrived and which operation it was.

use heartbeat_shared::testing::{Behaviour, Recorder, Reply};
use std::time::Instant;

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

/// The shared recording server, answering from a script of DynamoDB answers.
pub struct FakeDynamo(Recorder);

impl FakeDynamo {
    pub async fn start(script: Vec<Answer>) -> Self {
        Self(Recorder::start(behaviour(script)).await)
    }

    pub fn endpoint(&self) -> String {
        self.0.url_for("")
    }

    /// Every request so far, in arrival order.
    pub fn arrivals(&self) -> Vec<Arrival> {
        self.0
            .requests()
            .into_iter()
            .map(|request| Arrival {
                at: request.at,
                target: request.header("x-amz-target").unwrap_or_default().to_owned(),
            })
            .collect()
    }

    /// Forgets the requests seen so far and answers from `script` again, from its start.
    pub fn reset(&self, script: Vec<Answer>) {
        self.0.reset(behaviour(script));
    }
}

/// The n-th request gets the n-th answer; the last repeats forever.
fn behaviour(script: Vec<Answer>) -> Behaviour {
    assert!(!script.is_empty(), "the fake needs at least one answer");
    Behaviour::Sequence(script.into_iter().map(reply).collect())
}

fn reply(answer: Answer) -> Reply {
    let mut headers = vec![
        ("content-type".to_owned(), "application/x-amz-json-1.0".to_owned()),
        (
            "x-amzn-requestid".to_owned(),
            "FAKE0000000000000000000000000000000000000000000000000".to_owned(),
        ),
    ];
    match answer {
        Answer::Error(code) => {
            headers.push(("x-amzn-errortype".to_owned(), code.to_owned()));
            let body = serde_json::json!({
                "__type": format!("com.amazonaws.dynamodb.v20120810#{code}"),
                "message": "Rate exceeded",
            });
            Reply::Full {
                status: 400,
                headers,
                body: body.to_string(),
            }
        }
        Answer::EmptyOk => Reply::Full {
            status: 200,
            headers,
            body: "{}".to_owned(),
        },
    }
}
