//! Threshold × summary → verdict: every rule evaluated, in saf's order, none skipped (compat:all-rules-reported).

use std::collections::HashMap;
use std::fmt;

use scangate_results::{Severity, Status, Summary};
use serde::Serialize;

use crate::code::{Bound, Rule, RuleCode};
use crate::model::{Accepted, Bucket, Threshold};

/// What a rule requires.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Limit {
    /// At least this many controls (or percent, for compliance).
    AtLeast(f64),
    /// At most this many controls (or percent).
    AtMost(f64),
    /// Exactly this many controls.
    Exactly(u64),
    /// Exactly these control ids.
    Controls(Vec<String>),
    /// Compliance of at least this many percent.
    AtLeastPercent(f64),
    /// Compliance of at most this many percent.
    AtMostPercent(f64),
}

/// What the results had.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Actual {
    Count(u64),
    Percent(u32),
    Controls(Vec<String>),
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::AtLeast(v) => write!(f, "≥ {}", number(*v)),
            Limit::AtMost(v) => write!(f, "≤ {}", number(*v)),
            Limit::Exactly(v) => write!(f, "= {v}"),
            Limit::Controls(ids) => write!(f, "exactly {} listed", ids.len()),
            Limit::AtLeastPercent(v) => write!(f, "≥ {}%", number(*v)),
            Limit::AtMostPercent(v) => write!(f, "≤ {}%", number(*v)),
        }
    }
}

impl fmt::Display for Actual {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actual::Count(n) => write!(f, "{n}"),
            Actual::Percent(p) => write!(f, "{p}%"),
            Actual::Controls(ids) => write!(f, "{} controls", ids.len()),
        }
    }
}

/// One rule's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleOutcome {
    /// Stable kebab-case id, e.g. `failed-critical-max`: also the SARIF ruleId and JUnit type.
    pub code: RuleCode,
    /// The threshold key, e.g. `failed.critical.max`.
    pub key: String,
    pub limit: Limit,
    pub actual: Actual,
    pub passed: bool,
    /// One sentence, in saf's wording where saf has one.
    pub message: String,
    /// Indices into [`Summary::controls`] of the controls behind the number: the bucket's
    /// controls for counts, the non-passing ones for compliance, the unexpected and misplaced
    /// ones for control lists.
    pub controls: Vec<usize>,
    /// For control-list rules: listed ids that are not in the bucket.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// Every rule's outcome; the gate passes when all do.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Verdict {
    pub outcomes: Vec<RuleOutcome>,
}

impl Verdict {
    /// True when every rule passed (also when there are none).
    pub fn passed(&self) -> bool {
        self.outcomes.iter().all(|o| o.passed)
    }

    /// The rules that failed, in evaluation order.
    pub fn failures(&self) -> impl Iterator<Item = &RuleOutcome> {
        self.outcomes.iter().filter(|o| !o.passed)
    }
}

impl Bound {
    fn of(self, limits: &crate::model::Limits) -> Option<u64> {
        match self {
            Bound::Min => limits.min,
            Bound::Max => limits.max,
            Bound::Exact => limits.exactly,
        }
    }

    fn holds(self, actual: u64, limit: u64) -> bool {
        match self {
            Bound::Min => actual >= limit,
            Bound::Max => actual <= limit,
            Bound::Exact => actual == limit,
        }
    }

    fn limit(self, value: u64) -> Limit {
        match self {
            Bound::Min => Limit::AtLeast(value as f64),
            Bound::Max => Limit::AtMost(value as f64),
            Bound::Exact => Limit::Exactly(value),
        }
    }

    fn phrase(self) -> &'static str {
        match self {
            Bound::Min => "at least",
            Bound::Max => "at most",
            Bound::Exact => "exactly",
        }
    }

    /// saf's wording of a violation.
    fn relation(self) -> &'static str {
        match self {
            Bound::Min => "is less than",
            Bound::Max => "is greater than",
            Bound::Exact => "is not equal to",
        }
    }
}

