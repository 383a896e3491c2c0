//! The page's text: untrusted text escaped through [`crate::untrusted::html`], cut with the
//! page's own note, flattened for previews; and the one test that decides whether a reference
//! may become a link.

use crate::untrusted::html::escape_text;
use crate::untrusted::prefix;

/// `n` with thousands separators: `1,048,576`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// `text` escaped as element text, cut at `limit` bytes with a visible note saying how many
/// bytes are not shown (counted in the original text, so the note does not depend on the
/// escaping).
pub fn clip(text: &str, limit: usize) -> String {
    clip_of(text, limit, text.len())
}

/// [`clip`] of a text of which `text` is the beginning and `total` the full length in bytes.
pub(super) fn clip_of(text: &str, limit: usize, total: usize) -> String {
    let shown = prefix(text, limit);
    let mut out = escape_text(shown);
    if shown.len() < total {
        out.push_str("<span class=\"trunc\">… truncated: ");
        out.push_str(&grouped(total - shown.len()));
        out.push_str(" more bytes not shown</span>");
    }
    out
}

/// A one-line preview: whitespace runs (newlines included) collapsed, cut with an ellipsis.
pub(super) fn preview(text: &str, limit: usize) -> String {
    let shown = prefix(text, limit);
    let mut flat = String::with_capacity(shown.len());
    for word in shown.split_whitespace() {
        if !flat.is_empty() {
            flat.push(' ');
        }
        flat.push_str(word);
    }
    let mut out = escape_text(&flat);
    if shown.len() < text.len() {
        out.push('…');
    }
    out
}

/// An `http` or `https` URL made only of characters that need no encoding: anything else
/// (`javascript:`, `data:`, spaces, quotes) is shown as text, never as a link.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    !rest.is_empty()
        && url.len() <= 2048
        && rest
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"\"'<>\\^`{|}".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_on_a_character_boundary_with_a_note() {
        assert_eq!(clip("short", 10), "short");
        let text = "é".repeat(10); // 20 bytes
        let out = clip(&text, 5);
        assert!(out.starts_with("éé<span class=\"trunc\">"), "{out}");
        assert!(out.contains("16 more bytes"), "{out}");
        assert_eq!(grouped(1_048_576), "1,048,576");
        assert_eq!(grouped(999), "999");
        assert_eq!(preview("a\n  b <c>", 100), "a b &lt;c&gt;");
        assert_eq!(preview("abcdef", 3), "abc…");
    }

    #[test]
    fn only_plain_web_urls_are_links() {
        assert!(is_web_url("https://example.com/a?b=c&d#e"));
        assert!(is_web_url("HTTP://example.com"));
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,x",
            "https://",
            "https://a b",
            "https://a\"onmouseover=x",
            "//example.com",
            "https://ex\u{202E}ample.com",
            "",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }
}
