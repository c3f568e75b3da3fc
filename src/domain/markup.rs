//! Text into HTML and XML (the service's pages, SVG, GraphML, GEXF): one
//! escaping for element text and quoted attribute values alike.

/// `s` with `& < > " '` escaped, and the control characters XML 1.0 does
/// not allow at all (all below U+0020 but tab, newline and carriage
/// return) left out, so the document always parses.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_drops_what_xml_forbids() {
        assert_eq!(
            super::escape("a<b & \"c\" 'd'>\u{1}\te"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;\te"
        );
    }
}
