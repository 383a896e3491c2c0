//! SARIF 2.1.0 for GitHub code scanning, built from `serde-sarif`'s types.
//!
//! | SARIF | from |
//! |---|---|
//! | one `run` | every input of the report (GitHub rejects several runs of one tool and category in a file, and a file may hold only 20 runs) |
//! | `tool.driver` | `scangate`, this crate's version |
//! | a rule per control | `id`: the control id (encoded when it is not a plain identifier, see below); `name`: its title; `shortDescription`: title; `fullDescription`: `desc`; `help`: the fix text, the check text, and the whole `desc` when `fullDescription` had to cut it; `properties.security-severity`: impact × 10 (`"7.0"`); `properties.tags`: `security`, NIST and CCI tags |
//! | a rule per failed threshold rule | `id`: the rule's code (`failed-high-max`), as the gate and JUnit name it |
//! | a result per failed or errored control | `level` from severity: critical, high → `error`; medium → `warning`; low, none → `note` |
//! | a result per failed threshold rule | `level` `error`; the rule's message |
//! | `locations[0].physicalLocation` | the control's `source_location` (file and line) if it has one, else the input file, line 1 |
//! | `locations[0].logicalLocations[0]` | `namespace/pod/container` for a pod, the input path for a file |
//! | `partialFingerprints.primaryLocationLineHash` | the finding's fingerprint ([`crate::finding`]): a hash of the input's identity, the profile name and the control id (or rule code) |
//! | `baselineState` (with `--baseline`, on every result) | a failing control: `new` or `unchanged` (still failing); a control failing in the baseline and not now: a result of its own with `absent`, `kind` `pass`, `level` `none`; a failed gate rule: `new` for the rules on new failures, `unchanged` for the others (they judge the whole scan, not a change). Controls gone from the input are not results: there is no control left to point at (the JSON, Markdown and HTML reports list them) |
//! | a result per control a waiver made Not Applicable that would have failed (`--waivers`) | as the failing control it was (its rule, `level` from severity, the failing test's message), with `suppressions: [{kind: "external", status: "accepted", justification: "<justification> (approver X, ticket Y, expires Z)"}]` (SARIF §3.35, §3.27.23): an accepted external suppression. The finding stays in the log with its fingerprint, so its alert is matched and shown as suppressed instead of disappearing and being closed as fixed. SARIF viewers hide a result with an accepted suppression; GitHub's SARIF-support page does not list `suppressions` among what code scanning reads, and `advanced-security/dismiss-alerts` dismisses (won't fix) the alerts a log suppresses, and reopens them when a later log no longer does. `properties.status` is `no_impact` (Not Applicable), `properties.statusBeforeWaiver` what it was (`failed`, `error`). Against a baseline its `baselineState` is `unchanged` when the control was failing in the baseline, `new` when not (the finding, not its status, is what persists). Kept after the open findings when the result cap bites |
//! | `properties.acceptedRisk` (with `--waivers` or `--attestations`, on a control's result) | every waiver and attestation that matched the control, applied or not: `kind`, `state`, `reason` (justification or explanation), `by`, `ticket`, `expires`, `place`. An attested control is an ordinary result of its status (an attested failure is a failing result whose message is the attestation's explanation); an attested pass is no result |
//! | `invocations[0].toolExecutionNotifications` | an `error` per input that could not be read (descriptor `unreadable-input`, its message and location), and then `executionSuccessful` is false |
//!
//! No `automationDetails` is written: the upload's `category` decides, and codeql-action
//! ignores it for runs that already have one.
//!
//! Rule ids. GitHub needs a non-empty, stable id of at most 255 characters, and uses it in URLs
//! and search (`rule:SV-230221`). A control id made of letters, digits, `-`, `.` and `_` is used
//! as it is; any other byte is percent-encoded (`H-1 |x` → `H-1%20%7Cx`), an id that would read
//! as a threshold rule code has its first byte encoded (`%66ailed-high-max`), a longer one is
//! cut and ends in `~` and a hash of the whole id, and the empty id is `~`. Distinct control
//! ids always get distinct rule ids. Several controls with one id (across inputs, profiles or
//! duplicated) share one rule, described by the first of them.
//!
//! Fingerprints. GitHub matches alerts across uploads by `primaryLocationLineHash` only (and
//! codeql-action keeps a value that is already there). The value is the finding's
//! [`Fingerprint`], the one every report uses: it does not depend
//! on line numbers, messages or result order, only on the input's identity (for a file its
//! path as it appears in the log; for a pod its namespace, workload, container: the pod name
//! without Kubernetes' generated suffixes, so that redeploying does not reopen every alert),
//! the profile name and the control id, and it ends in `:n` for the n-th control with that id
//! in that profile. [`crate::finding`] defines it.
//!
//! Untrusted text. Everything from the scan is cleaned ([`clean`]: the untrusted-text policy of
//! [`crate::untrusted`], `](` written `] (` so that no viewer makes a link of it), cut to
//! GitHub's limits (names 255 bytes, descriptions 1,024, messages 4 KiB, help sections 16 KiB)
//! with a visible note, and only `help.markdown` is Markdown, escaped so that nothing in it is
//! markup. The log is written with [`crate::untrusted::json`], so a character the policy flags
//! that reached a property uncleaned would still be an escape, not a raw character. Braces stay
//! single although SARIF (§3.11.5) wants `{{` for placeholders: no message has `arguments`,
//! GitHub substitutes none, and doubled braces would show there.
//!
//! Limits. At most `RenderOptions::sarif_max_results` results (GitHub's 25,000 per run) are
//! written: the failed threshold rules first, then the controls by severity, id, input and
//! position; what is left out is counted in a warning, in `invocations[0]
//! .toolExecutionNotifications` and in `run.properties.scangate`. Rules are capped the same
//! way (GitHub's limit is the same number), keeping every rule a result refers to.
//!
//! Memory. The log is streamed: rules and results are built and serialised one at a time from
//! the borrowed report, and text that needs no cleaning is not copied.

