//! What the terminal allows: colour, width. Read once, here, so libraries never look.

use std::io::IsTerminal;

use crate::cli::ColorChoice;

/// Colour on stdout: `--color always|never`, else only on a terminal and never with NO_COLOR.
pub fn stdout_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal() && !no_color(),
    }
}

/// <https://no-color.org>: present and non-empty disables colour.
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Terminal width for tables on stdout, if it is a terminal and `COLUMNS` says so.
pub fn stdout_width() -> Option<u16> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok())
}
