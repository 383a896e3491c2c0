//! The view model: the small contexts the page frame's templates render (page head and foot,
//! each input's summary, matrix and verdict, a control's row). The controls themselves are
//! [`ControlView`]s from the shared report context.

use scangate_threshold::{Rule, RuleCode};
use serde::Serialize;

use super::csp::csp;
use super::{CSS, JS, MAX_RESULTS, MAX_RULE_LINKS};
use crate::accepted;
use crate::baseline::State;
use crate::context::{
    BucketCounts, ControlView, CountsView, DecisionView, GoneView, InputContext, OriginView,
    PlatformView, ProfileView,
};
use crate::untrusted::prefix;
use crate::{Report, ReportInput};

/// Everything above the first input: title, verdict, unreadable inputs, and the overview when
/// there are several inputs.
#[derive(Debug, Serialize)]
pub(super) struct Head<'a> {
    csp: &'static str,
    css: &'static str,
    title: String,
    version: &'static str,
    threshold: Option<&'a str>,
    /// `pass`, `fail`, `none` (not gated) or `error` (an input could not be read).
    verdict: &'static str,
    /// Inputs that were read.
    inputs: usize,
    failed_inputs: usize,
    /// Inputs that could not be read, and all inputs.
    unreadable: usize,
    total_inputs: usize,
    errors: Vec<ErrorRow<'a>>,
    /// The overview of every input, shown when there are several.
    overview: Vec<OverviewRow<'a>>,
}

/// An input that could not be read.
#[derive(Debug, Serialize)]
struct ErrorRow<'a> {
    name: &'a str,
    message: &'a str,
}

#[derive(Debug, Serialize)]
struct OverviewRow<'a> {
    anchor: String,
    name: &'a str,
    platform: Option<String>,
    compliance: u32,
    controls: usize,
    failed: u64,
    error: u64,
    /// `pass`, `fail` or `none`.
    verdict: &'static str,
    rules_failed: usize,
    rules: usize,
}

fn verdict_key(passed: Option<bool>) -> &'static str {
    match passed {
        Some(true) => "pass",
        Some(false) => "fail",
        None => "none",
    }
}

fn platform_text(p: &PlatformView<'_>) -> String {
    if p.release.is_empty() {
        p.name.to_owned()
    } else {
        format!("{} {}", p.name, p.release)
    }
}

impl<'a> Head<'a> {
    pub(super) fn new(report: &Report<'a>) -> Self {
        let verdict = if report.errors.is_empty() {
            verdict_key(report.passed())
        } else {
            "error"
        };
        let failed_inputs = report
            .inputs
            .iter()
            .filter(|i| i.verdict.is_some_and(|v| !v.passed()))
            .count();
        let subject = match (report.inputs, report.errors) {
            ([one], []) => prefix(one.name, 200).to_owned(),
            ([], [one]) => prefix(one.name, 200).to_owned(),
            _ => format!("{} inputs", report.input_count()),
        };
        let title = match verdict {
            "pass" => format!("PASS · {subject} · scangate report"),
            "fail" => format!("FAIL · {subject} · scangate report"),
            "error" => format!("ERROR · {subject} · scangate report"),
            _ => format!("{subject} · scangate report"),
        };
        let overview = if report.inputs.len() > 1 {
            report
                .inputs
                .iter()
                .enumerate()
                .map(|(n, input)| OverviewRow {
                    anchor: format!("i{n}"),
                    name: input.name,
                    platform: input.results.platform.as_ref().map(|p| {
                        platform_text(&PlatformView {
                            name: &p.name,
                            release: &p.release,
                            target_id: None,
                        })
                    }),
                    compliance: input.summary.compliance(),
                    controls: input.summary.controls.len(),
                    failed: input.summary.counts.total(scangate_results::Status::Failed),
                    error: input
                        .summary
                        .counts
                        .total(scangate_results::Status::ProfileError),
                    verdict: verdict_key(input.verdict.map(|v| v.passed())),
                    rules_failed: input.verdict.map_or(0, |v| v.failures().count()),
                    rules: input.verdict.map_or(0, |v| v.outcomes.len()),
                })
                .collect()
        } else {
            Vec::new()
        };
        Head {
            csp: csp(),
            css: CSS,
            title,
            version: env!("CARGO_PKG_VERSION"),
            threshold: report.threshold,
            verdict,
            inputs: report.inputs.len(),
            failed_inputs,
            unreadable: report.errors.len(),
            total_inputs: report.input_count(),
            errors: report
                .errors
                .iter()
                .map(|e| ErrorRow {
                    name: e.name,
                    message: e.message,
                })
                .collect(),
            overview,
        }
    }
}

