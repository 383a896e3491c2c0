//! What a fetch is asked to do: the pods, the files, the limits, and the check that they can work.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, ErrorKind};
use crate::names;

/// Checks a results file before it is renamed into place; `Err` carries the reason.
pub type Validator = Arc<dyn Fn(&[u8]) -> Result<(), String> + Send + Sync>;

/// Which pods to fetch from.
#[derive(Debug, Clone)]
pub enum Targets {
    /// These pods (needs only `get` on pods, and `get` and `create` on pods/exec).
    Named(Vec<String>),
    /// Every pod matching this label selector when the fetch starts (needs `list pods` too).
    Selector(String),
}

/// Everything a fetch needs to know; see [`FetchOptions::new`] for the defaults.
#[derive(Clone)]
pub struct FetchOptions {
    /// The namespace of the pods.
    pub namespace: String,
    /// The pods.
    pub targets: Targets,
    /// The scanner container.
    pub container: String,
    /// The results file in the container; validated before it is kept.
    pub results_path: String,
    /// The file the scanner creates when the results are complete.
    pub marker_path: String,
    /// Further files to copy (not validated).
    pub also: Vec<String>,
    /// Files land in `output_dir/<namespace>/<pod>/<file name>`.
    pub output_dir: PathBuf,
    /// How long to wait for Ready and then the marker, per pod; each copy also gets this long.
    pub timeout: Duration,
    /// How many pods may have an exec session (marker check or copy) open at once, counted
    /// until the API server has closed each session.
    pub concurrency: usize,
    /// Files larger than this are cut and rejected.
    pub max_bytes: u64,
    /// Checks the results file before it is renamed into place.
    pub validator: Validator,
}

// By hand: the validator is a closure, which has no `Debug`.
impl fmt::Debug for FetchOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchOptions")
            .field("namespace", &self.namespace)
            .field("targets", &self.targets)
            .field("container", &self.container)
            .field("results_path", &self.results_path)
            .field("marker_path", &self.marker_path)
            .field("also", &self.also)
            .field("output_dir", &self.output_dir)
            .field("timeout", &self.timeout)
            .field("concurrency", &self.concurrency)
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

impl FetchOptions {
    /// The container `scangate sidecar inject` and the Helm chart add.
    pub const DEFAULT_CONTAINER: &'static str = "scanner";
    /// Where the sidecar's entrypoint writes the results.
    pub const DEFAULT_RESULTS_PATH: &'static str = "/results/scan-results.json";
    /// What the sidecar's entrypoint touches once the results are complete.
    pub const DEFAULT_MARKER_PATH: &'static str = "/results/scan-complete";
    /// Long enough for a pod to be scheduled, pull its images and run a full profile.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);
    /// Enough sessions to keep the API server busy without the kubelets' exec streams
    /// crowding it; each copying pod may hold up to 8 MiB in memory.
    pub const DEFAULT_CONCURRENCY: usize = 8;
    /// Far above any real scan (a few MB), far below what would exhaust a CI runner's disk.
    pub const DEFAULT_MAX_BYTES: u64 = 512 * 1024 * 1024;

    /// The `DEFAULT_*` values above (the defaults of `scangate fetch`), no pods, and a
    /// validator that accepts anything.
    pub fn new(namespace: impl Into<String>, output_dir: impl Into<PathBuf>) -> Self {
        Self {
            namespace: namespace.into(),
            targets: Targets::Named(Vec::new()),
            container: Self::DEFAULT_CONTAINER.into(),
            results_path: Self::DEFAULT_RESULTS_PATH.into(),
            marker_path: Self::DEFAULT_MARKER_PATH.into(),
            also: Vec::new(),
            output_dir: output_dir.into(),
            timeout: Self::DEFAULT_TIMEOUT,
            concurrency: Self::DEFAULT_CONCURRENCY,
            max_bytes: Self::DEFAULT_MAX_BYTES,
            validator: Arc::new(|_| Ok(())),
        }
    }

    /// Rejects options that cannot work: invalid names, relative or clashing paths, zero limits.
    /// The error's kind is [`ErrorKind::Options`], saying which option is at fault.
    pub fn check(&self) -> Result<(), Error> {
        self.invalid_option().map_or(Ok(()), |invalid| {
            Err(Error::new(ErrorKind::Options(invalid)))
        })
    }

    fn invalid_option(&self) -> Option<InvalidOption> {
        if !names::is_valid_namespace(&self.namespace) {
            return Some(InvalidOption::Namespace(self.namespace.clone()));
        }
        match &self.targets {
            Targets::Named(pods) => {
                if pods.is_empty() {
                    return Some(InvalidOption::NoPods);
                }
                if let Some(pod) = pods.iter().find(|p| !names::is_valid_pod_name(p)) {
                    return Some(InvalidOption::PodName(pod.clone()));
                }
            }
            Targets::Selector(selector) if selector.trim().is_empty() => {
                return Some(InvalidOption::EmptySelector);
            }
            Targets::Selector(_) => {}
        }
        if self.container.is_empty() {
            return Some(InvalidOption::EmptyContainer);
        }
        let mut seen: HashMap<&str, &str> = HashMap::new();
        let files = std::iter::once((PathOption::Results, &self.results_path))
            .chain(self.also.iter().map(|path| (PathOption::Also, path)));
        for (option, path) in files {
            let name = match local_file_name(option, path) {
                Ok(name) => name,
                Err(invalid) => return Some(invalid),
            };
            if let Some(first) = seen.insert(name, path) {
                return Some(InvalidOption::SameFileName {
                    first: first.to_owned(),
                    second: path.clone(),
                    name: name.to_owned(),
                });
            }
        }
        if let Err(invalid) = local_file_name(PathOption::Marker, &self.marker_path) {
            return Some(invalid);
        }
        if self.concurrency == 0 {
            return Some(InvalidOption::ZeroConcurrency);
        }
        if self.timeout.is_zero() {
            return Some(InvalidOption::ZeroTimeout);
        }
        None
    }
}

