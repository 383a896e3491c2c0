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
use std::sync::OnceLock;

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
    /// The bytes with what is not UTF-8 replaced, made only for a file that needs it.
    repaired: OnceLock<Repaired>,
}

/// A copy of a file that was not all UTF-8, each bad byte sequence replaced with U+FFFD.
#[derive(Debug, Clone)]
struct Repaired {
    bytes: Vec<u8>,
    /// Offset of the first byte that was not UTF-8.
    first_offset: usize,
    /// How many bytes were not UTF-8.
    count: usize,
}

impl Repaired {
    fn of(bytes: &[u8], first_offset: usize) -> Repaired {
        Repaired {
            bytes: String::from_utf8_lossy(bytes).into_owned().into_bytes(),
            first_offset,
            count: bytes.utf8_chunks().map(|c| c.invalid().len()).sum(),
        }
    }

    fn warning(&self) -> Warning {
        let message = if self.count == 1 {
            "a byte that is not UTF-8, read as U+FFFD (the replacement character)".to_owned()
        } else {
            format!(
                "first of {} bytes that are not UTF-8, each read as U+FFFD (the replacement \
                 character)",
                self.count
            )
        };
        Warning {
            location: format!("byte {}", self.first_offset),
            message,
        }
    }
}

impl Input {
    /// Reads `path` into memory.
    pub fn read(path: impl AsRef<Path>) -> Result<Input, Error> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error {
            path: path.to_owned(),
            kind: ErrorKind::Io(e),
        })?;
        Ok(Input::from_bytes(path, bytes))
    }

    /// Wraps bytes already in memory (e.g. fetched from a pod).
    pub fn from_bytes(path: impl Into<PathBuf>, bytes: Vec<u8>) -> Input {
        Input {
            path: path.into(),
            bytes,
            repaired: OnceLock::new(),
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

    /// The raw bytes, as read.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Parses the bytes; the result borrows from `self`.
    ///
    /// Bytes that are not UTF-8 are read as U+FFFD, as saf's Node.js reads them
    /// (compat:saf-input), with one warning: real scans carry Windows-1252 quotes pasted into
    /// tag text, and refusing the file over them would fail a gate on a typo. The check costs
    /// nothing on a good file: [`parse`] validates UTF-8 in its one pass, and only when that
    /// fails is the file repaired and parsed again.
    pub fn parse(&self) -> Result<Results<'_>, Error> {
        let error = match parse(&self.bytes, &self.path) {
            Ok(results) => return Ok(results),
            Err(error) => error,
        };
        let first_offset = match std::str::from_utf8(&self.bytes) {
            Ok(_) => return Err(error),
            Err(e) => e.valid_up_to(),
        };
        let repaired = self
            .repaired
            .get_or_init(|| Repaired::of(&self.bytes, first_offset));
        let mut results = parse(&repaired.bytes, &self.path)?;
        results.warnings.insert(0, repaired.warning());
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(title: &[u8], check: &[u8]) -> Vec<u8> {
        let mut out = br#"{"platform":{"name":"p","release":"1"},"statistics":{},"version":"2.2.78","profiles":[{"name":"p","sha256":"0","supports":[],"attributes":[],"groups":[],"controls":[{"id":"C","title":""#.to_vec();
        out.extend_from_slice(title);
        out.extend_from_slice(br#"","impact":0.5,"refs":[],"tags":{"check":""#);
        out.extend_from_slice(check);
        out.extend_from_slice(br#""},"source_location":{},"results":[{"status":"passed","code_desc":"d","start_time":"s"}]}]}]}"#);
        out
    }

    #[test]
    fn bytes_that_are_not_utf8_are_read_as_u_fffd_with_one_warning_per_file() {
        // Windows-1252 quotes, as pasted into STIG check text.
        let bytes = doc(b"the system\x92s clock", b"\x93yes\x94 and \x96");
        let first = bytes.iter().position(|&b| b == 0x92).unwrap();
        let input = Input::from_bytes("t.json", bytes);
        let results = input.parse().expect("read like saf reads it");
        let summary = Summary::new(&results);
        assert_eq!(summary.counts.total(Status::Passed), 1);
        assert_eq!(
            summary.controls[0].control.title.as_deref(),
            Some("the system\u{FFFD}s clock")
        );
        assert_eq!(
            summary.warnings,
            vec![Warning {
                location: format!("byte {first}"),
                message: "first of 4 bytes that are not UTF-8, each read as U+FFFD (the \
                          replacement character)"
                    .to_owned(),
            }]
        );
    }

    #[test]
    fn parse_itself_names_where_the_bytes_stop_being_utf8() {
        let bytes = doc(b"ok", b"a\n\x92");
        let err = parse(&bytes, Path::new("t.json")).unwrap_err();
        let offset = bytes.iter().position(|&b| b == 0x92).unwrap();
        let column = offset - bytes.iter().position(|&b| b == b'\n').unwrap();
        assert_eq!(
            err.to_string(),
            format!("t.json: 2:{column}: at $: not UTF-8: byte 0x92 at offset {offset}")
        );
    }

    #[test]
    fn utf8_input_is_kept_as_it_is_and_warns_nothing() {
        let bytes = doc("the system’s clock".as_bytes(), b"ok");
        let input = Input::from_bytes("t.json", bytes.clone());
        assert_eq!(input.bytes(), &bytes[..]);
        let results = input.parse().unwrap();
        assert!(Summary::new(&results).warnings.is_empty());
    }
}
