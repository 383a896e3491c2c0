//! Text from a scanned system or a pod, made safe: one policy for characters and for cutting,
//! which every place that shows such text builds on (scangate-report's formats, scangate-kube's
//! messages about pods).
//!
//! Titles, descriptions, check and fix text, code, messages, exceptions, backtraces, tags,
//! references, control and profile ids, file and pod names, and the parser errors that quote an
//! unreadable file were all written by whatever ran on the scanned system. A compromised system
//! writes what it likes, so every report treats all of it as hostile, and every format goes
//! through this crate rather than deciding on its own.
//!
//! # Characters
//!
//! [`classify`] sorts every character into one of four classes:
//!
//! | class | characters | becomes |
//! |---|---|---|
//! | [`Class::Hostile`] | C0 controls other than tab, LF and CR (U+0000–U+001F); DEL (U+007F); C1 controls (U+0080–U+009F, NEL included) | U+FFFD |
//! | [`Class::Hostile`] | bidirectional formatting: the embeddings and overrides LRE, RLE, PDF, LRO, RLO (U+202A–U+202E), the isolates LRI, RLI, FSI, PDI (U+2066–U+2069), and the marks LRM, RLM, ALM (U+200E, U+200F, U+061C) | U+FFFD |
//! | [`Class::Hostile`] | noncharacters: U+FDD0–U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF, U+1FFFE, …) | U+FFFD |
//! | [`Class::LineBreak`] | LF, CR, CR LF (one break), LINE SEPARATOR U+2028, PARAGRAPH SEPARATOR U+2029 | depends on the [`Layout`] |
//! | [`Class::Tab`] | tab | depends on the [`Layout`] |
//! | [`Class::Plain`] | everything else | itself |
//!
//! Why these: controls drive terminals (ESC sequences clear screens and recolour logs), end
//! strings in C-based consumers, and are forbidden in XML 1.0. Bidirectional formatting
//! characters make what a reader sees differ from what the bytes say ("Trojan Source",
//! CVE-2021-42574): a file name written `<RLO>exe.txt` displays as `txt.exe`. Noncharacters are
//! forbidden in HTML, U+FFFE and U+FFFF in XML, and U+FFFE reads as a byte-swapped byte order
//! mark to anything that sniffs encodings. The four kinds of line break are folded into one
//! because consumers disagree on which of them break a line, and a break that one viewer
//! honours and another does not is a way to hide text.
//!
//! Hostile characters are replaced by U+FFFD, never silently removed: deleting them would let
//! `ad<NUL>min` read as `admin`, and a reader should see that something was there.
//!
//! Deliberately kept: right-to-left letters (formats isolate untrusted text where they can, with
//! `dir="auto"` and `<bdi>` in HTML), zero-width joiners and non-joiners (Arabic and Indic
//! scripts and emoji sequences need them), and every other printable character.
//!
//! Where the formats used to disagree, the safer rule won:
//!
//! - The marks LRM, RLM and ALM were kept by HTML, Markdown and the terminal (they "open no
//!   state") but replaced by SARIF. They are replaced everywhere now: a mark is invisible, yet
//!   to the bidirectional algorithm it is a strong left-to-right or right-to-left letter, so it
//!   reorders the digits, punctuation and spaces around it on screen, and the Trojan Source
//!   paper lists the marks with the overrides. Legitimate right-to-left text is isolated where a
//!   format can do that, so at worst a punctuation mark lands on its other side.
//! - Inline Markdown turned controls into a space where every other format wrote U+FFFD. It
//!   writes U+FFFD too now: a space hides that anything was there.
//! - JUnit kept DEL, C1 controls and every bidirectional character, SARIF kept noncharacters,
//!   HTML, Markdown and the terminal kept U+2028/U+2029 as they were, and Markdown `<pre>` made a
//!   CR into U+FFFD. All follow the table above now.
//!
//! # Layouts
//!
//! What a line break and a tab become depends on where the text lands:
//!
//! - [`Layout::Lines`]: a line break becomes LF, a tab stays. HTML text, Markdown `<pre>`,
//!   XML, SARIF message text: places where lines are lines.
//! - [`Layout::OneLine`]: both become a space. A Markdown table cell or heading, a column of a
//!   terminal table, a GitLab Code Quality description: a newline would end the row, and
//!   whitespace is all it ever meant there.
//! - [`Layout::Terminal`]: both become U+FFFD. A name or message printed on a line of its own,
//!   where a newline in a file name could otherwise forge a verdict line (`PASS  x.json: …`).
//!
//! # Cutting
//!
//! Text over a format's budget is cut at the last character boundary within it ([`cut`]):
//! never inside a UTF-8 sequence, so the output stays valid UTF-8 and no character turns into
//! garbage. A cut is always stated where the reader sees it, in the format's own words (each
//! format has kept the wording its readers already know):
//!
//! | format | budget | note |
//! |---|---|---|
//! | HTML | 16 KiB per text | `… truncated: 1,234 more bytes not shown` |
//! | Markdown details | 4 KiB per text | ` … (1234 bytes more)`, or `… truncated (1234 bytes more)` after a message |
//! | Markdown table cells | 160 bytes (2 KiB for an unreadable input's error) | ` …` |
//! | JUnit message attributes | 500 bytes | `…` |
//! | JUnit descriptions | 64 KiB | `… (truncated)` |
//! | SARIF | GitHub's limit for the property | ` … [truncated by scangate: 1234 characters in all]` |
//! | GitLab Code Quality | descriptions 1 KiB, check names 255 bytes | ` … [truncated by scangate: 1234 characters in all]` |
//! | terminal | a column's width, in characters | `…` |
//! | fetch's messages (scangate-kube) | 40–300 characters, by what the text is | `…` |
//!
//! # Example
//!
//! ```
//! use scangate_untrusted::{Layout, cut, sanitize};
//!
//! // A file name that would display as `txt.exe`, and a newline that would forge a line.
//! let name = "report\u{202e}exe.txt\nPASS";
//! assert_eq!(sanitize(name, Layout::Terminal), "report\u{fffd}exe.txt\u{fffd}PASS");
//! assert_eq!(cut("aé🔥", 3).shown, "aé");
//! ```

