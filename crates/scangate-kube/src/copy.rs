//! Copying a file out of the container into the output directory, treating the pod as hostile.
//!
//! The stream is cut one byte past the limit. A file that fits in [`SPILL_AT`] is held in
//! memory; a larger one goes to a temporary file next to its destination as it streams. Either
//! way nothing is renamed into place until the exec's final Status said the command succeeded
//! and the caller's validator accepted the results; then each file is written to a temporary
//! file (if it was in memory) and renamed. Dropping a temporary file on any failure deletes it,
//! so nothing half-written is ever left behind.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use crate::api::stderr_line;
use crate::error::{Error, ErrorKind};
use crate::exec::{self, Exec};
use crate::options::Validator;

/// Files up to this size stay in memory until they are committed. Most results are a few MB;
/// keeping them off the disk until they are validated saves a write-back-read round trip and a
/// blocking-pool hand-off per websocket frame, which dominated fetching from many pods. With
/// the default concurrency of 8 that is at most 64 MiB held per file a pod is asked for.
pub(crate) const SPILL_AT: usize = 8 << 20;

/// Copy buffers handed from one pod to the next. A fresh multi-MB buffer per copy costs a page
/// fault per 4 KiB and a chain of reallocations as it grows, which was the largest item in a
/// profile of fetching 2 MiB results from 50 pods; reusing one that is already mapped costs
/// neither. Holds at most as many buffers as pods copy at once.
#[derive(Debug)]
pub(crate) struct BufferPool {
    buffers: std::sync::Mutex<Vec<Vec<u8>>>,
    keep: usize,
}

impl BufferPool {
    pub(crate) fn new(keep: usize) -> Self {
        Self {
            buffers: std::sync::Mutex::new(Vec::new()),
            keep,
        }
    }

    fn take(&self) -> Vec<u8> {
        let mut buffers = self.buffers.lock().unwrap_or_else(|e| e.into_inner());
        // The largest first: it is the least likely to have to grow.
        buffers.pop().unwrap_or_default()
    }

    fn put(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        let mut buffers = self.buffers.lock().unwrap_or_else(|e| e.into_inner());
        // Capped at the in-memory limit, so the pool never holds more than copies in flight do.
        if buffers.len() < self.keep && buffer.capacity() > 0 && buffer.capacity() <= SPILL_AT {
            buffers.push(buffer);
            buffers.sort_by_key(Vec::capacity);
        }
    }
}

/// Where a copied file's bytes are while it waits for validation.
#[derive(Debug)]
enum Body {
    Memory(Vec<u8>),
    Spilled(NamedTempFile),
}

/// A copied file waiting for validation and its rename.
#[derive(Debug)]
pub(crate) struct Staged {
    body: Body,
    pub(crate) destination: PathBuf,
    pub(crate) bytes: u64,
}

/// A temporary file next to the destination, so the final rename stays on one file system.
fn temp_file_in(dir: &Path) -> Result<NamedTempFile, Error> {
    tempfile::Builder::new()
        .prefix(".scangate-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(io_error(format!(
            "create a temporary file in {}",
            dir.display()
        )))
}

fn io_error(action: String) -> impl FnOnce(io::Error) -> Error {
    move |source| {
        Error::new(ErrorKind::Io {
            action,
            source: source.into(),
        })
    }
}

/// Creates the output directory and resolves it, once per fetch: the pods' directories are
/// made inside the resolved path.
pub(crate) fn prepare_root(root: &Path) -> Result<PathBuf, Error> {
    std::fs::create_dir_all(root).map_err(io_error(format!("create {}", root.display())))?;
    root.canonicalize()
        .map_err(io_error(format!("resolve {}", root.display())))
}

/// Creates `root/<namespace>/<pod>` in the resolved `root` and makes sure neither component is
/// a symlink or anything but a directory, so files cannot land outside it. Both are valid
/// Kubernetes names (no `/`, no `.` or `..`), so the result needs no resolving of its own.
pub(crate) fn prepare_pod_dir(root: &Path, namespace: &str, pod: &str) -> Result<PathBuf, Error> {
    let mut dir = root.to_path_buf();
    for component in [namespace, pod] {
        dir.push(component);
        match std::fs::create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io_error(format!("create {}", dir.display()))(e)),
        }
        let meta = std::fs::symlink_metadata(&dir)
            .map_err(io_error(format!("inspect {}", dir.display())))?;
        if meta.file_type().is_symlink() || !meta.is_dir() {
            return Err(Error::new(ErrorKind::UnsafeDestination(
                dir.display().to_string(),
            )));
        }
    }
    Ok(dir)
}

