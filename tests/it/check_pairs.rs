//! Every pair of `fixtures/thresholds/PAIRS.tsv` through `scangate check`, against the exit
//! code SAF CLI 1.5.3 recorded for `saf validate threshold` (`fixtures/saf-1.5.3/validate/`).
//! Where scangate's verdict differs, the table names the difference of `docs/saf-compatibility.md` that explains it.

use crate::common;

use std::collections::BTreeSet;

use common::{assert_documented_difference, fixture, saf_key, scangate};

#[derive(Clone, Copy)]
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

/// A pair on which scangate's exit code is saf's.
const fn pair(
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

impl Case {
    /// scangate's exit code differs from saf's, as `rule` explains.
    const fn differs(self, rule: &'static str) -> Case {
        Case {
            rule: Some(rule),
            ..self
        }
    }
}

const RHEL8: &str = "rhel-8_hardened.json";
const ERRORS_FAIL: &str =
    "errors-fail: saf exits 0 when the threshold or results cannot be used; scangate exits 2";

// One row a pair, so the table reads as one.
#[rustfmt::skip]
const CASES: &[Case] = &[
    pair("red_hat_good.json", "red_hat_good.counts.good.yml", 0, &[]),
    pair(RHEL8, "rhel-8_hardened.counts.good.exact.yml", 0, &[]),
    pair(RHEL8, "rhel-8_hardened.counts.bad.noimpactHigh.yml", 1, &["no-impact-high-max"]),
    pair(RHEL8, "synthetic/compliance_max0.yml", 1, &["compliance-max"]).differs("strict-thresholds: compliance.max: 0 is honoured (saf skips a 0 limit)"),
    pair(RHEL8, "synthetic/compliance_max65.yml", 1, &["compliance-max"]),
    pair(RHEL8, "synthetic/compliance_min0.yml", 0, &[]),
    pair(RHEL8, "synthetic/compliance_min_float.yml", 1, &["compliance-min"]),
    pair(RHEL8, "synthetic/compliance_min_float_fail.yml", 1, &["compliance-min"]),
    pair(RHEL8, "synthetic/controls_count_mismatch.yml", 1, &["skipped-low-controls"]),
    pair(RHEL8, "synthetic/controls_empty_list_none_exist.yml", 0, &[]).differs("strict-thresholds: control lists compare exactly, so `[]` matches an empty bucket (saf fails: \"contained undefined\")"),
    pair(RHEL8, "synthetic/controls_ignored_paths.yml", 1, &["passed-none-controls", "passed-total-controls"]).differs("totals-count-all/strict-thresholds: passed.none and passed.total control lists are checked, not ignored"),
    pair(RHEL8, "synthetic/controls_number.yml", 2, &[]).differs("strict-thresholds: a control list that is a number is an error (saf crashes, exit 0)"),
    pair(RHEL8, "synthetic/controls_string.yml", 2, &[]).differs("strict-thresholds: a control list that is a string is an error (saf compares its characters)"),
    pair(RHEL8, "synthetic/controls_wrong_status.yml", 1, &["failed-high-controls"]),
    pair(RHEL8, "synthetic/dup_keys.yml", 2, &[]).differs(ERRORS_FAIL),
    pair(RHEL8, "synthetic/empty.yml", 2, &[]).differs(ERRORS_FAIL),
    pair(RHEL8, "synthetic/flattened_minmax_same_prefix.yml", 2, &[]).differs("strict-thresholds: min > max is an error"),
    pair(RHEL8, "synthetic/flattened_mixed.yml", 1, &["compliance-min"]).differs("strict-thresholds: dotted keys count in mixed files too (saf ignores compliance.min here)"),
    pair(RHEL8, "synthetic/flattened_numeric.yml", 1, &["compliance-min"]),
    pair(RHEL8, "synthetic/json_syntax.yml", 1, &["compliance-min"]),
    pair(RHEL8, "synthetic/list.yml", 2, &[]).differs(ERRORS_FAIL),
    pair(RHEL8, "synthetic/malformed.yml", 2, &[]).differs(ERRORS_FAIL),
    pair(RHEL8, "synthetic/multi_fail_order.yml", 2, &[]).differs("strict-thresholds: a negative count (no_impact.none.max: -1) is an error"),
    pair(RHEL8, "synthetic/no_high_or_critical_failures.yml", 1, &["failed-high-max"]),
    pair(RHEL8, "synthetic/no_impact_total_max0.yml", 2, &[]).differs("strict-thresholds: no_impact.total.min/max are checked, and min > max is an error"),
    pair(RHEL8, "synthetic/no_impact_total_scalar0.yml", 1, &["no-impact-total-exact"]),
    pair(RHEL8, "synthetic/scalar.yml", 2, &[]).differs(ERRORS_FAIL),
    pair(RHEL8, "synthetic/scalar_total_ok.yml", 0, &[]),
    pair(RHEL8, "synthetic/scalar_total_string.yml", 2, &[]).differs("strict-thresholds: a quoted number is a wrong type"),
    pair(RHEL8, "synthetic/severity_none_other_status.yml", 1, &["passed-none-min"]).differs("totals-count-all: none buckets exist for every status, so passed.none.min and failed.none.max are checked"),
    pair(RHEL8, "synthetic/severity_scalar.yml", 2, &[]).differs("strict-thresholds: `failed.medium: 0` is a wrong type (saf silently ignores it)"),
    pair(RHEL8, "synthetic/unknown_keys.yml", 2, &[]).differs("strict-thresholds: unknown keys are errors, with suggestions"),
    pair(RHEL8, "synthetic/wrong_type_bool.yml", 2, &[]).differs("strict-thresholds: a boolean limit is a wrong type"),
    pair(RHEL8, "synthetic/wrong_type_list.yml", 2, &[]).differs("strict-thresholds: a list limit is a wrong type"),
    pair(RHEL8, "synthetic/wrong_type_null.yml", 2, &[]).differs("strict-thresholds: a null limit is a wrong type"),
    pair(RHEL8, "synthetic/wrong_type_numeric_string.yml", 2, &[]).differs("strict-thresholds: a quoted number is a wrong type"),
    pair(RHEL8, "synthetic/wrong_type_string_min.yml", 2, &[]).differs("strict-thresholds: a string limit is a wrong type (saf ignores it)"),
    pair("amazon-grype-hdf.json", "synthetic/no_high_or_critical_failures.yml", 1, &["failed-high-max"]).differs("severity-any-case: Grype's \"High\" tags count as high"),
    pair("synthetic/edge_cases.json", "synthetic/no_high_or_critical_failures.yml", 1, &["failed-critical-max", "failed-high-max"]),
    pair("synthetic/edge_cases.json", "synthetic/multi_fail_order.yml", 2, &[]).differs("strict-thresholds: a negative count (no_impact.none.max: -1) is an error"),
    pair("triple_overlay_profile_sample.json", "synthetic/compliance_min_float.yml", 1, &["compliance-min"]),
    pair("vSphere8_report.json", "synthetic/flattened_numeric.yml", 1, &["compliance-min"]),
    pair("synthetic/malformed.json", "synthetic/compliance_min0.yml", 2, &[]).differs(ERRORS_FAIL),
    pair("synthetic/empty.json", "synthetic/compliance_min0.yml", 2, &[]).differs(ERRORS_FAIL),
    // saf exits 0 because it cannot read the file; scangate reads it and the gate passes.
    pair("synthetic/json_min.json", "synthetic/compliance_min0.yml", 0, &[]),
    pair("synthetic/bom.json", "synthetic/compliance_min0.yml", 0, &[]),
    pair("synthetic/random_object.json", "synthetic/compliance_min0.yml", 2, &[]).differs(ERRORS_FAIL),
    pair("synthetic/no_profiles.json", "synthetic/compliance_min0.yml", 2, &[]).differs(ERRORS_FAIL),
    pair("rhel-7-v3r7-mini-sample-profile.json", "synthetic/compliance_min0.yml", 2, &[]).differs("errors-fail/more-inputs: profile JSON is refused with a message saying so"),
    pair("does-not-exist.json", "synthetic/compliance_min0.yml", 2, &[]).differs(ERRORS_FAIL),
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
