//! GitLab Code Quality, for `artifacts:reports:codequality`: a JSON array of findings in the
//! format GitLab documents at <https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format>
//! (a subset of Code Climate's). GitLab shows them in the merge-request widget, which compares
//! them by fingerprint with the target branch's report and lists what is new and what was
//! resolved, in the pipeline's Code Quality tab and beside the lines of the MR's changes.
//! `crates/scangate-report/schemas/gitlab-codequality.schema.json` is the format as a schema.
//!
//! | property | from |
//! |---|---|
//! | one finding | per failing control (Failed or Profile Error) of every input, per failed threshold rule of every input, and per input that could not be read |
//! | `description` | `<id>: <title>` (`<id> (profile error): <title>`; `<id> failed` or `<id> has a profile error` without a title, or with one that only repeats the id); the rule's message; `Input '<name>' could not be read, so it was not gated: <error>` |
//! | `check_name` | the control id; the rule's code (`failed-high-max`); `unreadable-input` |
//! | `fingerprint` | the finding's [`Fingerprint`]: for a control or a rule the very value of SARIF's `primaryLocationLineHash` |
//! | `severity` | see below |
//! | `location.path` | the control's `source_location` file if it has one, else the input's path, both repository-relative as in SARIF |
//! | `location.lines.begin` | the control's `source_location` line if it has one, else 1 |
//!
//! Only those properties are written: GitLab says it ignores every other one Code Climate
//! defines (`type`, `categories`, `content`, …), so they would be bytes for nothing.
//!
//! Severity. GitLab has five, and shows each with an icon that has another's name: `blocker`
//! with its critical icon, `critical` with its high one, then `major` medium, `minor` low and
//! `info` info (`SEVERITY_ICONS` in GitLab's `codequality_report/constants.js`). scangate's five
//! map one to one onto the GitLab severity shown with their own name: critical → `blocker`,
//! high → `critical`, medium → `major`, low → `minor`, none → `info`. So a STIG CAT I finding
//! (high) reads "Critical" in the widget with the icon GitLab's security reports use for high,
//! and the order is kept. What fails the gate by itself is a `blocker` too: a failed threshold
//! rule, and an input that could not be read (which also fails the run).
//!
//! Paths. GitLab links a finding by appending `location.path` to the repository's blob URL as
//! it is, and matches it against the MR's changed files. The paths are SARIF's (normalised,
//! never absolute, never above the repository root, percent-encoded outside RFC 3986's
//! unreserved characters): real profiles' paths need no encoding and are written as they are,
//! and a hostile one stays inside the repository and cannot break the link.
//!
//! Untrusted text. Descriptions and control ids come from the scanned system: the policy
//! applies on one line ([`crate::untrusted::codequality`]), `](` is broken up, descriptions are
//! cut to 1 KiB and check names to 255 bytes with a visible note, and the file is written with
//! [`crate::untrusted::json`].
//!
//! Output. One finding per line, written as it is made: the report of a big scan is never in
//! memory whole. No byte order mark (GitLab's parser refuses one).

use std::borrow::Cow;
use std::io::Write;

use scangate_results::{Severity, Status};
use serde::Serialize;

use crate::context::ControlView;
use crate::finding::{self, Finding, Fingerprint};
use crate::untrusted::codequality::{clean, clean_or};
use crate::{Error, Rendered, Report, ReportInput, untrusted, uri};

/// The `check_name` of an input that could not be read (as SARIF's notification descriptor).
pub const UNREADABLE_INPUT: &str = "unreadable-input";
/// A description's budget: a STIG title is a few hundred bytes, and the widget shows one line.
const MAX_DESCRIPTION: usize = 1024;
/// A check name's budget (a control id), as SARIF's rule names.
const MAX_CHECK_NAME: usize = 255;

/// GitLab's severities, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeQualitySeverity {
    Info,
    Minor,
    Major,
    Critical,
    Blocker,
}

impl From<Severity> for CodeQualitySeverity {
    /// One to one, onto the severity GitLab shows with the icon of the same name (module
    /// documentation).
    fn from(severity: Severity) -> Self {
        match severity {
            Severity::Critical => CodeQualitySeverity::Blocker,
            Severity::High => CodeQualitySeverity::Critical,
            Severity::Medium => CodeQualitySeverity::Major,
            Severity::Low => CodeQualitySeverity::Minor,
            Severity::None => CodeQualitySeverity::Info,
        }
    }
}

/// One finding, its properties in the order GitLab documents them.
#[derive(Debug, Serialize)]
struct Issue<'a> {
    description: Cow<'a, str>,
    check_name: Cow<'a, str>,
    fingerprint: &'a str,
    severity: CodeQualitySeverity,
    location: Location,
}

#[derive(Debug, Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Debug, Serialize)]
struct Lines {
    begin: u64,
}

