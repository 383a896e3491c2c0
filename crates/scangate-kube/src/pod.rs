//! One pod, start to end: wait until it is Ready, wait for the marker, copy, validate, and on
//! failure say what the pod looked like.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::time::Instant;

use crate::error::{Error, ErrorKind};
use crate::names::{self, clean_text};
use crate::options::{self, FetchOptions, PathOption};
use crate::outcome::{Diagnosis, Event, Fetched, PodFailure, PodRef, PodReport, Stage};
use crate::track::{Seen, backoff};
use crate::{copy, diagnose, exec};

/// How long a marker check may run past the pod's deadline before it is abandoned.
const MARKER_CHECK_GRACE: Duration = Duration::from_secs(10);

/// What the pods of one fetch share; each pod's task runs [`Shared::pod`].
pub(crate) struct Shared {
    pub(crate) api: Api<Pod>,
    pub(crate) client: kube::Client,
    pub(crate) options: FetchOptions,
    /// One permit per open exec session, across all pods: `concurrency` bounds what the API
    /// server sees, not how many pods are waiting.
    pub(crate) slots: Arc<Semaphore>,
    /// To the caller's task, so that `on_event` is never called from a pod's.
    pub(crate) events: mpsc::UnboundedSender<Event>,
    /// Every pod's deadline counts from here, so a pod that waited for a slot gets no extra
    /// time.
    pub(crate) start: Instant,
    /// Whether containers have `sh` for the one-exec marker check and copy (until one has not).
    pub(crate) shell: AtomicBool,
    /// A copy reuses the buffer of one that has finished instead of growing a fresh one.
    pub(crate) buffers: Arc<copy::BufferPool>,
    /// The output directory, resolved by the first pod that needed it.
    pub(crate) root: OnceLock<PathBuf>,
}

impl Shared {
    /// The resolved output directory; a failure is the asking pod's, and the next one tries
    /// again.
    fn output_root(&self) -> Result<&Path, Error> {
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

    pub(crate) async fn pod(&self, pod: PodRef, mut seen: watch::Receiver<Seen>) -> PodReport {
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
                    _ => Some(self.diagnose(&pod, &seen).await),
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
        dir: &Path,
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
                match self.in_time(self.copy_all(pod, dir, true, &slot)).await {
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
        match self.in_time(self.copy_all(pod, dir, false, &slot)).await? {
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

    /// `copy` cut off when the copy timeout runs out.
    async fn in_time<T>(
        &self,
        copy: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        let timeout = self.options.timeout;
        tokio::time::timeout(timeout, copy)
            .await
            .unwrap_or_else(|_| Err(Error::new(ErrorKind::CopyTimeout(timeout))))
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
                Seen::Failed(kind) => return Err(Error::new(kind)),
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
                let check = async {
                    let client = &self.client;
                    let container = &self.options.container;
                    exec::start(client, &pod.namespace, &pod.name, container, &command, &slot)
                        .await?
                        .exit_code()
                        .await
                };
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
        dir: &Path,
        after_marker: bool,
        slot: &exec::Slot,
    ) -> Result<Option<Fetched>, Error> {
        let options = &self.options;
        // The extra files first and the results last, so the results' presence means all is there.
        let remotes: Vec<(PathOption, &String)> = options
            .also
            .iter()
            .map(|path| (PathOption::Also, path))
            .chain(std::iter::once((
                PathOption::Results,
                &options.results_path,
            )))
            .collect();
        let mut staged = Vec::with_capacity(remotes.len());
        for (i, (option, remote)) in remotes.into_iter().enumerate() {
            let file_name = options::local_file_name(option, remote)
                .map_err(|invalid| Error::new(ErrorKind::Options(invalid)))?
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

    async fn diagnose(&self, pod: &PodRef, seen: &watch::Receiver<Seen>) -> Diagnosis {
        // Cloned out: the receiver's lock must not be held while the logs are read.
        let object = match &*seen.borrow() {
            Seen::Pod(object) => Some(object.clone()),
            _ => None,
        };
        diagnose::diagnose(&self.api, pod, &self.options.container, object.as_deref()).await
    }
}

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
