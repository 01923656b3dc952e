//! Escaping text for XML 1.0, in attribute values and element content.

/// `text` safe inside a double- or single-quoted attribute value or an
/// element. Line breaks and tabs in attributes are written as character
/// references, which parsers would otherwise fold into spaces. Characters
/// XML 1.0 cannot hold at all (most C0 controls, U+FFFE, U+FFFF) become
/// U+FFFD, so that input bytes never make the report unreadable.
pub fn escape(text: &str, attribute: bool) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\n' if attribute => escaped.push_str("&#10;"),
            '\r' => escaped.push_str("&#13;"),
            '\t' if attribute => escaped.push_str("&#9;"),
            '\n' | '\t' => escaped.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => escaped.push('\u{fffd}'),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            escape(r#"a<b>&"c"'d'"#, true),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;"
        );
    }

    #[test]
    fn line_breaks_survive_in_attributes_and_controls_are_replaced() {
        assert_eq!(escape("a\nb\tc\r", true), "a&#10;b&#9;c&#13;");
        assert_eq!(escape("a\nb\tc", false), "a\nb\tc");
        assert_eq!(escape("a\u{1}b\u{ffff}", false), "a\u{fffd}b\u{fffd}");
        assert_eq!(escape("é ✓", true), "é ✓");
    }
}