/// The first few items, then how many more: messages stay one readable line.
fn abbreviate(items: &[String]) -> String {
    const SHOWN: usize = 10;
    if items.len() <= SHOWN {
        items.join(", ")
    } else {
        format!(
            "{} and {} more",
            items[..SHOWN].join(", "),
            items.len() - SHOWN
        )
    }
}

fn in_bucket(status: Status, bucket: Bucket) -> impl Fn(&scangate_results::Evaluated<'_>) -> bool {
    move |c| {
        c.status == status && (bucket == Bucket::Total || bucket == Bucket::Severity(c.severity))
    }
}

/// Evaluates every rule of `threshold` against `summary`, in saf's order (compat:saf-validate): compliance,
/// exact totals, total minimums and maximums, per-severity limits, then control lists. Rules
/// on new failures (`new.*`) need [`evaluate_change`]; here they fail, saying so.
pub fn evaluate(summary: &Summary<'_>, threshold: &Threshold) -> Verdict {
    evaluate_change(summary, threshold, None)
}

/// [`evaluate`], with the new failures of `summary` against a baseline: indices into
/// [`Summary::controls`] of the controls failing now and not failing in the baseline. Rules
/// on new failures come last, total first then by severity. Without a baseline (`None`) they
/// fail: a gate on change that has nothing to compare with must not pass on a guess
/// (compat:gate-on-change).
pub fn evaluate_change(
    summary: &Summary<'_>,
    threshold: &Threshold,
    new_failures: Option<&[usize]>,
) -> Verdict {
    evaluate_with(
        summary,
        threshold,
        &Facts {
            new_failures,
            ..Facts::default()
        },
    )
}

/// What the gate knows beyond the summary: which controls are new failures (with a
/// baseline) and which a waiver or an attestation decided. Each list holds indices into
/// [`Summary::controls`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts<'a> {
    /// `None`: no baseline, so `new.*` rules fail (compat:gate-on-change).
    pub new_failures: Option<&'a [usize]>,
    /// Controls a current `run: false` waiver made Not Applicable.
    pub waived: &'a [usize],
    /// Controls whose status a current attestation decided.
    pub attested: &'a [usize],
}

