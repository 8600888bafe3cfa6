//! HTTP/1.1 on one kept-alive connection, as much of it as DynamoDB's JSON API needs: a POST of a
//! known length out; a status line, headers and a body (by length, chunked, or up to the close)
//! back. Written here rather than taken from reqwest because reqwest's general client (a connection
//! task per connection, a channel to it, header maps, URL parsing, a pool keyed by scheme and
//! authority) cost a pulse about as much CPU as everything else it does (docs/PERFORMANCE.md).
//! Parsing is httparse's, the parser hyper uses.

use bytes::{Buf, Bytes, BytesMut};
use std::io;
use tokio::io::{AsyncRead, AsyncReadExt};

/// A head longer than this is not DynamoDB's: the exchange fails rather than read on.
const MAX_HEAD: usize = 64 * 1024;
/// DynamoDB's largest answer to the requests sent here is an item (400 KB) in JSON.
const MAX_BODY: usize = 16 * 1024 * 1024;
const MAX_HEADERS: usize = 64;

/// An answer read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
    /// The connection may carry the next request: HTTP/1.1, no `connection: close`, the body's end
    /// known, and nothing after it.
    pub reusable: bool,
}

/// Why an exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The peer closed the connection before the first byte of an answer: on a connection taken
    /// from the pool, the server had closed it while idle.
    #[error("the connection was closed before an answer")]
    Closed,
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("the answer could not be read: {0}")]
    Malformed(String),
}

/// `POST {path}` with `headers` and `body`, as one buffer for one write. Header values must not hold
/// line breaks (the caller's values are its own constants, a date and signatures: checked anyway,
/// since a break would let a value add headers).
pub fn request(path: &str, host: &str, headers: &[(&str, &str)], body: &[u8]) -> Result<Vec<u8>, String> {
    let head_len = 64 + path.len() + host.len() + headers.iter().map(|(n, v)| n.len() + v.len() + 4).sum::<usize>();
    let mut out = Vec::with_capacity(head_len + body.len());
    out.extend_from_slice(b"POST ");
    out.extend_from_slice(path.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\nhost: ");
    out.extend_from_slice(host.as_bytes());
    out.extend_from_slice(b"\r\n");
    for (name, value) in headers {
        if value.bytes().any(|b| b == b'\r' || b == b'\n') || name.bytes().any(|b| b == b'\r' || b == b'\n') {
            return Err(format!("the header {name} holds a line break"));
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"content-length: ");
    out.extend_from_slice(body.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n\r\n");
    out.extend_from_slice(body);
    Ok(out)
}

/// How the body's end is known.
enum Framing {
    Length(usize),
    Chunked,
    UntilClose,
}

/// Reads one answer from `stream` through `buf`, which holds whatever was read past the previous
/// answer (nothing, on a connection that is reused) and is kept so that its memory is reused.
pub async fn read_answer<S: AsyncRead + Unpin>(stream: &mut S, buf: &mut BytesMut) -> Result<Answer, Failure> {
    let (status, head_len, framing, close) = loop {
        if let Some(head) = parse_head(buf)? {
            let (status, head_len, ..) = head;
            if (100..200).contains(&status) {
                // An interim answer (DynamoDB sends none, since no `expect` is sent): skip it.
                buf.advance(head_len);
                continue;
            }
            break head;
        }
        if buf.len() > MAX_HEAD {
            return Err(Failure::Malformed(format!("a head longer than {MAX_HEAD} bytes")));
        }
        if fill(stream, buf).await? == 0 {
            return Err(if buf.is_empty() {
                Failure::Closed
            } else {
                Failure::Malformed("the connection closed inside the head".into())
            });
        }
    };
    buf.advance(head_len);
    let (body, delimited) = match framing {
        _ if status == 204 || status == 304 => (Bytes::new(), true),
        Framing::Length(length) => (read_length(stream, buf, length).await?, true),
        Framing::Chunked => (read_chunked(stream, buf).await?, true),
        Framing::UntilClose => (read_to_close(stream, buf).await?, false),
    };
    Ok(Answer {
        status,
        body,
        reusable: delimited && !close && buf.is_empty(),
    })
}

/// The status, the head's length, the framing and whether the server closes after this answer;
/// `None` while the head is incomplete.
fn parse_head(buf: &[u8]) -> Result<Option<(u16, usize, Framing, bool)>, Failure> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut head = httparse::Response::new(&mut headers);
    let head_len = match head.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(Failure::Malformed(e.to_string())),
    };
    let status = head.code.unwrap_or_default();
    let mut close = head.version != Some(1);
    let mut framing = Framing::UntilClose;
    for header in head.headers.iter() {
        let value = || std::str::from_utf8(header.value).unwrap_or_default().trim();
        if header.name.eq_ignore_ascii_case("content-length") {
            let length = value()
                .parse::<usize>()
                .map_err(|_| Failure::Malformed(format!("content-length {:?}", value())))?;
            if !matches!(framing, Framing::Chunked) {
                framing = Framing::Length(length);
            }
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            // Chunked wins over a length (RFC 9112, 6.3).
            if value().to_ascii_lowercase().ends_with("chunked") {
                framing = Framing::Chunked;
            }
        } else if header.name.eq_ignore_ascii_case("connection") {
            let value = value().to_ascii_lowercase();
            close = value.contains("close") || (close && !value.contains("keep-alive"));
        }
    }
    Ok(Some((status, head_len, framing, close)))
}

/// Reads more of the answer; 0 at the end of the stream.
async fn fill<S: AsyncRead + Unpin>(stream: &mut S, buf: &mut BytesMut) -> io::Result<usize> {
    buf.reserve(8 * 1024);
    stream.read_buf(buf).await
}

async fn read_length<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut BytesMut,
    length: usize,
) -> Result<Bytes, Failure> {
    if length > MAX_BODY {
        return Err(Failure::Malformed(format!("a body of {length} bytes")));
    }
    while buf.len() < length {
        if fill(stream, buf).await? == 0 {
            return Err(Failure::Malformed("the connection closed inside the body".into()));
        }
    }
    // Copied out rather than split off, so the buffer stays this connection's own and its memory
    // is reused by the next answer instead of allocated again.
    let body = Bytes::copy_from_slice(&buf[..length]);
    buf.advance(length);
    Ok(body)
}

