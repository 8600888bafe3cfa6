//! `heartbeat run --tty`: the job's stdout and stderr on one pseudo-terminal. A program writing to a
//! terminal flushes each line (Python, C's stdio), and both streams reach us through one channel in
//! the order they were written; through two pipes, neither holds.

use rustix::fd::OwnedFd;
use rustix::fs::{Mode, OFlags};
use rustix::pty::OpenptFlags;
use rustix::termios::{OptionalActions, OutputModes};
use std::io;
use std::pin::Pin;
use std::process::Stdio;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;

/// Chunks read but not yet taken: a job writing faster than we pass its output on waits for us.
const QUEUED_CHUNKS: usize = 8;

/// Our end of the terminal, read as the job writes. A thread of its own reads it, so a process the
/// job left behind holding the terminal open cannot keep the client from exiting.
pub struct Terminal {
    chunks: mpsc::Receiver<Vec<u8>>,
    pending: Vec<u8>,
}

/// The job's end, given to it as stdout and stderr.
pub struct JobEnd(OwnedFd);

impl JobEnd {
    /// The job's stdout and stderr, both this terminal.
    pub fn stdout_and_stderr(self) -> io::Result<(Stdio, Stdio)> {
        let second = self.0.try_clone()?;
        Ok((Stdio::from(self.0), Stdio::from(second)))
    }
}

/// A new pseudo-terminal that passes the job's bytes on unchanged (no `\n` → `\r\n`). It is not made
/// the job's controlling terminal: the job keeps our stdin and its process group, so signals and
/// Ctrl-C reach it as without `--tty`.
pub fn open() -> io::Result<(Terminal, JobEnd)> {
    let ours = rustix::pty::openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY)?;
    // Our end is ours alone: a job holding it could read its own output.
    rustix::io::fcntl_setfd(&ours, rustix::io::FdFlags::CLOEXEC)?;
    rustix::pty::grantpt(&ours)?;
    rustix::pty::unlockpt(&ours)?;
    let name = rustix::pty::ptsname(&ours, Vec::new())?;
    let job = rustix::fs::open(
        name.as_c_str(),
        OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let mut modes = rustix::termios::tcgetattr(&job)?;
    modes.output_modes.remove(OutputModes::OPOST);
    rustix::termios::tcsetattr(&job, OptionalActions::Now, &modes)?;

    let (sender, chunks) = mpsc::channel(QUEUED_CHUNKS);
    std::thread::Builder::new()
        .name("tty-reader".into())
        .spawn(move || read_all(&ours, &sender))?;
    Ok((
        Terminal {
            chunks,
            pending: Vec::new(),
        },
        JobEnd(job),
    ))
}

/// Reads until every process holding the job's end has closed it (Linux then answers EIO, others
/// end of file) or until nobody takes the chunks any more.
fn read_all(ours: &OwnedFd, sender: &mpsc::Sender<Vec<u8>>) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        match rustix::io::read(ours, &mut buffer[..]) {
            Ok(0) => return,
            Ok(read) => {
                if sender.blocking_send(buffer[..read].to_vec()).is_err() {
                    return;
                }
            }
            Err(rustix::io::Errno::INTR) => continue,
            Err(_) => return,
        }
    }
}

impl AsyncRead for Terminal {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pending.is_empty() {
            match ready!(this.chunks.poll_recv(cx)) {
                Some(chunk) => this.pending = chunk,
                // The end of the output.
                None => return Poll::Ready(Ok(())),
            }
        }
        let taken = this.pending.len().min(buf.remaining());
        buf.put_slice(&this.pending[..taken]);
        this.pending.drain(..taken);
        Poll::Ready(Ok(()))
    }
}