mod ids;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use scangate_results::{Severity, Status, Summary};
use scangate_threshold::RuleOutcome;
use serde::Serialize;
use serde::ser::Serializer;
use serde_json::{Value, json};
use serde_sarif::sarif;

use crate::accepted;
use crate::baseline::State;
use crate::context::{ControlView, explaining_message, failing_rules};
use crate::finding::{self, Fingerprint, InputFingerprints};
use crate::untrusted::markdown::commonmark;
use crate::untrusted::sarif::{clean, clean_cut, clean_or};
use crate::{
    Error, Origin, RenderOptions, Rendered, Report, ReportInput, UnreadableInput, untrusted, uri,
};

/// The OASIS schema of SARIF 2.1.0 (final, errata 01), as `$schema`.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");
const GATE_HELP_URI: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "#the-gate-scangate-check");

/// GitHub's limit for `rule.name`; also used for ids and names quoted in other text.
const MAX_NAME: usize = 255;
/// GitHub's limit for `shortDescription.text` and `fullDescription.text`.
const MAX_DESCRIPTION: usize = 1024;
/// Result messages: GitHub shows the first sentence as the alert's title and the rest below;
/// 4 KiB keeps every InSpec diff readable and 25,000 results within the 10 MB upload limit in
/// all but pathological cases.
const MAX_MESSAGE: usize = 4096;
const MAX_HELP_SECTION: usize = 16 * 1024;
/// GitHub rejects a rule with more than 20 tags (and shows 10).
const MAX_TAGS: usize = 20;
const MAX_TAG: usize = 255;
/// Control ids listed in a threshold result's properties.
const MAX_LISTED_CONTROLS: usize = 100;
/// The notification descriptor of an input that could not be read.
pub const UNREADABLE_INPUT: &str = "unreadable-input";
const NO_HELP: &str = "The profile gives no fix or check text for this control.";
const GATE_HELP: &str = "Remediate the controls behind this number (listed in this result's \
    properties and in scangate's other reports), or waive them with a justification. If the \
    limit itself is wrong, change it in the threshold file.";

/// Writes the SARIF log of `report` to `w`.
pub fn write(
    report: &Report<'_>,
    w: &mut dyn Write,
    options: &RenderOptions,
) -> Result<Rendered, Error> {
    let plan = Plan::new(report, options.sarif_max_results);
    let mut rendered = Rendered::default();
    let mut notifications = Vec::new();
    let cap = options.sarif_max_results;
    if plan.omitted_results > 0 {
        let message = format!(
            "SARIF: {} of {} results left out: GitHub code scanning takes at most {cap} per run \
             (kept the failed threshold rules, then the most severe controls).",
            plan.omitted_results, plan.total_results
        );
        notifications.push(warning_notification(&message));
        rendered.warnings.push(message);
    }
    if plan.omitted_rules > 0 {
        let message = format!(
            "SARIF: {} of {} rules left out: GitHub code scanning takes at most {cap} per run \
             (kept every rule a result refers to).",
            plan.omitted_rules, plan.total_rules
        );
        notifications.push(warning_notification(&message));
        rendered.warnings.push(message);
    }

    for error in report.errors {
        notifications.push(unreadable_notification(error));
    }
    // SARIF's own word for "the tool could not do all of its job": consumers that read it
    // (and people reading the log) learn that results from some inputs are missing.
    let mut invocation = sarif::Invocation::builder()
        .execution_successful(report.errors.is_empty())
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    let ctx = Ctx {
        report,
        plan: &plan,
    };
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    component: sarif::ToolComponent::builder()
                        .name("scangate")
                        .version(env!("CARGO_PKG_VERSION"))
                        .semantic_version(env!("CARGO_PKG_VERSION"))
                        .information_uri(INFORMATION_URI)
                        .build(),
                    rules: Streamed {
                        ctx: &ctx,
                        items: &plan.rules,
                        make: Ctx::rule,
                    },
                },
            },
            invocations: [invocation],
            results: Streamed {
                ctx: &ctx,
                items: &plan.results,
                make: Ctx::result,
            },
            properties: run_properties(report, &plan, cap),
        }],
    };
    untrusted::json::to_writer(&mut *w, &log).map_err(Error::from_json)?;
    writeln!(w)?;
    Ok(rendered)
}

