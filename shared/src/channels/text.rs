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

/// How a provider counts a limit.
#[derive(Clone, Copy)]
pub enum Count {
    Chars,
    Bytes,
}

impl Count {
    fn of(self, text: &str) -> usize {
        match self {
            Count::Chars => text.chars().count(),
            Count::Bytes => text.len(),
        }
    }
}

/// `text` escaped by `escape` and at most `max` long once escaped (escaping lengthens text, so the
/// cut is on the raw text and never splits an entity). `keep_end` keeps the end, led by "…" (a log,
/// whose last lines say why); otherwise the start, followed by "…".
pub fn fit(text: &str, max: usize, count: Count, keep_end: bool, escape: impl Fn(&str) -> String) -> String {
    let whole = escape(text);
    if count.of(&whole) <= max {
        return whole;
    }
    let chars: Vec<char> = text.chars().collect();
    let part = |n: usize| -> String {
        if keep_end {
            format!("…{}", escape(&chars[chars.len() - n..].iter().collect::<String>()))
        } else {
            format!("{}…", escape(&chars[..n].iter().collect::<String>()))
        }
    };
    // The longest part that fits: the escaped length grows with n.
    let (mut low, mut high) = (0, chars.len());
    while low < high {
        let mid = (low + high).div_ceil(2);
        if count.of(&part(mid)) <= max {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    if count.of(&part(low)) <= max {
        part(low)
    } else {
        String::new()
    }
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

    #[test]
    fn fitting_escaped_text_table() {
        let end = |t: &str, max| fit(t, max, Count::Chars, true, html);
        assert_eq!(end("a<b", 10), "a&lt;b");
        assert_eq!(end("<<<<x", 6), "…&lt;x", "never half an entity");
        assert_eq!(fit("<<<<x", 9, Count::Chars, false, html), "&lt;&lt;…");
        assert_eq!(fit("ééé", 5, Count::Bytes, true, str::to_owned), "…é");
        assert_eq!(end("<<", 0), "");
        for max in 0..40 {
            let got = end("line 1\n<script> & \"x\"\nend", max);
            assert!(got.chars().count() <= max, "{max}: {got}");
        }
    }
}