/// Below the last input: the script and the version.
#[derive(Debug, Serialize)]
pub(super) struct Foot {
    js: &'static str,
    version: &'static str,
}

impl Foot {
    pub(super) fn new() -> Self {
        Foot {
            js: JS,
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// One input's summary: everything above its controls table.
#[derive(Debug, Serialize)]
pub(super) struct InputFrame<'a> {
    pub(super) anchor: String,
    /// Several inputs: headings say which one.
    multi: bool,
    name: &'a str,
    file_name: &'a str,
    origin: OriginView<'a>,
    format: &'static str,
    platform: Option<PlatformView<'a>>,
    platform_text: Option<String>,
    compliance: u32,
    /// `stroke-dasharray` of the compliance ring (path length 100).
    ring: String,
    /// `pass`, `fail` or `none`: the compliance rule's outcome, when the gate has one.
    ring_state: &'static str,
    statuses: Vec<StatusCount>,
    severities: Vec<SeverityCount>,
    matrix: Vec<MatrixRow>,
    total: u64,
    controls: usize,
    pub(super) profiles: Vec<ProfileView<'a>>,
    verdict: Option<VerdictFrame<'a>>,
    /// Against the baseline: the counts of each change, for the filter; `None` without one.
    changes: Option<Vec<ChangeCount>>,
    /// The baseline's failing controls this input no longer has.
    gone: Vec<GoneView<'a>>,
    /// Waivers and attestations given at gate time; `None` without either.
    risk: Option<RiskFrame<'a>>,
}

/// The accepted-risk panel: counts, the applied entries, then the others.
#[derive(Debug, Serialize)]
struct RiskFrame<'a> {
    waived: usize,
    attested: usize,
    expired: usize,
    stale: usize,
    unneeded: usize,
    applied: Vec<RiskEntry<'a>>,
    others: Vec<RiskEntry<'a>>,
}

/// One waiver or attestation, with the control it matched (linked) when it matched one.
#[derive(Debug, Serialize)]
struct RiskEntry<'a> {
    d: DecisionView,
    /// `Waiver` or `Attestation`.
    kind_label: &'static str,
    /// What became of it, in scangate's words.
    outcome: String,
    anchor: Option<String>,
    title: Option<&'a str>,
}

impl<'a> RiskFrame<'a> {
    fn new(input: &ReportInput<'a>, anchor: &str) -> Option<Self> {
        let risk = input.risk?;
        let view = crate::context::RiskView::new(risk);
        let controls = accepted::decision_controls(input);
        let (mut applied, mut others) = (Vec::new(), Vec::new());
        for ((d, view), control) in risk.decisions.iter().zip(view.entries).zip(controls) {
            let entry = RiskEntry {
                d: view,
                kind_label: accepted::kind_label(d.kind),
                outcome: accepted::outcome(d),
                anchor: control.map(|i| format!("{anchor}-c{i}")),
                title: control.and_then(|i| input.summary.controls[i].control.title.as_deref()),
            };
            if d.state == scangate_risk::State::Applied {
                applied.push(entry);
            } else {
                others.push(entry);
            }
        }
        Some(RiskFrame {
            waived: view.waived,
            attested: view.attested,
            expired: view.expired,
            stale: view.stale,
            unneeded: view.unneeded,
            applied,
            others,
        })
    }
}

