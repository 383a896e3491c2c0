//! Every pair of `fixtures/thresholds/PAIRS.tsv` through `scangate check`, against the exit
//! code SAF CLI 1.5.3 recorded for `saf validate threshold` (`fixtures/saf-1.5.3/validate/`).
//! Where scangate's verdict differs, the table names the difference of `docs/saf-compatibility.md` that explains it.

use crate::common;

use std::collections::BTreeSet;

use common::{assert_documented_difference, fixture, saf_key, scangate};

struct Case {
    results: &'static str,
    threshold: &'static str,
    /// scangate's exit code.
    exit: i32,
    /// The rule codes that fail, in evaluation order.
    failing: &'static [&'static str],
    /// Why scangate's exit code differs from saf's; `None` when it is the same.
    rule: Option<&'static str>,
}

const fn same(
    results: &'static str,
    threshold: &'static str,
    exit: i32,
    failing: &'static [&'static str],
) -> Case {
    Case {
        results,
        threshold,
        exit,
        failing,
        rule: None,
    }
}

const fn differs(
    results: &'static str,
    threshold: &'static str,
    exit: i32,
    failing: &'static [&'static str],
    rule: &'static str,
) -> Case {
    Case {
        results,
        threshold,
        exit,
        failing,
        rule: Some(rule),
    }
}

const RHEL8: &str = "rhel-8_hardened.json";
const ERRORS_FAIL: &str =
    "errors-fail: saf exits 0 when the threshold or results cannot be used; scangate exits 2";