use std::borrow::Cow;

/// What [`Class::Hostile`] characters become.
pub const REPLACEMENT: char = '\u{FFFD}';

/// How the policy treats a character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Shown as it is.
    Plain,
    /// A tab: kept or replaced according to the [`Layout`].
    Tab,
    /// LF, CR, U+2028 or U+2029; CR LF is one break.
    LineBreak,
    /// Replaced by [`REPLACEMENT`] everywhere.
    Hostile,
}

/// The class of `c`; the module documentation says which characters are in which and why.
pub fn classify(c: char) -> Class {
    match c {
        ' '..='~' => Class::Plain,
        '\t' => Class::Tab,
        '\n' | '\r' | '\u{2028}' | '\u{2029}' => Class::LineBreak,
        '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' => Class::Hostile,
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            Class::Hostile
        }
        c if is_noncharacter(c) => Class::Hostile,
        _ => Class::Plain,
    }
}

/// Whether every character of `text` is [`Class::Plain`], decided on bytes: only ASCII
/// controls and characters whose UTF-8 starts with 0xC2 (C1), 0xD8 (ALM), 0xE2 (bidi marks,
/// line separators), 0xEF (U+FDD0..U+FFFF) or 0xF0..=0xF4 (plane-end noncharacters) can be
/// anything else. Most scan text has none of those bytes, and this scan is several times
/// faster than classifying each character; text that has one is classified properly.
pub fn surely_plain(text: &str) -> bool {
    printable_ascii(text)
        || !text
            .bytes()
            .any(|b| b < 0x20 || may_start_non_ascii_flag(b))
}

/// Printable ASCII throughout, the common case: a fold without early exit, which the
/// compiler turns into a vector loop.
fn printable_ascii(text: &str) -> bool {
    text.bytes()
        .fold(true, |ok, b| ok & (0x20..0x7F).contains(&b))
}

/// [`surely_plain`], tab, LF and CR aside (JSON's whitespace between tokens).
pub fn surely_plain_but_whitespace(text: &str) -> bool {
    printable_ascii(text)
        || !text.bytes().any(|b| {
            (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || may_start_non_ascii_flag(b)
        })
}

const fn may_start_non_ascii_flag(b: u8) -> bool {
    matches!(b, 0x7F | 0xC2 | 0xD8 | 0xE2 | 0xEF | 0xF0..=0xF4)
}

fn is_noncharacter(c: char) -> bool {
    let n = c as u32;
    (0xFDD0..=0xFDEF).contains(&n) || n & 0xFFFE == 0xFFFE
}

/// Where the text lands, which decides what its line breaks and tabs become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Line breaks become LF; tabs stay.
    Lines,
    /// Line breaks and tabs become a space.
    OneLine,
    /// Line breaks and tabs become [`REPLACEMENT`].
    Terminal,
}

impl Layout {
    /// What a line break becomes.
    const fn line_break(self) -> char {
        match self {
            Layout::Lines => '\n',
            Layout::OneLine => ' ',
            Layout::Terminal => REPLACEMENT,
        }
    }

    /// What a tab becomes, `None` when it stays.
    const fn tab(self) -> Option<char> {
        match self {
            Layout::Lines => None,
            Layout::OneLine => Some(' '),
            Layout::Terminal => Some(REPLACEMENT),
        }
    }
}

/// `text` with the policy applied for `layout`. Borrows when nothing changes, which is the
/// common case: reports over huge scans copy only what they must.
pub fn sanitize(text: &str, layout: Layout) -> Cow<'_, str> {
    if surely_plain(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut kept = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let with = match classify(c) {
            Class::Plain => continue,
            Class::Tab => match layout.tab() {
                None => continue,
                Some(with) => with,
            },
            Class::LineBreak if c == '\n' && layout == Layout::Lines => continue,
            Class::LineBreak if c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n') => {
                // The LF that follows stands for both.
                out.push_str(&text[kept..at]);
                kept = at + 1;
                continue;
            }
            Class::LineBreak => layout.line_break(),
            Class::Hostile => REPLACEMENT,
        };
        if out.is_empty() {
            out.reserve(text.len() + 8);
        }
        out.push_str(&text[kept..at]);
        out.push(with);
        kept = at + c.len_utf8();
    }
    if kept == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[kept..]);
    Cow::Owned(out)
}

