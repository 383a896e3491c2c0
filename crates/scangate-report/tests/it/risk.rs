//! Accepted risk in every report: the fixture with one control of each status, its failed
//! control waived, its Not Reviewed one attested, and an expired, a stale, an unneeded and a
//! not attestable entry; golden fragments of each format, the SARIF log against the OASIS
//! schema, and the JSON report against its own.

use scangate_report::Format;
use scangate_risk::AttestedStatus;
use serde_json::Value;

use crate::support::risk::{accepted, attestation, clock, day, waiver};
use crate::support::{Built, DEFAULT_GATE, build, render};

pub(crate) const FIXTURE: &str = "rhel8_sample_oneOfEachControlStatus.json";

/// SV-230222 (failed) waived until 2026-12-20, which the clock (2026-12-04) finds expiring
/// soon; SV-230328 (not reviewed) attested passed; an expired waiver of SV-230223, a stale
/// one, an unneeded one of the passing SV-230221, and an attestation of SV-230221, which has
/// automated results.
pub(crate) fn built() -> Built {
    let mut patched = waiver(
        "SV-230222",
        "Patches are applied by the monthly image rebuild; this host is retired in January.",
    );
    patched.approver = Some("Sam Lee, AO".into());
    patched.ticket = Some("RISK-42".into());
    patched.expiration_date = Some(day("2026-12-20"));
    let mut fips = waiver("SV-230223", "FIPS mode is the host's job.");
    fips.approver = Some("Sam Lee, AO".into());
    fips.expiration_date = Some(day("2026-01-01"));
    let stale = waiver("SV-999999", "A control this profile no longer has.");
    let unneeded = waiver("SV-230221", "Vendor support is checked elsewhere.");
    let mut home = attestation(
        "SV-230328",
        "Separate /home file system verified on the host by the platform team.",
        AttestedStatus::Passed,
        "2026-11-20",
        "Dana Ortiz, ISSO",
    );
    home.ticket = Some("SEC-1182".into());
    let automated = attestation(
        "SV-230221",
        "Attempt to attest a control that already passed.",
        AttestedStatus::Failed,
        "2026-11-20",
        "Dana Ortiz, ISSO",
    );
    let mut built = build(&[FIXTURE], Some(DEFAULT_GATE));
    built.risk = Some((
        accepted(vec![patched, fips, stale, unneeded], vec![home, automated]),
        clock("2026-12-04T12:00:00Z"),
    ));
    built
}

fn text(format: Format, built: &Built) -> String {
    let (out, rendered) = render(format, built);
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
    String::from_utf8(out).unwrap()
}

#[test]
fn markdown_has_an_accepted_risk_section() {
    let md = text(Format::Markdown, &built());
    let dir = crate::golden::golden_dir("markdown");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("accepted_risk.md"), &md).unwrap();
    let start = md.find("### Accepted risk: ").expect("the section");
    let end = md[start..].find("\n## ").map_or(md.len(), |e| start + e);
    insta::assert_snapshot!("markdown_accepted_risk", &md[start..end]);
    // The waived control is Not Applicable now: no failed control is left.
    assert!(md.contains("No failed controls."), "{md}");
}

#[test]
fn junit_skips_waived_controls_with_the_justification() {
    let xml = text(Format::Junit, &built());
    let dir = crate::golden::golden_dir("junit");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("accepted_risk.xml"), &xml).unwrap();
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("JUnit XML parses");
    let cases: Vec<&quick_junit::TestCase> = report
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .filter(|c| c.name.as_str().starts_with("SV-"))
        .collect();
    let fragment: Vec<String> = cases
        .iter()
        .map(|c| {
            let status = match &c.status {
                quick_junit::TestCaseStatus::Success { .. } => "success".to_owned(),
                quick_junit::TestCaseStatus::Skipped { ty, message, .. } => format!(
                    "skipped type={} message={}",
                    ty.as_ref().map_or("", |t| t.as_str()),
                    message.as_ref().map_or("", |m| m.as_str())
                ),
                quick_junit::TestCaseStatus::NonSuccess { ty, message, .. } => format!(
                    "failure type={} message={}",
                    ty.as_ref().map_or("", |t| t.as_str()),
                    message.as_ref().map_or("", |m| m.as_str())
                ),
            };
            format!(
                "{}\n  {status}\n  system-out: {}",
                c.name.as_str(),
                c.system_out.as_ref().map_or("", |s| s.as_str())
            )
        })
        .collect();
    insta::assert_snapshot!("junit_accepted_risk", fragment.join("\n"));
    let waived = cases
        .iter()
        .find(|c| c.name.as_str().starts_with("SV-230222"))
        .unwrap();
    assert!(matches!(
        &waived.status,
        quick_junit::TestCaseStatus::Skipped { ty: Some(t), .. } if t.as_str() == "waived"
    ));
}

