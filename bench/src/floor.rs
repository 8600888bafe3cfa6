//! The floor under any pulse server on this machine: a process that makes the same HTTP exchanges a
//! heartbeat pulse makes (the GET in; an UpdateItem and a PutItem out to dynalite, side by side,
//! each on its own kept-alive connection; the answer back) and nothing else: every request's bytes
//! are made before the first pulse, nothing is signed, and a response is read only far enough to
//! find its status and length. One thread, as `heartbeat-local` runs. Its CPU per pulse is what
//! the kernel and the runtime charge for the I/O alone, so no implementation of the pulse can use
//! less; the CPU bench runs it beside the two servers (`heartbeat-bench --floor-server PORT
//! ENDPOINT TABLE WRITES`, a mode of this binary, so no other build is needed). With `WRITES` 1 it
//! makes the UpdateItem alone, as the Node.js handler does and heartbeat with `HISTORY_DAYS=0`.

use std::net::{Ipv4Addr, SocketAddr};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The mode's flag, first on the command line.
pub const FLAG: &str = "--floor-server";

const ANSWER: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nOK";

/// Serves until killed; `Err` only when it cannot start.
pub fn serve(args: &[String]) -> Result<(), String> {
    let [port, endpoint, table, writes] = args else {
        return Err(format!(
            "usage: heartbeat-bench {FLAG} PORT DYNAMODB_ENDPOINT TABLE WRITES(1|2)"
        ));
    };
    let history = match writes.as_str() {
        "1" => false,
        "2" => true,
        other => {
            return Err(format!(
                "WRITES is 1 (the UpdateItem) or 2 (and the history PutItem), not {other}"
            ));
        }
    };
    let port: u16 = port.parse().map_err(|_| format!("{port} is not a port"))?;
    let upstream = endpoint
        .strip_prefix("http://")
        .unwrap_or(endpoint)
        .parse::<SocketAddr>()
        .map_err(|e| format!("{endpoint}: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|e| format!("port {port}: {e}"))?;
        let mut connection = 0_usize;
        loop {
            let (client, _) = listener.accept().await.map_err(|e| e.to_string())?;
            connection += 1;
            let update = request(
                    "UpdateItem",
                    &format!(
                        r##"{{"TableName":"{table}","Key":{{"_id":{{"S":"floor-{connection}"}}}},"UpdateExpression":"SET #t = :t","ExpressionAttributeNames":{{"#t":"time"}},"ExpressionAttributeValues":{{":t":{{"N":"1"}}}}}}"##
                    ),
                );
            let event = history.then(|| {
                request(
                    "PutItem",
                    &format!(r#"{{"TableName":"{table}","Item":{{"_id":{{"S":"floor-event-{connection}"}}}}}}"#),
                )
            });
            tokio::spawn(async move {
                if let Err(err) = pulses(client, upstream, update, event).await {
                    eprintln!("floor: {err}");
                }
            });
        }
    })
}

/// One client connection: each GET is answered after its writes came back 200.
async fn pulses(
    mut client: TcpStream,
    upstream: SocketAddr,
    update: Vec<u8>,
    event: Option<Vec<u8>>,
) -> std::io::Result<()> {
    client.set_nodelay(true)?;
    let mut table = TcpStream::connect(upstream).await?;
    let mut history = TcpStream::connect(upstream).await?;
    table.set_nodelay(true)?;
    history.set_nodelay(true)?;
    let mut buffer = Vec::with_capacity(4096);
    let (mut a, mut b) = (Vec::with_capacity(4096), Vec::with_capacity(4096));
    loop {
        buffer.clear();
        if !read_head(&mut client, &mut buffer).await? {
            return Ok(());
        }
        match &event {
            Some(event) => {
                let (first, second) = tokio::join!(
                    exchange(&mut table, &update, &mut a),
                    exchange(&mut history, event, &mut b)
                );
                first?;
                second?;
            }
            None => exchange(&mut table, &update, &mut a).await?,
        }
        client.write_all(ANSWER).await?;
    }
}

async fn exchange(stream: &mut TcpStream, request: &[u8], buffer: &mut Vec<u8>) -> std::io::Result<()> {
    stream.write_all(request).await?;
    buffer.clear();
    if !read_head(stream, buffer).await? {
        return Err(std::io::Error::other("dynalite closed the connection"));
    }
    let head_end = find(buffer, b"\r\n\r\n").map_or(buffer.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
    if !head.starts_with("http/1.1 200") {
        let first = head.lines().next().unwrap_or_default();
        return Err(std::io::Error::other(format!("dynalite answered {first}")));
    }
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let mut chunk = [0_u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::other("dynalite closed the connection"));
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    Ok(())
}

/// Reads until the end of a head; `false` when the peer closed first.
async fn read_head(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> std::io::Result<bool> {
    let mut chunk = [0_u8; 4096];
    while find(buffer, b"\r\n\r\n").is_none() {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(false);
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    Ok(true)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A DynamoDB request as the SDK sends one, with a well-formed but unchecked signature (dynalite
/// checks the header's shape, not the signature).
fn request(target: &str, body: &str) -> Vec<u8> {
    format!(
        "POST / HTTP/1.1\r\nhost: dynamodb\r\ncontent-type: application/x-amz-json-1.0\r\n\
         x-amz-target: DynamoDB_20120810.{target}\r\nx-amz-date: 20261202T000000Z\r\n\
         authorization: AWS4-HMAC-SHA256 Credential=bench/20261202/us-east-1/dynamodb/aws4_request, \
         SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={sig}\r\n\
         content-length: {length}\r\n\r\n{body}",
        sig = "0".repeat(64),
        length = body.len()
    )
    .into_bytes()
}
