//! The report model every format renders from, and the documented context of user templates.
//!
//! It borrows from the parsed results and builds per-control views only while it is being
//! serialised or rendered, so a report over a 250 MB scan costs no copy of it. The `json`
//! report is exactly this model serialised; `scangate report schema` prints its JSON Schema.

use rayon::prelude::*;
use scangate_results::model::Control;
use scangate_results::{OpaqueJson, ProfileAggregate, Results, Severity, Status, Summary};
use scangate_threshold::{RuleCode, RuleOutcome, Verdict};

use crate::baseline::{Baseline, ChangeCounts, InputChange};
use crate::finding::{IdentityRecord, InputFingerprints};
use schemars::JsonSchema;
use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};

/// Version of the JSON report and template context; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// Where an input came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin<'a> {
    /// A results file given on the command line.
    File { path: &'a str },
    /// A file fetched from a scanner container.
    Pod {
        namespace: &'a str,
        pod: &'a str,
        container: &'a str,
        /// The local copy.
        path: &'a str,
    },
}

/// One input as the CLI hands it to the renderers: parsed, counted and (maybe) gated.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// How the input is named to the user.
    pub name: &'a str,
    pub origin: Origin<'a>,
    pub results: &'a Results<'a>,
    pub summary: &'a Summary<'a>,
    /// `None` for `scangate summary`, which gates nothing.
    pub verdict: Option<&'a Verdict>,
    /// How it changed against the baseline; `None` without one.
    pub change: Option<&'a InputChange>,
    /// What waivers and attestations did to it; `None` when the run was given neither.
    pub risk: Option<&'a scangate_risk::InputRisk>,
}

/// An input that could not be read or is not valid results. It is never gated, and it keeps
/// the run from passing: every report lists it with its error, so one broken file among many
/// neither hides the verdicts on the others nor goes unnoticed.
#[derive(Debug, Clone, Copy)]
pub struct UnreadableInput<'a> {
    /// How the input is named to the user.
    pub name: &'a str,
    pub origin: Origin<'a>,
    /// What is wrong, as precisely as the parser knows: the place in the file, what was
    /// expected and what was found. It may quote the file, so it is as hostile as the file.
    pub message: &'a str,
}

/// Everything one run reports.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    pub inputs: &'a [ReportInput<'a>],
    /// The inputs that could not be read, in command-line order.
    pub errors: &'a [UnreadableInput<'a>],
    /// saf's per-profile-name summary across all inputs (the Markdown table).
    pub profiles: &'a [ProfileAggregate],
    /// The threshold's name, when the run gated.
    pub threshold: Option<&'a str>,
    /// The baseline every input was compared with, if any.
    pub baseline: Option<&'a Baseline>,
}

impl<'a> Report<'a> {
    /// True when every input was read and passed its gate; `None` when nothing was gated.
    pub fn passed(&self) -> Option<bool> {
        self.threshold?;
        Some(
            self.errors.is_empty()
                && self
                    .inputs
                    .iter()
                    .all(|i| i.verdict.is_none_or(Verdict::passed)),
        )
    }

    /// How many inputs the run was given: the readable ones and the others.
    pub fn input_count(&self) -> usize {
        self.inputs.len() + self.errors.len()
    }

    /// The serialisable context: the `json` report and the root of user templates.
    pub fn context(&self) -> ReportContext<'a> {
        ReportContext {
            schema_version: SCHEMA_VERSION,
            tool: ToolInfo {
                name: "scangate",
                version: env!("CARGO_PKG_VERSION"),
            },
            threshold: self.threshold,
            passed: self.passed(),
            baseline: self
                .baseline
                .zip(self.change_counts())
                .map(|(b, counts)| BaselineView::new(b, &counts)),
            profiles: ProfilesView(self.profiles),
            inputs: self
                .inputs
                .iter()
                .zip(crate::finding::fingerprints_of(self.inputs))
                .map(|(input, keys)| InputContext::new(input, keys))
                .collect(),
            errors: self.errors.iter().map(InputErrorView::new).collect(),
        }
    }

    /// The change counts of all inputs together; `None` without a baseline.
    pub fn change_counts(&self) -> Option<ChangeCounts> {
        self.baseline?;
        let mut total = ChangeCounts::default();
        for change in self.inputs.iter().filter_map(|i| i.change) {
            total.merge(&change.counts());
        }
        Some(total)
    }
}

