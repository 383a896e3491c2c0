//! Fetch scan results from scanner sidecars through the Kubernetes API.
//!
//! For each pod: wait until it is Ready (a watch; `get`/`list` polling if `watch` is not
//! granted), wait for the scanner's marker file (`test -e` over exec, with backoff), then copy
//! each file with `cat` over exec (the marker check and the first copy share one `sh -c` exec
//! where the container has a shell) into `DIR/<namespace>/<pod>/<file name>`: held in memory
//! (or, past 8 MiB, streamed to a temporary file), cut past a byte limit, checked by the
//! caller's validator, written to a temporary file and renamed into place. Pods are worked on
//! concurrently; one pod's failure never stops the others.
//!
//! The pod is untrusted: it can send any bytes, any amount, and (through a selector) any pod
//! name. It cannot choose a local path, write outside the output directory, leave a partial
//! file behind, or put terminal escapes into messages.
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//! use scangate_kube::{Cluster, FetchOptions, Source, Targets};
//!
//! # async fn example() -> Result<(), scangate_kube::Error> {
//! let cluster = Cluster::connect(&Source::Infer { kubeconfig: None, context: None }).await?;
//! let options = FetchOptions {
//!     namespace: "scans".into(),
//!     targets: Targets::Selector("app=web".into()),
//!     validator: Arc::new(|bytes: &[u8]| {
//!         if bytes.starts_with(b"{") { Ok(()) } else { Err("not a JSON object".into()) }
//!     }),
//!     ..FetchOptions::new("scans", "./scan-results")
//! };
//! let reports = scangate_kube::fetch(&cluster, &options, &|event| eprintln!("{event:?}")).await?;
//! for report in &reports {
//!     match &report.outcome {
//!         Ok(fetched) => println!("{}: {}", report.pod, fetched.results.display()),
//!         Err(failure) => println!("{}: {}", report.pod, failure.error),
//!     }
//! }
//! # Ok(())
//! # }
//! ```

#[cfg(feature = "client")]
mod api;
#[cfg(feature = "client")]
mod connect;
#[cfg(feature = "client")]
mod copy;
#[cfg(feature = "client")]
mod error;
#[cfg(feature = "client")]
mod exec;
// Always built: scangate-sidecar checks names with it in builds without the client too;
// `quoted` serves only the client.
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub mod names;
#[cfg(feature = "client")]
mod track;

#[cfg(feature = "client")]
use std::collections::HashMap;
#[cfg(feature = "client")]
use std::fmt;
#[cfg(feature = "client")]
use std::path::PathBuf;
#[cfg(feature = "client")]
use std::sync::Arc;
#[cfg(feature = "client")]
use std::sync::atomic::{AtomicBool, Ordering};
#[cfg(feature = "client")]
use std::time::Duration;

#[cfg(feature = "client")]
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
#[cfg(feature = "client")]
use kube::Api;
#[cfg(feature = "client")]
use kube::api::LogParams;
#[cfg(feature = "client")]
use tokio::sync::{Semaphore, mpsc, watch};
#[cfg(feature = "client")]
use tokio::task::JoinSet;
#[cfg(feature = "client")]
use tokio::time::Instant;

#[cfg(feature = "client")]
pub use connect::{Cluster, InCluster, Source};
#[cfg(feature = "client")]
pub use error::{Access, Error, ErrorKind, human_duration};

#[cfg(feature = "client")]
use crate::names::clean_text;
#[cfg(feature = "client")]
use crate::track::{Seen, backoff};

#[cfg(feature = "client")]
/// Checks a results file before it is renamed into place; `Err` carries the reason.
pub type Validator = Arc<dyn Fn(&[u8]) -> Result<(), String> + Send + Sync>;

#[cfg(feature = "client")]
/// Which pods to fetch from.
#[derive(Debug, Clone)]
pub enum Targets {
    /// These pods (needs only `get` on pods, and `get` and `create` on pods/exec).
    Named(Vec<String>),
    /// Every pod matching this label selector when the fetch starts (needs `list pods` too).
    Selector(String),
}

#[cfg(feature = "client")]
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

#[cfg(feature = "client")]
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

#[cfg(feature = "client")]
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

#[cfg(feature = "client")]
/// A pod: namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PodRef {
    /// Its namespace.
    pub namespace: String,
    /// Its name (possibly invalid when a selector returned a hostile one; shown escaped).
    pub name: String,
}

