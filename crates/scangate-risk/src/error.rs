//! Why a waiver or attestation file cannot be used, with every problem found, not only the
//! first. Rendered exactly like scangate-threshold's errors: one line per problem.

use std::fmt;
use std::path::{Path, PathBuf};

use scangate_threshold::Pos;

use crate::code::Code;

/// A waiver or attestation file that could not be read or is not valid.
#[derive(Debug, thiserror::Error)]
#[error("{}", render(path, kind))]
pub struct Error {
    /// The file, as given.
    pub path: PathBuf,
    pub kind: ErrorKind,
}

#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error("cannot read file: {0}")]
    Io(#[source] std::io::Error),
    #[error(
        "file is empty: expected waivers (a mapping keyed by control id) or attestations (a list of entries with `control_id`)"
    )]
    Empty,
    /// Not YAML or JSON at all.
    #[error("{}{message}", pos.map(|p| format!("{p}: ")).unwrap_or_default())]
    Syntax { pos: Option<Pos>, message: String },
    /// Well-formed, but with these problems (at least one), in file order.
    #[error("{}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid { problems: Vec<Problem> },
}

impl Error {
    /// The problems of an [`ErrorKind::Invalid`] file; empty for the other kinds.
    pub fn problems(&self) -> &[Problem] {
        match &self.kind {
            ErrorKind::Invalid { problems } => problems,
            _ => &[],
        }
    }
}

/// One thing wrong with a file, at a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub pos: Pos,
    /// Where in the document: `V-72037.expiration_date` in a waiver file, `[3].frequency` in
    /// an attestation file (0-based); empty for the document itself.
    pub key: String,
    pub code: Code,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: {}", self.pos, self.message)
        } else {
            write!(f, "{}: {}: {}", self.pos, self.key, self.message)
        }
    }
}

/// Each problem on its own line, each line starting with the file name.
fn render(path: &Path, kind: &ErrorKind) -> String {
    let name = path.display();
    match kind {
        ErrorKind::Invalid { problems } => problems
            .iter()
            .map(|p| format!("{name}:{p}"))
            .collect::<Vec<_>>()
            .join("\n"),
        ErrorKind::Syntax { pos: Some(_), .. } => format!("{name}:{kind}"),
        other => format!("{name}: {other}"),
    }
}