/// [`evaluate`] with what the gate knows beyond the summary: new failures for `new.*`
/// rules, and the controls accepted risk decided for `waived.total.max` and
/// `attested.total.max` (which come last).
pub fn evaluate_with(summary: &Summary<'_>, threshold: &Threshold, facts: &Facts<'_>) -> Verdict {
    let new_failures = facts.new_failures;
    let mut outcomes = Vec::with_capacity(threshold.rule_count());
    let indices = |pred: &dyn Fn(&scangate_results::Evaluated<'_>) -> bool| -> Vec<usize> {
        summary
            .controls
            .iter()
            .enumerate()
            .filter(|(_, c)| pred(c))
            .map(|(i, _)| i)
            .collect()
    };
    let compliance = summary.compliance();
    let percent = f64::from(compliance);
    if let Some(min) = threshold.compliance_min {
        let passed = percent >= min;
        outcomes.push(RuleOutcome {
            code: RuleCode::new(Rule::Compliance(Bound::Min)),
            key: "compliance.min".into(),
            limit: Limit::AtLeastPercent(min),
            actual: Actual::Percent(compliance),
            passed,
            message: if passed {
                format!("compliance {compliance}% is at least {}%", number(min))
            } else {
                format!("Overall compliance minimum was not satisfied: compliance is {compliance}%, below the minimum of {}%", number(min))
            },
            controls: if passed {
                Vec::new()
            } else {
                indices(&|c| matches!(c.status, Status::Failed | Status::NotReviewed | Status::ProfileError))
            },
            missing: Vec::new(),
        });
    }
    if let Some(max) = threshold.compliance_max {
        let passed = percent <= max;
        outcomes.push(RuleOutcome {
            code: RuleCode::new(Rule::Compliance(Bound::Max)),
            key: "compliance.max".into(),
            limit: Limit::AtMostPercent(max),
            actual: Actual::Percent(compliance),
            passed,
            message: if passed {
                format!("compliance {compliance}% is at most {}%", number(max))
            } else {
                format!("Overall compliance maximum was not satisfied: compliance is {compliance}%, above the maximum of {}%", number(max))
            },
            controls: if passed { Vec::new() } else { indices(&|c| c.status == Status::Passed) },
            missing: Vec::new(),
        });
    }

    let count_of = |status: Status, bucket: Bucket| match bucket {
        Bucket::Total => summary.counts.total(status),
        Bucket::Severity(s) => summary.counts.get(status, s),
    };
    let count_rule = |status: Status,
                      bucket: Bucket,
                      bound: Bound,
                      outcomes: &mut Vec<RuleOutcome>| {
        let Some(limit) = threshold.limits(status, bucket).and_then(|l| bound.of(l)) else {
            return;
        };
        let actual = count_of(status, bucket);
        let passed = bound.holds(actual, limit);
        let code = RuleCode::new(Rule::Count {
            status,
            bucket,
            bound,
        });
        let key = code.key();
        let (scope, st) = (bucket.key(), status.key());
        let message = if passed {
            format!("{actual} {scope} {st} controls, {} {limit}", bound.phrase())
        } else {
            format!(
                "{key}: Threshold not met. Number of received {scope} {st} controls ({actual}) {} your set threshold for the number of {st} controls ({limit})",
                bound.relation()
            )
        };
        outcomes.push(RuleOutcome {
            code,
            key,
            limit: bound.limit(limit),
            actual: Actual::Count(actual),
            passed,
            message,
            controls: indices(&in_bucket(status, bucket)),
            missing: Vec::new(),
        });
    };

    // saf's order of scalar totals (compat:saf-validate, step 2).
    for status in Status::SAF_ORDER {
        count_rule(status, Bucket::Total, Bound::Exact, &mut outcomes);
    }
    for bound in [Bound::Min, Bound::Max] {
        for status in Status::ALL {
            count_rule(status, Bucket::Total, bound, &mut outcomes);
        }
    }
    for severity in Severity::ALL {
        for status in Status::ALL {
            for bound in [Bound::Min, Bound::Max] {
                count_rule(status, Bucket::Severity(severity), bound, &mut outcomes);
            }
        }
    }

    // Where each control id actually landed, to explain missing ids.
    let mut placed: HashMap<&str, Vec<usize>> = HashMap::new();
    if threshold
        .counts
        .iter()
        .any(|(_, _, l)| l.controls.is_some())
    {
        for (i, c) in summary.controls.iter().enumerate() {
            placed.entry(c.control.id.as_str()).or_default().push(i);
        }
    }
    for bucket in Bucket::ALL {
        for status in Status::ALL {
            let Some(expected) = threshold
                .limits(status, bucket)
                .and_then(|l| l.controls.as_ref())
            else {
                continue;
            };
            let members = indices(&in_bucket(status, bucket));
            let actual: Vec<String> = members
                .iter()
                .map(|&i| summary.controls[i].control.id.to_string())
                .collect();
            let mut want = expected.clone();
            let mut have = actual.clone();
            want.sort();
            have.sort();
            let passed = want == have;
            let unexpected: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&i| {
                    !expected
                        .iter()
                        .any(|e| e == summary.controls[i].control.id.as_str())
                })
                .collect();
            let missing: Vec<String> = expected
                .iter()
                .filter(|e| !actual.contains(e))
                .cloned()
                .collect();
            let code = RuleCode::new(Rule::Controls { status, bucket });
            let key = code.key();
            let message = if passed {
                format!("exactly the {} listed controls", expected.len())
            } else {
                let mut parts = Vec::new();
                if !missing.is_empty() {
                    let described: Vec<String> = missing
                        .iter()
                        .map(|id| match placed.get(id.as_str()).and_then(|v| v.first()) {
                            Some(&i) => {
                                let c = &summary.controls[i];
                                format!("{id} (is {} {})", c.status.label(), c.severity)
                            }
                            None => format!("{id} (not in the results)"),
                        })
                        .collect();
                    parts.push(format!("missing {}", abbreviate(&described)));
                }
                if !unexpected.is_empty() {
                    let ids: Vec<String> = unexpected
                        .iter()
                        .map(|&i| summary.controls[i].control.id.to_string())
                        .collect();
                    parts.push(format!("unexpected {}", abbreviate(&ids)));
                }
                if parts.is_empty() {
                    parts.push("the same ids, listed a different number of times".to_owned());
                }
                format!(
                    "Expected {key} to contain {} controls but it contained {}: {}",
                    expected.len(),
                    actual.len(),
                    parts.join("; ")
                )
            };
            let mut involved = unexpected.clone();
            for id in &missing {
                if let Some(found) = placed.get(id.as_str()) {
                    involved.extend(found);
                }
            }
            outcomes.push(RuleOutcome {
                code,
                key,
                limit: Limit::Controls(expected.clone()),
                actual: Actual::Controls(actual),
                passed,
                message,
                controls: if passed { Vec::new() } else { involved },
                missing,
            });
        }
    }
    for bucket in [Bucket::Total]
        .into_iter()
        .chain(Severity::ALL.map(Bucket::Severity))
    {
        let Some(max) = threshold.new_max(bucket) else {
            continue;
        };
        let code = RuleCode::new(Rule::New { bucket });
        let key = code.key();
        let scope = match bucket {
            Bucket::Total => String::new(),
            Bucket::Severity(s) => format!("{s} "),
        };
        let outcome = match new_failures {
            Some(new) => {
                let controls: Vec<usize> = new
                    .iter()
                    .copied()
                    .filter(|&i| {
                        bucket == Bucket::Total
                            || bucket == Bucket::Severity(summary.controls[i].severity)
                    })
                    .collect();
                let actual = controls.len() as u64;
                let passed = actual <= max;
                let message = if passed {
                    format!("{actual} new {scope}failures, at most {max}")
                } else {
                    format!(
                        "{key}: {actual} {scope}control{} newly failing (not failing in the baseline), more than the {max} allowed",
                        if actual == 1 { "" } else { "s" }
                    )
                };
                RuleOutcome {
                    code,
                    key,
                    limit: Limit::AtMost(max as f64),
                    actual: Actual::Count(actual),
                    passed,
                    message,
                    controls,
                    missing: Vec::new(),
                }
            }
            None => RuleOutcome {
                message: format!(
                    "{key}: new failures can only be counted against a baseline (--baseline FILE)"
                ),
                code,
                key,
                limit: Limit::AtMost(max as f64),
                actual: Actual::Count(0),
                passed: false,
                controls: Vec::new(),
                missing: Vec::new(),
            },
        };
        outcomes.push(outcome);
    }
    for kind in Accepted::ALL {
        let Some(max) = threshold.accepted_max(kind) else {
            continue;
        };
        let code = RuleCode::new(Rule::Accepted(kind));
        let key = code.key();
        let controls = match kind {
            Accepted::Waived => facts.waived,
            Accepted::Attested => facts.attested,
        };
        let actual = controls.len() as u64;
        let passed = actual <= max;
        let (what, how) = match kind {
            Accepted::Waived => ("waived", "waived (Not Applicable by a waiver)"),
            Accepted::Attested => ("attested", "decided by an attestation"),
        };
        let message = if passed {
            format!("{actual} {what}, at most {max}")
        } else {
            format!(
                "{key}: {actual} control{} {how}, more than the {max} allowed",
                if actual == 1 { "" } else { "s" }
            )
        };
        outcomes.push(RuleOutcome {
            code,
            key,
            limit: Limit::AtMost(max as f64),
            actual: Actual::Count(actual),
            passed,
            message,
            controls: if passed {
                Vec::new()
            } else {
                controls.to_vec()
            },
            missing: Vec::new(),
        });
    }
    Verdict { outcomes }
}
