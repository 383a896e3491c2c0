//! Control status and severity, exactly as saf derives them (compat:saf-status, compat:saf-severity), with
//! case-insensitive severity tags (compat:severity-any-case).

use std::fmt;

use serde::Serialize;

use crate::model::{Control, ResultStatus, TagValue};

/// A control's overall status. The order is saf's key order: passed, failed, skipped,
/// error, no_impact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Status {
    /// Every test that ran passed (some may be skipped).
    Passed,
    /// At least one test failed.
    Failed,
    /// Only skipped tests: needs manual review (saf key `skipped`).
    NotReviewed,
    /// A test raised, or the control has no usable results (saf key `error`).
    ProfileError,
    /// Impact 0, or skipped by a waiver (saf key `no_impact`).
    NotApplicable,
}

impl Status {
    /// All statuses in saf's order.
    pub const ALL: [Status; 5] = [
        Status::Passed,
        Status::Failed,
        Status::NotReviewed,
        Status::ProfileError,
        Status::NotApplicable,
    ];

    /// saf's column order in its summaries and its order of scalar totals in the gate:
    /// Passed, Failed, Not Reviewed, Not Applicable, Profile Error.
    pub const SAF_ORDER: [Status; 5] = [
        Status::Passed,
        Status::Failed,
        Status::NotReviewed,
        Status::NotApplicable,
        Status::ProfileError,
    ];

    /// Whether a control in this status is a failure to act on: Failed or Profile Error (a
    /// test that could not run proves nothing). Every report, the SARIF results and the
    /// JUnit failures use this one predicate.
    pub const fn is_failing(self) -> bool {
        matches!(self, Status::Failed | Status::ProfileError)
    }

    /// The threshold/summary key: `passed`, `failed`, `skipped`, `error`, `no_impact`.
    pub const fn key(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::NotReviewed => "skipped",
            Status::ProfileError => "error",
            Status::NotApplicable => "no_impact",
        }
    }

    /// The name people read: `Passed`, `Failed`, `Not Reviewed`, `Profile Error`, `Not Applicable`.
    pub const fn label(self) -> &'static str {
        match self {
            Status::Passed => "Passed",
            Status::Failed => "Failed",
            Status::NotReviewed => "Not Reviewed",
            Status::ProfileError => "Profile Error",
            Status::NotApplicable => "Not Applicable",
        }
    }

    /// Parses a threshold/summary key.
    pub fn from_key(key: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.key() == key)
    }

    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A control's severity. The order is saf's key order: critical, high, medium, low, none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    None,
}

impl Severity {
    /// All severities in saf's order.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::None,
    ];

    /// The lowercase key used in summaries and thresholds.
    pub const fn key(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::None => "none",
        }
    }

    /// Capitalised, for tables.
    pub const fn label(self) -> &'static str {
        match self {
            Severity::Critical => "Critical",
            Severity::High => "High",
            Severity::Medium => "Medium",
            Severity::Low => "Low",
            Severity::None => "None",
        }
    }

    /// Parses a key exactly (lowercase), as thresholds spell them.
    pub fn from_key(key: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Parses a tag value ignoring case: MITRE's converters write `"High"` (compat:severity-any-case).
    pub fn from_tag(tag: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|s| s.key().eq_ignore_ascii_case(tag))
    }

    /// saf's impact bands: < 0.1 none, < 0.4 low, < 0.7 medium, < 0.9 high, else critical.
    pub fn from_impact(impact: f64) -> Severity {
        if impact < 0.1 {
            Severity::None
        } else if impact < 0.4 {
            Severity::Low
        } else if impact < 0.7 {
            Severity::Medium
        } else if impact < 0.9 {
            Severity::High
        } else {
            Severity::Critical
        }
    }

    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The status saf gives a control from its (root's) results, impact and waiver (compat:saf-status).
pub fn control_status(control: &Control<'_>) -> Status {
    let results = control.results();
    if results.iter().any(|r| r.is_error()) {
        return Status::ProfileError;
    }
    let waived = control.waiver_data.as_ref().is_some_and(|w| w.skipped());
    if waived || control.impact == 0.0 {
        return Status::NotApplicable;
    }
    let has = |wanted| results.iter().any(|r| r.status == Some(wanted));
    if results.is_empty() {
        Status::ProfileError
    } else if has(ResultStatus::Failed) {
        Status::Failed
    } else if has(ResultStatus::Passed) {
        Status::Passed
    } else if has(ResultStatus::Skipped) {
        Status::NotReviewed
    } else {
        Status::ProfileError
    }
}

/// Where a control's severity came from, when it is not simply the tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityWarning {
    /// `severity` or `severityoverride`.
    pub tag: &'static str,
    /// The JSON type found instead of a string.
    pub found: &'static str,
}

/// `tags.severityoverride`, else `tags.severity`, if it names a severity (any case);
/// otherwise from impact. A non-string tag also falls back to impact, with a warning (compat:severity-any-case).
pub fn control_severity(control: &Control<'_>) -> (Severity, Option<SeverityWarning>) {
    let mut warning = None;
    for (tag, value) in [
        ("severityoverride", &control.tags.severity_override),
        ("severity", &control.tags.severity),
    ] {
        match value {
            Some(TagValue::Text(text)) => {
                if let Some(severity) = Severity::from_tag(text) {
                    return (severity, warning);
                }
            }
            Some(TagValue::NotText(found)) => {
                warning.get_or_insert(SeverityWarning { tag, found });
            }
            None => {}
        }
    }
    (Severity::from_impact(control.impact), warning)
}