fn warning_notification(message: &str) -> sarif::Notification {
    let mut n = sarif::Notification::builder()
        .message(sarif::Message::from(message))
        .build();
    n.level = Some(json!("warning"));
    n
}

/// The notification for an input that could not be read: level `error`, its message, and
/// where the input is.
fn unreadable_notification(error: &UnreadableInput<'_>) -> sarif::Notification {
    let (uri, logical) = input_location(error.origin, error.name);
    let name = clean_or(Some(error.name), "(unnamed input)", MAX_NAME);
    let message = format!(
        "Input '{name}' could not be read, so it was not gated: {}",
        clean(error.message, MAX_MESSAGE)
    );
    let mut n = sarif::Notification::builder()
        .message(sarif::Message::from(message.as_str()))
        .descriptor(
            sarif::ReportingDescriptorReference::builder()
                .id(UNREADABLE_INPUT)
                .build(),
        )
        .locations(vec![
            sarif::Location::builder()
                .physical_location(
                    sarif::PhysicalLocation::builder()
                        .artifact_location(sarif::ArtifactLocation::builder().uri(uri).build())
                        .build(),
                )
                .logical_locations(vec![logical])
                .build(),
        ])
        .build();
    n.level = Some(json!("error"));
    n
}

fn run_properties(report: &Report<'_>, plan: &Plan<'_>, cap: usize) -> sarif::PropertyBag {
    let mut summary = serde_json::Map::new();
    summary.insert("inputs".into(), json!(report.inputs.len()));
    if let Some(threshold) = report.threshold {
        summary.insert("threshold".into(), json!(clean(threshold, MAX_NAME)));
    }
    if let Some(passed) = report.passed() {
        summary.insert("passed".into(), json!(passed));
    }
    summary.insert("results".into(), json!(plan.results.len()));
    summary.insert("resultsOmitted".into(), json!(plan.omitted_results));
    summary.insert("rulesOmitted".into(), json!(plan.omitted_rules));
    summary.insert("maxResults".into(), json!(cap));
    if !report.errors.is_empty() {
        summary.insert("unreadableInputs".into(), json!(report.errors.len()));
    }
    sarif::PropertyBag::builder()
        .additional_properties(BTreeMap::from([(
            "scangate".to_owned(),
            Value::Object(summary),
        )]))
        .build()
}

/// The log's envelope: `serde-sarif`'s `Sarif`, `Run` and `ToolComponent` would need every
/// rule and result in memory at once, so these mirror them with lazy `rules` and `results`.
#[derive(Serialize)]
struct Log<'c> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'c>; 1],
}

#[derive(Serialize)]
struct Run<'c> {
    tool: Tool<'c>,
    invocations: [sarif::Invocation; 1],
    results: Streamed<'c, PlannedResult<'c>, sarif::Result>,
    properties: sarif::PropertyBag,
}

#[derive(Serialize)]
struct Tool<'c> {
    driver: Driver<'c>,
}

#[derive(Serialize)]
struct Driver<'c> {
    #[serde(flatten)]
    component: sarif::ToolComponent,
    rules: Streamed<'c, PlannedRule<'c>, sarif::ReportingDescriptor>,
}

struct Ctx<'c> {
    report: &'c Report<'c>,
    plan: &'c Plan<'c>,
}

/// A list of the log written item by item, each made from the plan only as it is written, so
/// the log is streamed rather than built whole in memory.
struct Streamed<'c, T, R> {
    ctx: &'c Ctx<'c>,
    items: &'c [T],
    make: fn(&'c Ctx<'c>, &'c T) -> R,
}