#[cfg(feature = "client")]
impl fmt::Display for PodRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if names::is_valid_pod_name(&self.name) {
            write!(f, "{}/{}", self.namespace, self.name)
        } else {
            write!(f, "{}/{}", self.namespace, names::quoted(&self.name))
        }
    }
}

#[cfg(feature = "client")]
/// Progress, reported to the caller as it happens.
#[derive(Debug, Clone)]
pub struct Event {
    /// The pod.
    pub pod: PodRef,
    /// What it is doing now.
    pub stage: Stage,
}

#[cfg(feature = "client")]
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
        /// Short label (as in [`ErrorKind::label`]).
        label: &'static str,
        /// The message.
        message: String,
    },
}

#[cfg(feature = "client")]
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

#[cfg(feature = "client")]
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

#[cfg(feature = "client")]
/// Why a pod failed, and what the pod looked like then.
#[derive(Debug)]
pub struct PodFailure {
    /// The error.
    pub error: Error,
    /// The pod's phase and container state, and its last log lines; `None` when the pod
    /// could not be seen at all.
    pub diagnosis: Option<Diagnosis>,
}

#[cfg(feature = "client")]
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

#[cfg(feature = "client")]
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

#[cfg(feature = "client")]
/// How long a marker check may run past the pod's deadline before it is abandoned.
const MARKER_CHECK_GRACE: Duration = Duration::from_secs(10);

#[cfg(feature = "client")]
/// How many log lines a failure report carries.
const LOG_LINES: i64 = 10;

#[cfg(feature = "client")]
/// Fetches from every target pod. Returns `Err` only when the run cannot start (bad options,
/// selector cannot be listed or matches nothing); each pod's failure is in its report.
pub async fn fetch(
    cluster: &Cluster,
    options: &FetchOptions,
    on_event: &(dyn Fn(Event) + Send + Sync),
) -> Result<Vec<PodReport>, Error> {
    options.check()?;
    let start = Instant::now();
    let namespace = options.namespace.clone();
    let api: Api<Pod> = Api::namespaced(cluster.client.clone(), &namespace);

    let mut trackers = Vec::new();
    let mut pods: Vec<(PodRef, watch::Receiver<Seen>)> = Vec::new();
    match &options.targets {
        Targets::Named(names) => {
            let mut unique: Vec<&String> = names.iter().collect();
            unique.sort();
            unique.dedup();
            for name in unique {
                let (tx, rx) = watch::channel(Seen::Unknown);
                trackers.push(tokio::spawn(track::track_named(
                    api.clone(),
                    namespace.clone(),
                    name.clone(),
                    tx,
                )));
                pods.push((
                    PodRef {
                        namespace: namespace.clone(),
                        name: name.clone(),
                    },
                    rx,
                ));
            }
        }
        Targets::Selector(selector) => {
            let list = track::list_pods(&api, selector, &namespace)
                .await
                .map_err(Error::new)?;
            let version = list.metadata.resource_version.clone().unwrap_or_default();
            let mut senders = HashMap::new();
            for pod in list.items {
                let Some(name) = pod.metadata.name.clone() else {
                    continue;
                };
                if senders.contains_key(&name) {
                    continue;
                }
                let (tx, rx) = watch::channel(Seen::Pod(Box::new(pod)));
                senders.insert(name.clone(), tx);
                pods.push((
                    PodRef {
                        namespace: namespace.clone(),
                        name,
                    },
                    rx,
                ));
            }
            if pods.is_empty() {
                return Err(Error::new(ErrorKind::NoPodsMatch {
                    namespace,
                    selector: selector.clone(),
                }));
            }
            pods.sort_by(|a, b| a.0.cmp(&b.0));
            trackers.push(tokio::spawn(track::track_selector(
                api.clone(),
                namespace.clone(),
                selector.clone(),
                version,
                senders,
            )));
        }
    }
    let _abort_trackers = AbortOnDrop(trackers);

    // Each pod is a task of its own, so that reading the exec streams and the bookkeeping around
    // them spread over the runtime's workers; their events come back here, in order per pod,
    // so `on_event` is only ever called from the caller's task.
    let (events, mut event_rx) = mpsc::unbounded_channel();
    let ctx = Arc::new(Ctx {
        api,
        client: cluster.client.clone(),
        options: options.clone(),
        slots: Arc::new(Semaphore::new(options.concurrency)),
        events,
        start,
        shell: AtomicBool::new(true),
        buffers: Arc::new(copy::BufferPool::new(options.concurrency)),
        root: std::sync::OnceLock::new(),
    });
    // Dropping the set (the caller gave up on the fetch) aborts every pod's task.
    let mut running = JoinSet::new();
    for (pod, seen) in pods {
        let ctx = Arc::clone(&ctx);
        running.spawn(async move { ctx.pod(pod, seen).await });
    }
    drop(ctx);
    let mut reports = Vec::new();
    loop {
        tokio::select! {
            Some(event) = event_rx.recv() => on_event(event),
            joined = running.join_next() => match joined {
                Some(Ok(report)) => reports.push(report),
                Some(Err(err)) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
                // Only aborted tasks end without a report, and only dropping the set aborts.
                Some(Err(_)) => {}
                None => break,
            },
        }
    }
    // Every task has ended, so every sender is gone: what is queued is all there is.
    while let Some(event) = event_rx.recv().await {
        on_event(event);
    }
    reports.sort_by(|a, b| a.pod.cmp(&b.pod));
    Ok(reports)
}

