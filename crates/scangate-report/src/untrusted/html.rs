//! HTML: the policy with [`Layout::Lines`](super::Layout::Lines) (HTML keeps line breaks in
//! `<pre>` and `white-space: pre-wrap` text), then the markup characters as character
//! references.

use super::{Class, REPLACEMENT, classify};

/// Which characters besides the policy's are written as references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    /// Element text: `&`, `<`, `>`.
    Text,
    /// Element text and double- or single-quoted attribute values: also `"` and `'`.
    Quoted,
    /// A user's template, which may put a value anywhere, unquoted attributes included:
    /// handlebars' own set (also `` ` `` and `=`), spelled as handlebars spells it, so that a
    /// template renders as it did before the policy applied to it.
    Template,
}

/// Appends `text` escaped for `context`. This is the HTML report's hot loop: runs of
/// characters that stay as they are are copied whole.
fn push(out: &mut String, text: &str, context: Context) {
    let mut kept = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let with = match (c, context) {
            ('&', _) => "&amp;",
            ('<', _) => "&lt;",
            ('>', _) => "&gt;",
            ('"', Context::Quoted | Context::Template) => "&quot;",
            ('\'', Context::Quoted) => "&#39;",
            ('\'', Context::Template) => "&#x27;",
            ('`', Context::Template) => "&#x60;",
            ('=', Context::Template) => "&#x3D;",
            (' '..='~' | '\t' | '\n', _) => continue,
            ('\r', _) if chars.peek().is_some_and(|&(_, next)| next == '\n') => "",
            (c, _) => match classify(c) {
                Class::Plain | Class::Tab => continue,
                Class::LineBreak => "\n",
                Class::Hostile => {
                    out.push_str(&text[kept..at]);
                    out.push(REPLACEMENT);
                    kept = at + c.len_utf8();
                    continue;
                }
            },
        };
        out.push_str(&text[kept..at]);
        out.push_str(with);
        kept = at + c.len_utf8();
    }
    out.push_str(&text[kept..]);
}

/// `text` for HTML element text or a quoted attribute value: the HTML report's `{{x}}`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    push(&mut out, text, Context::Quoted);
    out
}

/// `text` for element text only (quotes kept as they are): what the HTML report's helpers
/// write, which a test keeps out of tags.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    push(&mut out, text, Context::Text);
    out
}

/// `text` for a user's HTML template: safe in element text and in quoted attribute values. In
/// an unquoted one it cannot end the tag or set an attribute (`>` and `=` are escaped), but a
/// space still starts a new attribute name; inside `<script>`, `<style>` or a URL no escaping
/// makes it safe.
pub fn escape_template(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    push(&mut out, text, Context::Template);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_controls_and_bidi() {
        assert_eq!(
            escape("<a href=\"x\" title='y'>&</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(
            escape("a\0b\u{1b}[31m\u{7f}\u{85}"),
            "a\u{FFFD}b\u{FFFD}[31m\u{FFFD}\u{FFFD}"
        );
        assert_eq!(
            escape("\u{202E}exe.txt\u{202C} \u{2067}x"),
            "\u{FFFD}exe.txt\u{FFFD} \u{FFFD}x"
        );
        assert_eq!(
            escape("\u{FFFE}\u{FDD0}\u{1FFFF}"),
            "\u{FFFD}\u{FFFD}\u{FFFD}"
        );
        assert_eq!(
            escape("a\r\nb\rc\td\u{2028}e\u{2029}f\n"),
            "a\nb\nc\td\ne\nf\n"
        );
        assert_eq!(escape_text("\"it's\" <b>"), "\"it's\" &lt;b&gt;");
        // Right-to-left letters stay; the invisible marks that steer them do not.
        assert_eq!(
            escape("שלום \u{200F}مرحبا\u{61C} 🔥\u{200E}"),
            "שלום \u{FFFD}مرحبا\u{FFFD} 🔥\u{FFFD}"
        );
    }

    #[test]
    fn template_escaping_is_handlebars_own_plus_the_policy() {
        let text = "<a href=x title='y' data-x=`z`>&\"</a>";
        assert_eq!(escape_template(text), handlebars::html_escape(text));
        assert_eq!(escape_template("a\u{202e}b\u{1b}"), "a\u{FFFD}b\u{FFFD}");
    }
}