impl<T, R: Serialize> Serialize for Streamed<'_, T, R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.items.iter().map(|item| (self.make)(self.ctx, item)))
    }
}

/// What a rule describes: the first control with its id, or a failed threshold rule.
#[derive(Debug, Clone, Copy)]
enum Source<'a> {
    Control { input: usize, control: usize },
    Gate { outcome: &'a RuleOutcome },
}

#[derive(Debug)]
struct PlannedRule<'a> {
    id: Cow<'a, str>,
    source: Source<'a>,
}

#[derive(Debug)]
enum Finding<'a> {
    /// `ordinal`: 1 for the first control with this id in its profile, 2 for a duplicate, ...
    /// A failing control, or (with a baseline) one that was failing and is fixed.
    Control {
        input: usize,
        control: usize,
        ordinal: u32,
    },
    Gate {
        input: usize,
        outcome: &'a RuleOutcome,
    },
}

#[derive(Debug)]
struct PlannedResult<'a> {
    finding: Finding<'a>,
    /// Index into [`Plan::rules`].
    rule: usize,
}

/// Per input: what every result from it shares.
#[derive(Debug)]
struct InputInfo<'a> {
    uri: String,
    logical: sarif::LogicalLocation,
    /// Where the fingerprints of its findings start from.
    fingerprints: InputFingerprints,
    /// For each control, the codes of the failed threshold rules it is behind.
    failing: Vec<Vec<&'a str>>,
}

/// Which rules and results the log holds, in order: decided up front (it needs only indices
/// and ids), so that writing can stream.
#[derive(Debug)]
struct Plan<'a> {
    rules: Vec<PlannedRule<'a>>,
    results: Vec<PlannedResult<'a>>,
    inputs: Vec<InputInfo<'a>>,
    total_results: usize,
    omitted_results: usize,
    total_rules: usize,
    omitted_rules: usize,
}

impl<'a> Plan<'a> {
    fn new(report: &Report<'a>, cap: usize) -> Self {
        let mut rules: Vec<PlannedRule<'a>> = Vec::new();
        let mut by_id: HashMap<Cow<'a, str>, usize> = HashMap::new();
        let mut controls = Vec::new();
        let mut waived = Vec::new();
        let mut fixed = Vec::new();
        for (i, input) in report.inputs.iter().enumerate() {
            let summary: &'a Summary<'a> = input.summary;
            let states = input.change.map(|c| &c.states);
            let ordinals = finding::control_ordinals(summary);
            for ((c, evaluated), ordinal) in summary.controls.iter().enumerate().zip(ordinals) {
                let id: &'a str = evaluated.control.id.as_str();
                let rule_id = ids::control_rule_id(id);
                let rule = match by_id.get(&rule_id) {
                    Some(&r) => r,
                    None => {
                        rules.push(PlannedRule {
                            id: rule_id.clone(),
                            source: Source::Control {
                                input: i,
                                control: c,
                            },
                        });
                        by_id.insert(rule_id, rules.len() - 1);
                        rules.len() - 1
                    }
                };
                if evaluated.status.is_failing() {
                    controls.push((evaluated.severity, id, i, c, ordinal, rule));
                } else if accepted::waived_failure(input, c).is_some() {
                    waived.push((evaluated.severity, id, i, c, ordinal, rule));
                } else if states.is_some_and(|s| s[c] == State::Fixed) {
                    fixed.push((evaluated.severity, id, i, c, ordinal, rule));
                }
            }
        }

        let mut gate = Vec::new();
        let mut gate_ids: HashMap<&'a str, usize> = HashMap::new();
        for (i, input) in report.inputs.iter().enumerate() {
            let Some(verdict) = input.verdict else {
                continue;
            };
            for outcome in &verdict.outcomes {
                if outcome.passed {
                    continue;
                }
                let code = outcome.code.as_str();
                let rule = *gate_ids.entry(code).or_insert_with(|| {
                    // Control ids shaped like codes are encoded, so this takes a code that is
                    // not shaped like one (a future kind of rule) and a control with that id.
                    let id = if by_id.contains_key(code) {
                        Cow::Owned(format!("scangate-gate/{code}"))
                    } else {
                        Cow::Borrowed(code)
                    };
                    rules.push(PlannedRule {
                        id,
                        source: Source::Gate { outcome },
                    });
                    rules.len() - 1
                });
                gate.push(PlannedResult {
                    finding: Finding::Gate { input: i, outcome },
                    rule,
                });
            }
        }

        controls.sort_by(|a, b| (a.0, a.1, a.2, a.3).cmp(&(b.0, b.1, b.2, b.3)));
        // Suppressed findings, then fixed controls come last: when the cap bites, open
        // findings are kept first.
        waived.sort_by(|a, b| (a.0, a.1, a.2, a.3).cmp(&(b.0, b.1, b.2, b.3)));
        fixed.sort_by(|a, b| (a.0, a.1, a.2, a.3).cmp(&(b.0, b.1, b.2, b.3)));
        controls.extend(waived);
        controls.extend(fixed);
        let total_results = gate.len() + controls.len();
        let mut results: Vec<PlannedResult<'a>> = gate;
        results.extend(
            controls
                .into_iter()
                .map(|(_, _, input, control, ordinal, rule)| PlannedResult {
                    finding: Finding::Control {
                        input,
                        control,
                        ordinal,
                    },
                    rule,
                }),
        );
        results.truncate(cap);

        // Keep every rule a result needs, then the others in order while the cap allows.
        let mut referenced = vec![false; rules.len()];
        for r in &results {
            referenced[r.rule] = true;
        }
        let mut spare = cap.saturating_sub(referenced.iter().filter(|&&r| r).count());
        let total_rules = rules.len();
        let mut index = vec![usize::MAX; rules.len()];
        let mut kept = Vec::with_capacity(rules.len().min(cap));
        for (old, rule) in rules.into_iter().enumerate() {
            if referenced[old] || spare > 0 {
                if !referenced[old] {
                    spare -= 1;
                }
                index[old] = kept.len();
                kept.push(rule);
            }
        }
        for r in &mut results {
            r.rule = index[r.rule];
        }

        Plan {
            total_rules,
            omitted_rules: total_rules - kept.len(),
            rules: kept,
            total_results,
            omitted_results: total_results - results.len(),
            results,
            inputs: input_infos(report.inputs),
        }
    }
}

