//! Cutting and escaping user text for the providers' markups. Every cut counts characters (what the
//! providers' limits count) and keeps room for the ellipsis.

/// One line: control characters become spaces, so a name cannot start a new line or ring a bell.
pub fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// `text` cut to at most `max` characters, with "…" when cut.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `text` cut to at most `max` bytes on a character boundary, with "…" when cut (ntfy counts bytes).
pub fn cut_bytes(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// HTML text (Telegram's HTML parse mode, the email's HTML part): `& < > "` as entities.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Markdown (Discord, Teams): every punctuation character that could start formatting, a link or a
/// mention is backslash-escaped, so a pulse's name shows as written.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '<' | '#' | '[' | ']' | '(' | ')' | '@' | '-' | '!' | '.' | '+'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutting_table() {
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abcd", 3), "ab…");
        assert_eq!(cut("日本語です", 3), "日本…");
        assert_eq!(cut_bytes("abc", 3), "abc");
        assert_eq!(cut_bytes("日本語", 7), "日…");
        assert!(cut_bytes(&"é".repeat(100), 11).len() <= 11);
    }

    #[test]
    fn escaping_table() {
        assert_eq!(html("<b>&\"x\"</b>"), "&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;");
        assert_eq!(markdown("*a* [x](y) @everyone"), "\\*a\\* \\[x\\]\\(y\\) \\@everyone");
        assert_eq!(one_line("a\nb\u{7}"), "a b ");
    }
}
