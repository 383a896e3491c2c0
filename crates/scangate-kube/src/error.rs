//! Errors: which pod and file they concern, and what went wrong.
//!
//! Messages are lowercase fragments so callers can prefix them. Anything that came from the
//! API server or the pod has already been through [`crate::names::clean_text`], so a hostile pod
//! cannot put terminal escapes into them, and no message ever carries a credential.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::options::InvalidOption;
use crate::outcome::PodRef;

/// A failure, with the pod and the remote file it concerns when there is one.
#[derive(Debug, Clone, thiserror::Error)]
pub struct Error {
    /// The pod, when the failure concerns one (boxed: errors travel in every `Result`).
    pub pod: Option<Box<PodRef>>,
    /// The file inside the container, when the failure concerns one.
    pub path: Option<String>,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Self {
            pod: None,
            path: None,
            kind,
        }
    }

    pub(crate) fn for_pod(mut self, pod: &PodRef) -> Self {
        if self.pod.is_none() {
            self.pod = Some(Box::new(pod.clone()));
        }
        self
    }

    pub(crate) fn for_path(mut self, path: &str) -> Self {
        if self.path.is_none() {
            self.path = Some(path.to_owned());
        }
        self
    }

    /// The message without the pod prefix (the table already names the pod).
    pub fn message_without_pod(&self) -> String {
        match &self.path {
            Some(path) => format!("{path}: {}", self.kind),
            None => self.kind.to_string(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(pod) = &self.pod {
            write!(f, "pod {pod}: ")?;
        }
        if let Some(path) = &self.path {
            write!(f, "{path}: ")?;
        }
        write!(f, "{}", self.kind)
    }
}

/// What went wrong.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The options cannot work (bad names, paths, limits).
    #[error("{0}")]
    Options(InvalidOption),
    /// No kubeconfig and no in-cluster service account, or one that cannot be loaded.
    #[error("{0}")]
    Config(String),
    /// The API server rejected the credentials (401).
    #[error(
        "unauthorized: the API server rejected the credentials (check the kubeconfig user or the service-account token)"
    )]
    Unauthorized,
    /// The credentials lack a permission (403).
    #[error("forbidden: {}", forbidden_text(.denied.as_deref(), .verbs, .resource, .namespace))]
    Forbidden {
        /// What the API server said it denied, when its answer said. It names one verb, the
        /// first it found missing, which need not be the only one. (Boxed: errors travel in
        /// every `Result`.)
        denied: Option<Box<Access>>,
        /// Every verb the request needs on `resource`: `get` and `create` for an exec.
        verbs: &'static [&'static str],
        /// The resource of the request, e.g. `pods` or `pods/exec`.
        resource: &'static str,
        /// The namespace of the request.
        namespace: String,
    },
    /// The selector matched nothing.
    #[error("no pods in namespace \"{namespace}\" match the selector \"{selector}\"")]
    NoPodsMatch {
        /// The namespace searched.
        namespace: String,
        /// The label selector.
        selector: String,
    },
    /// The pod does not exist (404).
    #[error("pod not found")]
    NotFound,
    /// The pod was deleted while we waited for it.
    #[error("pod was deleted")]
    Deleted,
    /// The pod reached a phase it cannot become Ready from.
    #[error("pod is {phase} and will not become ready")]
    PodFinished {
        /// `Succeeded` or `Failed`.
        phase: String,
    },
    /// The pod was not Ready within the timeout.
    #[error("not ready after {}", human_duration(*.waited))]
    NotReady {
        /// How long we waited.
        waited: Duration,
    },
    /// The marker file did not appear within the timeout.
    #[error("no marker {marker} after {}", human_duration(*.waited))]
    NoMarker {
        /// The marker path in the container.
        marker: String,
        /// How long we waited (from the start).
        waited: Duration,
    },
    /// The container named in the options is not in the pod (400 from the API server).
    #[error("unknown container: {0}")]
    UnknownContainer(String),
    /// Exec could not run the command (container not running, no host yet, upgrade failure...).
    #[error("exec failed: {0}")]
    Exec(String),
    /// The command ran and exited non-zero.
    #[error("`{command}` exited with code {code}{}", stderr_suffix(.stderr))]
    CommandFailed {
        /// The command's first word.
        command: String,
        /// Its exit code.
        code: i32,
        /// The first line of its standard error, cleaned.
        stderr: String,
    },
    /// The exec stream closed without the final Status frame, so the result cannot be trusted.
    #[error("exec stream ended without a status, the copy may be incomplete")]
    NoStatus,
    /// The file is larger than the limit; the copy was cut and discarded.
    #[error("larger than the limit of {limit} bytes, discarded")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The copy did not finish within the timeout.
    #[error("copy did not finish within {}", human_duration(*.0))]
    CopyTimeout(Duration),
    /// The results did not pass the caller's validator.
    #[error("not valid results, discarded: {0}")]
    Invalid(String),
    /// The API server returned a name that cannot be used as a directory.
    #[error("refusing pod name {0}: not a valid Kubernetes name")]
    InvalidName(String),
    /// The destination would be outside the output directory (symlink, not a directory).
    #[error(
        "refusing to write {0}: it is a symlink or not a directory inside the output directory"
    )]
    UnsafeDestination(String),
    /// A local file-system operation failed.
    #[error("cannot {action}: {source}")]
    Io {
        /// What we were doing, e.g. `create /out/ns`.
        action: String,
        /// The cause (shared: `io::Error` cannot be cloned, and one failure can reach several
        /// pods whole).
        #[source]
        source: Arc<std::io::Error>,
    },
    /// Any other answer from the API server.
    #[error("api error: {0}")]
    Api(String),
    /// The connection to the API server failed.
    #[error("cannot reach the API server: {0}")]
    Connect(String),
}

