//! Untrusted text (titles, messages, ids, paths from the scanned system) made safe for every
//! SARIF consumer: JSON escaping is serde's job; this removes what viewers would interpret or
//! choke on, and bounds the size.

use std::borrow::Cow;

/// Whether `c` is replaced by U+FFFD: C0/C1 controls other than tab and newline, DEL, and the
/// bidirectional formatting characters that reorder what a reader sees ("Trojan Source").
fn is_hostile(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` becomes a plain newline: CR (alone or before LF) and the Unicode line and
/// paragraph separators, so that every consumer agrees on where lines break.
fn is_line_break(c: char) -> bool {
    matches!(c, '\r' | '\u{2028}' | '\u{2029}')
}

/// `text` with hostile characters replaced (see [`is_hostile`]), line breaks normalised to
/// `\n`, `](` written `] (` (SARIF viewers turn `[text](uri)` in plain text into a link, §3.11.6,
/// and some do it with any URI, `javascript:` included), and cut to at most `max` bytes, a
/// visible note included. Borrows when nothing changes, which is the common case: reports over
/// huge scans copy only what they must.
pub(crate) fn clean(text: &str, max: usize) -> Cow<'_, str> {
    clean_cut(text, max).0
}

/// [`clean`], and whether it had to cut.
pub(crate) fn clean_cut(text: &str, max: usize) -> (Cow<'_, str>, bool) {
    let needs_mapping =
        text.chars().any(|c| is_hostile(c) || is_line_break(c)) || text.contains("](");
    if !needs_mapping && text.len() <= max {
        return (Cow::Borrowed(text), false);
    }
    let mapped: Cow<'_, str> = if needs_mapping {
        let mut out = String::with_capacity(text.len().min(max.saturating_add(64)));
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\r' && chars.peek() == Some(&'\n') {
                continue;
            }
            if c == '(' && out.ends_with(']') {
                out.push(' ');
            }
            out.push(if is_hostile(c) {
                '\u{fffd}'
            } else if is_line_break(c) {
                '\n'
            } else {
                c
            });
            // Mapping never shrinks text, so past the cut nothing more is needed but its length.
            if out.len() > max {
                break;
            }
        }
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    };
    if mapped.len() <= max {
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
    let mut cut = max.saturating_sub(note.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut out = String::with_capacity(cut + note.len());
    out.push_str(&text[..cut]);
    if out.len() + note.len() <= max {
        out.push_str(&note);
    }
    out
}

/// `clean`ed text, or `fallback` when it is empty or only whitespace (GitHub rejects empty
/// strings in required properties).
pub(crate) fn clean_or<'a>(text: Option<&'a str>, fallback: &'a str, max: usize) -> Cow<'a, str> {
    match text {
        Some(t) if !t.trim().is_empty() => clean(t, max),
        _ => clean(fallback, max),
    }
}

/// Cleaned text as CommonMark that renders as exactly that text: nothing in it becomes markup,
/// HTML, an entity, a link, a mention or a code block, and its line breaks stay line breaks.
///
/// Every ASCII punctuation character is backslash-escaped (CommonMark allows that for all of
/// them, and GitHub's autolinks, mentions and emoji shortcodes need punctuation that is then no
/// longer bare); leading indentation becomes no-break spaces, which do not start code blocks;
/// a single newline becomes a hard break, a blank line separates paragraphs.
pub(crate) fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut in_paragraph = false;
    let mut pending_blank = false;
    for line in text.split('\n') {
        if line.trim().is_empty() {
            pending_blank = in_paragraph;
            continue;
        }
        if in_paragraph {
            out.push_str(if pending_blank { "\n\n" } else { "\\\n" });
        }
        pending_blank = false;
        in_paragraph = true;
        let body = line.trim_start_matches([' ', '\t']);
        for c in line[..line.len() - body.len()].chars() {
            let width = if c == '\t' { 4 } else { 1 };
            out.extend(std::iter::repeat_n('\u{a0}', width));
        }
        for c in body.trim_end().chars() {
            if c.is_ascii_punctuation() {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// `failed-high-max` → `FailedHighMax`: SARIF's recommended form of a rule's friendly name.
pub(crate) fn pascal_case(code: &str) -> String {
    code.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_borrows_ordinary_text() {
        assert!(matches!(
            clean("plain text\n\twith tab", 100),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn clean_replaces_controls_and_bidi_and_normalises_newlines() {
        let dirty = "a\u{0}b\u{1b}[31mc\u{202e}d\r\ne\rf\u{2028}g\u{85}h";
        assert_eq!(
            clean(dirty, 100),
            "a\u{fffd}b\u{fffd}[31mc\u{fffd}d\ne\nf\ng\u{fffd}h"
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
                    let _ = markdown(&out);
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

    #[test]
    fn markdown_escapes_everything_that_could_be_markup() {
        assert_eq!(
            markdown("<script>x</script> *a* [l](javascript:x) &amp; @me #1 www.x.com"),
            "\\<script\\>x\\<\\/script\\> \\*a\\* \\[l\\]\\(javascript\\:x\\) \\&amp\\; \\@me \\#1 www\\.x\\.com"
        );
        assert_eq!(
            markdown("# h\n- item\n1. one\n    code"),
            "\\# h\\\n\\- item\\\n1\\. one\\\n\u{a0}\u{a0}\u{a0}\u{a0}code"
        );
        assert_eq!(
            markdown("para one\n\n\n\npara two\n"),
            "para one\n\npara two"
        );
        assert_eq!(markdown("ends with \\"), "ends with \\\\");
    }

    #[test]
    fn pascal_case_of_rule_codes() {
        assert_eq!(pascal_case("failed-high-max"), "FailedHighMax");
        assert_eq!(pascal_case("no-impact-total-max"), "NoImpactTotalMax");
    }
}
