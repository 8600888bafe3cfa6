//! When the local runtime trims a pulse's history. Dynalite has no TTL, so the store deletes what a
//! pulse may no longer keep itself. A trim reads every key of the pulse's history, so it runs
//! rarely: on a pulse's first write after the process starts, then whenever its writes since the
//! last trim take it `slack` past its cap. A pulse so holds at most `keep + slack` events; the
//! readers (the API's cursor, the detail page) never show more than the newest `keep`.

use crate::model::PulseId;
use std::collections::HashMap;
use std::sync::Mutex;

/// Rules only: the store asks, runs the trim, and reports what it left.
#[derive(Debug)]
pub struct LocalTrim {
    keep: usize,
    slack: usize,
    tallies: Mutex<HashMap<PulseId, Tally>>,
}

/// What the store knows of one pulse's history: `stored` is an upper bound once `known`.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    known: bool,
    stored: usize,
}

/// The tally when a trim began: writes that land during the trim are added to what it left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark(usize);

impl LocalTrim {
    pub fn new(keep: usize, slack: usize) -> Self {
        Self {
            keep,
            slack,
            tallies: Mutex::default(),
        }
    }

    /// How many events a pulse keeps.
    pub fn keep(&self) -> usize {
        self.keep
    }

    /// Counts one written event; `Some` when the pulse's history is to be trimmed now.
    pub fn wrote(&self, pulse: &PulseId) -> Option<Mark> {
        let mut tallies = self.tallies.lock().unwrap_or_else(|e| e.into_inner());
        let tally = tallies.entry(pulse.clone()).or_default();
        tally.stored += 1;
        (!tally.known || tally.stored > self.keep + self.slack).then_some(Mark(tally.stored))
    }

    /// A trim that began at `mark` left `kept` events. Writes counted since the mark may or may not
    /// be among them; counting them again only brings the next trim forward.
    pub fn trimmed(&self, pulse: &PulseId, mark: Mark, kept: usize) {
        let mut tallies = self.tallies.lock().unwrap_or_else(|e| e.into_inner());
        let tally = tallies.entry(pulse.clone()).or_default();
        tally.stored = kept + tally.stored.saturating_sub(mark.0);
        tally.known = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PulseKey;

    fn id(name: &str) -> PulseId {
        PulseKey::parse(Some("web-1"), Some("jobs"), Some("cron"), Some(name))
            .unwrap()
            .id()
    }

    #[test]
    fn the_first_write_trims_then_only_a_write_past_the_slack() {
        let trim = LocalTrim::new(3, 2);
        let a = id("a");
        let mark = trim.wrote(&a).expect("the first write after a start trims");
        trim.trimmed(&a, mark, 3);
        assert_eq!(trim.wrote(&a), None, "4 of 3 + 2");
        assert_eq!(trim.wrote(&a), None, "5 of 3 + 2");
        let mark = trim.wrote(&a).expect("6 passes 3 + 2");
        trim.trimmed(&a, mark, 3);
        assert_eq!(trim.wrote(&a), None, "4 again");
        assert!(trim.wrote(&id("b")).is_some(), "each pulse has its own tally");
    }

    #[test]
    fn writes_during_a_trim_are_counted_after_it() {
        let trim = LocalTrim::new(3, 0);
        let a = id("a");
        let mark = trim.wrote(&a).unwrap();
        // Two writes land while the trim runs; it saw neither.
        trim.wrote(&a);
        trim.wrote(&a);
        trim.trimmed(&a, mark, 2);
        assert_eq!(
            trim.wrote(&a),
            Some(Mark(5)),
            "2 kept + 2 written since + this one: past 3"
        );
    }
}
