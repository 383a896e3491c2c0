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
mod parse;
mod status;
mod summary;
mod text;

use std::path::{Path, PathBuf};

pub use error::{Error, ErrorKind, Location};
pub use model::{Format, Results};
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
    not_utf8: Option<NotUtf8>,
}

/// Where a file stopped being UTF-8, and how many bytes were read as U+FFFD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NotUtf8 {
    first_offset: usize,
    bytes: usize,
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
    ///
    /// Bytes that are not UTF-8 are replaced with U+FFFD, as saf's Node.js reads them
    /// (compat:saf-input): real scans carry Windows-1252 quotes pasted into tag text, and
    /// refusing the file over them would fail a gate on a typo. [`Input::parse`] warns.
    pub fn from_bytes(path: impl Into<PathBuf>, bytes: Vec<u8>) -> Input {
        let (bytes, not_utf8) = match std::str::from_utf8(&bytes) {
            Ok(_) => (bytes, None),
            Err(e) => {
                let first_offset = e.valid_up_to();
                let invalid = bytes.utf8_chunks().map(|c| c.invalid().len()).sum();
                let text = String::from_utf8_lossy(&bytes).into_owned();
                (
                    text.into_bytes(),
                    Some(NotUtf8 {
                        first_offset,
                        bytes: invalid,
                    }),
                )
            }
        };
        Input {
            path: path.into(),
            bytes,
            not_utf8,
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

    /// The bytes, UTF-8 (what was not is U+FFFD).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Parses the bytes; the result borrows from `self`.
    pub fn parse(&self) -> Result<Results<'_>, Error> {
        let mut results = parse(&self.bytes, &self.path)?;
        if let Some(NotUtf8 {
            first_offset,
            bytes,
        }) = self.not_utf8
        {
            results.warnings.insert(
                0,
                Warning {
                    location: format!("byte {first_offset}"),
                    message: if bytes == 1 {
                        "a byte that is not UTF-8, read as U+FFFD (the replacement character)"
                            .to_owned()
                    } else {
                        format!(
                            "first of {bytes} bytes that are not UTF-8, each read as U+FFFD \
                             (the replacement character)"
                        )
                    },
                },
            );
        }
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
    fn utf8_input_is_kept_as_it_is_and_warns_nothing() {
        let bytes = doc("the system’s clock".as_bytes(), b"ok");
        let input = Input::from_bytes("t.json", bytes.clone());
        assert_eq!(input.bytes(), &bytes[..]);
        let results = input.parse().unwrap();
        assert!(Summary::new(&results).warnings.is_empty());
    }
}
