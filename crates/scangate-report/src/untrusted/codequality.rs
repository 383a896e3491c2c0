//! GitLab Code Quality text (descriptions and check names): the policy with
//! [`Layout::OneLine`], since GitLab shows each finding as one line ("Critical - description")
//! in the merge-request widget and the pipeline's Code Quality tab; `](` broken up and the cut
//! noted as in [`super::sarif`]. JSON escaping is serde's job (with [`super::json`]).

use std::borrow::Cow;

use super::Layout;
use super::sarif::clean_cut_in;

/// `text` on one line, made safe and cut to at most `max` bytes, the note included.
pub fn clean(text: &str, max: usize) -> Cow<'_, str> {
    clean_cut_in(text, max, Layout::OneLine).0
}

/// [`clean`]ed text, or `fallback` when it is empty or only whitespace: every property of a
/// Code Quality finding is a required string.
pub fn clean_or<'a>(text: Option<&'a str>, fallback: &'a str, max: usize) -> Cow<'a, str> {
    let text = text.filter(|t| !t.trim().is_empty()).unwrap_or(fallback);
    clean(text, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_no_links_and_a_visible_cut() {
        assert!(matches!(clean("plain text", 100), Cow::Borrowed(_)));
        assert_eq!(
            clean("a\r\nb\tc\u{2028}d\u{202e}e [x](javascript:y)", 100),
            "a b c d\u{fffd}e [x] (javascript:y)"
        );
        let long = "é".repeat(1000);
        let out = clean(&long, 120);
        assert!(out.len() <= 120 && out.starts_with("éé"));
        assert!(out.ends_with("[truncated by scangate: 1000 characters in all]"));
        assert_eq!(clean_or(Some(" \n"), "(none)", 10), "(none)");
    }

    #[test]
    fn any_slice_of_nasty_text_stays_one_bounded_line() {
        let nasty = "a\r\n\u{0}é🔥\u{202e}](x)\r\u{2028}<b>\t  \u{85}";
        for end in (0..=nasty.len()).filter(|&i| nasty.is_char_boundary(i)) {
            for start in (0..end).filter(|&i| nasty.is_char_boundary(i)) {
                for max in [0, 1, 5, 60, 1000] {
                    let out = clean(&nasty[start..end], max);
                    assert!(out.len() <= max, "{out:?}");
                    assert!(!out.contains("](") && !out.contains(['\n', '\r', '\t']));
                }
            }
        }
    }
}
