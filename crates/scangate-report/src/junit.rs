//! JUnit XML for CI test tabs (GitLab `artifacts:reports:junit`, Jenkins, Azure...), written
//! with nextest's quick-junit.
//!
//! A testsuite per counted profile per input, a testcase per control: Failed is a failure,
//! Profile Error an error, Not Reviewed and Not Applicable are skipped with their reason.
//! Gated inputs add a testcase per threshold rule to the `scangate-threshold` suite; the
//! failure type is the rule's code, the same id SARIF uses as `ruleId`. An input that could not
//! be read is a testcase of the `scangate-inputs` suite with an `<error>` carrying why, so a
//! test tab shows it as broken instead of leaving it out.
//!
//! Accepted risk (`--waivers`, `--attestations`): a control an applied waiver made Not
//! Applicable is skipped with type `waived` and the message `Waived: <justification>
//! (approver, ticket, expires)`; an attested control keeps the status the attestation gave it
//! (a failure's message starts `Attested failed: <explanation>`). Every waiver or attestation
//! that matched a control, applied or not, is written in full in its `<system-out>` (junit-10
//! has no testcase properties). Against a baseline, `[new]` and `[still failing]` still open a
//! failure's message.

use std::io::Write;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use scangate_results::Status;

use crate::accepted;
use crate::baseline::State;
use crate::context::explaining_message;
use crate::untrusted::{Class, classify, cut, xml::text as xml_text};
use crate::{Error, Rendered, Report};

/// The suite that holds one testcase per threshold rule.
pub const THRESHOLD_SUITE: &str = "scangate-threshold";
/// The suite that holds one testcase per input that could not be read.
pub const INPUTS_SUITE: &str = "scangate-inputs";
/// The `type` of an unreadable input's `<error>`.
pub const UNREADABLE_TYPE: &str = "unreadable-input";

/// A message attribute: the first line that says something, bounded, so CI UIs stay
/// readable. Every kind of line break the policy knows ends the line: a viewer that breaks at
/// U+2028 would otherwise show a second line.
fn attribute(text: &str) -> String {
    let line = text
        .split(|c| classify(c) == Class::LineBreak)
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let shown = cut(line, 500);
    let mut out = xml_text(shown.shown);
    if shown.is_cut() {
        out.push('…');
    }
    out
}

/// At most `max` bytes of `text`, marked when cut: an error message can quote a whole string
/// of the file.
fn bounded(text: &str, max: usize) -> String {
    let shown = cut(text, max);
    let mut out = xml_text(shown.shown);
    if shown.is_cut() {
        out.push_str("… (truncated)");
    }
    out
}

/// saf's own wording for each test line of a control (inspecjs `to_message_line`).
fn test_lines(control: &scangate_results::model::Control<'_>, only_failing: bool) -> String {
    use scangate_results::model::ResultStatus;
    const MAX: usize = 64 * 1024;
    let mut out = String::new();
    for r in control.results() {
        let line = match (r.status, r.is_error()) {
            (_, true) => format!(
                "ERROR -- Test: {}\nMessage: {}\n{}",
                r.code_desc,
                r.message
                    .as_deref()
                    .or(r.exception.as_deref())
                    .unwrap_or(""),
                r.backtrace
                    .as_ref()
                    .map(|b| b.iter().map(|l| l.as_str()).collect::<Vec<_>>().join("\n"))
                    .unwrap_or_default()
            ),
            (Some(ResultStatus::Failed), _) => {
                format!(
                    "FAILED -- Test: {}\nMessage: {}\n",
                    r.code_desc,
                    r.message.as_deref().unwrap_or("")
                )
            }
            _ if only_failing => continue,
            (Some(ResultStatus::Passed), _) => format!("PASSED -- {}\n", r.code_desc),
            (Some(ResultStatus::Skipped), _) => {
                format!("SKIPPED -- {}\n", r.skip_message.as_deref().unwrap_or(""))
            }
            _ => format!("NO STATUS -- {}\n", r.code_desc),
        };
        if out.len() + line.len() > MAX {
            out.push_str("… (truncated)\n");
            break;
        }
        out.push_str(&line);
    }
    xml_text(&out)
}

/// Every waiver and attestation that matched control `index` of `input`, in full: what
/// became of it, the justification or explanation, who and until when, and where it is.
fn risk_text(input: &crate::ReportInput<'_>, index: usize) -> String {
    const MAX: usize = 16 * 1024;
    let mut out = String::new();
    for d in accepted::on_control(input, index) {
        let shown = cut(&d.reason, MAX);
        out.push_str(&format!(
            "{} {} ({}): {}\n{}{}\n{}\n",
            accepted::kind_label(d.kind),
            d.control_id,
            d.place(),
            accepted::outcome(d),
            shown.shown,
            if shown.is_cut() {
                "… (truncated)"
            } else {
                ""
            },
            accepted::attribution(d)
        ));
    }
    xml_text(&out)
}

fn seconds(control: &scangate_results::model::Control<'_>) -> Duration {
    let total: f64 = control
        .results()
        .iter()
        .filter_map(|r| r.run_time)
        .filter(|t| t.is_finite() && *t > 0.0)
        .sum();
    Duration::try_from_secs_f64(total).unwrap_or_default()
}