#[cfg(feature = "client")]
struct AbortOnDrop(Vec<tokio::task::JoinHandle<()>>);

#[cfg(feature = "client")]
impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

#[cfg(feature = "client")]
struct Ctx {
    api: Api<Pod>,
    client: kube::Client,
    options: FetchOptions,
    slots: Arc<Semaphore>,
    events: mpsc::UnboundedSender<Event>,
    start: Instant,
    /// Whether containers have `sh` for the one-exec marker check and copy (until one has not).
    shell: AtomicBool,
    buffers: Arc<copy::BufferPool>,
    /// The output directory, resolved by the first pod that needed it.
    root: std::sync::OnceLock<PathBuf>,
}

#[cfg(feature = "client")]
impl Ctx {
    /// The resolved output directory; a failure is the asking pod's, and the next one tries
    /// again.
    fn output_root(&self) -> Result<&std::path::Path, Error> {
        if let Some(root) = self.root.get() {
            return Ok(root);
        }
        let root = copy::prepare_root(&self.options.output_dir)?;
        Ok(self.root.get_or_init(|| root))
    }

    fn emit(&self, pod: &PodRef, stage: Stage) {
        // The receiver outlives every task; a send can only fail once the fetch was dropped.
        let _ = self.events.send(Event {
            pod: pod.clone(),
            stage,
        });
    }

    async fn pod(&self, pod: PodRef, mut seen: watch::Receiver<Seen>) -> PodReport {
        let outcome = self.fetch_pod(&pod, &mut seen).await;
        let outcome = match outcome {
            Ok(fetched) => {
                self.emit(
                    &pod,
                    Stage::Fetched {
                        bytes: fetched.bytes,
                    },
                );
                Ok(fetched)
            }
            Err(error) => {
                let error = error.for_pod(&pod);
                self.emit(
                    &pod,
                    Stage::Failed {
                        label: error.kind.label(),
                        message: error.message_without_pod(),
                    },
                );
                let diagnosis = match error.kind {
                    // Nothing to see: no pod, or no way to look at it.
                    ErrorKind::Options(_)
                    | ErrorKind::InvalidName(_)
                    | ErrorKind::NotFound
                    | ErrorKind::Unauthorized
                    | ErrorKind::Config(_)
                    | ErrorKind::Connect(_) => None,
                    _ => self.diagnose(&pod, &seen).await,
                };
                Err(Box::new(PodFailure { error, diagnosis }))
            }
        };
        PodReport {
            pod,
            outcome,
            elapsed: self.start.elapsed(),
        }
    }

    async fn fetch_pod(
        &self,
        pod: &PodRef,
        seen: &mut watch::Receiver<Seen>,
    ) -> Result<Fetched, Error> {
        if !names::is_valid_pod_name(&pod.name) {
            return Err(Error::new(ErrorKind::InvalidName(names::quoted(&pod.name))));
        }
        let deadline = self.start + self.options.timeout;
        self.wait_ready(pod, seen, deadline).await?;
        self.emit(pod, Stage::WaitingMarker);
        let dir = copy::prepare_pod_dir(self.output_root()?, &pod.namespace, &pod.name)?;
        let fetched = self.marker_and_copy(pod, &dir, deadline).await;
        if fetched.is_err() {
            // Best effort, and only this pod's directory: the namespace's is shared.
            let _ = std::fs::remove_dir(&dir);
        }
        fetched
    }