/// What the copy reports as it goes: bytes so far.
pub(crate) type Progress<'a> = &'a (dyn Fn(u64) + Send + Sync);

/// What a copy runs in the container.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Source<'a> {
    /// `cat PATH`.
    Cat(&'a str),
    /// `cat PATH` once `marker` exists, in one exec: the marker check and the copy of the
    /// first file share a round trip through the API server and the kubelet. Needs `sh`.
    AfterMarker { marker: &'a str, path: &'a str },
}

/// The combined command: `$1` is the marker, `$2` the file. Paths are arguments, never spliced
/// into the script.
const AFTER_MARKER: &str = r#"test -e "$1" || exit 3; exec cat "$2""#;

/// The combined command's exit status for "the marker is not there yet" (`cat` exits 0 or 1).
const NO_MARKER_YET: i32 = 3;

impl Source<'_> {
    fn path(&self) -> &str {
        match self {
            Self::Cat(path) | Self::AfterMarker { path, .. } => path,
        }
    }
}

/// Whether an exec failed because the container has no `sh` (distroless images), in which case
/// the caller falls back to a separate marker check and `cat`.
pub(crate) fn is_missing_shell(error: &Error) -> bool {
    match &error.kind {
        ErrorKind::Exec(message) | ErrorKind::Api(message) => {
            message.contains("\"sh\"")
                && (message.contains("not found") || message.contains("no such file"))
        }
        ErrorKind::CommandFailed { command, code, .. } => {
            command == "sh" && is_shell_failure(*code)
        }
        _ => false,
    }
}

/// Streams the file into memory, or into a temporary file in `dir` past [`SPILL_AT`].
/// `Ok(None)`: [`Source::AfterMarker`] found no marker, nothing was copied.
///
/// Errors before the file's first byte are the exec's and carry no path; later ones (and a
/// failing `cat`) name the file.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn copy_file(
    client: &kube::Client,
    pod: &str,
    namespace: &str,
    container: &str,
    source: Source<'_>,
    dir: &Path,
    file_name: &str,
    max_bytes: u64,
    progress: Progress<'_>,
    pool: &BufferPool,
    slot: &exec::Slot,
) -> Result<Option<Staged>, Error> {
    let destination = dir.join(file_name);
    let remote = source.path();
    let command: Vec<&str> = match source {
        Source::Cat(path) => vec!["cat", path],
        Source::AfterMarker { marker, path } => vec!["sh", "-c", AFTER_MARKER, "sh", marker, path],
    };
    let mut exec = exec::start(client, namespace, pod, container, &command, slot)
        .await
        .map_err(Error::new)?;
    // On an error the session is dropped, which closes the pod's stream (keeping the slot until
    // it is closed); a temporary file goes when it drops.
    let body = copy_capped(&mut exec, dir, max_bytes, progress, pool.take())
        .await
        .map_err(|error| error.for_path(remote))?;
    let (code, stderr) = exec.finish().await;
    let bytes = body.len();
    let nothing_yet = bytes == 0;
    let after_marker = matches!(source, Source::AfterMarker { .. });
    match code {
        Ok(0) => {}
        Ok(NO_MARKER_YET) if after_marker && nothing_yet => {
            // Nothing was copied; the next attempt can have the buffer.
            if let Copied::Memory(buffer) = body {
                pool.put(buffer);
            }
            return Ok(None);
        }
        Ok(code) => {
            // Only the combined command runs under `sh`, so only it can fail as `sh` does.
            let command = if after_marker && nothing_yet && is_shell_failure(code) {
                "sh"
            } else {
                "cat"
            };
            let error = Error::new(ErrorKind::CommandFailed {
                command: command.into(),
                code,
                stderr: stderr_line(&stderr),
            });
            return Err(if command == "cat" {
                error.for_path(remote)
            } else {
                error
            });
        }
        Err(kind) if nothing_yet => return Err(Error::new(kind)),
        Err(kind) => return Err(Error::new(kind).for_path(remote)),
    }
    progress(bytes);
    let body = match body {
        Copied::Memory(buffer) => Body::Memory(buffer),
        Copied::Spilled { temp, mut file, .. } => {
            // No fsync: temp file + rename is what keeps an interrupted copy from ever being
            // seen, and the results are read back in the same run.
            file.flush()
                .await
                .map_err(io_error(format!("write {}", temp.path().display())))?;
            Body::Spilled(temp)
        }
    };
    Ok(Some(Staged {
        body,
        destination,
        bytes,
    }))
}

