//! A first look at each connection's request head, before hyper parses it. Hyper answers a head it
//! cannot parse with a bare status and no body; API Gateway never lets such a request through on AWS,
//! but locally the caller deserves the same complete, explained answer as any other bad request.

use heartbeat_shared::http::HttpError;
use std::time::Duration;
use tokio::net::TcpStream;

/// Larger heads are refused: no pulse or page needs more.
const MAX_HEAD: usize = 16 * 1024;
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
const ENCODE: &str = "percent-encode anything in the URL that is not plain ASCII or is reserved (é as %C3%A9, a space as %20, < as %3C, \" as %22)";

/// A head hyper would refuse: the path it asked for (as far as it can be read) and why.
#[derive(Debug)]
pub struct Refusal {
    pub path: String,
    pub error: HttpError,
}

/// `Ok(())` lets hyper serve the connection (it also handles heads that never complete, with its
/// own timeout); `Err` describes a head to refuse.
pub async fn screen(stream: &TcpStream) -> Result<(), Refusal> {
    let mut buf = vec![0u8; MAX_HEAD];
    let started = tokio::time::Instant::now();
    loop {
        let n = match stream.peek(&mut buf).await {
            Ok(0) | Err(_) => return Ok(()),
            Ok(n) => n,
        };
        match judge(&buf[..n], n == MAX_HEAD) {
            Verdict::Incomplete if started.elapsed() < HEAD_TIMEOUT => {
                // Peeking does not wait for more bytes; a head split over packets is rare on loopback.
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Verdict::Incomplete | Verdict::Fine => return Ok(()),
            Verdict::Refused(error) => {
                return Err(Refusal {
                    path: path_of(&buf[..n]),
                    error,
                });
            }
        }
    }
}

#[derive(Debug)]
enum Verdict {
    Fine,
    Incomplete,
    Refused(HttpError),
}

fn judge(bytes: &[u8], full: bool) -> Verdict {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    let malformed = |what: String| Verdict::Refused(HttpError::BadRequest(format!("{what}; {ENCODE}")));
    match request.parse(bytes) {
        Ok(httparse::Status::Complete(_)) => {
            // httparse is more lenient than the URI type hyper builds next (it lets `<` and `"` pass).
            if request.path.is_some_and(|p| p.parse::<hyper::Uri>().is_err()) {
                return malformed("the address has characters a URL may not carry".into());
            }
            let bad_length = request.headers.iter().any(|h| {
                h.name.eq_ignore_ascii_case("content-length")
                    && std::str::from_utf8(h.value)
                        .ok()
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .is_none()
            });
            if bad_length {
                return Verdict::Refused(HttpError::BadRequest(
                    "the Content-Length header is not a number".into(),
                ));
            }
            Verdict::Fine
        }
        Ok(httparse::Status::Partial) if full && !bytes.windows(2).any(|w| w == b"\r\n") => Verdict::Refused(
            HttpError::UriTooLong(format!("the address is longer than {MAX_HEAD} bytes")),
        ),
        Ok(httparse::Status::Partial) | Err(httparse::Error::TooManyHeaders) if full => Verdict::Refused(
            HttpError::HeadersTooLarge(format!("the request's headers are larger than {MAX_HEAD} bytes")),
        ),
        Ok(httparse::Status::Partial) => Verdict::Incomplete,
        Err(httparse::Error::TooManyHeaders) => Verdict::Refused(HttpError::HeadersTooLarge(
            "the request has more than 64 headers".into(),
        )),
        Err(e) => malformed(format!("the request line or a header is malformed ({e})")),
    }
}

/// The path of the request line, as far as it can be read, to answer in that route's format.
fn path_of(bytes: &[u8]) -> String {
    let line = bytes.split(|b| *b == b'\r' || *b == b'\n').next().unwrap_or_default();
    let target = line.split(|b| *b == b' ').nth(1).unwrap_or_default();
    let path = target.split(|b| *b == b'?').next().unwrap_or_default();
    String::from_utf8_lossy(path).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(bytes: &[u8], full: bool) -> Option<u16> {
        match judge(bytes, full) {
            Verdict::Refused(e) => Some(e.status().as_u16()),
            Verdict::Fine | Verdict::Incomplete => None,
        }
    }

    #[test]
    fn table() {
        assert!(matches!(
            judge(b"GET /heartbeat/pulse?host=a HTTP/1.1\r\nHost: x\r\n\r\n", false),
            Verdict::Fine
        ));
        assert!(matches!(
            judge(b"GET /heartbeat/pulse?host=a HTTP/1.1\r\nHo", false),
            Verdict::Incomplete
        ));
        assert_eq!(status(b"GET /heartbeat/pulse?host=a HTTP/1.1\r\nHo", true), Some(431));
        assert_eq!(status(b"GET /heartbeat/pulse?host=aaaaaaaa", true), Some(414));
        for bad in [
            &b"GET /heartbeat/pulse?host=a b HTTP/1.1\r\nHost: x\r\n\r\n"[..],
            b"GET /heartbeat/pulse?host=\xff HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /heartbeat/pulse?host=<x> HTTP/1.1\r\nHost: x\r\n\r\n",
            b"POST /heartbeat/pulse HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        ] {
            assert_eq!(status(bad, false), Some(400), "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(
            path_of(b"GET /Prod/heartbeat/dashboard?secret=\xff HTTP/1.1\r\n"),
            "/Prod/heartbeat/dashboard"
        );
    }
}