/// Whether [`sanitize`] would change `text` in `layout`.
pub fn is_clean(text: &str, layout: Layout) -> bool {
    matches!(sanitize(text, layout), Cow::Borrowed(_))
}

/// The first part of a text that fits a budget, and how much of it did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut<'a> {
    /// The longest prefix of at most the budget's bytes that ends on a character boundary.
    pub shown: &'a str,
    /// Bytes of the text after `shown`; 0 when it all fits.
    pub omitted: usize,
}

impl Cut<'_> {
    /// Whether anything was left out.
    pub const fn is_cut(&self) -> bool {
        self.omitted > 0
    }
}

/// `text` cut to at most `max` bytes, at a character boundary.
pub fn cut(text: &str, max: usize) -> Cut<'_> {
    let shown = prefix(text, max);
    Cut {
        shown,
        omitted: text.len() - shown.len(),
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub fn prefix(text: &str, max: usize) -> &str {
    &text[..text.floor_char_boundary(max)]
}

#[cfg(test)]
mod tests {
    /// The byte prefilter never calls plain what the policy flags: every code point checked.
    #[test]
    fn the_byte_prefilter_agrees_with_the_policy() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            let text = c.encode_utf8(&mut buf);
            if super::surely_plain(text) {
                assert_eq!(super::classify(c), super::Class::Plain, "{:04X}", c as u32);
            }
            if super::surely_plain_but_whitespace(text) {
                assert!(
                    super::classify(c) == super::Class::Plain || matches!(c, '\t' | '\n' | '\r'),
                    "{:04X}",
                    c as u32
                );
            }
        }
    }

    use super::*;

    #[test]
    fn every_class_has_its_members() {
        for c in [
            'a', ' ', '~', 'é', 'ש', 'م', '🔥', '\u{200d}', '\u{200c}', '\u{fffd}',
        ] {
            assert_eq!(classify(c), Class::Plain, "{c:?}");
        }
        assert_eq!(classify('\t'), Class::Tab);
        for c in ['\n', '\r', '\u{2028}', '\u{2029}'] {
            assert_eq!(classify(c), Class::LineBreak, "{c:?}");
        }
        for c in [
            '\0',
            '\u{7}',
            '\u{b}',
            '\u{c}',
            '\u{1b}',
            '\u{1f}',
            '\u{7f}',
            '\u{80}',
            '\u{85}',
            '\u{9f}',
            '\u{61c}',
            '\u{200e}',
            '\u{200f}',
            '\u{202a}',
            '\u{202b}',
            '\u{202c}',
            '\u{202d}',
            '\u{202e}',
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',
            '\u{fdd0}',
            '\u{fdef}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{1fffe}',
            '\u{10ffff}',
        ] {
            assert_eq!(classify(c), Class::Hostile, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn each_layout_treats_breaks_and_tabs_its_way() {
        let text = "a\tb\r\nc\rd\ne\u{2028}f\u{2029}g\u{0}h\u{202e}i\u{200f}j";
        assert_eq!(
            sanitize(text, Layout::Lines),
            "a\tb\nc\nd\ne\nf\ng\u{fffd}h\u{fffd}i\u{fffd}j"
        );
        assert_eq!(
            sanitize(text, Layout::OneLine),
            "a b c d e f g\u{fffd}h\u{fffd}i\u{fffd}j"
        );
        assert_eq!(
            sanitize(text, Layout::Terminal),
            "a\u{fffd}b\u{fffd}c\u{fffd}d\u{fffd}e\u{fffd}f\u{fffd}g\u{fffd}h\u{fffd}i\u{fffd}j"
        );
    }

    #[test]
    fn clean_text_is_borrowed() {
        let text = "plain, שלום 🔥\n\twith a tab";
        assert!(matches!(sanitize(text, Layout::Lines), Cow::Borrowed(_)));
        assert!(is_clean(text, Layout::Lines));
        assert!(!is_clean(text, Layout::OneLine));
        assert!(matches!(sanitize("", Layout::Terminal), Cow::Borrowed(_)));
        // A leading CR LF is a change even though nothing is pushed for the CR.
        assert_eq!(sanitize("\r\n", Layout::OneLine), " ");
    }

    #[test]
    fn cuts_fall_on_character_boundaries() {
        let text = "aé🔥";
        assert_eq!(
            cut(text, 100),
            Cut {
                shown: text,
                omitted: 0
            }
        );
        assert_eq!(cut(text, 2).shown, "a");
        assert_eq!(
            cut(text, 3),
            Cut {
                shown: "aé",
                omitted: 4
            }
        );
        assert_eq!(cut(text, 6).shown, "aé");
        assert_eq!(
            cut(text, 0),
            Cut {
                shown: "",
                omitted: 7
            }
        );
        assert!(cut(text, 0).is_cut() && !cut(text, 7).is_cut());
    }
}