const CASES: &[Case] = &[
    same("red_hat_good.json", "red_hat_good.counts.good.yml", 0, &[]),
    same(RHEL8, "rhel-8_hardened.counts.good.exact.yml", 0, &[]),
    same(
        RHEL8,
        "rhel-8_hardened.counts.bad.noimpactHigh.yml",
        1,
        &["no-impact-high-max"],
    ),
    differs(
        RHEL8,
        "synthetic/compliance_max0.yml",
        1,
        &["compliance-max"],
        "strict-thresholds: compliance.max: 0 is honoured (saf skips a 0 limit)",
    ),
    same(
        RHEL8,
        "synthetic/compliance_max65.yml",
        1,
        &["compliance-max"],
    ),
    same(RHEL8, "synthetic/compliance_min0.yml", 0, &[]),
    same(
        RHEL8,
        "synthetic/compliance_min_float.yml",
        1,
        &["compliance-min"],
    ),
    same(
        RHEL8,
        "synthetic/compliance_min_float_fail.yml",
        1,
        &["compliance-min"],
    ),
    same(
        RHEL8,
        "synthetic/controls_count_mismatch.yml",
        1,
        &["skipped-low-controls"],
    ),
    differs(
        RHEL8,
        "synthetic/controls_empty_list_none_exist.yml",
        0,
        &[],
        "strict-thresholds: control lists compare exactly, so `[]` matches an empty bucket (saf fails: \"contained undefined\")",
    ),
    differs(
        RHEL8,
        "synthetic/controls_ignored_paths.yml",
        1,
        &["passed-none-controls", "passed-total-controls"],
        "totals-count-all/strict-thresholds: passed.none and passed.total control lists are checked, not ignored",
    ),
    differs(
        RHEL8,
        "synthetic/controls_number.yml",
        2,
        &[],
        "strict-thresholds: a control list that is a number is an error (saf crashes, exit 0)",
    ),
    differs(
        RHEL8,
        "synthetic/controls_string.yml",
        2,
        &[],
        "strict-thresholds: a control list that is a string is an error (saf compares its characters)",
    ),
    same(
        RHEL8,
        "synthetic/controls_wrong_status.yml",
        1,
        &["failed-high-controls"],
    ),
    differs(RHEL8, "synthetic/dup_keys.yml", 2, &[], ERRORS_FAIL),
    differs(RHEL8, "synthetic/empty.yml", 2, &[], ERRORS_FAIL),
    differs(
        RHEL8,
        "synthetic/flattened_minmax_same_prefix.yml",
        2,
        &[],
        "strict-thresholds: min > max is an error",
    ),
    differs(
        RHEL8,
        "synthetic/flattened_mixed.yml",
        1,
        &["compliance-min"],
        "strict-thresholds: dotted keys count in mixed files too (saf ignores compliance.min here)",
    ),
    same(
        RHEL8,
        "synthetic/flattened_numeric.yml",
        1,
        &["compliance-min"],
    ),
    same(RHEL8, "synthetic/json_syntax.yml", 1, &["compliance-min"]),
    differs(RHEL8, "synthetic/list.yml", 2, &[], ERRORS_FAIL),
    differs(RHEL8, "synthetic/malformed.yml", 2, &[], ERRORS_FAIL),
    differs(
        RHEL8,
        "synthetic/multi_fail_order.yml",
        2,
        &[],
        "strict-thresholds: a negative count (no_impact.none.max: -1) is an error",
    ),
    same(
        RHEL8,
        "synthetic/no_high_or_critical_failures.yml",
        1,
        &["failed-high-max"],
    ),
    differs(
        RHEL8,
        "synthetic/no_impact_total_max0.yml",
        2,
        &[],
        "strict-thresholds: no_impact.total.min/max are checked, and min > max is an error",
    ),
    same(
        RHEL8,
        "synthetic/no_impact_total_scalar0.yml",
        1,
        &["no-impact-total-exact"],
    ),
    differs(RHEL8, "synthetic/scalar.yml", 2, &[], ERRORS_FAIL),
    same(RHEL8, "synthetic/scalar_total_ok.yml", 0, &[]),
    differs(
        RHEL8,
        "synthetic/scalar_total_string.yml",
        2,
        &[],
        "strict-thresholds: a quoted number is a wrong type",
    ),
    differs(
        RHEL8,
        "synthetic/severity_none_other_status.yml",
        1,
        &["passed-none-min"],
        "totals-count-all: none buckets exist for every status, so passed.none.min and failed.none.max are checked",
    ),
    differs(
        RHEL8,
        "synthetic/severity_scalar.yml",
        2,
        &[],
        "strict-thresholds: `failed.medium: 0` is a wrong type (saf silently ignores it)",
    ),
    differs(
        RHEL8,
        "synthetic/unknown_keys.yml",
        2,
        &[],
        "strict-thresholds: unknown keys are errors, with suggestions",
    ),
    differs(
        RHEL8,
        "synthetic/wrong_type_bool.yml",
        2,
        &[],
        "strict-thresholds: a boolean limit is a wrong type",
    ),
    differs(
        RHEL8,
        "synthetic/wrong_type_list.yml",
        2,
        &[],
        "strict-thresholds: a list limit is a wrong type",
    ),
    differs(
        RHEL8,
        "synthetic/wrong_type_null.yml",
        2,
        &[],
        "strict-thresholds: a null limit is a wrong type",
    ),
    differs(
        RHEL8,
        "synthetic/wrong_type_numeric_string.yml",
        2,
        &[],
        "strict-thresholds: a quoted number is a wrong type",
    ),
    differs(
        RHEL8,
        "synthetic/wrong_type_string_min.yml",
        2,
        &[],
        "strict-thresholds: a string limit is a wrong type (saf ignores it)",
    ),
    differs(
        "amazon-grype-hdf.json",
        "synthetic/no_high_or_critical_failures.yml",
        1,
        &["failed-high-max"],
        "severity-any-case: Grype's \"High\" tags count as high",
    ),
    same(
        "synthetic/edge_cases.json",
        "synthetic/no_high_or_critical_failures.yml",
        1,
        &["failed-critical-max", "failed-high-max"],
    ),
    differs(
        "synthetic/edge_cases.json",
        "synthetic/multi_fail_order.yml",
        2,
        &[],
        "strict-thresholds: a negative count (no_impact.none.max: -1) is an error",
    ),
    same(
        "triple_overlay_profile_sample.json",
        "synthetic/compliance_min_float.yml",
        1,
        &["compliance-min"],
    ),
    same(
        "vSphere8_report.json",
        "synthetic/flattened_numeric.yml",
        1,
        &["compliance-min"],
    ),
    differs(
        "synthetic/malformed.json",
        "synthetic/compliance_min0.yml",
        2,
        &[],
        ERRORS_FAIL,
    ),
    differs(
        "synthetic/empty.json",
        "synthetic/compliance_min0.yml",
        2,
        &[],
        ERRORS_FAIL,
    ),
    // saf exits 0 because it cannot read the file; scangate reads it and the gate passes.
    same(
        "synthetic/json_min.json",
        "synthetic/compliance_min0.yml",
        0,
        &[],
    ),
    same(
        "synthetic/bom.json",
        "synthetic/compliance_min0.yml",
        0,
        &[],
    ),
    differs(
        "synthetic/random_object.json",
        "synthetic/compliance_min0.yml",
        2,
        &[],
        ERRORS_FAIL,
    ),
    differs(
        "synthetic/no_profiles.json",
        "synthetic/compliance_min0.yml",
        2,
        &[],
        ERRORS_FAIL,
    ),
    differs(
        "rhel-7-v3r7-mini-sample-profile.json",
        "synthetic/compliance_min0.yml",
        2,
        &[],
        "errors-fail/more-inputs: profile JSON is refused with a message saying so",
    ),
    differs(
        "does-not-exist.json",
        "synthetic/compliance_min0.yml",
        2,
        &[],
        ERRORS_FAIL,
    ),
];

