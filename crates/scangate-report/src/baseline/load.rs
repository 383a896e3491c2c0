//! Reading `--baseline`: a baseline file, a JSON report or plain results, told apart by
//! their content (never by their name).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use scangate_results::{Input, Severity, Status, Summary};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use super::error::{Error, ErrorKind};
use super::file::{BASELINE_KIND, BASELINE_SCHEMA_VERSION, BaselineFile, ordinal_of};
use crate::Origin;
use crate::finding::{self, IdentityRecord};

/// Which kind of file a baseline was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A file written by `scangate baseline create`.
    BaselineFile,
    /// scangate's JSON report of an earlier run.
    Report,
    /// Plain earlier results (InSpec/HDF JSON, json-min).
    Results,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::BaselineFile => "baseline file",
            Kind::Report => "JSON report",
            Kind::Results => "results",
        }
    }
}

/// A baseline, read and checked: for each of its inputs, the controls that were failing.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The file, as the user named it.
    pub path: PathBuf,
    pub kind: Kind,
    pub sets: Vec<BaselineSet>,
}

/// The failing controls of one input of a baseline.
#[derive(Debug, Clone)]
pub struct BaselineSet {
    /// The input's identity; `None` for plain results, which are compared with every input.
    pub identity: Option<IdentityRecord>,
    /// The names of its counted profiles.
    pub profiles: Vec<String>,
    /// Its failing controls, in its order.
    pub failing: Vec<BaselineControl>,
}

/// A control that was failing in the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineControl {
    pub profile: String,
    pub control_id: String,
    /// 1 for the first control with this id in this profile, 2 for the next copy, ...
    pub ordinal: u32,
    pub status: Status,
    pub severity: Severity,
    pub title: Option<String>,
}

/// Just enough of a document to tell the three kinds apart.
#[derive(Deserialize)]
struct Peek {
    kind: Option<IgnoredAnyOr<String>>,
    schema_version: Option<IgnoredAny>,
    tool: Option<IgnoredAnyOr<PeekTool>>,
}

#[derive(Deserialize)]
struct PeekTool {
    name: Option<IgnoredAnyOr<String>>,
}

/// A value of type `T`, or anything else (ignored): peeking never fails on a field's type.
#[derive(Deserialize)]
#[serde(untagged)]
enum IgnoredAnyOr<T> {
    Value(T),
    #[allow(dead_code)]
    Other(IgnoredAny),
}

impl<T> IgnoredAnyOr<T> {
    fn value(&self) -> Option<&T> {
        match self {
            IgnoredAnyOr::Value(v) => Some(v),
            IgnoredAnyOr::Other(_) => None,
        }
    }
}

/// The parts of a JSON report a baseline needs.
#[derive(Deserialize)]
struct ReportDoc {
    schema_version: u32,
    inputs: Vec<ReportDocInput>,
}