/// An input's artifact URI and logical location (`namespace/pod/container`, or the path).
fn input_location(origin: Origin<'_>, name: &str) -> (String, sarif::LogicalLocation) {
    let uri = uri::input_path(origin, name);
    let logical = match origin {
        Origin::File { path } => sarif::LogicalLocation::builder()
            .fully_qualified_name(clean_or(Some(path), name, MAX_DESCRIPTION))
            .kind("resource")
            .build(),
        Origin::Pod {
            namespace,
            pod,
            container,
            ..
        } => sarif::LogicalLocation::builder()
            .fully_qualified_name(format!(
                "{}/{}/{}",
                clean(namespace, MAX_NAME),
                clean(pod, MAX_NAME),
                clean(container, MAX_NAME)
            ))
            .name(clean(container, MAX_NAME))
            .kind("resource")
            .build(),
    };
    (uri, logical)
}

/// Each input's locations and where its fingerprints start from.
fn input_infos<'a>(inputs: &[ReportInput<'a>]) -> Vec<InputInfo<'a>> {
    inputs
        .iter()
        .zip(finding::fingerprints_of(inputs))
        .map(|(input, fingerprints)| {
            let (uri, logical) = input_location(input.origin, input.name);
            InputInfo {
                uri,
                logical,
                fingerprints,
                failing: failing_rules(input.summary, input.verdict),
            }
        })
        .collect()
}

/// The accepted external suppression of a waived failure (SARIF §3.35): `justification` is
/// the waiver's, with its approver, ticket and end date.
fn suppression(w: &scangate_risk::Decision) -> sarif::Suppression {
    let justification = format!("{} ({})", w.reason.trim(), accepted::attribution(w));
    sarif::Suppression::builder()
        .kind(json!("external"))
        .status(json!("accepted"))
        .justification(clean(&justification, MAX_MESSAGE).into_owned())
        .build()
}

/// One waiver or attestation that matched a control, for `properties.acceptedRisk`.
fn risk_property(d: &scangate_risk::Decision) -> Value {
    let mut entry = serde_json::Map::new();
    entry.insert("kind".into(), json!(d.kind.as_str()));
    entry.insert("state".into(), json!(d.state.as_str()));
    entry.insert("reason".into(), json!(clean(&d.reason, MAX_MESSAGE)));
    if let Some(by) = &d.by {
        entry.insert("by".into(), json!(clean(by, MAX_NAME)));
    }
    if let Some(ticket) = &d.ticket {
        entry.insert("ticket".into(), json!(clean(ticket, MAX_NAME)));
    }
    if let Some(expires) = d.expires_text() {
        entry.insert("expires".into(), json!(expires));
    }
    if let Some(status) = d.attested {
        entry.insert("attested".into(), json!(status.as_str()));
    }
    entry.insert("place".into(), json!(clean(&d.place(), MAX_DESCRIPTION)));
    Value::Object(entry)
}

