//! Character classes every format treats specially in untrusted text.

/// Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder
/// the text after them ("Trojan Source"). The marks (LRM, RLM, ALM) open no state and
/// belong to ordinary right-to-left text, so they are kept.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Unicode noncharacters (U+FDD0–U+FDEF and every U+xxFFFE/U+xxFFFF): HTML forbids them
/// and XML 1.0 forbids U+FFFE/U+FFFF.
pub fn is_noncharacter(c: char) -> bool {
    let n = c as u32;
    (0xFDD0..=0xFDEF).contains(&n) || n & 0xFFFE == 0xFFFE
}

/// A character that must not reach a reader as is: controls (other than tab and newline),
/// bidi controls and noncharacters.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n') || is_bidi_control(c) || is_noncharacter(c)
}
