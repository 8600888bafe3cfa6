//! The due index: a sparse global secondary index over `dueShard` (partition) and `dueAt` (sort).
//! Only items that carry both are in it; the monitor queries each shard for `dueAt <= now`.
//! Why 32 shards: docs/PERFORMANCE.md has the arithmetic (every pulse moves its index entry, which
//! costs two index writes; 10,000 pulses/s must stay under 1,000 writes/s per partition).

use super::item;
use crate::model::PulseId;

pub const INDEX_NAME: &str = "due-index";
pub const SHARDS: u32 = 32;

/// At most this many items outside the index are brought in by one backfill run, so a run on a large
/// table migrated from the original server stays within the function's timeout; the next backfill
/// run continues where this one stopped (the brought-in items no longer match).
pub const BACKFILL_BATCH: usize = 1000;

/// What the monitor needs to decide, and nothing of the message or metadata, so index writes stay
/// small. The keys (`_id`, `dueShard`, `dueAt`) are projected anyway.
pub const PROJECTED: &[&str] = &[
    item::HOST,
    item::CATEGORY,
    item::TYPE,
    item::NAME,
    item::TIMESTAMP,
    item::THRESHOLD,
    item::THRESHOLD_MS,
    item::SATURDAY,
    item::TZ,
    item::ALERT_FOR,
    item::ALERT_AT,
    item::CLAIM_RUN,
    item::CLAIM_UNTIL,
];

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
        assert!(
            PROJECTED.len() + 3 <= 20,
            "DynamoDB projects at most 20 non-key attributes"
        );
    }
}