#[derive(Debug, Serialize)]
struct ChangeCount {
    key: &'static str,
    label: &'static str,
    count: usize,
}

#[derive(Debug, Serialize)]
struct StatusCount {
    key: &'static str,
    label: &'static str,
    count: u64,
}

#[derive(Debug, Serialize)]
struct SeverityCount {
    key: &'static str,
    label: &'static str,
    count: u64,
}

#[derive(Debug, Serialize)]
struct MatrixRow {
    /// A severity key, or empty for the totals row.
    key: &'static str,
    label: &'static str,
    cells: Vec<MatrixCell>,
    total: u64,
}

#[derive(Debug, Serialize)]
struct MatrixCell {
    status: &'static str,
    count: u64,
}

#[derive(Debug, Serialize)]
struct VerdictFrame<'a> {
    passed: bool,
    failed: usize,
    rules: Vec<RuleFrame<'a>>,
}

#[derive(Debug, Serialize)]
struct RuleFrame<'a> {
    code: &'a RuleCode,
    key: &'a str,
    limit: String,
    actual: String,
    passed: bool,
    message: &'a str,
    controls: Vec<ControlLink<'a>>,
    /// Controls behind the rule that are not linked (beyond [`MAX_RULE_LINKS`]).
    more: usize,
    count: usize,
    missing: &'a [String],
}

#[derive(Debug, Serialize)]
struct ControlLink<'a> {
    anchor: String,
    id: &'a str,
}

/// Statuses in saf's column order.
const STATUSES: [scangate_results::Status; 5] = scangate_results::Status::SAF_ORDER;

fn bucket(counts: &CountsView, status: scangate_results::Status) -> &BucketCounts {
    use scangate_results::Status;
    match status {
        Status::Passed => &counts.passed,
        Status::Failed => &counts.failed,
        Status::NotReviewed => &counts.skipped,
        Status::ProfileError => &counts.error,
        Status::NotApplicable => &counts.no_impact,
    }
}

fn severity_count(b: &BucketCounts, severity: scangate_results::Severity) -> u64 {
    use scangate_results::Severity;
    match severity {
        Severity::Critical => b.critical,
        Severity::High => b.high,
        Severity::Medium => b.medium,
        Severity::Low => b.low,
        Severity::None => b.none,
    }
}