/// Writes the JUnit report.
pub fn write(report: &Report<'_>, w: &mut dyn Write) -> Result<Rendered, Error> {
    let mut junit = quick_junit::Report::new("scangate");
    if !report.errors.is_empty() {
        let mut suite = TestSuite::new(INPUTS_SUITE);
        for error in report.errors {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_type(UNREADABLE_TYPE);
            status.set_message(attribute(error.message));
            status.set_description(bounded(error.message, 64 * 1024));
            let mut case = TestCase::new(xml_text(error.name), status);
            case.set_classname(INPUTS_SUITE);
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    let mut threshold_suite = TestSuite::new(THRESHOLD_SUITE);
    for input in report.inputs {
        let summary = input.summary;
        for profile in &summary.profiles {
            let suite_name = format!("{} ({})", profile.profile.name, input.name);
            let mut suite = TestSuite::new(xml_text(&suite_name));
            suite.add_property(Property::new("input", xml_text(input.name)));
            suite.add_property(Property::new("profile", xml_text(&profile.profile.name)));
            if let Some(version) = &profile.profile.version {
                suite.add_property(Property::new("profile.version", xml_text(version)));
            }
            suite.add_property(Property::new(
                "compliance",
                profile.counts.compliance().to_string(),
            ));
            for (index, c) in profile
                .controls
                .clone()
                .zip(&summary.controls[profile.controls.clone()])
            {
                let control = c.control.full();
                let decided = accepted::applied(input, index);
                let reason = match decided {
                    // The entry that decided the status is the reason for it.
                    Some(d) => attribute(&format!(
                        "{}: {} ({})",
                        match d.attested {
                            Some(status) => format!("Attested {}", status.as_str()),
                            None => "Waived".to_owned(),
                        },
                        d.reason,
                        accepted::attribution(d)
                    )),
                    None => explaining_message(c.status, &control)
                        .map(attribute)
                        .unwrap_or_default(),
                };
                // Against a baseline, a failure says whether it is new: CI test tabs show
                // the message first.
                let reason = match input.change.map(|ch| ch.states[index]) {
                    Some(state @ (State::New | State::StillFailing)) => {
                        attribute(&format!("[{}] {reason}", state.label()))
                    }
                    _ => reason,
                };
                let status = match c.status {
                    Status::Passed => TestCaseStatus::success(),
                    Status::Failed | Status::ProfileError => {
                        let kind = if c.status == Status::Failed {
                            NonSuccessKind::Failure
                        } else {
                            NonSuccessKind::Error
                        };
                        let mut s = TestCaseStatus::non_success(kind);
                        s.set_type(if c.status == Status::Failed {
                            "failed"
                        } else {
                            "profile-error"
                        });
                        s.set_message(reason);
                        s.set_description(test_lines(&control, true));
                        s
                    }
                    Status::NotApplicable
                        if decided.is_some_and(|d| d.kind == scangate_risk::Kind::Waiver) =>
                    {
                        let mut s = TestCaseStatus::skipped();
                        s.set_type("waived");
                        s.set_message(reason);
                        s
                    }
                    Status::NotReviewed | Status::NotApplicable => {
                        let mut s = TestCaseStatus::skipped();
                        s.set_type(if c.status == Status::NotReviewed {
                            "not-reviewed"
                        } else {
                            "not-applicable"
                        });
                        let why = if reason.is_empty() && c.control.impact == 0.0 {
                            "Not Applicable: impact 0".to_owned()
                        } else {
                            format!("{}: {reason}", c.status.label())
                        };
                        s.set_message(why);
                        s
                    }
                };
                let title = c.control.title.as_deref().unwrap_or("");
                // junit-10.xsd has no testcase properties: the severity goes in the name.
                let name = format!("{} [{}] {title}", c.control.id, c.severity.key());
                let mut case = TestCase::new(attribute(name.trim_end()), status);
                case.set_classname(xml_text(&profile.profile.name));
                // No system-out for passed controls: quick-junit holds the whole report in
                // memory, and "PASSED" lines for every control of a big scan are most of it.
                case.set_time(seconds(&control));
                let risk = risk_text(input, index);
                if !risk.is_empty() {
                    case.set_system_out(risk);
                }
                suite.add_test_case(case);
            }
            junit.add_test_suite(suite);
        }
        if let Some(verdict) = input.verdict {
            for rule in &verdict.outcomes {
                let status = if rule.passed {
                    TestCaseStatus::success()
                } else {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_type(rule.code.as_str());
                    s.set_message(attribute(&rule.message));
                    let ids: Vec<&str> = rule
                        .controls
                        .iter()
                        .map(|&i| summary.controls[i].control.id.as_str())
                        .collect();
                    s.set_description(xml_text(&format!(
                        "{}\nlimit {}, actual {}\ncontrols: {}",
                        rule.message,
                        rule.limit,
                        rule.actual,
                        ids.join(", ")
                    )));
                    s
                };
                let mut case = TestCase::new(format!("{} ({})", rule.key, rule.code), status);
                case.set_classname(xml_text(input.name));
                threshold_suite.add_test_case(case);
            }
        }
    }
    if !threshold_suite.test_cases.is_empty() {
        junit.add_test_suite(threshold_suite);
    }
    junit.serialize(&mut *w)?;
    Ok(Rendered::default())
}
