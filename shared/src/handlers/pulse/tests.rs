//! The pulse endpoint is tested through its public handler in `shared/tests/handlers.rs`; only the
//! private message cut is checked here, at the character boundary it must respect.

use super::{MAX_MESSAGE_BYTES, truncate_message};

#[test]
fn truncate_message_cuts_at_a_character_boundary() {
    let fits = "a".repeat(MAX_MESSAGE_BYTES);
    assert_eq!(truncate_message(&fits), fits);
    // 1020 ASCII bytes, then 3-byte characters: the cut cannot fall at byte 1021.
    let long = "a".repeat(1020) + &"日".repeat(10);
    let kept = truncate_message(&long);
    assert_eq!(kept, "a".repeat(1020) + "…");
    assert!(kept.len() <= MAX_MESSAGE_BYTES);
}
