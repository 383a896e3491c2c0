//! Threshold files for scangate's gate: load them (YAML, JSON, or saf's inline syntax),
//! validate them strictly, evaluate them against a results [`Summary`], and generate them
//! from a baseline scan.
//!
//! Loading parses into a raw tree of positioned YAML nodes first, then validates it into a
//! [`Threshold`], reporting every problem (unknown keys with a suggestion, wrong types,
//! negative counts, impossible limits) before giving up.
//!
//! ```
//! use scangate_results::{Input, Summary};
//!
//! let threshold = scangate_threshold::load("compliance:\n  min: 80\nfailed.critical.max: 0\n", "gate.yml")?;
//! let input = Input::from_bytes("scan.json", br#"{"platform": {"name": "l", "release": "1"},
//!   "profiles": [{"name": "p", "sha256": "0", "supports": [], "attributes": [], "groups": [],
//!     "controls": [{"id": "C-1", "impact": 0.9, "refs": [], "tags": {}, "source_location": {},
//!       "results": [{"status": "failed", "code_desc": "x", "start_time": "t"}]}]}],
//!   "statistics": {}, "version": "5"}"#.to_vec());
//! let results = input.parse()?;
//! let summary = Summary::new(&results);
//! let verdict = scangate_threshold::evaluate(&summary, &threshold);
//! assert!(!verdict.passed());
//! let codes: Vec<&str> = verdict.failures().map(|o| o.code.as_str()).collect();
//! assert_eq!(codes, ["compliance-min", "failed-critical-max"]);
//!
//! // A typo is an error that says what was meant.
//! let err = scangate_threshold::load("failed:\n  critcal:\n    max: 0\n", "gate.yml").unwrap_err();
//! assert_eq!(err.to_string(), "gate.yml:2:3: failed.critcal: unknown key; did you mean `failed.critical`?");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod code;
mod error;
mod evaluate;
mod generate;
mod model;
pub mod raw;
pub mod schema;
mod validate;

use std::path::{Path, PathBuf};

pub use code::{Bound, NotARuleCode, Rule, RuleCode};
pub use error::{Error, ErrorKind, Problem};
pub use evaluate::{
    Actual, Facts, Limit, RuleOutcome, Verdict, evaluate, evaluate_change, evaluate_with,
};
pub use generate::{GenerateOptions, Generated, generate};
pub use model::{Accepted, Bucket, Limits, Threshold};
pub use raw::Pos;
pub use scangate_results::Summary;

/// The name used for thresholds given with `-I`.
pub const INLINE_NAME: &str = "<inline>";

/// Loads a threshold from YAML or JSON text; `name` only labels errors.
pub fn load(text: &str, name: impl Into<PathBuf>) -> Result<Threshold, Error> {
    let path = name.into();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = match raw::parse(text) {
        Ok(Some(doc)) => doc,
        Ok(None) => {
            return Err(Error {
                path,
                kind: ErrorKind::Empty,
            });
        }
        Err(e) => return Err(syntax(path, &e, 0)),
    };
    validate::check(&doc).map_err(|problems| Error {
        path,
        kind: ErrorKind::Invalid { problems },
    })
}

/// Reads and loads a threshold file.
pub fn load_file(path: impl AsRef<Path>) -> Result<Threshold, Error> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| Error {
        path: path.to_owned(),
        kind: ErrorKind::Io(e),
    })?;
    load(&text, path)
}

/// Loads saf's inline syntax, `"{compliance.min: 80}, {failed.total.max: 2}"`, or the same
/// without braces, `"compliance.min: 80, failed.total.max: 2"`.
pub fn load_inline(text: &str) -> Result<Threshold, Error> {
    let trimmed = text.trim_start();
    // saf's form is a comma-separated list of one-key flow mappings: as a YAML flow sequence
    // it parses with positions. Bare pairs form one flow mapping.
    let (wrapped, shift) = if trimmed.starts_with('{') {
        (format!("[{text}]"), 1)
    } else {
        (format!("{{{text}}}"), 1)
    };
    let path = PathBuf::from(INLINE_NAME);
    let doc = match raw::parse(&wrapped) {
        Ok(Some(doc)) => doc,
        Ok(None) => {
            return Err(Error {
                path,
                kind: ErrorKind::Empty,
            });
        }
        Err(e) => return Err(syntax(path, &e, shift)),
    };
    let merged = match doc.value {
        raw::Value::Seq(items) => {
            let mut entries = Vec::new();
            for item in items {
                match item.value {
                    raw::Value::Map(e) => entries.extend(e),
                    other => {
                        return Err(Error {
                            path,
                            kind: ErrorKind::Invalid {
                                problems: vec![Problem {
                                    pos: unshift(item.pos, shift),
                                    key: String::new(),
                                    message: format!(
                                        "expected `{{key: number}}`, found {}",
                                        other.describe()
                                    ),
                                }],
                            },
                        });
                    }
                }
            }
            raw::Node {
                pos: doc.pos,
                value: raw::Value::Map(entries),
            }
        }
        value => raw::Node {
            pos: doc.pos,
            value,
        },
    };
    validate::check(&merged).map_err(|problems| Error {
        path,
        kind: ErrorKind::Invalid {
            problems: problems
                .into_iter()
                .map(|p| Problem {
                    pos: unshift(p.pos, shift),
                    ..p
                })
                .collect(),
        },
    })
}

/// Positions in wrapped inline text, mapped back to the user's text.
fn unshift(pos: Pos, shift: u64) -> Pos {
    Pos {
        line: pos.line,
        column: pos.column.saturating_sub(shift).max(1),
    }
}

fn syntax(path: PathBuf, e: &serde_saphyr::Error, shift: u64) -> Error {
    let (pos, message) = raw::syntax_message(e);
    Error {
        path,
        kind: ErrorKind::Syntax {
            pos: pos.map(|p| unshift(p, shift)),
            message,
        },
    }
}
