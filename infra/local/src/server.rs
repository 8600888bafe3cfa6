//! The HTTP server: one task per connection, HTTP/1.1, bounded header and body reading times. Hyper
//! parses every request and answers the ones it cannot parse itself (400, 414, 431), as a web server
//! in front of the handlers would; API Gateway never forwards such requests to a Lambda.

use crate::Service;
use crate::latin1::EscapedTargets;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

pub struct Server {
    listener: TcpListener,
    service: Service,
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(
        "port {port} is already in use — is heartbeat already running? Stop it, or choose another port with HEARTBEAT_PORT"
    )]
    PortInUse { port: u16 },
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
}

impl Server {
    pub async fn bind(addr: SocketAddr, service: Service) -> Result<Self, ServerError> {
        let listener = TcpListener::bind(addr).await.map_err(|source| {
            if source.kind() == std::io::ErrorKind::AddrInUse {
                ServerError::PortInUse { port: addr.port() }
            } else {
                ServerError::Bind { addr, source }
            }
        })?;
        Ok(Self { listener, service })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves until the task is dropped.
    pub async fn serve(self) {
        loop {
            let (stream, _) = match self.listener.accept().await {
                Ok(conn) => conn,
                Err(err) => {
                    // Usually too many open files: wait instead of spinning.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let service = self.service.clone();
            tokio::spawn(async move {
                let handler = service_fn(move |req| {
                    let service = service.clone();
                    async move { Ok::<_, Infallible>(service.handle(req).await) }
                });
                let conn = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(10))
                    .serve_connection(TokioIo::new(EscapedTargets::new(stream)), handler);
                if let Err(err) = conn.await {
                    tracing::debug!(error = %err, "connection ended with an error");
                }
            });
        }
    }
}
