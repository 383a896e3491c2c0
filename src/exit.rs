//! The exit-code contract: 0 gate passed, 1 gate failed, 2 usage/input/threshold error,
//! 3 Kubernetes/fetch error. A failing gate is an outcome, not an error.

use std::io::Write;
use std::process::ExitCode;

/// What a successful run concluded: defined with the pipeline that concludes it.
pub use scangate_pipeline::Outcome;

/// Marks an error as a Kubernetes/fetch failure (exit 3) rather than bad input (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FetchFailed(pub String);

/// Prints the error (if any) on stderr and maps the result to the exit code.
pub fn finish(result: anyhow::Result<Outcome>) -> ExitCode {
    match result {
        Ok(Outcome::Pass) => ExitCode::SUCCESS,
        Ok(Outcome::Fail) => ExitCode::from(1),
        Ok(Outcome::Unreadable) => ExitCode::from(2),
        Err(err) => {
            let message = format!("{err:#}");
            let stderr = std::io::stderr();
            let mut stderr = stderr.lock();
            for line in message.lines() {
                let _ = writeln!(stderr, "error: {line}");
            }
            if err.chain().any(|cause| cause.is::<FetchFailed>()) {
                ExitCode::from(3)
            } else {
                ExitCode::from(2)
            }
        }
    }
}
