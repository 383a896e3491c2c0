//! Why a threshold cannot be used, with every problem found, not only the first.

use std::fmt;
use std::path::PathBuf;

use crate::raw::Pos;

/// A threshold that could not be read or is not valid.
#[derive(Debug, thiserror::Error)]
#[error("{}", render(path, kind))]
pub struct Error {
    /// The threshold file, or `<inline>` for `-I`.
    pub path: PathBuf,
    pub kind: ErrorKind,
}

#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error("cannot read file: {0}")]
    Io(#[source] std::io::Error),
    #[error("threshold is empty: expected a mapping such as `compliance: {{min: 80}}`")]
    Empty,
    /// Not YAML or JSON at all.
    #[error("{}{message}", pos.map(|p| format!("{p}: ")).unwrap_or_default())]
    Syntax { pos: Option<Pos>, message: String },
    /// Well-formed, but with these problems (at least one).
    #[error("{}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid { problems: Vec<Problem> },
}

/// One thing wrong with a threshold, at a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub pos: Pos,
    /// The dotted key, e.g. `failed.critical.max`; empty for the document itself.
    pub key: String,
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
fn render(path: &std::path::Path, kind: &ErrorKind) -> String {
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
