//! What the CLI prints about inputs that could not be used.

use std::io::Write;

use scangate_pipeline::Run;

/// Prints `error: FILE: PLACE: message` on stderr for each unusable input: the lines a run
/// with a single bad input has always printed, made safe for a terminal (they quote the file).
pub fn print_errors(run: &Run<'_>) {
    if run.errors().is_empty() {
        return;
    }
    let mut text = String::new();
    for e in run.errors() {
        text.push_str("error: ");
        text.push_str(&scangate_report::untrusted::terminal::line(&e.to_string()));
        text.push('\n');
    }
    // A failed write to stderr has nowhere better to go.
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