/// The baseline a run was compared with.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BaselineView {
    /// The file, as given to `--baseline`.
    pub path: String,
    /// `baseline` (a baseline file), `report` (a JSON report) or `results`.
    pub kind: &'static str,
    /// All inputs' changes together.
    pub counts: ChangeCountsView,
}

impl BaselineView {
    fn new(baseline: &Baseline, total: &ChangeCounts) -> Self {
        BaselineView {
            path: baseline.path.display().to_string(),
            kind: match baseline.kind {
                crate::baseline::Kind::BaselineFile => "baseline",
                crate::baseline::Kind::Report => "report",
                crate::baseline::Kind::Results => "results",
            },
            counts: ChangeCountsView::new(total),
        }
    }
}

/// How many controls changed, against the baseline.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ChangeCountsView {
    /// Failing now, not failing in the baseline: by severity and in total.
    pub new: BucketCounts,
    /// Failing now and in the baseline.
    pub still_failing: u64,
    /// Failing in the baseline, not failing now.
    pub fixed: u64,
    /// Failing in the baseline, absent now.
    pub gone: u64,
}

impl ChangeCountsView {
    pub fn new(counts: &ChangeCounts) -> Self {
        let n = counts.new;
        ChangeCountsView {
            new: BucketCounts {
                critical: n.critical,
                high: n.high,
                medium: n.medium,
                low: n.low,
                none: n.none,
                total: n.total,
            },
            still_failing: counts.still_failing,
            fixed: counts.fixed,
            gone: counts.gone,
        }
    }
}

/// One input's change against the baseline.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ChangeView<'a> {
    pub counts: ChangeCountsView,
    /// The baseline's failing controls this input no longer has.
    pub gone: Vec<GoneView<'a>>,
}

/// A failing control of the baseline that is no longer in the input.
#[derive(Debug, Serialize, JsonSchema)]
pub struct GoneView<'a> {
    pub fingerprint: &'a str,
    pub profile: &'a str,
    pub id: &'a str,
    pub title: Option<&'a str>,
    /// Its status in the baseline: `failed` or `error`.
    pub status: &'static str,
    pub severity: &'static str,
}

impl<'a> ChangeView<'a> {
    pub fn new(change: &'a InputChange) -> Self {
        ChangeView {
            counts: ChangeCountsView::new(&change.counts()),
            gone: change
                .gone
                .iter()
                .map(|g| GoneView {
                    fingerprint: &g.fingerprint,
                    profile: &g.control.profile,
                    id: &g.control.control_id,
                    title: g.control.title.as_deref(),
                    status: g.control.status.key(),
                    severity: g.control.severity.key(),
                })
                .collect(),
        }
    }
}

/// The report, as the `json` format writes it and templates see it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReportContext<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    pub tool: ToolInfo,
    /// The threshold's file name, `<inline>`, or the built-in default; absent when not gated.
    pub threshold: Option<&'a str>,
    /// Whether every input was read and passed its gate; absent when not gated.
    pub passed: Option<bool>,
    /// The baseline of `--baseline`, and the change of all inputs against it; absent without.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineView>,
    /// saf's summary: one entry per profile name across all inputs.
    #[schemars(with = "Vec<ProfileSummaryView>")]
    pub profiles: ProfilesView<'a>,
    pub inputs: Vec<InputContext<'a>>,
    /// The inputs that could not be read or are not valid results, in command-line order;
    /// absent when every input was read. Any entry means the run failed (exit 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<InputErrorView<'a>>,
}