#[derive(Deserialize)]
struct ReportDocInput {
    name: String,
    origin: OriginDoc,
    /// Written since baselines exist; derived from `origin` for older reports.
    identity: Option<IdentityRecord>,
    profiles: Vec<ProfileDoc>,
    controls: Vec<ControlDoc>,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum OriginDoc {
    File {
        path: String,
    },
    Pod {
        namespace: String,
        pod: String,
        container: String,
        path: String,
    },
}

#[derive(Deserialize)]
struct ProfileDoc {
    name: String,
}

#[derive(Deserialize)]
struct ControlDoc {
    id: String,
    profile: String,
    status: String,
    severity: String,
    title: Option<String>,
}

impl Baseline {
    /// Reads `path` and tells which kind of baseline it is.
    pub fn load(path: impl AsRef<Path>) -> Result<Baseline, Error> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| {
            Error::Results(scangate_results::Error {
                path: path.to_owned(),
                kind: scangate_results::ErrorKind::Io(e),
            })
        })?;
        Baseline::from_bytes(path, bytes)
    }

    /// [`Baseline::load`] of bytes already read from `path`.
    ///
    /// Plain results are tried first: they are the big kind (a second scan of hundreds of
    /// megabytes), and their one parse is then all the work. Only a file that is not results
    /// is looked at again for the other two kinds' marks; one that has neither gets the results
    /// parser's error, which says what a results file needs.
    pub fn from_bytes(path: impl Into<PathBuf>, bytes: Vec<u8>) -> Result<Baseline, Error> {
        let path = path.into();
        // Our two kinds say what they are in their first lines; the common case needs no
        // second look.
        match sniff(&bytes) {
            Some(Kind::BaselineFile) => {
                if let Ok(file) = serde_json::from_slice::<BaselineFile>(&bytes) {
                    return Baseline::from_file(path, file);
                }
            }
            Some(Kind::Report) => {
                if let Ok(doc) = serde_json::from_slice::<ReportDoc>(&bytes) {
                    return Baseline::from_report(path, &doc);
                }
            }
            _ => {}
        }
        let input = Input::from_bytes(path.clone(), bytes);
        let not_results = match Baseline::from_results(&path, &input) {
            Ok(baseline) if sniff(input.bytes()).is_none() => return Ok(baseline),
            other => other,
        };
        let bytes = input.bytes();
        let peek: Option<Peek> = serde_json::from_slice(bytes).ok();
        let marked = peek
            .as_ref()
            .and_then(|p| p.kind.as_ref())
            .and_then(IgnoredAnyOr::value)
            .is_some_and(|k| k == BASELINE_KIND);
        let report = peek.as_ref().is_some_and(|p| {
            p.schema_version.is_some()
                && p.tool
                    .as_ref()
                    .and_then(IgnoredAnyOr::value)
                    .and_then(|t| t.name.as_ref())
                    .and_then(IgnoredAnyOr::value)
                    .is_some_and(|n| n == "scangate")
        });
        if marked {
            let file: BaselineFile = strict(&path, bytes)?;
            Baseline::from_file(path, file)
        } else if report {
            let doc: ReportDoc = strict(&path, bytes)?;
            Baseline::from_report(path, &doc)
        } else {
            not_results
        }
    }

    /// The baseline of a file written by `scangate baseline create`, checked entry by entry.
    pub fn from_file(path: impl Into<PathBuf>, file: BaselineFile) -> Result<Baseline, Error> {
        let path = path.into();
        let invalid = |kind| Error::Invalid {
            path: path.clone(),
            kind,
        };
        if file.schema_version != BASELINE_SCHEMA_VERSION {
            return Err(invalid(ErrorKind::Version {
                expected: BASELINE_SCHEMA_VERSION,
                found: u64::from(file.schema_version),
            }));
        }
        let mut sets: Vec<BaselineSet> = file
            .inputs
            .into_iter()
            .map(|i| BaselineSet {
                identity: Some(i.input),
                profiles: i.profiles,
                failing: Vec::new(),
            })
            .collect();
        let mut index: HashMap<IdentityRecord, usize> = HashMap::new();
        for (i, set) in sets.iter().enumerate() {
            if let Some(identity) = &set.identity
                && index.insert(identity.clone(), i).is_some()
            {
                return Err(invalid(shape(
                    format!("inputs[{i}].input"),
                    format!("each input once, found {identity} a second time"),
                )));
            }
        }
        // Every entry's input is one of the baseline's inputs (checked below): hash each once.
        let keys: Vec<_> = sets
            .iter()
            .filter_map(|s| s.identity.as_ref().map(IdentityRecord::fingerprints))
            .collect();
        for (n, entry) in file.entries.into_iter().enumerate() {
            let ordinal = ordinal_of(&entry.fingerprint);
            let expected = match index.get(&entry.input) {
                Some(&set) => keys[set].control(&entry.profile, &entry.control_id, ordinal.max(1)),
                None => entry.input.fingerprints().control(
                    &entry.profile,
                    &entry.control_id,
                    ordinal.max(1),
                ),
            };
            if ordinal == 0 || expected.as_str() != entry.fingerprint {
                return Err(invalid(ErrorKind::Fingerprint {
                    index: n,
                    expected: expected.into(),
                    found: entry.fingerprint,
                }));
            }
            let Some(&set) = index.get(&entry.input) else {
                return Err(invalid(shape(
                    format!("entries[{n}].input"),
                    format!("one of the baseline's `inputs`, found {}", entry.input),
                )));
            };
            sets[set].failing.push(BaselineControl {
                profile: entry.profile,
                control_id: entry.control_id,
                ordinal,
                status: entry.status.status(),
                severity: entry.severity.into(),
                title: entry.title,
            });
        }
        Ok(Baseline {
            path,
            kind: Kind::BaselineFile,
            sets,
        })
    }

    /// The baseline of scangate's JSON report of an earlier run.
    fn from_report(path: PathBuf, doc: &ReportDoc) -> Result<Baseline, Error> {
        let invalid = |json_path: String, message: String| Error::Invalid {
            path: path.clone(),
            kind: shape(json_path, message),
        };
        if doc.schema_version != crate::context::SCHEMA_VERSION {
            return Err(Error::Invalid {
                path: path.clone(),
                kind: ErrorKind::Version {
                    expected: crate::context::SCHEMA_VERSION,
                    found: u64::from(doc.schema_version),
                },
            });
        }
        // Reports from before identities were written: the identity their origin gives.
        let derived = finding::keyed(doc.inputs.iter().map(|i| {
            let origin = match &i.origin {
                OriginDoc::File { path } => Origin::File { path },
                OriginDoc::Pod {
                    namespace,
                    pod,
                    container,
                    path,
                } => Origin::Pod {
                    namespace,
                    pod,
                    container,
                    path,
                },
            };
            (origin, i.name.as_str())
        }));
        let mut sets = Vec::with_capacity(doc.inputs.len());
        for (n, (input, derived)) in doc.inputs.iter().zip(derived).enumerate() {
            let mut seen: HashMap<(&str, &str), u32> = HashMap::new();
            let mut failing = Vec::new();
            for (c, control) in input.controls.iter().enumerate() {
                let at = |field: &str| format!("inputs[{n}].controls[{c}].{field}");
                let ordinal = seen
                    .entry((control.profile.as_str(), control.id.as_str()))
                    .or_insert(0);
                *ordinal += 1;
                let status = Status::from_key(&control.status).ok_or_else(|| {
                    invalid(
                        at("status"),
                        format!(
                            "one of passed, failed, skipped, error, no_impact, found {:?}",
                            control.status
                        ),
                    )
                })?;
                let severity = Severity::from_key(&control.severity).ok_or_else(|| {
                    invalid(
                        at("severity"),
                        format!(
                            "one of critical, high, medium, low, none, found {:?}",
                            control.severity
                        ),
                    )
                })?;
                if status.is_failing() {
                    failing.push(BaselineControl {
                        profile: control.profile.clone(),
                        control_id: control.id.clone(),
                        ordinal: *ordinal,
                        status,
                        severity,
                        title: control.title.clone(),
                    });
                }
            }
            sets.push(BaselineSet {
                identity: Some(
                    input
                        .identity
                        .clone()
                        .unwrap_or_else(|| derived.record().clone()),
                ),
                profiles: input.profiles.iter().map(|p| p.name.clone()).collect(),
                failing,
            });
        }
        Ok(Baseline {
            path,
            kind: Kind::Report,
            sets,
        })
    }

    /// The baseline of plain results: one set, compared with every input of a run.
    pub fn from_results(path: impl Into<PathBuf>, input: &Input) -> Result<Baseline, Error> {
        let results = input.parse()?;
        let summary = Summary::new(&results);
        let failing = summary
            .controls
            .iter()
            .zip(finding::control_ordinals(&summary))
            .filter(|(c, _)| c.status.is_failing())
            .map(|(c, ordinal)| BaselineControl {
                profile: finding::profile_name(&summary, c.profile).to_owned(),
                control_id: c.control.id.to_string(),
                ordinal,
                status: c.status,
                severity: c.severity,
                title: c.control.title.as_deref().map(str::to_owned),
            })
            .collect();
        let set = BaselineSet {
            identity: None,
            profiles: summary
                .profiles
                .iter()
                .map(|p| p.profile.name.to_string())
                .collect(),
            failing,
        };
        Ok(Baseline {
            path: path.into(),
            kind: Kind::Results,
            sets: vec![set],
        })
    }

    /// The set an input of identity `identity` is compared with, if any.
    pub fn set_for(&self, identity: &IdentityRecord) -> Option<&BaselineSet> {
        self.sets
            .iter()
            .find(|s| s.identity.as_ref().is_none_or(|i| i == identity))
    }

    /// How many failing controls the baseline holds in all.
    pub fn failing_count(&self) -> usize {
        self.sets.iter().map(|s| s.failing.len()).sum()
    }

    /// The baseline's inputs that no input of a run (of identities `run`) was compared with.
    pub fn unmatched<'b>(&'b self, run: &[&IdentityRecord]) -> Vec<&'b IdentityRecord> {
        self.sets
            .iter()
            .filter_map(|s| s.identity.as_ref())
            .filter(|i| !run.contains(i))
            .collect()
    }
}