/// critical, high → error; medium → warning; low, none → note.
fn level(severity: Severity) -> sarif::ResultLevel {
    match severity {
        Severity::Critical | Severity::High => sarif::ResultLevel::Error,
        Severity::Medium => sarif::ResultLevel::Warning,
        Severity::Low | Severity::None => sarif::ResultLevel::Note,
    }
}

fn level_value(level: sarif::ResultLevel) -> Value {
    json!(match level {
        sarif::ResultLevel::Error => "error",
        sarif::ResultLevel::Warning => "warning",
        sarif::ResultLevel::Note => "note",
        sarif::ResultLevel::None => "none",
    })
}

/// Impact × 10 with one decimal, within 0.0–10.0, as GitHub wants it (a string).
fn security_severity(impact: f64) -> String {
    let score = if impact.is_finite() {
        (impact * 10.0).clamp(0.0, 10.0)
    } else {
        0.0
    };
    format!("{score:.1}")
}

fn text_message(text: impl Into<String>) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(text.into())
        .build()
}

/// The help of a control's rule: its fix text, its check text, and its description when
/// `fullDescription` could hold only part of it (help has no length limit).
fn control_help(
    fix: Option<&str>,
    check: Option<&str>,
    cut_description: Option<&str>,
) -> sarif::MultiformatMessageString {
    let mut plain = String::new();
    let mut markdown = String::new();
    for (label, body) in [
        ("Fix", fix),
        ("Check", check),
        ("Description", cut_description),
    ] {
        let Some(body) = body.filter(|b| !b.trim().is_empty()) else {
            continue;
        };
        let body = clean(body, MAX_HELP_SECTION);
        if !plain.is_empty() {
            plain.push_str("\n\n");
            markdown.push_str("\n\n");
        }
        plain.push_str(label);
        plain.push_str(":\n");
        plain.push_str(&body);
        markdown.push_str("**");
        markdown.push_str(label);
        markdown.push_str("**\n\n");
        markdown.push_str(&commonmark(&body));
    }
    if plain.is_empty() {
        plain.push_str(NO_HELP);
        markdown = commonmark(NO_HELP);
    }
    sarif::MultiformatMessageString::builder()
        .text(plain)
        .markdown(markdown)
        .build()
}

