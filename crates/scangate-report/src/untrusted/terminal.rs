//! The terminal: nothing from the scan may drive it (escape sequences recolour, move the cursor,
//! clear the screen, or set the window title) or add a line of its own to a CI log.

use super::{Layout, sanitize};

/// `text` for a terminal line: every control, line break and tab, and every character the
/// policy flags, becomes U+FFFD.
pub fn line(text: &str) -> String {
    sanitize(text, Layout::Terminal).into_owned()
}

/// `text` for one cell of a terminal table: at most `max` characters (columns are counted in
/// characters, not bytes), the last of them `…` when it was cut, on one line.
pub fn cell(text: &str, max: usize) -> String {
    let cut = match text.char_indices().nth(max) {
        None => text,
        Some(_) => {
            let end = text
                .char_indices()
                .nth(max.saturating_sub(1))
                .map_or(0, |(at, _)| at);
            &text[..end]
        }
    };
    let mut out = sanitize(cut, Layout::OneLine).into_owned();
    if cut.len() < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_cannot_drive_the_terminal_or_forge_a_line() {
        assert_eq!(
            line("a\u{1b}[2J\nPASS x\r\u{202e}y\u{200e}\tz"),
            "a\u{fffd}[2J\u{fffd}PASS x\u{fffd}\u{fffd}y\u{fffd}\u{fffd}z"
        );
        assert_eq!(line("plain ✓"), "plain ✓");
    }

    #[test]
    fn cells_are_cut_in_characters_on_one_line() {
        assert_eq!(cell("short", 10), "short");
        assert_eq!(cell("exactly10!", 10), "exactly10!");
        assert_eq!(cell("ééééééééééé", 10), "ééééééééé…");
        assert_eq!(cell("a\nb\r\nc\td\u{1b}", 10), "a b c d\u{fffd}");
        assert_eq!(cell("abc", 0), "…");
    }
}