/// The OASIS SARIF 2.1.0 schema CI validates the golden logs with.
fn oasis_schema() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../.ci/schemas/oasis-sarif-schema-2.1.0.json"
    );
    let schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

pub(crate) fn assert_valid_sarif(log: &Value) {
    let validator = oasis_schema();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sarif_keeps_waived_failures_as_suppressed_results() {
    let out = text(Format::Sarif, &built());
    let dir = crate::sarif::golden_dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("accepted_risk.sarif"), &out).unwrap();
    let log: Value = serde_json::from_str(&out).unwrap();
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let controls: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"].as_str().unwrap().starts_with("SV-"))
        .collect();
    insta::assert_json_snapshot!("sarif_accepted_risk", controls);
    let waived = controls
        .iter()
        .find(|r| r["ruleId"] == "SV-230222")
        .expect("the waived failure is still a result");
    assert_eq!(waived["suppressions"][0]["kind"], "external");
    assert_eq!(waived["suppressions"][0]["status"], "accepted");
    assert_eq!(waived["level"], "warning");
}

#[test]
fn json_carries_every_entry_and_its_state() {
    let out = text(Format::Json, &built());
    let json: Value = serde_json::from_str(&out).unwrap();
    let schema = scangate_report::report_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&json));
    let defs = schema
        .get("$defs")
        .or_else(|| schema.get("definitions"))
        .expect("definitions");
    assert!(defs.get("RiskView").is_some() && defs.get("DecisionView").is_some());
    let input = &json["inputs"][0];
    let states: Vec<&str> = input["risk"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        [
            "applied",
            "expired",
            "stale",
            "unneeded",
            "applied",
            "not_attestable"
        ]
    );
    let controls: Vec<(&str, &Value)> = input["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), &c["risk"]))
        .collect();
    insta::assert_json_snapshot!("json_accepted_risk", (&input["risk"], controls));
}

#[test]
fn reports_without_risk_do_not_change() {
    // Risk is skipped when absent: the JSON has no `risk` key at all.
    let out = text(Format::Json, &build(&[FIXTURE], Some(DEFAULT_GATE)));
    assert!(!out.contains("\"risk\""));
}

/// Against a baseline where the waived control was failing: the change calls it fixed (it is
/// Not Applicable now), Markdown says it was waived, and SARIF keeps one suppressed result
/// for it, `unchanged`, rather than an `absent` one that would close its alert.
#[test]
fn a_waived_failure_against_a_baseline() {
    let mut built = built();
    let earlier = std::fs::read(crate::support::fixture(FIXTURE)).unwrap();
    built.baseline = Some(
        scangate_report::baseline::Baseline::from_bytes("baseline/earlier.json", earlier)
            .expect("a baseline"),
    );
    let md = text(Format::Markdown, &built);
    let fixed = md.find("### Fixed (1)").expect("the fixed section");
    let row = &md[fixed..fixed + md[fixed..].find("\n\n#").unwrap()];
    assert!(row.contains("| SV-230222 |"), "{row}");
    assert!(row.contains("Not Applicable (waived)"), "{row}");

    let log: Value = serde_json::from_str(&text(Format::Sarif, &built)).unwrap();
    assert_valid_sarif(&log);
    let waived: Vec<&Value> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "SV-230222")
        .collect();
    assert_eq!(waived.len(), 1, "{waived:#?}");
    assert_eq!(waived[0]["baselineState"], "unchanged");
    assert_eq!(waived[0]["suppressions"][0]["status"], "accepted");
    assert!(waived[0].get("kind").is_none(), "a failure, not a pass");
}
