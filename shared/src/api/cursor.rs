//! The pagination cursor: where the next page starts, opaque to clients (they only send it back).
//! Any well-formed cursor is a valid starting point, even one for an id that never existed: the
//! table's order does not depend on the item being there.

use super::error::ApiError;
use crate::model::PulseId;

const VERSION: &str = "c1";
/// Keeps the key DynamoDB sees within its 2,048-byte limit.
pub const MAX_BYTES: usize = 512;

pub fn encode(after: &PulseId) -> String {
    format!("{VERSION}{}", hex::encode(after.as_str()))
}

pub fn decode(raw: &str) -> Result<PulseId, ApiError> {
    let bad = || {
        ApiError::bad(
            "cursor",
            "cursor is not one this API gave out; send the `next` value of the previous page unchanged, \
             or leave it out to start from the beginning",
        )
    };
    let hex_part = raw.strip_prefix(VERSION).ok_or_else(bad)?;
    // Lowercase only, as the cursors this API gives out.
    if hex_part.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(bad());
    }
    let bytes = hex::decode(hex_part).map_err(|_| bad())?;
    if bytes.is_empty() || bytes.len() > MAX_BYTES {
        return Err(bad());
    }
    Ok(PulseId::from_stored(String::from_utf8_lossy(&bytes).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let id = PulseId::parse(&"ab".repeat(32)).unwrap();
        assert_eq!(decode(&encode(&id)).unwrap(), id);
        let too_long = format!("c1{}", "61".repeat(MAX_BYTES + 1));
        for bad in ["", "c1", "zz", "c16", "c1zz", "C161", "c1AB", "6331", &too_long] {
            assert_eq!(decode(bad).unwrap_err().field.as_deref(), Some("cursor"), "{bad}");
        }
        assert!(decode("c1ff").is_ok(), "any well-formed cursor is a starting point");
    }
}