impl ErrorKind {
    /// A short label for tables: `forbidden`, `not ready`, `too large`...
    pub fn label(&self) -> &'static str {
        match self {
            Self::Options(_) => "bad options",
            Self::Config(_) => "config",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden { .. } => "forbidden",
            Self::NoPodsMatch { .. } => "no pods",
            Self::NotFound => "not found",
            Self::Deleted => "deleted",
            Self::PodFinished { .. } => "pod finished",
            Self::NotReady { .. } => "not ready",
            Self::NoMarker { .. } => "no marker",
            Self::UnknownContainer(_) => "no container",
            Self::Exec(_) | Self::NoStatus => "exec failed",
            Self::CommandFailed { .. } => "copy failed",
            Self::TooLarge { .. } => "too large",
            Self::CopyTimeout(_) => "copy timeout",
            Self::Invalid(_) => "invalid",
            Self::InvalidName(_) => "bad name",
            Self::UnsafeDestination(_) => "unsafe path",
            Self::Io { .. } => "write failed",
            Self::Api(_) => "api error",
            Self::Connect(_) => "unreachable",
        }
    }
}

/// A verb on a resource, as RBAC names them: `get` on `pods/exec`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// The verb, e.g. `get`.
    pub verb: String,
    /// The resource, e.g. `pods/exec`.
    pub resource: String,
}

/// What was denied, in the server's words when it gave them, and what the request needs either
/// way: the verb the server names is the first it found missing, not necessarily the last.
fn forbidden_text(
    denied: Option<&Access>,
    verbs: &[&str],
    resource: &str,
    namespace: &str,
) -> String {
    let needs = format!("the Role needs verbs [{}] on {resource}", verbs.join(", "));
    match denied {
        Some(Access {
            verb,
            resource: denied,
        }) => format!("cannot {verb} {denied} in namespace \"{namespace}\" ({needs})"),
        None => format!(
            "the API server did not say what it denied in namespace \"{namespace}\" ({needs})"
        ),
    }
}

fn stderr_suffix(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    }
}

/// `2s`, `1m30s`, `250ms`: how long we waited, for messages.
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}
