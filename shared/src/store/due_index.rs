//! The due index: a sparse global secondary index over `dueShard` (partition) and `dueAt` (sort),
//! projecting only the keys. Only items that carry both are in it; the monitor queries each shard for
//! `dueAt <= now` and reads the items themselves with BatchGetItem. A steady pulse writes neither key,
//! so it costs the index nothing; the monitor moves `dueAt` about once per threshold period. Why 32
//! shards and why keys only: docs/PERFORMANCE.md has the arithmetic.

use super::Slice;
use crate::model::PulseId;
use chrono::{DateTime, Timelike, Utc};

pub const INDEX_NAME: &str = "due-index";
pub const SHARDS: u32 = 32;

/// At most this many items outside the index are brought in by one backfill run, so a run on a large
/// table migrated from the original server stays within the function's timeout; the next backfill
/// run continues where this one stopped (the brought-in items no longer match).
pub const BACKFILL_BATCH: usize = 1000;

/// Segments of the sweep over items outside the index: one per minute of an hour.
pub const SWEEP_SEGMENTS: u32 = 60;

/// The sweep segment of a run at `now`: its minute of the hour. On the default schedule (every
/// minute) each segment is read once an hour, exactly 60 minutes apart, with no state to keep. Under
/// the original's crons, which all fire at minute 0, only segment 0 is swept: such a deployment finds
/// other writers' items by the Sunday backfill or `?backfill=1`, as before (README, docs/PERFORMANCE.md).
pub fn sweep_slice(now: DateTime<Utc>) -> Slice {
    Slice::Segment {
        segment: now.minute() % SWEEP_SEGMENTS,
        total: SWEEP_SEGMENTS,
    }
}

/// A pulse's shard, derived from its id so that a pulse can write it without reading anything.
pub fn shard_of(id: &PulseId) -> String {
    // Ids are SHA-256 hex, evenly spread; anything else (hand-made items) still gets a stable shard.
    let n = id
        .as_str()
        .bytes()
        .fold(0u32, |acc, b| acc.wrapping_mul(31).wrapping_add(u32::from(b)));
    format!("s{:02}", n % SHARDS)
}

pub fn all_shards() -> impl Iterator<Item = String> {
    (0..SHARDS).map(|n| format!("s{n:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PulseKey;

    #[test]
    fn shards_are_stable_and_spread() {
        let mut counts = [0usize; SHARDS as usize];
        for i in 0..16_000 {
            let key = PulseKey::parse(Some("host"), Some("c"), Some("t"), Some(&format!("job-{i}"))).unwrap();
            let shard = shard_of(&key.id());
            assert_eq!(shard, shard_of(&key.id()));
            assert!(all_shards().any(|s| s == shard), "{shard}");
            counts[shard[1..].parse::<usize>().unwrap()] += 1;
        }
        // 500 expected per shard; a bad spread would concentrate writes on one index partition.
        let expected = 16_000 / SHARDS as usize;
        assert!(
            counts.iter().all(|&c| c * 10 > expected * 8 && c * 10 < expected * 12),
            "{counts:?}"
        );
    }

    #[test]
    fn minute_runs_sweep_every_segment_once_an_hour() {
        use chrono::TimeZone as _;
        // Any 60 consecutive minutes, across a clock hour too: each segment exactly once.
        let start = Utc.with_ymd_and_hms(2026, 11, 23, 7, 17, 0).unwrap();
        let mut seen: Vec<u32> = (0..60)
            .map(|m| match sweep_slice(start + chrono::TimeDelta::minutes(m)) {
                Slice::Segment { segment, total } => {
                    assert_eq!(total, SWEEP_SEGMENTS);
                    segment
                }
                Slice::All => unreachable!("a scheduled run sweeps one segment"),
            })
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..60).collect::<Vec<_>>());
    }
}
