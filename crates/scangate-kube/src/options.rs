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
    /// The defaults of `scangate fetch`: container `scanner`, `/results/scan-results.json`,
    /// marker `/results/scan-complete`, 10 minutes, 8 at once, 512 MiB, no pods, and a
    /// validator that accepts anything.
    pub fn new(namespace: impl Into<String>, output_dir: impl Into<PathBuf>) -> Self {
        Self {
            namespace: namespace.into(),
            targets: Targets::Named(Vec::new()),
            container: "scanner".into(),
            results_path: "/results/scan-results.json".into(),
            marker_path: "/results/scan-complete".into(),
            also: Vec::new(),
            output_dir: output_dir.into(),
            timeout: Duration::from_secs(600),
            concurrency: 8,
            max_bytes: 512 * 1024 * 1024,
            validator: Arc::new(|_| Ok(())),
        }
    }

    /// Rejects options that cannot work: invalid names, relative or clashing paths, zero limits.
    pub fn check(&self) -> Result<(), Error> {
        let bad = |message: String| Err(Error::new(ErrorKind::Options(message)));
        if !names::is_valid_namespace(&self.namespace) {
            return bad(format!(
                "namespace {} is not a valid Kubernetes namespace",
                names::quoted(&self.namespace)
            ));
        }
        match &self.targets {
            Targets::Named(pods) => {
                if pods.is_empty() {
                    return bad("no pods given".into());
                }
                if let Some(pod) = pods.iter().find(|p| !names::is_valid_pod_name(p)) {
                    return bad(format!(
                        "pod name {} is not a valid Kubernetes name",
                        names::quoted(pod)
                    ));
                }
            }
            Targets::Selector(selector) if selector.trim().is_empty() => {
                return bad("the selector is empty".into());
            }
            Targets::Selector(_) => {}
        }
        if self.container.is_empty() {
            return bad("the container name is empty".into());
        }
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for path in std::iter::once(&self.results_path).chain(&self.also) {
            let name =
                names::local_file_name(path).map_err(|m| Error::new(ErrorKind::Options(m)))?;
            if let Some(other) = seen.insert(name, path) {
                return bad(format!("{other} and {path} would both be saved as {name}"));
            }
        }
        names::local_file_name(&self.marker_path).map_err(|m| Error::new(ErrorKind::Options(m)))?;
        if self.concurrency == 0 {
            return bad("concurrency must be at least 1".into());
        }
        if self.timeout.is_zero() {
            return bad("the timeout must be more than zero".into());
        }
        Ok(())
    }
}
