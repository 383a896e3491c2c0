//! SARIF message text (names, descriptions, messages, tags, logical locations): the policy with
//! [`Layout::Lines`], links broken up, and GitHub's size limits. JSON escaping is serde's job
//! (with [`super::json`]).

use std::borrow::Cow;

use super::{Layout, prefix, sanitize};

/// `text` made safe (see [`clean_cut`]) and cut to at most `max` bytes, the note included.
pub fn clean(text: &str, max: usize) -> Cow<'_, str> {
    clean_cut(text, max).0
}

/// `text` with the policy applied, `](` written `] (` (SARIF viewers turn `[text](uri)` in plain
/// text into a link, §3.11.6, and some do it with any URI, `javascript:` included), and cut to at
/// most `max` bytes with a visible note; and whether it had to cut. Borrows when nothing
/// changes.
pub fn clean_cut(text: &str, max: usize) -> (Cow<'_, str>, bool) {
    clean_cut_in(text, max, Layout::Lines)
}

/// [`clean_cut`] for text that lands in `layout`: GitLab Code Quality's one-line descriptions
/// share SARIF's rules but for their line breaks.
pub(super) fn clean_cut_in(text: &str, max: usize, layout: Layout) -> (Cow<'_, str>, bool) {
    // No character shrinks below a third of its bytes (U+2028 becomes LF or a space), so this
    // prefix decides whether the whole text fits without mapping all of a megabyte message.
    let head = prefix(text, max.saturating_mul(3).saturating_add(4));
    let mut mapped = sanitize(head, layout);
    if mapped.contains("](") {
        mapped = Cow::Owned(mapped.replace("](", "] ("));
    }
    if head.len() == text.len() && mapped.len() <= max {
        return (mapped, false);
    }
    (
        Cow::Owned(truncate(&mapped, max, text.chars().count())),
        true,
    )
}

/// The first bytes of `text` that fit in `max` with the note saying how long the original was.
fn truncate(text: &str, max: usize, original_chars: usize) -> String {
    let note = format!(" … [truncated by scangate: {original_chars} characters in all]");
    let shown = prefix(text, max.saturating_sub(note.len()));
    let mut out = String::with_capacity(shown.len() + note.len());
    out.push_str(shown);
    if out.len() + note.len() <= max {
        out.push_str(&note);
    }
    out
}

/// `clean`ed text, or `fallback` when it is empty or only whitespace (GitHub rejects empty
/// strings in required properties).
pub fn clean_or<'a>(text: Option<&'a str>, fallback: &'a str, max: usize) -> Cow<'a, str> {
    match text {
        Some(t) if !t.trim().is_empty() => clean(t, max),
        _ => clean(fallback, max),
    }
}

#[cfg(test)]
mod tests {
    use super::super::markdown::commonmark;
    use super::*;

    #[test]
    fn clean_borrows_ordinary_text() {
        assert!(matches!(
            clean("plain text\n\twith tab", 100),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn clean_replaces_controls_bidi_and_noncharacters_and_normalises_newlines() {
        let dirty = "a\u{0}b\u{1b}[31mc\u{202e}d\r\ne\rf\u{2028}g\u{85}h\u{200f}i\u{fffe}";
        assert_eq!(
            clean(dirty, 100),
            "a\u{fffd}b\u{fffd}[31mc\u{fffd}d\ne\nf\ng\u{fffd}h\u{fffd}i\u{fffd}"
        );
    }

    #[test]
    fn clean_breaks_embedded_links() {
        assert_eq!(
            clean("see [here](javascript:alert(1)) or [x] (y)", 100),
            "see [here] (javascript:alert(1)) or [x] (y)"
        );
    }

    #[test]
    fn clean_truncates_on_a_char_boundary_with_a_note() {
        let long = "é".repeat(1000);
        let out = clean(&long, 120);
        assert!(out.len() <= 120, "{}", out.len());
        assert!(
            out.ends_with("[truncated by scangate: 1000 characters in all]"),
            "{out}"
        );
        assert!(out.starts_with("éé"));
    }

    #[test]
    fn clean_truncates_mapped_text_too() {
        let long = "\u{0}".repeat(10_000);
        let out = clean(&long, 200);
        assert!(out.len() <= 200);
        assert!(out.starts_with('\u{fffd}'));
        assert!(out.contains("10000 characters"));
        // Text that shrinks when mapped is measured after mapping.
        let separators = "\u{2028}".repeat(100);
        assert_eq!(clean(&separators, 100), "\n".repeat(100));
        let long = "\u{2028}".repeat(10_000);
        let out = clean(&long, 200);
        assert!(
            out.len() <= 200 && out.contains("10000 characters"),
            "{out}"
        );
    }

    #[test]
    fn any_slice_of_nasty_text_is_handled() {
        let nasty = "a\r\n\u{0}é🔥\u{202e}](x)\r\u{2028}<b>\t  # - 1. \\";
        for end in (0..=nasty.len()).filter(|&i| nasty.is_char_boundary(i)) {
            for start in (0..end).filter(|&i| nasty.is_char_boundary(i)) {
                let slice = &nasty[start..end];
                for max in [0, 1, 5, 60, 1000] {
                    let out = clean(slice, max);
                    assert!(out.len() <= max, "{out:?}");
                    assert!(!out.contains("]("));
                    let _ = commonmark(&out);
                }
            }
        }
    }

    #[test]
    fn tiny_limits_never_panic() {
        for max in 0..8 {
            assert!(clean("abcdefghijklmnop", max).len() <= max);
        }
    }
}