/// An input that could not be read, and why.
#[derive(Debug, Serialize, JsonSchema)]
pub struct InputErrorView<'a> {
    pub name: &'a str,
    /// The file name without directories.
    pub file_name: &'a str,
    pub origin: OriginView<'a>,
    /// The error: the place in the file (line:column and JSON path, when known), what was
    /// expected and what was found. Quotes the file: treat it as untrusted text.
    pub message: &'a str,
}

impl<'a> InputErrorView<'a> {
    pub fn new(error: &UnreadableInput<'a>) -> Self {
        InputErrorView {
            name: error.name,
            file_name: file_name(origin_path(error.origin)),
            origin: OriginView::new(error.origin),
            message: error.message,
        }
    }
}

/// The local path of an input, whatever its origin.
pub fn origin_path(origin: Origin<'_>) -> &str {
    match origin {
        Origin::File { path } | Origin::Pod { path, .. } => path,
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
}

/// Counts per status, each with a bucket per severity and a total.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CountsView {
    pub passed: BucketCounts,
    pub failed: BucketCounts,
    /// Not Reviewed.
    pub skipped: BucketCounts,
    /// Profile Error.
    pub error: BucketCounts,
    /// Not Applicable.
    pub no_impact: BucketCounts,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct BucketCounts {
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub none: u64,
    pub total: u64,
}

impl CountsView {
    pub fn new(counts: &scangate_results::Counts) -> Self {
        let bucket = |status| BucketCounts {
            critical: counts.get(status, Severity::Critical),
            high: counts.get(status, Severity::High),
            medium: counts.get(status, Severity::Medium),
            low: counts.get(status, Severity::Low),
            none: counts.get(status, Severity::None),
            total: counts.total(status),
        };
        CountsView {
            passed: bucket(Status::Passed),
            failed: bucket(Status::Failed),
            skipped: bucket(Status::NotReviewed),
            error: bucket(Status::ProfileError),
            no_impact: bucket(Status::NotApplicable),
        }
    }
}

/// One entry of saf's summary.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProfileSummaryView {
    pub profile_name: String,
    pub result_sets: Vec<String>,
    /// Mean compliance of the inputs, unrounded (as saf).
    pub compliance: f64,
    pub counts: CountsView,
}

/// saf's summary entries, built while serialising.
#[derive(Debug, Clone, Copy)]
pub struct ProfilesView<'a>(pub &'a [ProfileAggregate]);

impl Serialize for ProfilesView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for p in self.0 {
            seq.serialize_element(&ProfileSummaryView {
                profile_name: p.profile_name.clone(),
                result_sets: p.result_sets.clone(),
                compliance: p.compliance,
                counts: CountsView::new(&p.counts),
            })?;
        }
        seq.end()
    }
}

/// Where the input came from, for people and for SARIF logical locations.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OriginView<'a> {
    File {
        path: &'a str,
    },
    Pod {
        namespace: &'a str,
        pod: &'a str,
        container: &'a str,
        path: &'a str,
    },
}