    /// Waits for the marker and copies. While containers have `sh`, each attempt is one exec
    /// (check, and copy the first file if the marker is there); the first container without
    /// one switches the run to a `test -e` exec followed by `cat` execs.
    async fn marker_and_copy(
        &self,
        pod: &PodRef,
        dir: &std::path::Path,
        deadline: Instant,
    ) -> Result<Fetched, Error> {
        let mut delay = Duration::from_millis(200);
        while self.shell.load(Ordering::Relaxed) {
            {
                // A copy holds one slot for all of the pod's files, so the bound is on pods copying.
                let slot = self.slot().await?;
                // Another pod may have found out meanwhile that there is no shell.
                if !self.shell.load(Ordering::Relaxed) {
                    break;
                }
                match self.timed_copy_all(pod, dir, true, &slot).await {
                    Ok(Some(fetched)) => return Ok(fetched),
                    Ok(None) => {}
                    Err(error) if copy::is_missing_shell(&error) => {
                        self.shell.store(false, Ordering::Relaxed);
                        break;
                    }
                    Err(error) => return Err(error),
                }
            }
            self.pause_for_marker(deadline, &mut delay).await?;
        }
        self.wait_marker(pod, deadline).await?;
        let slot = self.slot().await?;
        match self.timed_copy_all(pod, dir, false, &slot).await? {
            Some(fetched) => Ok(fetched),
            None => Err(self.no_marker()),
        }
    }

    async fn slot(&self) -> Result<exec::Slot, Error> {
        Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .map(Arc::new)
            .map_err(|_| Error::new(ErrorKind::Api("shutting down".into())))
    }

    fn no_marker(&self) -> Error {
        Error::new(ErrorKind::NoMarker {
            marker: self.options.marker_path.clone(),
            waited: self.options.timeout,
        })
    }

    async fn timed_copy_all(
        &self,
        pod: &PodRef,
        dir: &std::path::Path,
        after_marker: bool,
        slot: &exec::Slot,
    ) -> Result<Option<Fetched>, Error> {
        let copy_all = self.copy_all(pod, dir, after_marker, slot);
        match tokio::time::timeout(self.options.timeout, copy_all).await {
            Ok(result) => result,
            Err(_) => Err(Error::new(ErrorKind::CopyTimeout(self.options.timeout))),
        }
    }

    async fn wait_ready(
        &self,
        pod: &PodRef,
        seen: &mut watch::Receiver<Seen>,
        deadline: Instant,
    ) -> Result<(), Error> {
        // Always announced first, so the sequence of stages does not depend on timing.
        self.emit(pod, Stage::WaitingReady { phase: None });
        let mut last_phase: Option<String> = None;
        loop {
            let state = seen.borrow_and_update().clone();
            match state {
                Seen::Unknown => {}
                Seen::Pod(object) => {
                    let phase = object.status.as_ref().and_then(|s| s.phase.clone());
                    if is_ready(&object) {
                        return Ok(());
                    }
                    if let Some(finished @ ("Succeeded" | "Failed")) = phase.as_deref() {
                        return Err(Error::new(ErrorKind::PodFinished {
                            phase: finished.to_owned(),
                        }));
                    }
                    if phase.is_some() && last_phase != phase {
                        self.emit(
                            pod,
                            Stage::WaitingReady {
                                phase: phase.as_deref().map(|p| clean_text(p, 40)),
                            },
                        );
                        last_phase = phase;
                    }
                }
                Seen::Deleted => return Err(Error::new(ErrorKind::Deleted)),
                Seen::Failed(kind) => return Err(Error::new(clone_kind(&kind))),
            }
            match tokio::time::timeout_at(deadline, seen.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => {
                    return Err(Error::new(ErrorKind::Api("lost track of the pod".into())));
                }
                Err(_) => {
                    return Err(Error::new(ErrorKind::NotReady {
                        waited: self.options.timeout,
                    }));
                }
            }
        }
    }

