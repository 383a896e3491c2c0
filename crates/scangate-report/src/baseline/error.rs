//! Why a `--baseline` file cannot be used, precisely enough to fix it.

use std::path::PathBuf;

/// A baseline that could not be read or is not valid.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Plain results that are not valid results: the results parser's own error, which names
    /// the file and the place.
    #[error(transparent)]
    Results(#[from] scangate_results::Error),
    /// A baseline file or JSON report that is not valid.
    #[error("{}: {kind}", path.display())]
    Invalid { path: PathBuf, kind: ErrorKind },
}

/// What is wrong with a baseline file or JSON report.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    /// Not JSON of the expected shape.
    #[error("{}at {json_path}: {message}", line_column.map(|(l, c)| format!("{l}:{c}: ")).unwrap_or_default())]
    Shape {
        line_column: Option<(usize, usize)>,
        json_path: String,
        message: String,
    },
    /// A baseline file of a schema version this scangate does not know.
    #[error(
        "at schema_version: expected {expected}, found {found} (a baseline from a newer scangate?)"
    )]
    Version { expected: u32, found: u64 },
    /// An entry whose fingerprint is not the one its input, profile and control id give: the
    /// file was edited by hand or comes from another fingerprint version.
    #[error(
        "at entries[{index}].fingerprint: expected {expected} (from its input, profile and control id), found {found}"
    )]
    Fingerprint {
        index: usize,
        expected: String,
        found: String,
    },
}
