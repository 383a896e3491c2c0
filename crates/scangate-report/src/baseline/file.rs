//! The baseline file: `scangate baseline create` writes it, `--baseline` reads it back.
//!
//! It is made to be committed and reviewed: one entry per failing control and nothing that
//! changes from run to run without the findings changing (no dates, no counts of passing
//! controls beyond one number per input), entries sorted by input, profile and control id,
//! pretty-printed, so that a diff of it reads as "these findings were accepted, these fixed".

use std::collections::HashMap;

use scangate_results::{Severity, Status};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ReportInput;
use crate::finding::{self, IdentityRecord};

/// The value of a baseline file's `kind`, which tells it from the other JSON `--baseline`
/// takes.
pub const BASELINE_KIND: &str = "scangate-baseline";

/// Version of the baseline file format; bumped on incompatible changes.
pub const BASELINE_SCHEMA_VERSION: u32 = 1;

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "scangate baseline")]
pub struct BaselineFile {
    /// Always `scangate-baseline`.
    #[schemars(regex(pattern = r"^scangate-baseline$"))]
    pub kind: String,
    /// [`BASELINE_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The scangate that wrote it; informative only.
    pub tool: BaselineTool,
    /// Every input the baseline was made from, failing or not: an input of a later run is
    /// compared with the baseline input of the same identity.
    pub inputs: Vec<BaselineInput>,
    /// One entry per failing control (Failed or Profile Error), sorted by input, profile,
    /// control id and fingerprint.
    pub entries: Vec<BaselineEntry>,
}

/// The scangate that wrote a baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaselineTool {
    pub name: String,
    pub version: String,
}

/// One input of a baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaselineInput {
    pub input: IdentityRecord,
    /// The names of its counted profiles: a later scan of other profiles is not compared.
    pub profiles: Vec<String>,
    /// How many controls it had.
    pub controls: u64,
}

/// One failing control of a baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// The finding's fingerprint (as in SARIF and Code Quality): checked against the fields
    /// below when the file is read.
    pub fingerprint: String,
    pub input: IdentityRecord,
    pub profile: String,
    pub control_id: String,
    pub status: FailingStatus,
    pub severity: SeverityName,
    /// For people reading the file; not compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// The statuses a finding can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FailingStatus {
    Failed,
    /// Profile Error.
    Error,
}

impl FailingStatus {
    pub fn of(status: Status) -> Option<FailingStatus> {
        match status {
            Status::Failed => Some(FailingStatus::Failed),
            Status::ProfileError => Some(FailingStatus::Error),
            _ => None,
        }
    }

    pub fn status(self) -> Status {
        match self {
            FailingStatus::Failed => Status::Failed,
            FailingStatus::Error => Status::ProfileError,
        }
    }
}

/// A severity, by its threshold key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SeverityName {
    Critical,
    High,
    Medium,
    Low,
    None,
}

impl From<Severity> for SeverityName {
    fn from(severity: Severity) -> SeverityName {
        match severity {
            Severity::Critical => SeverityName::Critical,
            Severity::High => SeverityName::High,
            Severity::Medium => SeverityName::Medium,
            Severity::Low => SeverityName::Low,
            Severity::None => SeverityName::None,
        }
    }
}

impl From<SeverityName> for Severity {
    fn from(name: SeverityName) -> Severity {
        match name {
            SeverityName::Critical => Severity::Critical,
            SeverityName::High => Severity::High,
            SeverityName::Medium => Severity::Medium,
            SeverityName::Low => Severity::Low,
            SeverityName::None => Severity::None,
        }
    }
}

impl BaselineFile {
    /// The baseline of `inputs`: their identities and their failing controls.
    pub fn new(inputs: &[ReportInput<'_>]) -> BaselineFile {
        let fingerprints = finding::fingerprints_of(inputs);
        let mut records = Vec::with_capacity(inputs.len());
        let mut entries = Vec::new();
        for (input, keys) in inputs.iter().zip(&fingerprints) {
            let summary = input.summary;
            records.push(BaselineInput {
                input: keys.record().clone(),
                profiles: summary
                    .profiles
                    .iter()
                    .map(|p| p.profile.name.to_string())
                    .collect(),
                controls: summary.controls.len() as u64,
            });
            for (evaluated, ordinal) in summary
                .controls
                .iter()
                .zip(finding::control_ordinals(summary))
            {
                let Some(status) = FailingStatus::of(evaluated.status) else {
                    continue;
                };
                let profile = finding::profile_name(summary, evaluated.profile);
                let id = evaluated.control.id.as_str();
                entries.push(BaselineEntry {
                    fingerprint: keys.control(profile, id, ordinal).into(),
                    input: keys.record().clone(),
                    profile: profile.to_owned(),
                    control_id: id.to_owned(),
                    status,
                    severity: evaluated.severity.into(),
                    title: evaluated.control.title.as_deref().map(str::to_owned),
                });
            }
        }
        // Inputs keep their run's order (it decides occurrences); entries are sorted so that
        // a rescan in another order changes nothing. The fingerprint breaks ties between
        // copies of one control id, in their ordinal's order within the same hash.
        let order: HashMap<&IdentityRecord, usize> = records
            .iter()
            .enumerate()
            .map(|(i, r)| (&r.input, i))
            .collect();
        let rank = |e: &BaselineEntry| order.get(&e.input).copied().unwrap_or(usize::MAX);
        entries.sort_by(|a, b| {
            (
                rank(a),
                &a.profile,
                &a.control_id,
                ordinal_of(&a.fingerprint),
            )
                .cmp(&(
                    rank(b),
                    &b.profile,
                    &b.control_id,
                    ordinal_of(&b.fingerprint),
                ))
        });
        BaselineFile {
            kind: BASELINE_KIND.to_owned(),
            schema_version: BASELINE_SCHEMA_VERSION,
            tool: BaselineTool {
                name: "scangate".to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            inputs: records,
            entries,
        }
    }

    /// The file as written: pretty-printed JSON and a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a baseline serialises");
        text.push('\n');
        text
    }
}

/// The ordinal at the end of a fingerprint (`…:2`); 0 when it has none.
pub(crate) fn ordinal_of(fingerprint: &str) -> u32 {
    fingerprint
        .rsplit_once(':')
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(0)
}

/// The JSON Schema of baseline files (`scangate baseline schema`).
pub fn baseline_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(BaselineFile).to_value();
    schema["$id"] = serde_json::json!("https://scangate.dev/schemas/baseline-v1.json");
    schema
}