async fn read_chunked<S: AsyncRead + Unpin>(stream: &mut S, buf: &mut BytesMut) -> Result<Bytes, Failure> {
    let mut body = BytesMut::new();
    loop {
        let (size_len, size) = loop {
            match httparse::parse_chunk_size(buf) {
                Ok(httparse::Status::Complete(found)) => break found,
                Ok(httparse::Status::Partial) => more(stream, buf, "a chunk's size").await?,
                Err(_) => return Err(Failure::Malformed("a chunk's size is not hexadecimal".into())),
            }
        };
        buf.advance(size_len);
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        if size == 0 {
            // The trailers, if any, end with an empty line.
            loop {
                if buf.starts_with(b"\r\n") {
                    buf.advance(2);
                    return Ok(body.freeze());
                }
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    buf.advance(end + 4);
                    return Ok(body.freeze());
                }
                more(stream, buf, "the trailers").await?;
            }
        }
        if body.len().saturating_add(size) > MAX_BODY {
            return Err(Failure::Malformed(format!("a body over {MAX_BODY} bytes")));
        }
        while buf.len() < size + 2 {
            more(stream, buf, "a chunk").await?;
        }
        body.extend_from_slice(&buf[..size]);
        if &buf[size..size + 2] != b"\r\n" {
            return Err(Failure::Malformed("a chunk does not end where its size says".into()));
        }
        buf.advance(size + 2);
    }
}

async fn read_to_close<S: AsyncRead + Unpin>(stream: &mut S, buf: &mut BytesMut) -> Result<Bytes, Failure> {
    while fill(stream, buf).await? > 0 {
        if buf.len() > MAX_BODY {
            return Err(Failure::Malformed(format!("a body over {MAX_BODY} bytes")));
        }
    }
    Ok(buf.split().freeze())
}

