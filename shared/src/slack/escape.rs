//! Slack mrkdwn escaping: user data must never become a mention, a link or a formatting control.

/// Escapes the three characters Slack treats as control characters in message text.
///
/// `&` is replaced as well so that a literal `&lt;` in user data stays literal; working character by
/// character makes the order of the replacements irrelevant.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// The escaped form of one character, appended to `out`.
pub(crate) fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        _ => out.push(c),
    }
}

/// How many characters `c` takes once escaped.
pub(crate) fn escaped_len(c: char) -> usize {
    match c {
        '&' => 5,
        '<' | '>' => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_table() {
        let cases = [
            ("", ""),
            ("plain text", "plain text"),
            ("&", "&amp;"),
            ("<", "&lt;"),
            (">", "&gt;"),
            ("&lt;", "&amp;lt;"),
            ("&amp;", "&amp;amp;"),
            ("<!channel>", "&lt;!channel&gt;"),
            ("<!here|here>", "&lt;!here|here&gt;"),
            ("<@U123>", "&lt;@U123&gt;"),
            ("<https://evil|x>", "&lt;https://evil|x&gt;"),
            ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ("a & b < c > d", "a &amp; b &lt; c &gt; d"),
            ("Grüße ✓ 日本", "Grüße ✓ 日本"),
            ("*bold* _it_ `code`", "*bold* _it_ `code`"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape(input), expected, "escape({input:?})");
        }
    }

    #[test]
    fn escaped_text_has_no_control_characters_left() {
        let escaped = escape("<<&>>|<!everyone>&&");
        assert!(!escaped.contains('<'));
        assert!(!escaped.contains('>'));
        assert_eq!(escaped.matches('&').count(), escaped.matches(';').count());
    }
}
