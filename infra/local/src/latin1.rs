//! The original Node client writes its query unencoded, and Node sends a character such as `ü` as
//! the one Latin-1 byte 0xFC. Hyper refuses a request target that is not UTF-8 before any handler
//! could read it, so this reader percent-escapes every byte above 0x7F in the target of each request
//! line on its way in (`ü` as `%FC`, UTF-8's `ü` as `%C3%BC`). The handlers then read the query as
//! they do on AWS, where API Gateway decodes it; every other byte passes through unchanged, and hyper
//! still parses and answers everything itself.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Where in the request stream the next byte is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// In a request line, after `spaces` spaces; the target lies between the first and the second.
    RequestLine { spaces: u8 },
    /// In the header block: the current line so far, the Content-Length seen, whether chunked.
    Headers { line: Vec<u8>, length: u64, chunked: bool },
    /// This many body bytes before the next request line.
    Body(u64),
    /// A chunked body, or a head hyper will refuse anyway: the rest of the connection as it is.
    Through,
}

/// Longer header lines are hyper's to refuse; we stop following the stream.
const MAX_HEADER_LINE: usize = 64 * 1024;

/// The byte-level rewrite, apart from any I/O so that it can be tested on its own.
#[derive(Debug)]
pub struct Escaper {
    state: State,
}

impl Default for Escaper {
    fn default() -> Self {
        Self {
            state: State::RequestLine { spaces: 0 },
        }
    }
}

impl Escaper {
    /// Appends `input`, rewritten, to `out`. Each input byte gives one or three output bytes.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let mut rest = input;
        while let Some((&byte, tail)) = rest.split_first() {
            match &mut self.state {
                State::Through => {
                    out.extend_from_slice(rest);
                    return;
                }
                State::Body(left) => {
                    let take = usize::try_from(*left).unwrap_or(usize::MAX).min(rest.len());
                    out.extend_from_slice(&rest[..take]);
                    *left -= take as u64;
                    if *left == 0 {
                        self.state = State::RequestLine { spaces: 0 };
                    }
                    rest = &rest[take..];
                    continue;
                }
                State::RequestLine { spaces } => {
                    if byte > 0x7F && *spaces == 1 {
                        out.extend_from_slice(format!("%{byte:02X}").as_bytes());
                    } else {
                        out.push(byte);
                    }
                    match byte {
                        // A line with no space yet is one of the blank lines allowed before a request.
                        b'\n' if *spaces > 0 => {
                            self.state = State::Headers {
                                line: Vec::new(),
                                length: 0,
                                chunked: false,
                            };
                        }
                        b' ' => *spaces = spaces.saturating_add(1),
                        _ => {}
                    }
                }
                State::Headers { line, length, chunked } => {
                    out.push(byte);
                    if byte != b'\n' {
                        line.push(byte);
                        if line.len() > MAX_HEADER_LINE {
                            self.state = State::Through;
                        }
                    } else if line.is_empty() || line == b"\r" {
                        self.state = match (*chunked, *length) {
                            (true, _) => State::Through,
                            (false, 0) => State::RequestLine { spaces: 0 },
                            (false, n) => State::Body(n),
                        };
                    } else {
                        match header(line) {
                            Header::Length(Some(n)) => *length = n,
                            // Hyper refuses the request; nothing after it is ours to follow.
                            Header::Length(None) => self.state = State::Through,
                            Header::Chunked => *chunked = true,
                            Header::Other => {}
                        }
                        if let State::Headers { line, .. } = &mut self.state {
                            line.clear();
                        }
                    }
                }
            }
            rest = tail;
        }
    }
}

enum Header {
    Length(Option<u64>),
    Chunked,
    Other,
}

fn header(line: &[u8]) -> Header {
    let Some(colon) = line.iter().position(|b| *b == b':') else {
        return Header::Other;
    };
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    let value = std::str::from_utf8(value).map(str::trim);
    if name.eq_ignore_ascii_case(b"content-length") {
        Header::Length(value.ok().and_then(|v| v.parse().ok()))
    } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
        Header::Chunked
    } else {
        Header::Other
    }
}

