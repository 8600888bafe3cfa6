//! The end of a job's output: the last 10,000 bytes, because the end of a log says why a job failed.

/// How much of the output a report carries (the service keeps the same amount).
pub const LOG_LIMIT: usize = 10_000;

/// Keeps the last `limit` bytes of everything pushed into it, in memory bounded by twice that.
#[derive(Debug)]
pub struct Tail {
    bytes: Vec<u8>,
    limit: usize,
}

impl Default for Tail {
    fn default() -> Self {
        Self::with_limit(LOG_LIMIT)
    }
}

impl Tail {
    pub fn with_limit(limit: usize) -> Self {
        Self {
            bytes: Vec::with_capacity(limit.min(64 * 1024)),
            limit,
        }
    }

    pub fn push(&mut self, chunk: &[u8]) {
        self.bytes.extend_from_slice(chunk);
        // Dropping the front only now and then keeps pushing cheap for chatty jobs.
        if self.bytes.len() > 2 * self.limit {
            let excess = self.bytes.len() - self.limit;
            self.bytes.drain(..excess);
        }
    }

    /// The kept output as text: at most `limit` bytes, starting at a character boundary; bytes that
    /// are not UTF-8 become U+FFFD.
    pub fn text(&self) -> String {
        let start = self.bytes.len().saturating_sub(self.limit);
        let window = &self.bytes[start..];
        // A window that starts inside a multi-byte character starts with its continuation bytes.
        let skip = if start > 0 {
            window.iter().take(3).take_while(|b| is_continuation(**b)).count()
        } else {
            0
        };
        let text = String::from_utf8_lossy(&window[skip..]);
        last_bytes(&text, self.limit).to_owned()
    }
}

fn is_continuation(byte: u8) -> bool {
    byte & 0b1100_0000 == 0b1000_0000
}

/// The longest end of `text` that is at most `limit` bytes and starts at a character boundary.
pub fn last_bytes(text: &str, limit: usize) -> &str {
    let mut start = text.len().saturating_sub(limit);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// The longest start of `text` that is at most `limit` bytes and ends at a character boundary (for a
/// message, whose beginning says the most).
pub fn first_bytes(text: &str, limit: usize) -> &str {
    let mut end = text.len().min(limit);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_output_is_kept_whole() {
        let mut tail = Tail::default();
        tail.push(b"line one\n");
        tail.push(b"line two\n");
        assert_eq!(tail.text(), "line one\nline two\n");
    }

    #[test]
    fn long_output_keeps_exactly_its_last_ten_thousand_bytes() {
        let mut tail = Tail::default();
        let output: Vec<u8> = (0..25_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        for chunk in output.chunks(777) {
            tail.push(chunk);
        }
        let text = tail.text();
        assert_eq!(text.len(), LOG_LIMIT);
        assert_eq!(text.as_bytes(), &output[output.len() - LOG_LIMIT..]);
    }

    #[test]
    fn a_cut_inside_a_character_moves_forward_to_the_next_boundary() {
        // "é" is two bytes and "€" three: after the 1-byte prefix every cut at an odd offset
        // of the "é" run or inside a "€" must drop the broken character, never emit U+FFFD.
        for (prefix, repeated, extra) in [("x", "é", 0), ("", "€", 1), ("", "€", 2)] {
            let mut tail = Tail::with_limit(10);
            let text = format!("{prefix}{}", repeated.repeat(20));
            let bytes = text.as_bytes();
            tail.push(&bytes[..bytes.len() - extra]);
            tail.push(&bytes[bytes.len() - extra..]);
            let kept = tail.text();
            assert!(kept.len() <= 10, "{kept:?} is longer than the limit");
            assert!(!kept.contains('\u{FFFD}'), "{kept:?} has a broken character");
            assert!(text.ends_with(&kept));
            assert!(
                kept.len() > 10 - repeated.len(),
                "{kept:?} dropped more than one character"
            );
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_become_replacement_characters_within_the_limit() {
        let mut tail = Tail::with_limit(8);
        tail.push(&[0xff; 20]);
        let kept = tail.text();
        assert!(kept.len() <= 8);
        assert!(kept.chars().all(|c| c == '\u{FFFD}'));
        assert!(!kept.is_empty());
    }

    #[test]
    fn last_bytes_table() {
        for (text, limit, expected) in [
            ("hello", 10, "hello"),
            ("hello", 3, "llo"),
            ("hello", 0, ""),
            ("aé", 2, "é"),
            ("aé", 1, ""),
            ("€€", 4, "€"),
        ] {
            assert_eq!(last_bytes(text, limit), expected, "last_bytes({text:?}, {limit})");
        }
    }
}