/// The local name of a path in the container, or why it cannot have one.
pub(crate) fn local_file_name(option: PathOption, path: &str) -> Result<&str, InvalidOption> {
    names::local_file_name(path).map_err(|problem| InvalidOption::Path { option, problem })
}

/// Why [`FetchOptions`] cannot work. Each names the option at fault, so that a caller can say
/// it in its own words: `scangate fetch` names its flags.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidOption {
    /// `namespace` is not a Kubernetes namespace name; the name as given.
    #[error("namespace {} is not a valid Kubernetes namespace", names::quoted(.0))]
    Namespace(String),
    /// `targets` names no pod.
    #[error("no pods given")]
    NoPods,
    /// A pod in `targets` is not a Kubernetes name; the name as given.
    #[error("pod name {} is not a valid Kubernetes name", names::quoted(.0))]
    PodName(String),
    /// `targets` is an empty selector, which would match every pod.
    #[error("the selector is empty")]
    EmptySelector,
    /// `container` is empty.
    #[error("the container name is empty")]
    EmptyContainer,
    /// A path in the container that cannot name a local file.
    #[error("{problem}")]
    Path {
        /// The option that holds it.
        option: PathOption,
        /// What is wrong with it, e.g. `"x" is not an absolute path inside the container`.
        problem: String,
    },
    /// Two paths end in the same file name, so one would overwrite the other.
    #[error("{first} and {second} would both be saved as {name}")]
    SameFileName {
        /// The path named first.
        first: String,
        /// The path named second.
        second: String,
        /// The file name they share.
        name: String,
    },
    /// `concurrency` is zero: nothing could ever be copied.
    #[error("concurrency must be at least 1")]
    ZeroConcurrency,
    /// `timeout` is zero: every pod would time out at once.
    #[error("the timeout must be more than zero")]
    ZeroTimeout,
}

/// The options that hold a path in the container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathOption {
    /// `results_path`.
    Results,
    /// `marker_path`.
    Marker,
    /// One of `also`.
    Also,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first problem of the default options with one pod, after `tweak`, and its message.
    fn problem(tweak: impl FnOnce(&mut FetchOptions)) -> (InvalidOption, String) {
        let mut options = FetchOptions::new("scans", "out");
        options.targets = Targets::Named(vec!["scan-0".into()]);
        tweak(&mut options);
        match options.check().map_err(|e| e.kind) {
            Err(ErrorKind::Options(invalid)) => {
                let message = invalid.to_string();
                (invalid, message)
            }
            other => panic!("expected an invalid option, got {other:?}"),
        }
    }

    #[test]
    fn the_defaults_with_a_pod_can_work() {
        let mut options = FetchOptions::new("scans", "out");
        options.targets = Targets::Named(vec!["scan-0".into()]);
        assert!(options.check().is_ok());
    }

    #[test]
    fn each_problem_names_its_option() {
        assert_eq!(
            problem(|o| o.namespace = "Not_A_Namespace".into()),
            (
                InvalidOption::Namespace("Not_A_Namespace".into()),
                r#"namespace "Not_A_Namespace" is not a valid Kubernetes namespace"#.into()
            )
        );
        assert_eq!(
            problem(|o| o.targets = Targets::Named(vec!["../scan-0".into()])).1,
            r#"pod name "../scan-0" is not a valid Kubernetes name"#
        );
        assert_eq!(
            problem(|o| o.results_path = "results/x.json".into()),
            (
                InvalidOption::Path {
                    option: PathOption::Results,
                    problem: r#""results/x.json" is not an absolute path inside the container"#
                        .into()
                },
                r#""results/x.json" is not an absolute path inside the container"#.into()
            )
        );
        assert!(matches!(
            problem(|o| o.marker_path = "/".into()).0,
            InvalidOption::Path {
                option: PathOption::Marker,
                ..
            }
        ));
        assert_eq!(
            problem(|o| o.also = vec!["/other/scan-results.json".into()]).1,
            "/results/scan-results.json and /other/scan-results.json would both be saved as \
             scan-results.json"
        );
        assert_eq!(
            problem(|o| o.concurrency = 0),
            (
                InvalidOption::ZeroConcurrency,
                "concurrency must be at least 1".into()
            )
        );
        assert_eq!(
            problem(|o| o.timeout = Duration::ZERO).0,
            InvalidOption::ZeroTimeout
        );
        assert_eq!(
            problem(|o| o.targets = Targets::Named(Vec::new())).0,
            InvalidOption::NoPods
        );
        assert_eq!(
            problem(|o| o.targets = Targets::Selector(" ".into())).0,
            InvalidOption::EmptySelector
        );
    }
}