impl<'a> InputFrame<'a> {
    pub(super) fn new(
        n: usize,
        input: &ReportInput<'a>,
        context: InputContext<'a>,
        multi: bool,
    ) -> Self {
        let anchor = format!("i{n}");
        let counts = &context.counts;
        let statuses = STATUSES
            .iter()
            .map(|&s| StatusCount {
                key: s.key(),
                label: s.label(),
                count: bucket(counts, s).total,
            })
            .collect();
        let severities = scangate_results::Severity::ALL
            .iter()
            .map(|&sev| SeverityCount {
                key: sev.key(),
                label: sev.label(),
                count: STATUSES
                    .iter()
                    .map(|&s| severity_count(bucket(counts, s), sev))
                    .sum(),
            })
            .collect();
        let mut matrix: Vec<MatrixRow> = scangate_results::Severity::ALL
            .iter()
            .map(|&sev| {
                let cells: Vec<MatrixCell> = STATUSES
                    .iter()
                    .map(|&s| MatrixCell {
                        status: s.key(),
                        count: severity_count(bucket(counts, s), sev),
                    })
                    .collect();
                MatrixRow {
                    key: sev.key(),
                    label: sev.label(),
                    total: cells.iter().map(|c| c.count).sum(),
                    cells,
                }
            })
            .collect();
        let totals: Vec<MatrixCell> = STATUSES
            .iter()
            .map(|&s| MatrixCell {
                status: s.key(),
                count: bucket(counts, s).total,
            })
            .collect();
        let total = totals.iter().map(|c| c.count).sum();
        matrix.push(MatrixRow {
            key: "",
            label: "Total",
            cells: totals,
            total,
        });

        let verdict = context.verdict.map(|v| {
            let outcomes = input.verdict.map_or(&[][..], |v| &v.outcomes[..]);
            VerdictFrame {
                passed: v.passed,
                failed: v.failed,
                rules: v
                    .rules
                    .into_iter()
                    .zip(outcomes)
                    .map(|(rule, outcome)| RuleFrame {
                        count: rule.controls.len(),
                        more: rule.controls.len().saturating_sub(MAX_RULE_LINKS),
                        controls: rule
                            .controls
                            .iter()
                            .zip(&outcome.controls)
                            .take(MAX_RULE_LINKS)
                            .map(|(&id, index)| ControlLink {
                                anchor: format!("{anchor}-c{index}"),
                                id,
                            })
                            .collect(),
                        code: rule.code,
                        key: rule.key,
                        limit: rule.limit,
                        actual: rule.actual,
                        passed: rule.passed,
                        message: rule.message,
                        missing: rule.missing,
                    })
                    .collect(),
            }
        });
        let ring_state = verdict
            .as_ref()
            .and_then(|v| {
                v.rules
                    .iter()
                    .find(|r| matches!(r.code.rule(), Rule::Compliance(_)))
            })
            .map_or("none", |r| if r.passed { "pass" } else { "fail" });
        let compliance = context.compliance.min(100);
        let changes = input.change.map(|change| {
            [
                State::New,
                State::StillFailing,
                State::Fixed,
                State::NotFailing,
            ]
            .into_iter()
            .map(|state| ChangeCount {
                key: state.key(),
                label: state.label(),
                count: change.states.iter().filter(|s| **s == state).count(),
            })
            .collect()
        });
        let gone = context.change.map(|c| c.gone).unwrap_or_default();
        InputFrame {
            risk: RiskFrame::new(input, &anchor),
            changes,
            gone,
            multi,
            name: context.name,
            file_name: context.file_name,
            origin: context.origin,
            format: context.format,
            platform_text: context.platform.as_ref().map(platform_text),
            platform: context.platform,
            compliance,
            ring: format!("{compliance} 100"),
            ring_state,
            statuses,
            severities,
            matrix,
            total,
            controls: input.summary.controls.len(),
            profiles: context.profiles,
            verdict,
            anchor,
        }
    }
}

/// One control row's context.
#[derive(Debug, Serialize)]
pub(super) struct ControlRow<'a, 'c> {
    anchor: &'c str,
    /// The input counts several profiles: each control says which it belongs to.
    multi_profile: bool,
    /// The waiver has something to say (InSpec writes empty ones).
    show_waiver: bool,
    /// Results beyond [`MAX_RESULTS`], not shown.
    hidden_results: usize,
    c: &'c ControlView<'a>,
}

impl<'a, 'c> ControlRow<'a, 'c> {
    /// The row of `control`, which keeps its first [`MAX_RESULTS`] results: one control must
    /// not be able to blow up the page.
    pub(super) fn new(
        anchor: &'c str,
        multi_profile: bool,
        control: &'c mut ControlView<'a>,
    ) -> Self {
        let hidden_results = control.results.len().saturating_sub(MAX_RESULTS);
        control.results.truncate(MAX_RESULTS);
        let show_waiver = control.waiver.as_ref().is_some_and(|w| {
            w.skipped
                || [w.justification, w.message, w.expiration_date]
                    .iter()
                    .any(|t| t.is_some_and(|t| !t.is_empty()))
        });
        ControlRow {
            anchor,
            multi_profile,
            show_waiver,
            hidden_results,
            c: control,
        }
    }
}