    async fn wait_marker(&self, pod: &PodRef, deadline: Instant) -> Result<(), Error> {
        let marker = &self.options.marker_path;
        let mut delay = Duration::from_millis(200);
        loop {
            let code = {
                let slot = self.slot().await?;
                let command = ["test", "-e", marker.as_str()];
                let check = exec::exit_code_of(
                    &self.client,
                    &pod.namespace,
                    &pod.name,
                    &self.options.container,
                    &command,
                    &slot,
                );
                // A check can hang (or a hostile pod can stream forever): it gets until the
                // deadline plus a grace period, never unbounded.
                let limit = deadline.max(Instant::now()) + MARKER_CHECK_GRACE;
                match tokio::time::timeout_at(limit, check).await {
                    Ok(code) => code.map_err(Error::new)?,
                    Err(_) => {
                        let kind =
                            ErrorKind::Exec("the marker check did not finish in time".into());
                        return Err(Error::new(kind).for_path(marker));
                    }
                }
            };
            match code {
                0 => return Ok(()),
                // `test -e` says 1 when the file is not there (yet).
                1 => {}
                code => {
                    return Err(Error::new(ErrorKind::CommandFailed {
                        command: "test".into(),
                        code,
                        stderr: String::new(),
                    })
                    .for_path(marker));
                }
            }
            self.pause_for_marker(deadline, &mut delay).await?;
        }
    }

    /// Before the next marker attempt: a "no marker" error once past the deadline, else a sleep
    /// that grows with each attempt.
    async fn pause_for_marker(&self, deadline: Instant, delay: &mut Duration) -> Result<(), Error> {
        let now = Instant::now();
        if now >= deadline {
            return Err(self.no_marker());
        }
        tokio::time::sleep_until((now + *delay).min(deadline)).await;
        *delay = backoff(*delay);
        Ok(())
    }

    /// Copies every file; with `after_marker`, the first only if the marker is there
    /// (`Ok(None)` when it is not).
    async fn copy_all(
        &self,
        pod: &PodRef,
        dir: &std::path::Path,
        after_marker: bool,
        slot: &exec::Slot,
    ) -> Result<Option<Fetched>, Error> {
        let options = &self.options;
        // The extra files first and the results last, so the results' presence means all is there.
        let remotes: Vec<&String> = options
            .also
            .iter()
            .chain(std::iter::once(&options.results_path))
            .collect();
        let mut staged = Vec::with_capacity(remotes.len());
        for (i, remote) in remotes.into_iter().enumerate() {
            let file_name = names::local_file_name(remote)
                .map_err(|m| Error::new(ErrorKind::Options(m)))?
                .to_owned();
            let source = if after_marker && i == 0 {
                copy::Source::AfterMarker {
                    marker: &options.marker_path,
                    path: remote,
                }
            } else {
                // Announced up front; a copy after the marker check is announced by its
                // progress, once it is known to be a copy.
                self.emit(
                    pod,
                    Stage::Copying {
                        file: file_name.clone(),
                        bytes: 0,
                    },
                );
                copy::Source::Cat(remote)
            };
            let progress = |bytes: u64| {
                self.emit(
                    pod,
                    Stage::Copying {
                        file: file_name.clone(),
                        bytes,
                    },
                )
            };
            let file = copy::copy_file(
                &self.client,
                &pod.name,
                &pod.namespace,
                &options.container,
                source,
                dir,
                &file_name,
                options.max_bytes,
                &progress,
                &self.buffers,
                slot,
            )
            .await?;
            match file {
                Some(file) => staged.push(file),
                None => return Ok(None),
            }
        }
        self.emit(pod, Stage::Validating);
        // Parsing and writing block; one hand-off to the blocking pool does both.
        let validator = options.validator.clone();
        let files = tokio::task::spawn_blocking({
            let pool = Arc::clone(&self.buffers);
            move || copy::validate_and_commit(staged, &validator, &pool)
        })
        .await
        .map_err(|join| Error::new(ErrorKind::Invalid(format!("the validator failed: {join}"))))?
        .map_err(|e| match e.kind {
            ErrorKind::Invalid(_) => e.for_path(&options.results_path),
            _ => e,
        })?;
        let bytes = files.iter().map(|(_, b)| b).sum();
        let results = files.last().map(|(p, _)| p.clone()).unwrap_or_default();
        Ok(Some(Fetched {
            results,
            files,
            bytes,
        }))
    }

    async fn diagnose(&self, pod: &PodRef, seen: &watch::Receiver<Seen>) -> Option<Diagnosis> {
        let object = match &*seen.borrow() {
            Seen::Pod(object) => Some(object.clone()),
            _ => None,
        };
        let container = &self.options.container;
        let (phase, state) = match &object {
            Some(object) => (
                object
                    .status
                    .as_ref()
                    .and_then(|s| s.phase.as_deref())
                    .map(|p| clean_text(p, 40)),
                describe_container(object, container),
            ),
            None => (None, "unknown (the pod could not be read)".to_owned()),
        };
        let logs = self.last_logs(pod).await;
        Some(Diagnosis {
            phase,
            container: state,
            logs,
        })
    }