/// Which of our kinds the start of a document says it is: a baseline file and a JSON report
/// write their marks in their first lines (`"kind": "scangate-baseline"`, `"schema_version"`).
/// Only a hint: what a file really is, its full parse decides.
fn sniff(bytes: &[u8]) -> Option<Kind> {
    let head = &bytes[..bytes.len().min(512)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if has(b"scangate-baseline") {
        Some(Kind::BaselineFile)
    } else if has(b"\"schema_version\"") {
        Some(Kind::Report)
    } else {
        None
    }
}

fn shape(json_path: String, message: String) -> ErrorKind {
    ErrorKind::Shape {
        line_column: None,
        json_path,
        message: format!("expected {message}"),
    }
}

/// Deserialises `bytes` as `T`, naming the place of the first problem: line:column and JSON
/// path.
fn strict<T: DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = serde_path_to_error::deserialize::<_, T>(&mut de);
    if let Ok(value) = result {
        return match de.end() {
            Ok(()) => Ok(value),
            Err(e) => Err(Error::Invalid {
                path: path.to_owned(),
                kind: ErrorKind::Shape {
                    line_column: Some((e.line(), e.column())),
                    json_path: "$".to_owned(),
                    message: "expected the end of the document, found more text".to_owned(),
                },
            }),
        };
    }
    result.map_err(|e| {
        let json_path = match e.path().to_string() {
            p if p == "." => "$".to_owned(),
            p => p,
        };
        let inner = e.into_inner();
        let line_column = (inner.line() > 0).then(|| (inner.line(), inner.column()));
        // serde_json appends " at line L column C"; the place is already said up front.
        let message = inner.to_string();
        let message = match message.rfind(" at line ") {
            Some(at) => message[..at].to_owned(),
            None => message,
        };
        Error::Invalid {
            path: path.to_owned(),
            kind: ErrorKind::Shape {
                line_column,
                json_path,
                message,
            },
        }
    })
}
