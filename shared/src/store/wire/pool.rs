//! Kept-alive connections to one DynamoDB endpoint: plain TCP for a local stand-in (dynalite),
//! TLS (rustls, the platform's trusted roots, as reqwest and the SDK verify them) for AWS. Each
//! exchange runs inside the caller's own task: no connection task, no channel, no wake-up of
//! another task per request.

use super::http1::{self, Answer, Failure};
use bytes::BytesMut;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, ClientConfig};

/// DynamoDB closes connections idle for about a minute; one kept this long is let go first.
const IDLE_FOR: Duration = Duration::from_secs(50);
/// Idle connections kept at most: as many as concurrent requests have needed, up to this.
const MAX_IDLE: usize = 256;

/// Where the requests go, read once from the endpoint URL.
pub struct Endpoint {
    /// The name or address to connect to, and what TLS checks the certificate against.
    pub host: String,
    pub port: u16,
    /// `host` or `host:port`, as the `host` header and the signature name it.
    pub authority: String,
    pub tls: bool,
}

impl Endpoint {
    /// `http://host:port` or `https://host[:port]`; a path, query or user is refused (DynamoDB's
    /// endpoint has none, and the signature covers `/` only).
    pub fn parse(url: &str) -> Result<Self, String> {
        let refuse = |why: &str| {
            format!(
                "the DynamoDB endpoint {url:?} is not a URL like https://dynamodb.eu-west-1.amazonaws.com (AWS_ENDPOINT_URL_DYNAMODB): {why}"
            )
        };
        let (tls, rest) = if let Some(rest) = url.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(refuse("it must start with http:// or https://"));
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() || authority.contains(['/', '?', '#', '@', ' ']) {
            return Err(refuse("only a scheme, a host and a port are allowed"));
        }
        let default_port = if tls { 443 } else { 80 };
        let (host, port) = match authority.rsplit_once(':') {
            // An IPv6 address without a port: `[::1]`.
            Some((host, port)) if !port.ends_with(']') => {
                let port = port.parse::<u16>().map_err(|_| refuse("the port is not a number"))?;
                (host, port)
            }
            _ => (authority, default_port),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(refuse("the host is missing"));
        }
        let authority = if port == default_port {
            authority.trim_end_matches(&format!(":{port}")).to_owned()
        } else {
            authority.to_owned()
        };
        Ok(Self {
            host: host.to_owned(),
            port,
            authority,
            tls,
        })
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

/// One connection and the buffer its answers are read into.
struct Conn {
    stream: Stream,
    buf: BytesMut,
    idle_since: Instant,
}

pub struct Pool {
    endpoint: Endpoint,
    idle: Mutex<Vec<Conn>>,
    /// Made on the first TLS connection: reading the system's roots takes milliseconds, which a
    /// function that never writes (the dashboard, the badges) should not pay at every cold start.
    tls: OnceLock<Result<TlsConnector, String>>,
}

/// What an exchange failed with, before or after its request went out.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error("cannot connect to DynamoDB at {authority}: {source}")]
    Connect { authority: String, source: io::Error },
    #[error("connecting to DynamoDB at {0} took too long")]
    ConnectTimeout(String),
    #[error("DynamoDB's connection failed: {0}")]
    Exchange(#[from] Failure),
}

impl Pool {
    /// A pool for `endpoint`; a TLS endpoint is verified with the platform's trusted roots.
    pub fn new(endpoint: Endpoint) -> Self {
        Self {
            endpoint,
            idle: Mutex::new(Vec::new()),
            tls: OnceLock::new(),
        }
    }

    /// The same, trusting what `tls` trusts (tests, with their own certificate authority).
    #[cfg(test)]
    pub fn with_tls(endpoint: Endpoint, tls: Arc<ClientConfig>) -> Self {
        let pool = Self::new(endpoint);
        let _ = pool.tls.set(Ok(TlsConnector::from(tls)));
        pool
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Sends `request` and reads its answer, on an idle connection when there is one. A kept
    /// connection the server had already closed (it closes idle ones: dynalite after 5 s) is
    /// replaced by a new one once, before any answer was read, so the request is sent only where
    /// it can be answered.
    pub async fn exchange(&self, request: &[u8], connect_timeout: Duration) -> Result<Answer, ExchangeError> {
        if let Some(mut conn) = self.checkout() {
            match conn.exchange(request).await {
                Err(Failure::Closed) => {}
                Err(other) => return Err(other.into()),
                Ok(answer) => return Ok(self.checkin(conn, answer)),
            }
        }
        let mut conn = self.connect(connect_timeout).await?;
        let answer = conn.exchange(request).await?;
        Ok(self.checkin(conn, answer))
    }

    fn checkout(&self) -> Option<Conn> {
        let mut idle = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // The most recently used first: the likeliest to be open, and the rest can age out.
        while let Some(conn) = idle.pop() {
            if conn.idle_since.elapsed() < IDLE_FOR && conn.is_open() {
                return Some(conn);
            }
        }
        None
    }

    fn checkin(&self, mut conn: Conn, answer: Answer) -> Answer {
        if answer.reusable {
            conn.idle_since = Instant::now();
            let mut idle = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            // The oldest are at the front: after a burst, the connections it opened and no longer
            // needs are closed here once they have aged, not kept open until the pool drains.
            let aged = idle.iter().take_while(|c| c.idle_since.elapsed() >= IDLE_FOR).count();
            idle.drain(..aged);
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
        answer
    }

    async fn connect(&self, timeout: Duration) -> Result<Conn, ExchangeError> {
        let endpoint = &self.endpoint;
        let failed = |source| ExchangeError::Connect {
            authority: endpoint.authority.clone(),
            source,
        };
        let connecting = async {
            let tcp = TcpStream::connect((endpoint.host.as_str(), endpoint.port))
                .await
                .map_err(failed)?;
            tcp.set_nodelay(true).map_err(failed)?;
            if !endpoint.tls {
                return Ok::<_, ExchangeError>(Stream::Plain(tcp));
            }
            let connector = self
                .tls
                .get_or_init(|| platform_tls().map(TlsConnector::from))
                .as_ref()
                .map_err(|e| failed(io::Error::other(e.clone())))?;
            let name = ServerName::try_from(endpoint.host.clone()).map_err(|e| failed(io::Error::other(e)))?;
            let tls = connector.connect(name, tcp).await.map_err(failed)?;
            Ok(Stream::Tls(Box::new(tls)))
        };
        let stream = tokio::time::timeout(timeout, connecting)
            .await
            .map_err(|_| ExchangeError::ConnectTimeout(endpoint.authority.clone()))??;
        Ok(Conn {
            stream,
            buf: BytesMut::with_capacity(8 * 1024),
            idle_since: Instant::now(),
        })
    }
}

impl Conn {
    async fn exchange(&mut self, request: &[u8]) -> Result<Answer, Failure> {
        match self.stream.write_all(request).await {
            Ok(()) => {}
            // Refused at once: the server had closed this connection.
            Err(e) if matches!(e.kind(), io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset) => {
                return Err(Failure::Closed);
            }
            Err(e) => return Err(e.into()),
        }
        self.stream.flush().await?;
        match http1::read_answer(&mut self.stream, &mut self.buf).await {
            // A reset, or a TLS connection ended without its close alert, before any answer.
            Err(Failure::Io(e))
                if matches!(e.kind(), io::ErrorKind::ConnectionReset | io::ErrorKind::UnexpectedEof)
                    && self.buf.is_empty() =>
            {
                Err(Failure::Closed)
            }
            other => other,
        }
    }

    /// Whether an idle connection can carry a request: nothing may arrive on it while idle, so
    /// anything readable (the server's close, a TLS close alert) means it is done. No system call
    /// unless the runtime saw it become readable.
    fn is_open(&self) -> bool {
        let tcp = match &self.stream {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => tls.get_ref().0,
        };
        matches!(tcp.try_read(&mut [0_u8; 1]), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }
}

/// The platform's verifier (the system's trusted roots on Lambda's Amazon Linux), offering
/// HTTP/1.1: read once per process, on the first TLS connection.
pub fn platform_tls() -> Result<Arc<ClientConfig>, String> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(BuilderVerifierExt::with_platform_verifier)
        .map_err(|e| format!("TLS for DynamoDB cannot be set up: {e}"))?
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

impl AsyncRead for Stream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_read_with_their_default_ports_and_bad_ones_named() {
        let aws = Endpoint::parse("https://dynamodb.eu-west-1.amazonaws.com").expect("aws");
        assert_eq!(
            (aws.host.as_str(), aws.port, aws.authority.as_str(), aws.tls),
            (
                "dynamodb.eu-west-1.amazonaws.com",
                443,
                "dynamodb.eu-west-1.amazonaws.com",
                true
            )
        );
        let local = Endpoint::parse("http://127.0.0.1:8000/").expect("local");
        assert_eq!(
            (local.host.as_str(), local.port, local.authority.as_str(), local.tls),
            ("127.0.0.1", 8000, "127.0.0.1:8000", false)
        );
        let default_port = Endpoint::parse("http://localhost:80").expect("port 80");
        assert_eq!((default_port.port, default_port.authority.as_str()), (80, "localhost"));
        let v6 = Endpoint::parse("http://[::1]:8000").expect("v6");
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 8000));
        for bad in [
            "dynamodb here",
            "ftp://x",
            "http://",
            "http://h/path",
            "http://h:port",
            "http://u@h",
        ] {
            let err = Endpoint::parse(bad).err().unwrap_or_else(|| panic!("{bad} accepted"));
            assert!(err.contains("AWS_ENDPOINT_URL_DYNAMODB"), "{err}");
        }
    }
}
