//! InSpec / CINC Auditor / HDF results for scangate: parse them, resolve overlays, and
//! count controls by status and severity exactly as MITRE SAF CLI 1.5.3 does, except where
//! scangate deliberately does better (the differences in `docs/saf-compatibility.md`).
//!
//! The model borrows from the input buffer: parsing allocates little beyond the vectors
//! that hold profiles, controls and results, and skips what nobody reads.
//!
//! ```
//! use scangate_results::{Input, Severity, Status, Summary};
//!
//! let json = br#"{"platform": {"name": "debian", "release": "12"},
//!   "profiles": [{"name": "baseline", "sha256": "00", "supports": [], "attributes": [],
//!     "groups": [], "controls": [
//!       {"id": "C-1", "impact": 0.7, "refs": [], "tags": {}, "source_location": {},
//!        "results": [{"status": "failed", "code_desc": "sshd is hardened",
//!                     "start_time": "2024-01-01T00:00:00Z"}]}]}],
//!   "statistics": {}, "version": "5.22.3"}"#;
//! let input = Input::from_bytes("scan.json", json.to_vec());
//! let results = input.parse()?;
//! let summary = Summary::new(&results);
//! assert_eq!(summary.counts.get(Status::Failed, Severity::High), 1);
//! assert_eq!(summary.compliance(), 0);
//! # Ok::<(), scangate_results::Error>(())
//! ```

mod de;
mod error;
pub mod model;
mod opaque;
mod parse;
mod status;
mod summary;
mod text;

use std::path::{Path, PathBuf};

pub use error::{Error, ErrorKind, Location};
pub use model::{Format, Results};
pub use opaque::{MAX_OPAQUE_DEPTH, OpaqueJson};
pub use parse::{JSON_MIN_IMPACT, parse};
pub use status::{Severity, SeverityWarning, Status, control_severity, control_status};
pub use summary::{
    Counts, Evaluated, ProfileAggregate, ProfileSummary, Summary, Warning, aggregate,
};
pub use text::Text;

/// A results file's bytes and the name it is known by: the buffer the model borrows from.
#[derive(Debug, Clone)]
pub struct Input {
    path: PathBuf,
    bytes: Vec<u8>,
}

impl Input {
    /// Reads `path` into memory.
    pub fn read(path: impl AsRef<Path>) -> Result<Input, Error> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error {
            path: path.to_owned(),
            kind: ErrorKind::Io(e),
        })?;
        Ok(Input {
            path: path.to_owned(),
            bytes,
        })
    }

    /// Wraps bytes already in memory (e.g. fetched from a pod).
    pub fn from_bytes(path: impl Into<PathBuf>, bytes: Vec<u8>) -> Input {
        Input {
            path: path.into(),
            bytes,
        }
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file name without directories, as saf lists it in `resultSets`.
    pub fn base_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string())
    }

    /// The raw bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Parses the bytes; the result borrows from `self`.
    pub fn parse(&self) -> Result<Results<'_>, Error> {
        parse(&self.bytes, &self.path)
    }
}
