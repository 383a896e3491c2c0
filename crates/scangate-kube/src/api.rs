//! Talking to the API server: error classification and exec exit codes.
//!
//! An exec's exit code arrives only in its final `Status` frame, in `details.causes`.

use std::error::Error as _;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status as ExecStatus;

use crate::error::ErrorKind;
use crate::names::clean_text;

/// Classifies a kube-rs error for a request with the given RBAC verb on `resource`.
pub(crate) fn classify(
    err: &kube::Error,
    verb: &'static str,
    resource: &'static str,
    namespace: &str,
) -> ErrorKind {
    match err {
        kube::Error::Api(status) => match status.code {
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden {
                verb,
                resource,
                namespace: namespace.to_owned(),
            },
            404 => ErrorKind::NotFound,
            _ => ErrorKind::Api(describe_kube_error(err)),
        },
        kube::Error::HyperError(_) | kube::Error::Service(_) => {
            ErrorKind::Connect(describe_kube_error(err))
        }
        kube::Error::UpgradeConnection(_) => ErrorKind::Exec(describe_kube_error(err)),
        kube::Error::Auth(_) => ErrorKind::Config(format!(
            "cannot get credentials: {}",
            describe_kube_error(err)
        )),
        _ => ErrorKind::Api(describe_kube_error(err)),
    }
}

/// A one-line description: the server's message for API errors, else the error and its causes.
pub(crate) fn describe_kube_error(err: &kube::Error) -> String {
    let text = match err {
        kube::Error::Api(status) if !status.message.is_empty() => status.message.clone(),
        kube::Error::Api(status) => format!("http {} {}", status.code, status.reason),
        other => {
            let mut text = other.to_string();
            let mut source = other.source();
            while let Some(cause) = source {
                let cause_text = cause.to_string();
                if !text.contains(&cause_text) {
                    text.push_str(": ");
                    text.push_str(&cause_text);
                }
                source = cause.source();
            }
            text
        }
    };
    clean_text(&text, 300)
}

/// The exit code in an exec's final Status, or why the command could not run.
pub(crate) fn exit_code(status: Option<&ExecStatus>) -> Result<i32, ErrorKind> {
    let Some(status) = status else {
        return Err(ErrorKind::NoStatus);
    };
    if status.status.as_deref() == Some("Success") {
        return Ok(0);
    }
    if status.reason.as_deref() == Some("NonZeroExitCode") {
        let code = status
            .details
            .as_ref()
            .and_then(|d| d.causes.as_ref())
            .and_then(|causes| {
                causes
                    .iter()
                    .find(|c| c.reason.as_deref() == Some("ExitCode"))
            })
            .and_then(|cause| cause.message.as_deref())
            .and_then(|m| m.trim().parse::<i32>().ok());
        return code.ok_or_else(|| {
            ErrorKind::Exec("non-zero exit without an exit code in the status".into())
        });
    }
    let message = status
        .message
        .as_deref()
        .or(status.reason.as_deref())
        .unwrap_or("command failed");
    Err(ErrorKind::Exec(clean_text(message, 300)))
}

/// The first non-empty line of a command's standard error, cleaned for printing.
pub(crate) fn stderr_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    clean_text(line, 200)
}
