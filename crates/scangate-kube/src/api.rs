//! Talking to the API server: error classification and exec exit codes.
//!
//! An exec's exit code arrives only in its final `Status` frame, in `details.causes`.

use std::error::Error as _;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status as ExecStatus;

use crate::error::{Access, ErrorKind};
use crate::names::clean_text;

/// Classifies a kube-rs error for a request that needs `verbs` on `resource`.
pub(crate) fn classify(
    err: &kube::Error,
    verbs: &'static [&'static str],
    resource: &'static str,
    namespace: &str,
) -> ErrorKind {
    match err {
        kube::Error::Api(status) => match status.code {
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden {
                denied: denied_access(&status.message).map(Box::new),
                verbs,
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

/// The verb and resource an RBAC denial names: `pods "scan-0" is forbidden: User "..." cannot
/// get resource "pods/exec" in API group "" in the namespace "scans"`. `None` when the message
/// does not say (servers can answer `pods "scan-0" is forbidden: ` and no more) or says it in
/// other words; then only what the request needs can be told.
fn denied_access(message: &str) -> Option<Access> {
    // Only plain RBAC words are taken from the server's text, so nothing else can reach a message.
    let plain = |text: &str, extra: &str| {
        !text.is_empty()
            && text.len() <= 100
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
    };
    // The user name comes first and can hold anything, "cannot " too: the first occurrence
    // followed by `VERB resource "RESOURCE"` is the one.
    message.match_indices("cannot ").find_map(|(at, cannot)| {
        let (verb, rest) = message[at + cannot.len()..].split_once(' ')?;
        let (resource, _) = rest.strip_prefix("resource \"")?.split_once('"')?;
        (plain(verb, "") && plain(resource, "-./")).then(|| Access {
            verb: verb.to_owned(),
            resource: resource.to_owned(),
        })
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denials_name_what_was_denied() {
        let access = |verb: &str, resource: &str| {
            Some(Access {
                verb: verb.into(),
                resource: resource.into(),
            })
        };
        // From a v1.36 API server, for a Role with `create` but not `get` on pods/exec.
        let real = r#"pods "scan-0" is forbidden: User "system:serviceaccount:scangate-e2e:fetcher" cannot get resource "pods/exec" in API group "" in the namespace "scangate-e2e""#;
        assert_eq!(denied_access(real), access("get", "pods/exec"));
        let list = r#"pods is forbidden: User "u" cannot list resource "pods" in API group "" in the namespace "scans": RBAC: role.rbac.authorization.k8s.io "gone" not found"#;
        assert_eq!(denied_access(list), access("list", "pods"));
        let odd_user = r#"pods "p" is forbidden: User "cannot be \"x\"" cannot watch resource "pods" in API group """#;
        assert_eq!(denied_access(odd_user), access("watch", "pods"));
        for silent in [
            "",
            r#"pods "scan-3" is forbidden: "#,
            "forbidden",
            r#"pods "p" is forbidden: cannot get resource "pods/exec"#,
            "pods \"p\" is forbidden: User \"u\" cannot g\u{1b}[31met resource \"pods\"",
            r#"pods "p" is forbidden: User "u" cannot get resource "pods/\x1b" in API group """#,
            r#"pods "p" is forbidden: User "u" cannot get resource "" in API group """#,
        ] {
            assert_eq!(denied_access(silent), None, "{silent:?}");
        }
    }
}
