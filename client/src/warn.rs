//! Warnings on stderr: a report that did not get through is worth knowing about, never worth failing for.

use crate::deliver::Undelivered;
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
}
