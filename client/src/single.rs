//! `heartbeat pulse|start|fail`: one signal, for scripts that run their job themselves.

use crate::deliver::Delivery;
use crate::report::{Report, Signal};
use crate::tail::Tail;
use crate::target::Target;
use crate::warn::Warn;
use std::ffi::OsStr;
use std::io::Read;

/// The log given as `--log FILE` (or `-` for stdin), as its last 10,000 bytes.
pub fn read_log(path: &OsStr) -> std::io::Result<String> {
    let mut tail = Tail::default();
    let mut reader: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path)?)
    };
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut buffer)? {
            0 => break,
            read => tail.push(&buffer[..read]),
        }
    }
    Ok(tail.text())
}

/// Sends `report`; a report that does not get through is a warning, and the exit code stays 0 so
/// that a script's own outcome is not changed by the service.
pub async fn send(target: &Target, delivery: &Delivery, report: Report, warn: Warn) -> u8 {
    let signal: Signal = report.signal;
    warn.outcome(signal, &delivery.send(&target.request(&report)).await);
    0
}
