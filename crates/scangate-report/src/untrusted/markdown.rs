//! Markdown, three ways: inline text (table cells, headings), `<pre>` text inside the report's
//! `<details>`, and CommonMark paragraphs (SARIF's `help.markdown`). In each, nothing from the
//! scan can become markup, HTML, an entity, a link, a mention, a table border or a code block.

use super::{Layout, sanitize};

/// Untrusted text as inline Markdown (a table cell, a heading): the policy on one line, then
/// every character that could start markup backslash-escaped. Plain names stay as saf prints
/// them, which `scangate summary --format markdown` needs to match saf byte for byte.
pub fn inline(text: &str) -> String {
    let text = sanitize(text, Layout::OneLine);
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            // `:` and `@` stop emoji shortcodes and bare URL/e-mail autolinks.
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '!' | '$' | ':'
            | '@' => {
                out.push('\\');
                out.push(ch);
            }
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// Untrusted text for an HTML `<pre>` block inside Markdown: the policy with its lines, HTML's
/// escapes, and the shape markdownlint wants, since it reads `<pre>` as Markdown text.
pub fn pre(text: &str) -> String {
    let text = sanitize(text, Layout::Lines);
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for c in text.chars() {
        // Runs of blank lines collapse to one (MD012).
        if c == '\n' {
            blank_run += 1;
            if blank_run > 2 {
                continue;
            }
        } else if !c.is_whitespace() {
            blank_run = 0;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // `(text)[text]` is a reversed link to markdownlint (MD011); regular expressions in
            // check text are full of it.
            '[' if out.ends_with(')') => out.push_str("&#91;"),
            '\n' => {
                // Trailing spaces would be a hard line break to a Markdown linter (MD009).
                let kept = out.trim_end_matches(' ').len();
                out.truncate(kept);
                out.push('\n');
            }
            '\t' => out.push_str("    "),
            c => out.push(c),
        }
    }
    out
}

/// Untrusted text as CommonMark paragraphs that render as exactly that text, line breaks
/// included.
///
/// Every ASCII punctuation character is backslash-escaped (CommonMark allows that for all of
/// them, and GitHub's autolinks, mentions and emoji shortcodes need punctuation that is then no
/// longer bare); leading indentation becomes no-break spaces, which do not start code blocks;
/// a single newline becomes a hard break, a blank line separates paragraphs.
pub fn commonmark(text: &str) -> String {
    let text = sanitize(text, Layout::Lines);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_is_one_line_of_no_markup() {
        assert_eq!(
            inline("a | `b` <i>*c*</i> [d](e) &amp; @me :x: #1 ~s~ $m$ \\"),
            "a \\| \\`b\\` \\<i\\>\\*c\\*\\</i\\> \\[d\\](e) &amp;amp; \\@me \\:x\\: \\#1 \\~s\\~ \\$m\\$ \\\\"
        );
        assert_eq!(
            inline("one\ntwo\r\nthree\u{2028}four\tfive"),
            "one two three four five"
        );
        assert_eq!(
            inline("\u{0}nul \u{1b}[31m \u{202e}rlo \u{200f}rlm"),
            "\u{fffd}nul \u{fffd}\\[31m \u{fffd}rlo \u{fffd}rlm"
        );
        assert_eq!(inline("plain-name 1.0"), "plain-name 1.0");
    }

    #[test]
    fn pre_text_never_holds_a_reversed_link() {
        assert_eq!(
            pre("grep -E '(exit,always)[\\s]' and (a)[0] [b]"),
            "grep -E '(exit,always)&#91;\\s]' and (a)&#91;0] [b]"
        );
    }

    #[test]
    fn pre_text_keeps_its_lines_and_nothing_else() {
        assert_eq!(
            pre("a  \r\nb\rc\u{2028}d\n\n\n\ne\tf <g> \u{1b}[2J \u{202e}"),
            "a\nb\nc\nd\n\ne    f &lt;g&gt; \u{fffd}[2J \u{fffd}"
        );
    }

    #[test]
    fn commonmark_escapes_everything_that_could_be_markup() {
        assert_eq!(
            commonmark("<script>x</script> *a* [l](javascript:x) &amp; @me #1 www.x.com"),
            "\\<script\\>x\\<\\/script\\> \\*a\\* \\[l\\]\\(javascript\\:x\\) \\&amp\\; \\@me \\#1 www\\.x\\.com"
        );
        assert_eq!(
            commonmark("# h\n- item\n1. one\n    code"),
            "\\# h\\\n\\- item\\\n1\\. one\\\n\u{a0}\u{a0}\u{a0}\u{a0}code"
        );
        assert_eq!(
            commonmark("para one\n\n\n\npara two\n"),
            "para one\n\npara two"
        );
        assert_eq!(commonmark("ends with \\"), "ends with \\\\");
        assert_eq!(commonmark("a\u{2029}b\u{202e}"), "a\\\nb\u{fffd}");
    }
}
