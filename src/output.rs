//! Writing files whole or not at all: a temp file in the target's directory, then rename.

use std::error::Error as StdError;
use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};

/// Writes `path` atomically: `fill` writes into a temporary file next to it, which is
/// renamed over `path` only when everything succeeded. `-` means stdout. `fill` fails with
/// its own error type (a renderer's, or `io::Error`): nothing is squeezed through `io::Error`.
pub fn write_atomically<E>(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<()>
where
    E: StdError + Send + Sync + 'static,
{
    if path.as_os_str() == "-" {
        return to_stdout(fill);
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".scangate-").suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(permissions_for(path));
    let mut tmp = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    {
        let mut buf = io::BufWriter::new(tmp.as_file_mut());
        fill(&mut buf).with_context(|| format!("cannot write {}", path.display()))?;
        buf.flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Writes to stdout through a buffer. A closed pipe (`scangate ... | head`) is not an error:
/// the reader has all it wanted, and a gate's exit code must not depend on it.
pub fn to_stdout<E>(fill: impl FnOnce(&mut dyn Write) -> Result<(), E>) -> Result<()>
where
    E: StdError + Send + Sync + 'static,
{
    let stdout = io::stdout();
    to_stream(io::BufWriter::new(stdout.lock()), fill).context("cannot write to stdout")
}

/// Writes human-readable output to stderr (when stdout carries a report).
pub fn to_stderr<E>(fill: impl FnOnce(&mut dyn Write) -> Result<(), E>) -> Result<()>
where
    E: StdError + Send + Sync + 'static,
{
    let stderr = io::stderr();
    to_stream(io::BufWriter::new(stderr.lock()), fill).context("cannot write to stderr")
}

fn to_stream<E>(
    mut out: impl Write,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<()>
where
    E: StdError + Send + Sync + 'static,
{
    let result = fill(&mut out)
        .map_err(anyhow::Error::new)
        .and_then(|()| out.flush().map_err(anyhow::Error::new));
    match result {
        Err(e) if is_broken_pipe(e.as_ref()) => Ok(()),
        other => other,
    }
}

/// A closed pipe anywhere in the chain: the renderer's `Io` variant wraps one too.
fn is_broken_pipe(error: &(dyn StdError + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        let io = e.downcast_ref::<io::Error>().or_else(|| {
            // `Io` is transparent: its source is the io::Error's source, not the io::Error.
            match e.downcast_ref::<scangate_report::Error>() {
                Some(scangate_report::Error::Io(io)) => Some(io),
                _ => None,
            }
        });
        if io.is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe) {
            return true;
        }
        next = e.source();
    }
    false
}

/// The mode a report gets: the existing file's, else the usual 0644 (tempfile's default
/// 0600 would hide reports from CI artifact uploaders running as another user).
#[cfg(unix)]
fn permissions_for(path: &Path) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).map_or_else(
        |_| std::fs::Permissions::from_mode(0o644),
        |m| m.permissions(),
    )
}

/// Pretty JSON on stdout (the schema commands).
pub fn print_json(value: &serde_json::Value) -> Result<crate::exit::Outcome> {
    to_stdout(|out| {
        serde_json::to_writer_pretty(&mut *out, value)?;
        writeln!(out)
    })?;
    Ok(crate::exit::Outcome::Pass)
}
