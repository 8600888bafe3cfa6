//! The due index: a sparse global secondary index over `dueShard` (partition) and `dueAt` (sort).
//! Only items that carry both are in it; the monitor queries each shard for `dueAt <= now`.
//! Why sixteen shards: docs/PERFORMANCE.md has the arithmetic.

use super::item;
use crate::model::PulseId;

pub const INDEX_NAME: &str = "due-index";
pub const SHARDS: u32 = 16;

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
        // 1,000 expected per shard; a bad spread would concentrate writes on one index partition.
        assert!(counts.iter().all(|&c| (800..1200).contains(&c)), "{counts:?}");
        assert!(
            PROJECTED.len() + 3 <= 20,
            "DynamoDB projects at most 20 non-key attributes"
        );
    }
}