    async fn last_logs(&self, pod: &PodRef) -> Logs {
        let params = LogParams {
            container: Some(self.options.container.clone()),
            tail_lines: Some(LOG_LINES),
            limit_bytes: Some(16 * 1024),
            ..LogParams::default()
        };
        match tokio::time::timeout(Duration::from_secs(5), self.api.logs(&pod.name, &params)).await
        {
            Ok(Ok(text)) => Logs::Lines(
                text.lines()
                    .rev()
                    .take(LOG_LINES as usize)
                    .map(|l| clean_text(l, 200))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect(),
            ),
            Ok(Err(err)) => match api::classify(&err, &["get"], "pods/log", &pod.namespace) {
                ErrorKind::Forbidden { .. } => Logs::Forbidden,
                other => Logs::Unavailable(other.to_string()),
            },
            Err(_) => Logs::Unavailable("timed out".into()),
        }
    }
}

#[cfg(feature = "client")]
fn is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|conditions| {
            conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True")
        })
}

#[cfg(feature = "client")]
/// `running, not ready`, `waiting (CrashLoopBackOff: ...)`, `terminated (Error, exit code 1)`.
fn describe_container(pod: &Pod, container: &str) -> String {
    let in_spec = pod
        .spec
        .as_ref()
        .is_some_and(|spec| spec.containers.iter().any(|c| c.name == container));
    if !in_spec {
        let names: Vec<String> = pod
            .spec
            .as_ref()
            .map(|spec| {
                spec.containers
                    .iter()
                    .map(|c| clean_text(&c.name, 60))
                    .collect()
            })
            .unwrap_or_default();
        return format!(
            "no container {} in the pod (containers: {})",
            names::quoted(container),
            names.join(", ")
        );
    }
    let status: Option<&ContainerStatus> = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|all| all.iter().find(|c| c.name == container));
    let Some(status) = status else {
        return "not started".to_owned();
    };
    let detail = |reason: Option<&String>, message: Option<&String>| -> String {
        match (reason, message) {
            (Some(r), Some(m)) => format!(" ({}: {})", clean_text(r, 60), clean_text(m, 160)),
            (Some(r), None) => format!(" ({})", clean_text(r, 60)),
            (None, Some(m)) => format!(" ({})", clean_text(m, 160)),
            (None, None) => String::new(),
        }
    };
    let restarts = if status.restart_count > 0 {
        format!(", {} restarts", status.restart_count)
    } else {
        String::new()
    };
    match &status.state {
        Some(state) if state.running.is_some() => {
            format!(
                "running, {}{restarts}",
                if status.ready { "ready" } else { "not ready" }
            )
        }
        Some(state) if state.waiting.is_some() => {
            let w = state
                .waiting
                .as_ref()
                .map(|w| detail(w.reason.as_ref(), w.message.as_ref()))
                .unwrap_or_default();
            format!("waiting{w}{restarts}")
        }
        Some(state) if state.terminated.is_some() => {
            let t = state.terminated.as_ref();
            let code = t.map(|t| t.exit_code).unwrap_or_default();
            let reason = t
                .and_then(|t| t.reason.as_deref())
                .map(|r| clean_text(r, 60))
                .unwrap_or_else(|| "exited".into());
            format!("terminated ({reason}, exit code {code}){restarts}")
        }
        _ => "unknown".to_owned(),
    }
}

#[cfg(feature = "client")]
fn clone_kind(kind: &ErrorKind) -> ErrorKind {
    match kind {
        ErrorKind::Unauthorized => ErrorKind::Unauthorized,
        ErrorKind::Forbidden {
            denied,
            verbs,
            resource,
            namespace,
        } => ErrorKind::Forbidden {
            denied: denied.clone(),
            verbs,
            resource,
            namespace: namespace.clone(),
        },
        ErrorKind::NotFound => ErrorKind::NotFound,
        ErrorKind::Connect(m) => ErrorKind::Connect(m.clone()),
        ErrorKind::Config(m) => ErrorKind::Config(m.clone()),
        other => ErrorKind::Api(other.to_string()),
    }
}