/// A connection whose incoming request targets are escaped by an [`Escaper`]; writes pass through.
pub struct EscapedTargets<S> {
    inner: S,
    escaper: Escaper,
    /// Rewritten bytes not yet handed to the reader.
    pending: Vec<u8>,
    taken: usize,
}

impl<S> EscapedTargets<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            escaper: Escaper::default(),
            pending: Vec::new(),
            taken: 0,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for EscapedTargets<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.taken == this.pending.len() {
            let mut raw = [0u8; 8 * 1024];
            let mut raw_buf = ReadBuf::new(&mut raw);
            match Pin::new(&mut this.inner).poll_read(cx, &mut raw_buf) {
                Poll::Ready(Ok(())) => {}
                other => return other,
            }
            if raw_buf.filled().is_empty() {
                return Poll::Ready(Ok(())); // end of stream
            }
            this.pending.clear();
            this.taken = 0;
            this.escaper.feed(raw_buf.filled(), &mut this.pending);
        }
        let n = buf.remaining().min(this.pending.len() - this.taken);
        buf.put_slice(&this.pending[this.taken..this.taken + n]);
        this.taken += n;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for EscapedTargets<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, data)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(input: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        Escaper::default().feed(input, &mut out);
        out
    }

    #[test]
    fn only_the_target_of_each_request_line_is_escaped() {
        let cases: [(&[u8], &[u8]); 6] = [
            (
                b"GET /heartbeat/pulse?name=Gr\xFC\xDFe HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /heartbeat/pulse?name=Gr%FC%DFe HTTP/1.1\r\nHost: x\r\n\r\n",
            ),
            (
                b"GET /p?n=\xC3\xBC HTTP/1.1\r\n\r\n",
                b"GET /p?n=%C3%BC HTTP/1.1\r\n\r\n",
            ),
            // Header values and bodies are left alone; the request after a body is escaped again.
            (
                b"POST /p?a=\xE9 HTTP/1.1\r\nX-Name: \xE9\r\ncontent-length: 3\r\n\r\n\xE9\n\xE9GET /q?\xE9 HTTP/1.1\r\n\r\n",
                b"POST /p?a=%E9 HTTP/1.1\r\nX-Name: \xE9\r\ncontent-length: 3\r\n\r\n\xE9\n\xE9GET /q?%E9 HTTP/1.1\r\n\r\n",
            ),
            // Blank lines before a request line.
            (b"\r\nGET /\xFF HTTP/1.1\r\n\r\n", b"\r\nGET /%FF HTTP/1.1\r\n\r\n"),
            // A chunked body is not followed: everything after its head passes as it is.
            (
                b"POST /\xFF HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n\xFF\r\n0\r\n\r\nGET /\xFF HTTP/1.1\r\n\r\n",
                b"POST /%FF HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n\xFF\r\n0\r\n\r\nGET /\xFF HTTP/1.1\r\n\r\n",
            ),
            // Nor is a length hyper will refuse.
            (
                b"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\nGET /\xFF HTTP/1.1\r\n",
                b"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\nGET /\xFF HTTP/1.1\r\n",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                String::from_utf8_lossy(&escaped(input)),
                String::from_utf8_lossy(expected),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn a_stream_split_anywhere_is_rewritten_the_same() {
        let input = b"POST /p?a=\xE9 HTTP/1.1\r\nContent-Length: 2\r\n\r\n\xE9\xE9GET /q?b=\xFC HTTP/1.1\r\n\r\n";
        let whole = escaped(input);
        for split in 0..input.len() {
            let mut escaper = Escaper::default();
            let mut out = Vec::new();
            escaper.feed(&input[..split], &mut out);
            escaper.feed(&input[split..], &mut out);
            assert_eq!(out, whole, "split at {split}");
        }
    }
}