impl<'a> OriginView<'a> {
    pub fn new(origin: Origin<'a>) -> Self {
        match origin {
            Origin::File { path } => OriginView::File { path },
            Origin::Pod {
                namespace,
                pod,
                container,
                path,
            } => OriginView::Pod {
                namespace,
                pod,
                container,
                path,
            },
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PlatformView<'a> {
    pub name: &'a str,
    pub release: &'a str,
    pub target_id: Option<&'a str>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProfileView<'a> {
    pub name: &'a str,
    pub title: Option<&'a str>,
    pub version: Option<&'a str>,
    pub sha256: &'a str,
    pub compliance: u32,
    pub counts: CountsView,
    /// How many counted controls belong to this profile.
    pub controls: usize,
}

/// One rule's outcome, with the ids of the controls behind it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RuleView<'a> {
    /// Stable kebab-case code, e.g. `failed-critical-max`.
    #[schemars(with = "String")]
    pub code: &'a RuleCode,
    /// The threshold key, e.g. `failed.critical.max`.
    pub key: &'a str,
    /// The limit, for people: `≤ 0`, `≥ 80%`.
    pub limit: String,
    /// The value found, for people: `3`, `66%`.
    pub actual: String,
    pub passed: bool,
    pub message: &'a str,
    /// Ids of the controls behind the number.
    pub controls: Vec<&'a str>,
    /// For control-list rules: listed ids that were not in the bucket.
    pub missing: &'a [String],
}

impl<'a> RuleView<'a> {
    pub fn new(rule: &'a RuleOutcome, summary: &'a Summary<'a>) -> Self {
        RuleView {
            code: &rule.code,
            key: &rule.key,
            limit: rule.limit.to_string(),
            actual: rule.actual.to_string(),
            passed: rule.passed,
            message: &rule.message,
            controls: rule
                .controls
                .iter()
                .map(|&i| summary.controls[i].control.id.as_str())
                .collect(),
            missing: &rule.missing,
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct VerdictView<'a> {
    pub passed: bool,
    /// How many rules failed.
    pub failed: usize,
    pub rules: Vec<RuleView<'a>>,
}

/// One input in the report.
#[derive(Debug, Serialize, JsonSchema)]
pub struct InputContext<'a> {
    pub name: &'a str,
    /// The file name without directories.
    pub file_name: &'a str,
    pub origin: OriginView<'a>,
    /// Who the input is for finding fingerprints and baselines: a file's repository-relative
    /// path, or a pod's namespace, workload and container; with its occurrence in the run.
    pub identity: IdentityRecord,
    /// `exec` (InSpec/CINC JSON, HDF) or `json-min`.
    pub format: &'static str,
    pub platform: Option<PlatformView<'a>>,
    /// Compliance of all counted profiles together.
    pub compliance: u32,
    pub counts: CountsView,
    pub profiles: Vec<ProfileView<'a>>,
    /// Absent when not gated.
    pub verdict: Option<VerdictView<'a>>,
    /// The change against the baseline; absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<ChangeView<'a>>,
    /// Waivers and attestations given at gate time; absent without either.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<RiskView>,
    /// Every counted control, grouped by profile.
    #[schemars(with = "Vec<ControlView<'static>>")]
    pub controls: ControlsView<'a>,
}

impl<'a> InputContext<'a> {
    /// The context of `input`, whose fingerprints start from `keys`
    /// ([`crate::finding::fingerprints_of`]).
    pub fn new(input: &ReportInput<'a>, keys: InputFingerprints) -> Self {
        let summary = input.summary;
        InputContext {
            name: input.name,
            file_name: file_name(origin_path(input.origin)),
            origin: OriginView::new(input.origin),
            identity: keys.record().clone(),
            format: match input.results.format {
                scangate_results::Format::Exec => "exec",
                scangate_results::Format::JsonMin => "json-min",
            },
            platform: input.results.platform.as_ref().map(|p| PlatformView {
                name: &p.name,
                release: &p.release,
                target_id: p.target_id.as_deref(),
            }),
            compliance: summary.compliance(),
            counts: CountsView::new(&summary.counts),
            profiles: summary
                .profiles
                .iter()
                .map(|p| ProfileView {
                    name: &p.profile.name,
                    title: p.profile.title.as_deref(),
                    version: p.profile.version.as_deref(),
                    sha256: &p.profile.sha256,
                    compliance: p.counts.compliance(),
                    counts: CountsView::new(&p.counts),
                    controls: p.controls.len(),
                })
                .collect(),
            verdict: input.verdict.map(|v| VerdictView {
                passed: v.passed(),
                failed: v.failures().count(),
                rules: v
                    .outcomes
                    .iter()
                    .map(|o| RuleView::new(o, summary))
                    .collect(),
            }),
            change: input.change.map(ChangeView::new),
            risk: input.risk.map(RiskView::new),
            controls: ControlsView {
                summary,
                verdict: input.verdict,
                change: input.change,
                risk: input.risk,
                keys,
            },
        }
    }
}

/// The controls of an input, turned into [`ControlView`]s one at a time while serialising.
#[derive(Debug, Clone)]
pub struct ControlsView<'a> {
    pub summary: &'a Summary<'a>,
    pub verdict: Option<&'a Verdict>,
    pub change: Option<&'a InputChange>,
    pub risk: Option<&'a scangate_risk::InputRisk>,
    /// Where the controls' fingerprints start from.
    pub keys: InputFingerprints,
}

impl ControlsView<'_> {
    /// Sets what only the report as a whole knows: the control's fingerprint and change.
    fn complete(&self, view: &mut ControlView<'_>, ordinal: u32) {
        view.fingerprint = Some(self.keys.control(view.profile, view.id, ordinal).into());
        view.change = self.change.map(|c| c.states[view.index].key());
        if let Some(risk) = self.risk {
            view.risk = risk
                .for_control(self.summary.controls[view.index].control)
                .map(DecisionView::new)
                .collect();
        }
    }

    /// Calls `f` with the view of every control in order. Each control is parsed in full
    /// just for its call and dropped after it, so no more than one is held at a time.
    pub fn each<E>(&self, mut f: impl FnMut(ControlView<'_>) -> Result<(), E>) -> Result<(), E> {
        let failing = failing_rules(self.summary, self.verdict);
        let ordinals = crate::finding::control_ordinals(self.summary);
        for (i, evaluated) in self.summary.controls.iter().enumerate() {
            let full = evaluated.control.full();
            let mut view = ControlView::new(i, self.summary, &full, &failing[i]);
            self.complete(&mut view, ordinals[i]);
            f(view)?;
        }
        Ok(())
    }
}

impl ControlsView<'_> {
    /// Renders every control with `render` on all cores and hands the output to `sink` in
    /// control order, a batch at a time, so memory stays bounded by one batch of output.
    /// For renderers whose per-control work (templates) is worth spreading.
    pub fn render_batched<E: Send>(
        &self,
        render: impl Fn(ControlView<'_>, &mut Vec<u8>) -> Result<(), E> + Sync,
        mut sink: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        /// Controls per thread per batch: big enough to amortise a thread, small enough that
        /// a batch of output is a few megabytes at most.
        const PER_THREAD: usize = 256;
        let failing = failing_rules(self.summary, self.verdict);
        let ordinals = crate::finding::control_ordinals(self.summary);
        let n = self.summary.controls.len();
        let render_range = |range: std::ops::Range<usize>| -> Result<Vec<u8>, E> {
            let mut buf = Vec::new();
            for i in range {
                let full = self.summary.controls[i].control.full();
                let mut view = ControlView::new(i, self.summary, &full, &failing[i]);
                self.complete(&mut view, ordinals[i]);
                render(view, &mut buf)?;
            }
            Ok(buf)
        };
        let threads = rayon::current_num_threads().min(8);
        if threads == 1 || n <= PER_THREAD {
            return sink(&render_range(0..n)?);
        }
        for start in (0..n).step_by(PER_THREAD * threads) {
            let end = (start + PER_THREAD * threads).min(n);
            let ranges: Vec<std::ops::Range<usize>> = (start..end)
                .step_by(PER_THREAD)
                .map(|from| from..(from + PER_THREAD).min(end))
                .collect();
            let outputs: Vec<Result<Vec<u8>, E>> =
                ranges.into_par_iter().map(&render_range).collect();
            for output in outputs {
                sink(&output?)?;
            }
        }
        Ok(())
    }
}

/// For each control, the codes of the failed rules it is behind.
pub fn failing_rules<'a>(summary: &Summary<'_>, verdict: Option<&'a Verdict>) -> Vec<Vec<&'a str>> {
    let mut out = vec![Vec::new(); summary.controls.len()];
    for rule in verdict.into_iter().flat_map(Verdict::failures) {
        for &i in &rule.controls {
            out[i].push(rule.code.as_str());
        }
    }
    out
}

impl Serialize for ControlsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.summary.controls.len()))?;
        self.each(|control| seq.serialize_element(&control))?;
        seq.end()
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DescriptionView<'a> {
    pub label: &'a str,
    pub data: &'a str,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TagView<'a> {
    pub name: &'a str,
    /// The tag's JSON value, verbatim (checked when the input was parsed, so every report
    /// can carry it).
    #[schemars(with = "serde_json::Value")]
    pub value: OpaqueJson<'a>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RefView<'a> {
    #[serde(rename = "ref")]
    pub reference: Option<&'a str>,
    pub url: Option<&'a str>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SourceView<'a> {
    pub file: Option<&'a str>,
    pub line: Option<u64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WaiverView<'a> {
    pub justification: Option<&'a str>,
    pub expiration_date: Option<&'a str>,
    pub message: Option<&'a str>,
    pub skipped: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AttestationView<'a> {
    pub status: &'static str,
    pub explanation: &'a str,
    pub frequency: &'a str,
    pub updated: &'a str,
    pub updated_by: &'a str,
}

/// One test of a control.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ResultView<'a> {
    /// `passed`, `failed`, `skipped`, `error`, or `none` when InSpec gave no status.
    pub status: &'static str,
    pub code_desc: &'a str,
    pub message: Option<&'a str>,
    pub skip_message: Option<&'a str>,
    pub exception: Option<&'a str>,
    pub backtrace: Option<Vec<&'a str>>,
    pub run_time: Option<f64>,
    pub start_time: &'a str,
    pub resource: Option<&'a str>,
}

/// One counted control: everything reports show about it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ControlView<'a> {
    /// Position in the input's control list.
    pub index: usize,
    pub id: &'a str,
    pub title: Option<&'a str>,
    /// The counted profile it belongs to.
    pub profile: &'a str,
    /// `passed`, `failed`, `skipped`, `error` or `no_impact` (the threshold keys).
    pub status: &'static str,
    /// `Passed`, `Failed`, `Not Reviewed`, `Profile Error` or `Not Applicable`.
    pub status_label: &'static str,
    /// `critical`, `high`, `medium`, `low` or `none`.
    pub severity: &'static str,
    pub impact: f64,
    /// Failed or Profile Error: what a gate is about.
    pub failing: bool,
    /// The first message explaining the status: a failed test's message, an exception, a
    /// skip reason or the waiver justification.
    pub message: Option<&'a str>,
    pub desc: Option<&'a str>,
    pub check: Option<&'a str>,
    pub fix: Option<&'a str>,
    pub descriptions: Vec<DescriptionView<'a>>,
    pub nist: Vec<&'a str>,
    pub cci: Vec<&'a str>,
    /// Every other tag.
    pub tags: Vec<TagView<'a>>,
    pub refs: Vec<RefView<'a>>,
    pub source: SourceView<'a>,
    pub waiver: Option<WaiverView<'a>>,
    pub attestation: Option<AttestationView<'a>>,
    pub results: Vec<ResultView<'a>>,
    /// Codes of the failed rules this control is behind.
    pub failed_rules: Vec<&'a str>,
    /// The finding's fingerprint (as in SARIF, Code Quality and baselines); the same for
    /// this control whatever its status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Against the baseline: `new`, `still_failing`, `fixed` or `not_failing`; absent
    /// without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<&'static str>,
    /// The waivers and attestations given at gate time that matched this control, whatever
    /// became of them (applied, expired, unneeded, ...); empty without any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risk: Vec<DecisionView>,
}

