//! Requests written byte for byte on a plain TCP connection, so that hostile requests reach the
//! server exactly as sent (raw bytes, repeated names, wrong lengths), and answers read back whole.

use heartbeat_e2e::{HTTP_TIMEOUT, LocalRuntime};
use std::fmt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One HTTP/1.1 request. `target` is relative to `/heartbeat/` and may hold any bytes.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: String,
    pub target: Vec<u8>,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl RawRequest {
    pub fn new(method: &str, target: impl Into<Vec<u8>>) -> Self {
        Self {
            method: method.to_owned(),
            target: target.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn get(target: impl Into<Vec<u8>>) -> Self {
        Self::new("GET", target)
    }

    /// A POST with this `Content-Type` (none when `None`) and body.
    pub fn post(target: impl Into<Vec<u8>>, content_type: Option<&str>, body: impl Into<Vec<u8>>) -> Self {
        let mut request = Self::new("POST", target);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        request.body = body.into();
        request
    }

    pub fn header(mut self, name: &str, value: impl Into<Vec<u8>>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The bytes on the wire: `Host`, `Connection: close` and `Content-Length` are added.
    pub fn to_bytes(&self, host: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(256 + self.target.len() + self.body.len());
        out.extend_from_slice(self.method.as_bytes());
        out.extend_from_slice(b" /heartbeat/");
        out.extend_from_slice(&self.target);
        out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
        out.extend_from_slice(host.as_bytes());
        out.extend_from_slice(b"\r\nConnection: close\r\n");
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        if !self.body.is_empty() || matches!(self.method.as_str(), "POST" | "PUT" | "PATCH") {
            out.extend_from_slice(format!("Content-Length: {}\r\n", self.body.len()).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }

    /// The request line as a person would read it, cut short, for failure messages.
    pub fn summary(&self) -> String {
        let target = String::from_utf8_lossy(&self.target);
        let target: String = target.chars().take(120).collect();
        format!("{} /heartbeat/{target} ({} body bytes)", self.method, self.body.len())
    }
}

/// A complete answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// Names lowercased, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Status, headers except `Date`, body: what must be identical between two indistinguishable answers.
    pub fn without_date(&self) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let headers = self
            .headers
            .iter()
            .filter(|(name, _)| name != "date")
            .cloned()
            .collect();
        (self.status, headers, self.body.clone())
    }
}

/// Why no answer came back.
#[derive(Debug, Clone)]
pub enum Failure {
    /// Nothing complete within `HTTP_TIMEOUT`: the request hung.
    Hang,
    /// The connection closed without a (complete) answer, which is what a panicking handler looks like.
    NoAnswer(String),
    /// Connecting or writing failed before anything came back.
    Io(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Hang => write!(f, "no complete answer within {HTTP_TIMEOUT:?} (a hang)"),
            Failure::NoAnswer(what) => write!(f, "the connection closed without an answer ({what})"),
            Failure::Io(err) => write!(f, "I/O error: {err}"),
        }
    }
}

/// Sends `request` to the runtime and reads the whole answer, within `HTTP_TIMEOUT`.
pub async fn send(rt: &LocalRuntime, request: &RawRequest) -> Result<Answer, Failure> {
    let host = rt.base_url().trim_start_matches("http://").to_owned();
    let bytes = request.to_bytes(&host);
    match tokio::time::timeout(HTTP_TIMEOUT, exchange(&host, bytes)).await {
        Ok(result) => result,
        Err(_) => Err(Failure::Hang),
    }
}

async fn exchange(host: &str, bytes: Vec<u8>) -> Result<Answer, Failure> {
    let stream = tokio::net::TcpStream::connect(host)
        .await
        .map_err(|e| Failure::Io(format!("connect: {e}")))?;
    let (mut reader, mut writer) = stream.into_split();
    // Written alongside the reading: a server may answer (413) before it has read a large body, and
    // then stops reading; a write error after that is expected and not a failure.
    let write = tokio::spawn(async move {
        let result = writer.write_all(&bytes).await;
        let _ = writer.flush().await;
        // Keep the write half open until the answer is read: shutting it down would be a half close.
        (result, writer)
    });
    let mut received = Vec::new();
    let mut chunk = vec![0; 64 * 1024];
    loop {
        match reader.read(&mut chunk).await {
            Ok(0) => break,
            Ok(n) => {
                received.extend_from_slice(&chunk[..n]);
                if let Some(answer) = parse(&received, false) {
                    write.abort();
                    return Ok(answer);
                }
            }
            // A reset after the answer arrived is reported only once the queued bytes are read.
            Err(err) => {
                write.abort();
                return parse(&received, true)
                    .ok_or_else(|| Failure::NoAnswer(format!("{err} after {} bytes", received.len())));
            }
        }
    }
    write.abort();
    parse(&received, true).ok_or_else(|| {
        Failure::NoAnswer(format!(
            "{} bytes: {:?}",
            received.len(),
            String::from_utf8_lossy(&received[..received.len().min(200)])
        ))
    })
}

/// A complete answer, once the head and `Content-Length` bytes of body have arrived (or, without a
/// length, once the server closed the connection).
fn parse(bytes: &[u8], closed: bool) -> Option<Answer> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&bytes[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let body = &bytes[end + 4..];
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse::<usize>().ok());
    let length = match length {
        Some(length) => length,
        None if closed => body.len(),
        None => return None,
    };
    (body.len() >= length).then(|| Answer {
        status,
        headers,
        body: body[..length].to_vec(),
    })
}