/// Writes the Code Quality report of `report` to `w`.
pub fn write(report: &Report<'_>, w: &mut dyn Write) -> Result<Rendered, Error> {
    let mut out = Writer { w, empty: true };
    out.w.write_all(b"[")?;
    for (error, fingerprint) in report
        .errors
        .iter()
        .zip(finding::unreadable_fingerprints(report.errors))
    {
        let name = clean_or(Some(error.name), "(unnamed input)", MAX_CHECK_NAME);
        let description = labelled(
            format!("Input '{name}' could not be read, so it was not gated: "),
            error.message,
        );
        out.issue(&Issue {
            description: Cow::Owned(description),
            check_name: Cow::Borrowed(UNREADABLE_INPUT),
            fingerprint: fingerprint.as_str(),
            severity: CodeQualitySeverity::Blocker,
            location: Location {
                path: uri::input_path(error.origin, error.name),
                lines: Lines { begin: 1 },
            },
        })?;
    }
    for (input, fingerprints) in report
        .inputs
        .iter()
        .zip(finding::fingerprints_of(report.inputs))
    {
        let path = uri::input_path(input.origin, input.name);
        for finding in finding::findings(input, &fingerprints) {
            match &finding {
                Finding::Control { index, fingerprint } => {
                    control(&mut out, input, *index, fingerprint, &path)?;
                }
                Finding::Gate {
                    outcome,
                    fingerprint,
                } => out.issue(&Issue {
                    description: clean_or(
                        Some(&outcome.message),
                        outcome.key.as_str(),
                        MAX_DESCRIPTION,
                    ),
                    check_name: Cow::Borrowed(outcome.code.as_str()),
                    fingerprint: fingerprint.as_str(),
                    severity: CodeQualitySeverity::Blocker,
                    location: Location {
                        path: path.clone(),
                        lines: Lines { begin: 1 },
                    },
                })?,
            }
        }
    }
    out.w.write_all(if out.empty { b"]\n" } else { b"\n]\n" })?;
    Ok(Rendered::default())
}

/// The finding of the failing control at `index` of `input`.
fn control(
    out: &mut Writer<'_>,
    input: &ReportInput<'_>,
    index: usize,
    fingerprint: &Fingerprint,
    input_path: &str,
) -> Result<(), Error> {
    let summary = input.summary;
    let evaluated = &summary.controls[index];
    let full = evaluated.control.full();
    let cv = ControlView::new(index, summary, &full, &[]);
    let id = clean_or(Some(cv.id), "(empty id)", MAX_CHECK_NAME);
    let profile_error = evaluated.status == Status::ProfileError;
    // A title that only repeats the id (some generated profiles do that) says nothing more.
    let title = cv
        .title
        .filter(|t| !t.trim().is_empty() && t.trim() != cv.id.trim());
    let description = match title {
        Some(title) if profile_error => labelled(format!("{id} (profile error): "), title),
        Some(title) => labelled(format!("{id}: "), title),
        None if profile_error => format!("{id} has a profile error"),
        None => format!("{id} failed"),
    };
    let (path, line) = uri::control_location(cv.source.file, cv.source.line, input_path);
    out.issue(&Issue {
        description: Cow::Owned(description),
        check_name: id,
        fingerprint: fingerprint.as_str(),
        severity: evaluated.severity.into(),
        location: Location {
            path,
            lines: Lines { begin: line },
        },
    })
}

/// `label` (clean already) and `text` cleaned into what is left of a description's budget:
/// only that much of a megabyte text is ever looked at.
fn labelled(mut label: String, text: &str) -> String {
    let budget = MAX_DESCRIPTION.saturating_sub(label.len());
    label.push_str(&clean(text, budget));
    label
}

/// The array being written, one finding per line.
struct Writer<'w> {
    w: &'w mut dyn Write,
    empty: bool,
}

impl Writer<'_> {
    fn issue(&mut self, issue: &Issue<'_>) -> Result<(), Error> {
        self.w.write_all(if self.empty { b"\n" } else { b",\n" })?;
        self.empty = false;
        untrusted::json::to_writer(&mut *self.w, issue).map_err(Error::from_json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_map_one_to_one_and_keep_their_order() {
        let mapped: Vec<CodeQualitySeverity> = Severity::ALL.into_iter().map(Into::into).collect();
        assert_eq!(
            mapped,
            [
                CodeQualitySeverity::Blocker,
                CodeQualitySeverity::Critical,
                CodeQualitySeverity::Major,
                CodeQualitySeverity::Minor,
                CodeQualitySeverity::Info,
            ]
        );
        assert_eq!(
            serde_json::to_value(CodeQualitySeverity::Blocker).unwrap(),
            "blocker"
        );
    }
}
