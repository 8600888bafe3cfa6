//! The wire client over TLS, against a local TLS server with a certificate of the test's own
//! authority: the handshake, the kept connection, and a certificate the client must not trust.

use super::*;
use aws_credential_types::Credentials;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore, ServerConfig};

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

struct TlsServer {
    port: u16,
    certificate: CertificateDer<'static>,
    connections: Arc<AtomicUsize>,
    /// The `host` header of every request.
    hosts: Arc<std::sync::Mutex<Vec<String>>>,
}

/// Answers every request on a connection with 200 and `{"n":K}`, K counting the connection's requests.
async fn tls_server() -> TlsServer {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let certificate = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der()));
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![certificate.clone()], key)
        .expect("server config");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let connections = Arc::new(AtomicUsize::new(0));
    let hosts = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (count, seen) = (connections.clone(), hosts.clone());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, count, seen) = (acceptor.clone(), count.clone(), seen.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let mut buf = Vec::new();
                for n in 1.. {
                    let Some(host) = read_request(&mut tls, &mut buf).await else {
                        return;
                    };
                    seen.lock().expect("hosts").push(host);
                    let body = format!(r#"{{"n":{n}}}"#);
                    let answer = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}", body.len());
                    if tls.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    TlsServer {
        port,
        certificate,
        connections,
        hosts,
    }
}

/// Reads one request (head and body by its length) and returns its `host`.
async fn read_request<S: tokio::io::AsyncRead + Unpin>(stream: &mut S, buf: &mut Vec<u8>) -> Option<String> {
    let mut chunk = [0_u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let field = |name: &str| {
                head.lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map(|v| v.trim().to_owned())
            };
            let length: usize = field("content-length:")?.parse().ok()?;
            while buf.len() < end + 4 + length {
                let n = stream.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
                buf.extend_from_slice(&chunk[..n]);
            }
            let host = field("host:")?;
            buf.drain(..end + 4 + length);
            return Some(host);
        }
        let n = stream.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn credentials() -> Source {
    Source::fixed(Credentials::new("AKIDEXAMPLE", "secret", None, None, "test"))
}

fn policy() -> Policy {
    Policy {
        attempts: 1,
        connect_timeout: Duration::from_secs(2),
        attempt_timeout: Duration::from_secs(2),
        call_timeout: Duration::from_secs(3),
        initial_backoff: Duration::from_millis(10),
    }
}

#[tokio::test]
async fn requests_go_over_tls_to_a_trusted_certificate_on_one_kept_connection() {
    let server = tls_server().await;
    let mut roots = RootCertStore::empty();
    roots.add(server.certificate.clone()).expect("root");
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let endpoint = format!("https://localhost:{}", server.port);
    let wire = Wire::with_tls(&endpoint, "eu-west-1".into(), credentials(), policy(), Arc::new(config));
    for n in 1..=3 {
        let answer = wire.call(Op::PutItem, b"{}".to_vec()).await.expect("answered over TLS");
        assert_eq!(answer, format!(r#"{{"n":{n}}}"#).as_bytes());
    }
    assert_eq!(server.connections.load(Ordering::SeqCst), 1, "one TLS connection, kept");
    let host = format!("localhost:{}", server.port);
    assert_eq!(
        *server.hosts.lock().expect("hosts"),
        vec![host.clone(), host.clone(), host]
    );
}

#[tokio::test]
async fn a_certificate_the_platform_does_not_trust_is_refused_and_named() {
    let server = tls_server().await;
    let endpoint = format!("https://localhost:{}", server.port);
    let wire = Wire::new(&endpoint, "eu-west-1".into(), credentials(), policy());
    let err = wire.call(Op::PutItem, b"{}".to_vec()).await.expect_err("not trusted");
    let text = format!("{err}");
    assert!(
        text.contains("localhost") && text.to_lowercase().contains("certificate"),
        "{text}"
    );
    assert!(server.hosts.lock().expect("hosts").is_empty(), "nothing was sent");
}
