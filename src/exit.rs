//! The exit-code contract: 0 gate passed, 1 gate failed, 2 usage/input/threshold error,
//! 3 Kubernetes/fetch error. A failing gate is an outcome, not an error.

use std::io::Write;
use std::process::ExitCode;

/// What a successful run concluded: defined with the pipeline that concludes it.
pub use scangate_pipeline::Outcome;

/// A Kubernetes/fetch failure: exit 3, where bad input is 2.
#[cfg(feature = "kube")]
#[derive(Debug, thiserror::Error)]
pub enum FetchFailed {
    /// The run could not start: the cluster cannot be reached, refused the credentials or a
    /// permission, or the selector matches nothing. Printed as the crate words it.
    #[error(transparent)]
    Cluster(#[from] scangate_kube::Error),
    /// Ctrl-C; dropping the fetch deleted its temporary files.
    #[error("interrupted; nothing partial was kept")]
    Interrupted,
    /// Some pods failed; each one's error is already in the table and on stderr.
    #[error("{failed} of {total} pods failed; fetched {fetched}")]
    Pods {
        failed: usize,
        total: usize,
        fetched: usize,
    },
}

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
            ExitCode::from(error_code(&err))
        }
    }
}

#[cfg(feature = "kube")]
fn error_code(err: &anyhow::Error) -> u8 {
    if err.chain().any(|cause| cause.is::<FetchFailed>()) {
        3
    } else {
        2
    }
}

/// Without `fetch` every error is a usage, input or threshold-file error.
#[cfg(not(feature = "kube"))]
fn error_code(_: &anyhow::Error) -> u8 {
    2
}