fn saf_exit(results: &str, threshold: &str) -> i32 {
    let key = format!("{}--{}", saf_key(results), saf_key(threshold));
    std::fs::read_to_string(fixture(&format!("saf-1.5.3/validate/{key}.rc")))
        .unwrap_or_else(|e| panic!("{key}: {e}"))
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn the_table_is_exactly_pairs_tsv() {
    let tsv = std::fs::read_to_string(fixture("thresholds/PAIRS.tsv")).unwrap();
    let listed: BTreeSet<(String, String)> = tsv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (r, t) = l.split_once('\t').expect("two columns");
            (r.to_owned(), t.to_owned())
        })
        .collect();
    let ours: BTreeSet<(String, String)> = CASES
        .iter()
        .map(|c| (c.results.to_owned(), c.threshold.to_owned()))
        .collect();
    assert_eq!(ours.len(), CASES.len(), "a pair is listed twice");
    assert_eq!(ours, listed);
}

#[test]
fn every_pair_matches_saf_or_a_named_difference() {
    for case in CASES {
        let saf = saf_exit(case.results, case.threshold);
        match case.rule {
            None => assert_eq!(
                case.exit, saf,
                "{} × {}: the table says saf agrees",
                case.results, case.threshold
            ),
            Some(rule) => {
                assert_documented_difference(rule);
                assert_ne!(
                    case.exit, saf,
                    "{} × {}: saf agrees, so no difference needs naming ({rule})",
                    case.results, case.threshold
                );
            }
        }
        let out = scangate()
            .args(["check", "-i"])
            .arg(format!("fixtures/results/{}", case.results))
            .arg("-T")
            .arg(format!("fixtures/thresholds/{}", case.threshold))
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        let name = format!("{}--{}", saf_key(case.results), saf_key(case.threshold));
        assert_eq!(
            out.status.code(),
            Some(case.exit),
            "{name}: stdout {stdout} stderr {stderr}"
        );
        if case.exit == 2 {
            assert!(stdout.is_empty(), "{name}: output despite an error");
            assert!(
                stderr.lines().all(|l| l.starts_with("error: ")),
                "{name}: {stderr}"
            );
            insta::assert_snapshot!(format!("error__{name}"), stderr);
        } else {
            // Rule headings in the details: `code: message`, in evaluation order.
            let failing: Vec<&str> = stdout
                .lines()
                .filter_map(|l| l.split_once(": ").map(|(code, _)| code))
                .filter(|code| {
                    !code.contains(' ') && code.contains('-') && !code.starts_with("fixtures")
                })
                .collect();
            assert_eq!(failing, case.failing, "{name}");
            insta::assert_snapshot!(format!("verdict__{name}"), stdout);
        }
    }
}