async fn more<S: AsyncRead + Unpin>(stream: &mut S, buf: &mut BytesMut, inside: &str) -> Result<(), Failure> {
    if fill(stream, buf).await? == 0 {
        return Err(Failure::Malformed(format!("the connection closed inside {inside}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads answers from `bytes` delivered `step` bytes at a time, as a slow network would.
    async fn answers(bytes: &[u8], step: usize, count: usize) -> Vec<Result<Answer, Failure>> {
        let mut builder = tokio_test_stream(bytes, step);
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for _ in 0..count {
            out.push(read_answer(&mut builder, &mut buf).await);
        }
        out
    }

    fn tokio_test_stream(bytes: &[u8], step: usize) -> impl AsyncRead + Unpin {
        let (mut client, server) = tokio::io::duplex(64 * 1024);
        let bytes = bytes.to_vec();
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            for chunk in bytes.chunks(step.max(1)) {
                if client.write_all(chunk).await.is_err() {
                    return;
                }
                tokio::task::yield_now().await;
            }
        });
        server
    }

    #[tokio::test]
    async fn answers_by_length_follow_each_other_on_one_connection_in_any_pieces() {
        let two = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 400 Bad Request\r\ncontent-length: 5\r\nx-amzn-requestid: r\r\n\r\n{\"a\"}";
        for step in [1, 3, 7, two.len()] {
            let [first, second] = answers(two, step, 2).await.try_into().expect("two");
            let first = first.expect("first");
            assert_eq!((first.status, &first.body[..]), (200, &b"{}"[..]));
            let second = second.expect("second");
            assert_eq!((second.status, &second.body[..]), (400, &b"{\"a\"}"[..]));
            // Reading the first never swallows the second.
            assert!(second.reusable, "step {step}");
        }
    }

    #[tokio::test]
    async fn a_chunked_answer_is_joined_and_its_trailers_skipped() {
        let bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3;x=y\r\n:1}\r\n0\r\nx-trailer: t\r\n\r\n";
        for step in [1, 5, bytes.len()] {
            let [answer] = answers(bytes, step, 1).await.try_into().expect("one");
            let answer = answer.expect("read");
            assert_eq!(&answer.body[..], b"{\"a\":1}");
            assert!(answer.reusable);
        }
    }

    #[tokio::test]
    async fn a_close_or_an_undelimited_body_keeps_the_connection_out_of_the_pool() {
        let closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}";
        let [answer] = answers(closing, 100, 1).await.try_into().expect("one");
        assert!(!answer.expect("read").reusable);
        let to_close = b"HTTP/1.1 200 OK\r\n\r\n{\"until\":\"close\"}";
        let [answer] = answers(to_close, 4, 1).await.try_into().expect("one");
        let answer = answer.expect("read");
        assert_eq!(&answer.body[..], b"{\"until\":\"close\"}");
        assert!(!answer.reusable);
        let old = b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
        let [answer] = answers(old, 100, 1).await.try_into().expect("one");
        assert!(!answer.expect("read").reusable, "HTTP/1.0 closes by default");
    }

    #[tokio::test]
    async fn a_connection_closed_before_or_inside_an_answer_says_which() {
        let [before] = answers(b"", 1, 1).await.try_into().expect("one");
        assert!(matches!(before, Err(Failure::Closed)), "{before:?}");
        let [inside] = answers(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}", 1, 1)
            .await
            .try_into()
            .expect("one");
        assert!(
            matches!(inside, Err(Failure::Malformed(ref m)) if m.contains("inside the body")),
            "{inside:?}"
        );
        let [head] = answers(b"HTTP/1.1 200 OK\r\nContent-", 1, 1)
            .await
            .try_into()
            .expect("one");
        assert!(matches!(head, Err(Failure::Malformed(_))), "{head:?}");
    }

    #[tokio::test]
    async fn garbage_an_oversized_body_or_a_bad_length_fail_clearly() {
        for (bytes, says) in [
            (&b"SMTP ready\r\n\r\n"[..], "HTTP"),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n", "bytes"),
            (b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", "content-length"),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "hexadecimal",
            ),
        ] {
            let [answer] = answers(bytes, 100, 1).await.try_into().expect("one");
            let err = answer.expect_err("refused").to_string();
            assert!(err.contains(says), "{err}");
        }
    }

    #[tokio::test]
    async fn an_interim_answer_is_skipped() {
        let bytes = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
        let [answer] = answers(bytes, 3, 1).await.try_into().expect("one");
        assert_eq!(answer.expect("read").status, 200);
    }

    #[test]
    fn a_request_is_one_buffer_and_refuses_a_line_break_in_a_header() {
        let bytes = request("/", "dynamodb.eu-west-1.amazonaws.com", &[("x-amz-target", "T")], b"{}").expect("built");
        assert_eq!(
            String::from_utf8(bytes).expect("text"),
            "POST / HTTP/1.1\r\nhost: dynamodb.eu-west-1.amazonaws.com\r\nx-amz-target: T\r\ncontent-length: 2\r\n\r\n{}"
        );
        let err = request("/", "h", &[("x-amz-security-token", "a\r\nx-evil: 1")], b"").expect_err("refused");
        assert!(err.contains("x-amz-security-token"), "{err}");
    }
}
