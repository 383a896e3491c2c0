//! `scangate threshold generate|validate|schema`, the built-in thresholds, and `check`'s
//! handling of threshold sources and several inputs.

use crate::common;

use common::{assert_documented_difference, fixture, json_files, run_exits, saf_key, scangate};
use predicates::prelude::*;

/// Fixtures whose generated threshold differs from saf's, and the rule that explains it.
const GENERATE_DIFFERS: &[(&str, &str)] = &[
    (
        "amazon-grype-hdf.json",
        "severity-any-case: \"High\"/\"Medium\"/\"Low\" tags are high/medium/low, not keys of their own",
    ),
    (
        "real/c5-full.json",
        "independent-profiles/gate-per-input: all four independent profiles count",
    ),
    (
        "real/checkov_synthetic-hdf.json",
        "severity-any-case: the \"HIGH\" tag counts as high",
    ),
    (
        "real/f22-full.json",
        "independent-profiles/gate-per-input: all four independent profiles count",
    ),
    (
        "real/rhel-ami-merge-results.json",
        "independent-profiles: the two controls without results in either layer count as Profile Error",
    ),
    (
        "synthetic/edge_cases.json",
        "severity-any-case: C21's \"High\" tag counts as high",
    ),
    (
        "synthetic/multi_profile_independent.json",
        "independent-profiles/gate-per-input: both independent profiles count",
    ),
    (
        "synthetic/multi_profile_shared_id_first_populated.json",
        "independent-profiles: first-profile's A1 counts",
    ),
    (
        "synthetic/overlay_baseline_first.json",
        "independent-profiles: the overlay `wrapper` counts, not profiles[0]",
    ),
];

fn valid_fixtures() -> Vec<String> {
    json_files(&fixture("results"))
        .into_iter()
        .filter(|rel| {
            let rc =
                std::fs::read_to_string(fixture(&format!("saf-1.5.3/summary/{}.rc", saf_key(rel))))
                    .unwrap();
            rc.trim() == "0"
        })
        .collect()
}

