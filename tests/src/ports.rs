//! Loopback ports: a free one for a server to take, and one that refuses every connection.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};

/// A port that was free a moment ago. Another process may take it before our server does, so the
/// caller must notice a bind failure and retry.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("cannot bind a loopback port")
}

/// A loopback port held bound but never listening: connections to it are refused at once, and no
/// other server can take it while this value lives.
pub struct RefusedPort {
    port: u16,
    _socket: tokio::net::TcpSocket,
}

impl RefusedPort {
    pub fn new() -> Self {
        let socket = tokio::net::TcpSocket::new_v4().expect("cannot create a TCP socket");
        socket
            .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .expect("cannot bind a loopback port");
        let port = socket.local_addr().expect("bound socket has an address").port();
        Self { port, _socket: socket }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A Slack-webhook-shaped URL on the refusing port.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/services/T000/B000/XXXX", self.port)
    }
}

impl Default for RefusedPort {
    fn default() -> Self {
        Self::new()
    }
}