/// `sh`'s own exit statuses for a command it cannot run.
fn is_shell_failure(code: i32) -> bool {
    code == 126 || code == 127
}

enum Copied {
    Memory(Vec<u8>),
    Spilled {
        temp: NamedTempFile,
        file: tokio::io::BufWriter<tokio::fs::File>,
        bytes: u64,
    },
}

impl Copied {
    fn len(&self) -> u64 {
        match self {
            Self::Memory(bytes) => bytes.len() as u64,
            Self::Spilled { bytes, .. } => *bytes,
        }
    }
}

/// How much of a spilled copy is held in memory before it is written to the temporary file.
const WRITE_BUFFER: usize = 1 << 20;

async fn copy_capped<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
    exec: &mut Exec<S>,
    dir: &Path,
    max_bytes: u64,
    progress: Progress<'_>,
    mut memory: Vec<u8>,
) -> Result<Copied, Error> {
    // Called with the running total before each chunk is kept: the cut, and a progress report
    // per MiB. The final count is reported once the exit status says the copy is good.
    let mut reported: u64 = 0;
    let mut account = |total: u64| {
        if total > max_bytes {
            return Err(Error::new(ErrorKind::TooLarge { limit: max_bytes }));
        }
        if total - reported >= 1024 * 1024 {
            reported = total;
            progress(total);
        }
        Ok(())
    };

    // In memory while it is small: each frame is copied once, into the (reused) buffer.
    loop {
        let Some(chunk) = exec.stdout().await.map_err(Error::new)? else {
            return Ok(Copied::Memory(memory));
        };
        account((memory.len() + chunk.len()) as u64)?;
        memory.extend_from_slice(&chunk);
        if memory.len() > SPILL_AT {
            break;
        }
    }

    // Too big to hold: stream the rest to a temporary file next to the destination.
    let temp = temp_file_in(dir)?;
    let write_action = format!("write {}", temp.path().display());
    let handle = temp
        .as_file()
        .try_clone()
        .map_err(io_error(format!("open {}", temp.path().display())))?;
    // tokio's File hands every write to its blocking pool; batching them into large writes
    // saves a thread hand-off per websocket frame.
    let mut file =
        tokio::io::BufWriter::with_capacity(WRITE_BUFFER, tokio::fs::File::from_std(handle));
    let mut total = memory.len() as u64;
    file.write_all(&memory)
        .await
        .map_err(io_error(write_action.clone()))?;
    drop(memory);
    while let Some(chunk) = exec.stdout().await.map_err(Error::new)? {
        total += chunk.len() as u64;
        account(total)?;
        file.write_all(&chunk)
            .await
            .map_err(io_error(write_action.clone()))?;
    }
    Ok(Copied::Spilled {
        temp,
        file,
        bytes: total,
    })
}

/// Validates the last file (the results) and then renames every file into place, the results
/// last so that their presence means the set is whole. Blocking: call it off the async workers.
pub(crate) fn validate_and_commit(
    staged: Vec<Staged>,
    validator: &Validator,
    pool: &BufferPool,
) -> Result<Vec<(PathBuf, u64)>, Error> {
    if let Some(results) = staged.last() {
        let checked = match &results.body {
            Body::Memory(bytes) => validator(bytes),
            Body::Spilled(temp) => {
                let bytes = std::fs::read(temp.path())
                    .map_err(io_error("read back the copied results".into()))?;
                validator(&bytes)
            }
        };
        if let Err(reason) = checked {
            return Err(Error::new(ErrorKind::Invalid(crate::names::clean_text(
                &reason, 300,
            ))));
        }
    }
    let mut done = Vec::with_capacity(staged.len());
    for file in staged {
        let Staged {
            body,
            destination,
            bytes,
        } = file;
        let temp = match body {
            Body::Spilled(temp) => temp,
            Body::Memory(content) => {
                let dir = destination.parent().unwrap_or(Path::new("."));
                let mut temp = temp_file_in(dir)?;
                temp.write_all(&content)
                    .map_err(io_error(format!("write {}", temp.path().display())))?;
                pool.put(content);
                temp
            }
        };
        temp.persist(&destination).map_err(|e| {
            Error::new(ErrorKind::Io {
                action: format!("rename into {}", destination.display()),
                source: e.error.into(),
            })
        })?;
        done.push((destination, bytes));
    }
    Ok(done)
}
