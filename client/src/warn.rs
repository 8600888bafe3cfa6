//! Warnings on stderr: a report that did not get through is worth knowing about, never worth failing for.

use crate::deliver::{Sent, Undelivered};
use crate::report::Signal;

#[derive(Debug, Clone, Copy)]
pub struct Warn {
    pub quiet: bool,
}

impl Warn {
    pub fn say(&self, text: &str) {
        if !self.quiet {
            eprintln!("heartbeat: warning: {text}");
        }
    }

    pub fn undelivered(&self, signal: Signal, undelivered: &Undelivered) {
        self.say(&format!("the {} was not reported: {undelivered}", signal.noun()));
    }

    /// Says what did not get through of a report; nothing when all of it did.
    pub fn outcome(&self, signal: Signal, outcome: &Result<Sent, Undelivered>) {
        match outcome {
            Ok(Sent { without_log: true, .. }) => self.say(&format!(
                "the {} was reported without its log: the service does not take logs (an older version?)",
                signal.noun()
            )),
            Ok(_) => {}
            Err(undelivered) => self.undelivered(signal, undelivered),
        }
    }
}
