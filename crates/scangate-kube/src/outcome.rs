//! What a fetch reports: progress as it happens, and each pod's result at the end.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::Error;
use crate::names;

/// A pod: namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PodRef {
    /// Its namespace.
    pub namespace: String,
    /// Its name (possibly invalid when a selector returned a hostile one; shown escaped).
    pub name: String,
}

impl fmt::Display for PodRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if names::is_valid_pod_name(&self.name) {
            write!(f, "{}/{}", self.namespace, self.name)
        } else {
            write!(f, "{}/{}", self.namespace, names::quoted(&self.name))
        }
    }
}

/// Progress, reported to the caller as it happens.
#[derive(Debug, Clone)]
pub struct Event {
    /// The pod.
    pub pod: PodRef,
    /// What it is doing now.
    pub stage: Stage,
}

/// What a pod is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// Waiting for the pod to be Ready; its phase when known.
    WaitingReady {
        /// `Pending`, `Running`...
        phase: Option<String>,
    },
    /// Ready; checking for the marker.
    WaitingMarker,
    /// Copying a file (its local name); bytes so far.
    Copying {
        /// The local file name.
        file: String,
        /// Bytes received so far.
        bytes: u64,
    },
    /// Checking the results.
    Validating,
    /// Done; total bytes kept.
    Fetched {
        /// Bytes of all files.
        bytes: u64,
    },
    /// Failed; the error message.
    Failed {
        /// Short label (as in [`ErrorKind::label`](crate::ErrorKind::label)).
        label: &'static str,
        /// The message.
        message: String,
    },
}

/// The result for one pod.
#[derive(Debug)]
pub struct PodReport {
    /// The pod.
    pub pod: PodRef,
    /// What was fetched, or why not.
    pub outcome: Result<Fetched, Box<PodFailure>>,
    /// From the start of the run until this pod was done.
    pub elapsed: Duration,
}

/// What was fetched from a pod.
#[derive(Debug)]
pub struct Fetched {
    /// The validated results file.
    pub results: PathBuf,
    /// Every file written, the results last, with its size.
    pub files: Vec<(PathBuf, u64)>,
    /// Total bytes.
    pub bytes: u64,
}

/// Why a pod failed, and what the pod looked like then.
#[derive(Debug)]
pub struct PodFailure {
    /// The error.
    pub error: Error,
    /// The pod's phase and container state, and its last log lines; `None` when the pod
    /// could not be seen at all.
    pub diagnosis: Option<Diagnosis>,
}

/// The state of a failed pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// The pod phase, e.g. `Pending`.
    pub phase: Option<String>,
    /// The scanner container's state, e.g. `waiting (CrashLoopBackOff: back-off 10s)`.
    pub container: String,
    /// The container's last log lines, best effort.
    pub logs: Logs,
}

/// The last log lines of the scanner container, when they could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Logs {
    /// The lines, cleaned of control characters.
    Lines(Vec<String>),
    /// `get pods/log` is not granted.
    Forbidden,
    /// Could not be read, and why.
    Unavailable(String),
}