impl Ctx<'_> {
    fn input(&self, i: usize) -> &ReportInput<'_> {
        &self.report.inputs[i]
    }

    fn rule(&self, rule: &PlannedRule<'_>) -> sarif::ReportingDescriptor {
        match rule.source {
            Source::Control { input, control } => self.control_rule(&rule.id, input, control),
            Source::Gate { outcome } => self.gate_rule(&rule.id, outcome),
        }
    }

    fn control_rule(&self, id: &str, input: usize, control: usize) -> sarif::ReportingDescriptor {
        let summary = self.input(input).summary;
        let full = summary.controls[control].control.full();
        let cv = ControlView::new(control, summary, &full, &[]);
        let title = cv.title.filter(|t| !t.trim().is_empty());
        let shown_id = clean_or(Some(cv.id), "(empty id)", MAX_NAME);
        let short = clean_or(title, &shown_id, MAX_DESCRIPTION);
        let desc = cv.desc.filter(|d| !d.trim().is_empty());
        let (full, cut) = match desc {
            Some(d) => clean_cut(d, MAX_DESCRIPTION),
            None => (short.clone(), false),
        };

        let mut tags = vec!["security".to_owned()];
        for tag in cv.nist.iter().chain(&cv.cci) {
            let tag = clean(tag, MAX_TAG);
            let tag = tag.trim();
            if tags.len() < MAX_TAGS && !tag.is_empty() && !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_owned());
            }
        }
        let properties = sarif::PropertyBag::builder()
            .tags(tags)
            .additional_properties(BTreeMap::from([
                (
                    "security-severity".to_owned(),
                    json!(security_severity(cv.impact)),
                ),
                ("impact".to_owned(), json!(cv.impact)),
                ("severity".to_owned(), json!(cv.severity)),
            ]))
            .build();
        let severity = self.input(input).summary.controls[control].severity;

        let mut rule = sarif::ReportingDescriptor::builder()
            .id(id)
            .short_description(text_message(short.clone()))
            .full_description(text_message(full))
            .help(control_help(cv.fix, cv.check, desc.filter(|_| cut)))
            .default_configuration(
                sarif::ReportingConfiguration::builder()
                    .level(level_value(level(severity)))
                    .build(),
            )
            .properties(properties)
            .build();
        // SARIF wants `name` to differ from `id`; a control's title is what people know it by.
        rule.name = title
            .map(|t| clean(t, MAX_NAME))
            .filter(|name| name != id)
            .map(Cow::into_owned);
        rule
    }

    fn gate_rule(&self, id: &str, o: &RuleOutcome) -> sarif::ReportingDescriptor {
        let key = clean(&o.key, MAX_NAME);
        let limit = o.limit.to_string();
        let threshold = self
            .report
            .threshold
            .map(|t| clean(t, MAX_NAME))
            .unwrap_or(Cow::Borrowed("the threshold"));
        let mut rule = sarif::ReportingDescriptor::builder()
            .id(id)
            .name(ids::pascal_case(o.code.as_str()))
            .short_description(text_message(format!("Gate rule {key} ({limit})")))
            .full_description(text_message(clean(
                &format!(
                    "{threshold} requires {key} {limit}; the scan fails the gate when it does not hold."
                ),
                MAX_DESCRIPTION,
            )))
            .help(
                sarif::MultiformatMessageString::builder()
                    .text(GATE_HELP)
                    .markdown(commonmark(GATE_HELP))
                    .build(),
            )
            .help_uri(GATE_HELP_URI)
            .default_configuration(
                sarif::ReportingConfiguration::builder()
                    .level(json!("error"))
                    .build(),
            )
            .build();
        rule.properties = Some(
            sarif::PropertyBag::builder()
                .tags(vec!["compliance".to_owned(), "gate".to_owned()])
                .build(),
        );
        rule
    }

    fn result(&self, planned: &PlannedResult<'_>) -> sarif::Result {
        match planned.finding {
            Finding::Control {
                input,
                control,
                ordinal,
            } => self.control_result(planned.rule, input, control, ordinal),
            Finding::Gate { input, outcome } => self.gate_result(planned.rule, input, outcome),
        }
    }

    fn location(&self, input: usize, uri: String, line: u64) -> sarif::Location {
        sarif::Location::builder()
            .physical_location(
                sarif::PhysicalLocation::builder()
                    .artifact_location(sarif::ArtifactLocation::builder().uri(uri).build())
                    .region(
                        sarif::Region::builder()
                            .start_line(i64::try_from(line.max(1)).unwrap_or(i64::MAX))
                            .build(),
                    )
                    .build(),
            )
            .logical_locations(vec![self.plan.inputs[input].logical.clone()])
            .build()
    }

    fn fingerprint(fingerprint: Fingerprint) -> BTreeMap<String, String> {
        BTreeMap::from([("primaryLocationLineHash".to_owned(), fingerprint.into())])
    }

    fn control_result(
        &self,
        rule: usize,
        input: usize,
        control: usize,
        ordinal: u32,
    ) -> sarif::Result {
        let info = &self.plan.inputs[input];
        let summary = self.input(input).summary;
        let evaluated = &summary.controls[control];
        let full = evaluated.control.full();
        let cv = ControlView::new(control, summary, &full, &info.failing[control]);

        let shown_id = clean_or(Some(cv.id), "(empty id)", MAX_NAME);
        // A waived failure is shown as the failure it was, suppressed.
        let waiver = accepted::waived_failure(self.input(input), control);
        let status = waiver.and_then(|w| w.before).unwrap_or(evaluated.status);
        let verb = match status {
            Status::ProfileError => "has a profile error",
            _ => "failed",
        };
        let state = self.input(input).change.map(|c| c.states[control]);
        let failure = match waiver {
            Some(_) => explaining_message(status, &full),
            None => cv.message,
        };
        let attestation = accepted::applied(self.input(input), control)
            .filter(|d| d.kind == scangate_risk::Kind::Attestation);
        let message = if state == Some(State::Fixed) && waiver.is_none() {
            format!(
                "Control '{shown_id}' was failing in the baseline and is {} now.",
                evaluated.status.label()
            )
        } else if let Some(d) = attestation {
            format!(
                "Control '{shown_id}' {verb}: attested {} by hand: {} ({})",
                d.attested.map_or("", |s| s.as_str()),
                clean(&d.reason, MAX_MESSAGE),
                clean(&accepted::attribution(d), MAX_MESSAGE)
            )
        } else {
            match failure.filter(|m| !m.trim().is_empty()) {
                Some(m) => format!("Control '{shown_id}' {verb}: {}", clean(m, MAX_MESSAGE)),
                None => format!("Control '{shown_id}' {verb}."),
            }
        };

        let (uri, line) = uri::control_location(cv.source.file, cv.source.line, &info.uri);

        let mut properties = BTreeMap::from([
            ("status".to_owned(), json!(cv.status)),
            ("severity".to_owned(), json!(cv.severity)),
            ("profile".to_owned(), json!(clean(cv.profile, MAX_NAME))),
        ]);
        if !cv.failed_rules.is_empty() {
            properties.insert("thresholdRules".to_owned(), json!(cv.failed_rules));
        }
        if waiver.is_some() {
            properties.insert("statusBeforeWaiver".to_owned(), json!(status.key()));
        }
        let risk: Vec<Value> = accepted::on_control(self.input(input), control)
            .map(risk_property)
            .collect();
        if !risk.is_empty() {
            properties.insert("acceptedRisk".to_owned(), Value::Array(risk));
        }

        let location = self.location(input, uri, line);
        let fingerprint = Self::fingerprint(info.fingerprints.control(cv.profile, cv.id, ordinal));
        let mut result = match state {
            Some(State::Fixed) if waiver.is_none() => {
                let mut result = self.result_of(
                    rule,
                    &message,
                    sarif::ResultLevel::None,
                    location,
                    fingerprint,
                    properties,
                );
                result.kind = Some(sarif::ResultKind::Pass);
                result
            }
            _ => {
                let level = level(evaluated.severity);
                self.result_of(rule, &message, level, location, fingerprint, properties)
            }
        };
        result.baseline_state = state.map(|s| {
            json!(match s {
                State::New => "new",
                // A waived failure is still there, suppressed: it persists when it was
                // failing in the baseline (its status says fixed) and is new when not.
                State::Fixed if waiver.is_some() => "unchanged",
                State::NotFailing if waiver.is_some() => "new",
                State::Fixed => "absent",
                State::StillFailing | State::NotFailing => "unchanged",
            })
        });
        if let Some(w) = waiver {
            result.suppressions = Some(vec![suppression(w)]);
        }
        result
    }

    fn gate_result(&self, rule: usize, input: usize, o: &RuleOutcome) -> sarif::Result {
        let info = &self.plan.inputs[input];
        let summary = self.input(input).summary;

        let listed: Vec<Cow<'_, str>> = o
            .controls
            .iter()
            .filter_map(|&c| summary.controls.get(c))
            .take(MAX_LISTED_CONTROLS)
            .map(|e| clean(&e.control.id, MAX_NAME))
            .collect();
        let properties = BTreeMap::from([
            ("key".to_owned(), json!(o.key)),
            ("limit".to_owned(), json!(o.limit.to_string())),
            ("actual".to_owned(), json!(o.actual.to_string())),
            ("controls".to_owned(), json!(listed)),
            ("controlsTotal".to_owned(), json!(o.controls.len())),
        ]);

        let message = clean(&o.message, MAX_MESSAGE);
        let location = self.location(input, info.uri.clone(), 1);
        let fingerprint = Self::fingerprint(info.fingerprints.gate(o.code.as_str()));
        let level = sarif::ResultLevel::Error;
        let mut result = self.result_of(rule, &message, level, location, fingerprint, properties);
        if self.input(input).change.is_some() {
            let new = matches!(o.code.rule(), scangate_threshold::Rule::New { .. });
            result.baseline_state = Some(json!(if new { "new" } else { "unchanged" }));
        }
        result
    }

    /// A result of rule number `rule`, found at `location`.
    fn result_of(
        &self,
        rule: usize,
        message: &str,
        level: sarif::ResultLevel,
        location: sarif::Location,
        fingerprint: BTreeMap<String, String>,
        properties: BTreeMap<String, serde_json::Value>,
    ) -> sarif::Result {
        let mut result = sarif::Result::builder()
            .message(sarif::Message::from(message))
            .rule_id(self.plan.rules[rule].id.as_ref())
            .rule_index(rule as i64)
            .level(level)
            .locations(vec![location])
            .partial_fingerprints(fingerprint)
            .build();
        result.properties = Some(
            sarif::PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        );
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_severity_is_impact_times_ten_clamped() {
        assert_eq!(security_severity(0.7), "7.0");
        assert_eq!(security_severity(0.39), "3.9");
        assert_eq!(security_severity(0.05), "0.5");
        assert_eq!(security_severity(1.5), "10.0");
        assert_eq!(security_severity(-0.5), "0.0");
        assert_eq!(security_severity(f64::NAN), "0.0");
    }

    #[test]
    fn levels_from_severity() {
        assert_eq!(level(Severity::Critical), sarif::ResultLevel::Error);
        assert_eq!(level(Severity::High), sarif::ResultLevel::Error);
        assert_eq!(level(Severity::Medium), sarif::ResultLevel::Warning);
        assert_eq!(level(Severity::Low), sarif::ResultLevel::Note);
        assert_eq!(level(Severity::None), sarif::ResultLevel::Note);
    }
}