#[test]
fn generate_writes_safs_keys_values_and_order() {
    let fixtures = valid_fixtures();
    assert!(fixtures.len() >= 25, "too few valid fixtures: {fixtures:?}");
    for rel in fixtures {
        let out = scangate()
            .args(["threshold", "generate", "-e", "-c", "-i"])
            .arg(format!("fixtures/results/{rel}"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{rel}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ours = String::from_utf8(out.stdout).unwrap();
        let saf = std::fs::read_to_string(fixture(&format!(
            "saf-1.5.3/generate/{}.yml",
            saf_key(&rel)
        )))
        .unwrap();
        // saf's console.log adds one blank line after the YAML.
        let same = ours.trim_end() == saf.trim_end();
        match GENERATE_DIFFERS.iter().find(|(f, _)| *f == rel) {
            None => assert!(
                same,
                "{rel}: differs from saf's generated threshold:\n{ours}"
            ),
            Some((_, rule)) => {
                assert_documented_difference(rule);
                assert!(!same, "{rel}: equal to saf, but the table names {rule}");
            }
        }
    }
}

#[test]
fn generate_then_check_passes_on_every_valid_fixture() {
    let dir = tempfile::tempdir().unwrap();
    for rel in valid_fixtures() {
        for flags in [&["-e", "-c"][..], &[][..], &["-c"][..]] {
            let threshold = dir.path().join("t.yml");
            scangate()
                .args(["threshold", "generate"])
                .args(flags)
                .arg("-i")
                .arg(format!("fixtures/results/{rel}"))
                .arg("-o")
                .arg(&threshold)
                .assert()
                .success()
                .stdout("");
            scangate()
                .args(["check", "-q", "-i"])
                .arg(format!("fixtures/results/{rel}"))
                .arg("-T")
                .arg(&threshold)
                .assert()
                .code(0);
        }
    }
}

#[test]
fn margin_lowers_the_compliance_minimum_and_the_output_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gate.yml");
    scangate()
        .args([
            "threshold",
            "generate",
            "--margin",
            "5",
            "-i",
            "fixtures/results/rhel-8_hardened.json",
            "-o",
        ])
        .arg(&path)
        .assert()
        .success();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("compliance:\n  min: 61\npassed:\n"),
        "{text}"
    );
    scangate()
        .args(["threshold", "validate"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::ends_with(": valid threshold, 27 rules\n"));
}

#[test]
fn the_bundled_thresholds_are_valid_and_documented() {
    for name in ["default", "strict", "basic", "threshold.example"] {
        let path = format!("thresholds/{name}.yml");
        scangate()
            .args(["threshold", "validate", &path])
            .assert()
            .success();
        let text = std::fs::read_to_string(common::root().join(&path)).unwrap();
        assert!(
            text.lines().filter(|l| l.contains('#')).count() >= 3,
            "{path} is not commented"
        );
    }
}

/// The RHEL 8 scan gated by the default threshold, given as a file.
const WITH_DEFAULT_FILE: [&str; 5] = [
    "check",
    "-i",
    "fixtures/results/rhel-8_hardened.json",
    "-T",
    "thresholds/default.yml",
];

#[test]
fn check_uses_the_built_in_default_threshold() {
    let with_default = scangate()
        .args(["check", "-i", "fixtures/results/rhel-8_hardened.json"])
        .output()
        .unwrap();
    let with_file = scangate().args(WITH_DEFAULT_FILE).output().unwrap();
    assert_eq!(with_default.status.code(), Some(1));
    assert_eq!(with_default.stdout, with_file.stdout);
}

#[test]
fn inline_thresholds_in_safs_syntax_and_bare() {
    for inline in [
        "{compliance.min: 60}, {failed.total.max: 200}",
        "compliance.min: 60, failed.total.max: 200",
    ] {
        scangate()
            .args(["check", "-q", "-i", "fixtures/results/rhel-8_hardened.json", "-I", inline])
            .assert()
            .code(0)
            .stdout("PASS  fixtures/results/rhel-8_hardened.json: 2 of 2 rules passed (compliance 66%)\n");
    }
    let out = run_exits(
        &[
            "check",
            "-i",
            "fixtures/results/rhel-8_hardened.json",
            "-I",
            "{compliance.min: 60}, {failed.totl.max: 2}, {passed.total.min: -3}",
        ],
        2,
    );
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn threshold_and_inline_are_exclusive() {
    scangate()
        .args(WITH_DEFAULT_FILE)
        .args(["-I", "{compliance.min: 1}"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}

#[test]
fn a_bad_threshold_is_reported_before_inputs_are_read() {
    scangate()
        .args(["check", "-i", "no-such.json", "-T", "fixtures/thresholds/synthetic/wrong_type_bool.yml"])
        .assert()
        .code(2)
        .stderr("error: fixtures/thresholds/synthetic/wrong_type_bool.yml:3:10: failed.total.max: expected a whole number of controls, found the boolean false\n");
}

#[test]
fn several_inputs_are_gated_each_on_its_own() {
    let out = run_exits(
        &[
            "check",
            "-i",
            "fixtures/results/red_hat_good.json",
            "fixtures/results/rhel-8_hardened.json",
            "-I",
            "{compliance.min: 90}",
        ],
        1,
    );
    let stdout = out.stdout;
    let verdicts: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("PASS") || l.starts_with("FAIL"))
        .collect();
    assert_eq!(
        verdicts,
        [
            "PASS  fixtures/results/red_hat_good.json: 1 of 1 rules passed (compliance 96%)",
            "FAIL  fixtures/results/rhel-8_hardened.json: 1 of 1 rules failed (compliance 66%)",
            "FAIL  1 of 2 inputs failed the gate",
        ]
    );
}

/// compat:independent-profiles: an InSpec 2.2.20 report of four profiles, two pairs of which
/// share a control id. InSpec writes `depends` and `parent_profile` by then and none of them has
/// either, so they are independent: the gate sees all five failed controls, not one of them.
#[test]
fn independent_profiles_of_a_recent_inspec_all_reach_the_gate() {
    let out = run_exits(
        &[
            "check",
            "-i",
            "fixtures/results/real/c5-full.json",
            "-I",
            "{failed.total.max: 0}",
        ],
        1,
    );
    let stdout = out.stdout;
    assert!(
        stdout.contains(
            "FAIL  fixtures/results/real/c5-full.json: 1 of 1 rules failed (compliance 38%)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("Number of received total failed controls (5)"),
        "{stdout}"
    );
    assert!(
        out.stderr.is_empty(),
        "nothing was guessed: {:?}",
        out.stderr
    );
}

/// compat:saf-overlays: an InSpec 2.1.54 overlay and its baseline, which that version wrote
/// without `depends` or `parent_profile`. Shared ids still make the baseline a dependency, and
/// the gate says so on stderr.
#[test]
fn an_old_overlay_is_merged_by_its_shared_ids_with_a_warning() {
    let out = run_exits(
        &[
            "check",
            "-q",
            "-i",
            "fixtures/results/real/rhel-ami-merge-results.json",
            "-I",
            "{compliance.min: 0}",
        ],
        0,
    );
    let stderr = out.stderr;
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(
            "warning: fixtures/results/real/rhel-ami-merge-results.json: at profiles[1]: profile \
             \"disa_stig-el7\" is merged into \"cms-ars3.1-moderate-inspec-profile-disa_stig-el7\" \
             (14 shared control ids)"
        ),
        "{stderr}"
    );
}

#[test]
fn validate_reports_every_problem() {
    let out = run_exits(
        &[
            "threshold",
            "validate",
            "fixtures/thresholds/synthetic/unknown_keys.yml",
        ],
        2,
    );
    assert!(out.stdout.is_empty());
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn schema_is_json_schema() {
    let out = scangate().args(["threshold", "schema"]).output().unwrap();
    assert!(out.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(schema["properties"]["failed"].is_object());
}

#[test]
fn help_texts() {
    for args in [
        vec!["check", "--help"],
        vec!["threshold", "generate", "--help"],
        vec!["threshold", "--help"],
    ] {
        let out = scangate().args(&args).output().unwrap();
        assert!(out.status.success());
        insta::assert_snapshot!(
            format!("help__{}", args.join("_").replace('-', "")),
            String::from_utf8(out.stdout).unwrap()
        );
    }
}

#[test]
fn numeric_control_ids_are_an_error_in_check_and_in_validate() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("ids.yml");
    std::fs::write(&yaml, "passed:\n  low:\n    controls: [1, 2]\n").unwrap();
    let json = dir.path().join("ids.json");
    std::fs::write(&json, r#"{"passed": {"low": {"controls": ["V-1", 2]}}}"#).unwrap();
    for (file, place) in [
        (&yaml, "3:16: passed.low.controls[0]"),
        (&json, "passed.low.controls[1]"),
    ] {
        for args in [
            vec![
                "threshold".into(),
                "validate".into(),
                file.display().to_string(),
            ],
            vec![
                "check".into(),
                "-i".into(),
                "fixtures/results/red_hat_good.json".into(),
                "-T".into(),
                file.display().to_string(),
            ],
        ] {
            let out = scangate().args(&args).output().unwrap();
            let stderr = String::from_utf8(out.stderr).unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(
                out.stdout.is_empty(),
                "{args:?}: a verdict despite the error"
            );
            assert!(
                stderr.contains(place)
                    && stderr.contains("expected a control id string, found the number"),
                "{args:?}: {stderr}"
            );
        }
    }
}

const JSON_MIN: &str = "fixtures/results/synthetic/json_min.json";

/// json-min has no impact, so every control counts as medium (compat:more-inputs): a rule on
/// one severity gates invented numbers, and check says so, naming the input and the rules.
/// Rules on totals and compliance are sound: no warning for them.
#[test]
fn json_min_warns_about_severity_rules_only() {
    let out = run_exits(
        &[
            "check",
            "-q",
            "-I",
            "{compliance.min: 10}, {failed.total.max: 5}, {failed.critical.max: 0}, {failed.medium.max: 0}",
            "-i",
            JSON_MIN,
            "fixtures/results/red_hat_good.json",
        ],
        1,
    );
    assert_eq!(
        out.stderr,
        "warning: fixtures/results/synthetic/json_min.json: json-min results carry no impact, so \
         every control counts as medium and these severity rules gate made-up numbers: \
         failed-critical-max, failed-medium-max (write the results with --reporter json)\n"
    );

    scangate()
        .args([
            "check",
            "-q",
            "-I",
            "{compliance.min: 10}, {failed.total.max: 5}, {passed.total.min: 1}",
            "-i",
            JSON_MIN,
        ])
        .assert()
        .code(0)
        .stderr("");
}
