//! Why a file is not usable results, precisely enough to fix it.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// A results file that could not be read or is not valid results.
#[derive(Debug, thiserror::Error)]
#[error("{}: {kind}", path.display())]
pub struct Error {
    /// The file, as the user named it.
    pub path: PathBuf,
    /// What is wrong with it.
    pub kind: ErrorKind,
}

/// Where in the file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// 1-based line and column, when the parser knows them.
    pub line_column: Option<(usize, usize)>,
    /// JSON path such as `profiles[0].controls[12].impact`; `$` is the document itself.
    pub json_path: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line_column {
            Some((line, column)) => write!(f, "{line}:{column}: at {}", self.json_path),
            None => write!(f, "at {}", self.json_path),
        }
    }
}

/// The kinds of problem, each with a lowercase message fragment.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error("cannot read file: {0}")]
    Io(#[source] io::Error),
    #[error("file is empty: expected InSpec results JSON")]
    Empty,
    #[error("{location}: {message}")]
    Invalid {
        location: Location,
        /// "expected X, found Y" or the parser's own description.
        message: String,
    },
    #[error(
        "this is an InSpec profile (`inspec json` output), not results: its controls have no `results`; \
         run `inspec exec PROFILE --reporter json:FILE` to get results"
    )]
    ProfileNotResults,
    #[error("at profiles: expected at least one profile, found an empty list")]
    NoProfiles,
    #[error(
        "not InSpec results: expected an object with `profiles` (exec JSON/HDF) or `controls` (json-min), found {found}"
    )]
    NotResults { found: String },
}
