//! Non-fatal findings about inputs, on stderr.

use std::io::Write;

use scangate_results::{Input, Summary};

/// Prints each summary's warnings as `warning: FILE: at PLACE: message`.
pub fn print(inputs: &[Input], summaries: &[Summary<'_>]) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for (input, summary) in inputs.iter().zip(summaries) {
        for w in &summary.warnings {
            // A failed write to stderr has nowhere better to go.
            let _ = writeln!(
                err,
                "warning: {}: at {}: {}",
                input.path().display(),
                w.location,
                w.message
            );
        }
    }
}

/// Prints one warning line on stderr.
pub fn line(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "warning: {message}");
}