/// A waiver or attestation given at gate time (`--waivers`, `--attestations`), as applied
/// to one input.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DecisionView {
    /// `waiver` or `attestation`.
    pub kind: &'static str,
    /// `applied`, `expired`, `stale` (no such control), `unneeded` (the control passes or is
    /// Not Applicable without it), `counted` (a waiver without `run: false`: the control
    /// counts from its results, as in InSpec) or `not_attestable` (the control has automated
    /// results).
    pub state: &'static str,
    /// The control id as the entry writes it.
    pub control_id: String,
    /// Where the entry is: `FILE:LINE:COLUMN`.
    pub place: String,
    /// A waiver's justification, an attestation's explanation.
    pub reason: String,
    /// A waiver's approver, an attestation's `updated_by`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// The day it ends (`2026-12-20`, or with the time when not midnight); absent for a
    /// waiver without an end date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Current, and ending within the warning window (`--warn-expiring`).
    pub expiring_soon: bool,
    /// An attestation's status: `passed` or `failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attested: Option<&'static str>,
    /// The control's status (threshold key) without the entry and with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_before: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_after: Option<&'static str>,
}

impl DecisionView {
    pub fn new(d: &scangate_risk::Decision) -> DecisionView {
        DecisionView {
            kind: d.kind.as_str(),
            state: d.state.as_str(),
            control_id: d.control_id.clone(),
            place: d.place(),
            reason: d.reason.clone(),
            by: d.by.clone(),
            ticket: d.ticket.clone(),
            expires: d.expires_text(),
            expiring_soon: d.expiring_soon,
            attested: d.attested.map(scangate_risk::AttestedStatus::as_str),
            status_before: d.before.map(Status::key),
            status_after: d.after.map(Status::key),
        }
    }
}

/// Accepted risk on one input: how many entries ended in each state, and every entry.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RiskView {
    /// Controls a waiver made Not Applicable.
    pub waived: usize,
    /// Controls an attestation decided.
    pub attested: usize,
    pub expired: usize,
    pub stale: usize,
    pub unneeded: usize,
    /// Entries in the file order, waivers first.
    pub entries: Vec<DecisionView>,
}

impl RiskView {
    pub fn new(risk: &scangate_risk::InputRisk) -> RiskView {
        use scangate_risk::{Kind, State};
        let all = |state| risk.decisions.iter().filter(|d| d.state == state).count();
        RiskView {
            waived: risk.count(Kind::Waiver, State::Applied),
            attested: risk.count(Kind::Attestation, State::Applied),
            expired: all(State::Expired),
            stale: all(State::Stale),
            unneeded: all(State::Unneeded),
            entries: risk.decisions.iter().map(DecisionView::new).collect(),
        }
    }
}

fn result_status(r: &scangate_results::model::TestResult<'_>) -> &'static str {
    use scangate_results::model::ResultStatus;
    if r.backtrace.is_some() {
        return "error";
    }
    match r.status {
        Some(ResultStatus::Passed) => "passed",
        Some(ResultStatus::Failed) => "failed",
        Some(ResultStatus::Skipped) => "skipped",
        Some(ResultStatus::Error) => "error",
        None => "none",
    }
}

/// The message that best explains a control's status (`control` is the evaluated control,
/// parsed in full).
pub fn explaining_message<'c>(status: Status, control: &'c Control<'_>) -> Option<&'c str> {
    use scangate_results::model::ResultStatus;
    let results = control.results();
    let first = |pred: &dyn Fn(&scangate_results::model::TestResult<'_>) -> bool| {
        results.iter().find(|r| pred(r)).and_then(|r| {
            r.message
                .as_deref()
                .or(r.exception.as_deref())
                .or(Some(r.code_desc.as_str()))
        })
    };
    match status {
        Status::Failed => first(&|r| r.status == Some(ResultStatus::Failed)),
        Status::ProfileError => {
            first(&|r| r.is_error()).or(Some("No describe blocks were run in this control"))
        }
        Status::NotReviewed => results.iter().find_map(|r| r.skip_message.as_deref()),
        Status::NotApplicable => control
            .waiver_data
            .as_ref()
            .and_then(|w| w.justification.as_deref())
            .or(control.desc.as_deref()),
        Status::Passed => None,
    }
}

impl<'c> ControlView<'c> {
    /// The view of `summary.controls[index]`, whose full control (`ControlHead::full`) is `c`.
    pub fn new(
        index: usize,
        summary: &'c Summary<'_>,
        c: &'c Control<'_>,
        failed_rules: &[&'c str],
    ) -> Self {
        let evaluated = &summary.controls[index];
        ControlView {
            index,
            id: &c.id,
            title: c.title.as_deref(),
            profile: &summary.profiles[evaluated.profile].profile.name,
            status: evaluated.status.key(),
            status_label: evaluated.status.label(),
            severity: evaluated.severity.key(),
            impact: c.impact,
            failing: evaluated.status.is_failing(),
            message: explaining_message(evaluated.status, c),
            desc: c.desc.as_deref(),
            check: c.description("check"),
            fix: c.description("fix"),
            descriptions: c
                .descriptions
                .iter()
                .map(|d| DescriptionView {
                    label: &d.label,
                    data: &d.data,
                })
                .collect(),
            nist: c.tags.nist.iter().map(|t| t.as_str()).collect(),
            cci: c.tags.cci.iter().map(|t| t.as_str()).collect(),
            tags: c
                .tags
                .other
                .iter()
                .map(|(name, value)| TagView {
                    name,
                    value: *value,
                })
                .collect(),
            refs: c
                .refs
                .iter()
                .map(|r| RefView {
                    reference: match &r.reference {
                        Some(scangate_results::model::RefValue::Text(t)) => Some(t.as_str()),
                        _ => None,
                    },
                    url: r.url.as_deref().or(r.uri.as_deref()),
                })
                .collect(),
            source: SourceView {
                file: c.source_location.file.as_deref(),
                line: c
                    .source_location
                    .line
                    .filter(|l| *l >= 1.0)
                    .map(|l| l as u64),
            },
            waiver: c.waiver_data.as_ref().map(|w| WaiverView {
                justification: w.justification.as_deref(),
                expiration_date: w.expiration_date.as_deref(),
                message: w.message.as_deref(),
                skipped: w.skipped(),
            }),
            attestation: c.attestation_data.as_ref().map(|a| AttestationView {
                status: match a.status {
                    scangate_results::model::AttestationStatus::Passed => "passed",
                    scangate_results::model::AttestationStatus::Failed => "failed",
                },
                explanation: &a.explanation,
                frequency: &a.frequency,
                updated: &a.updated,
                updated_by: &a.updated_by,
            }),
            results: c
                .results()
                .iter()
                .map(|r| ResultView {
                    status: result_status(r),
                    code_desc: &r.code_desc,
                    message: r.message.as_deref(),
                    skip_message: r.skip_message.as_deref(),
                    exception: r.exception.as_deref(),
                    backtrace: r
                        .backtrace
                        .as_ref()
                        .map(|b| b.iter().map(|t| t.as_str()).collect()),
                    run_time: r.run_time,
                    start_time: &r.start_time,
                    resource: r.resource.as_deref(),
                })
                .collect(),
            failed_rules: failed_rules.to_vec(),
            fingerprint: None,
            change: None,
            risk: Vec::new(),
        }
    }
}

/// The JSON Schema of the `json` report (and of the template context).
pub fn report_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(ReportContext<'static>).to_value();
    schema["$id"] = serde_json::json!("https://scangate.dev/schemas/report-v1.json");
    schema["title"] = serde_json::json!("scangate report");
    schema
}
