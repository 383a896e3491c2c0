//! Every results fixture through `scangate summary -f json`, against what SAF CLI 1.5.3
//! printed for it (`fixtures/saf-1.5.3/summary/`). A fixture either matches saf exactly, or
//! the table names the difference of `docs/saf-compatibility.md` that explains each changed number.

use crate::common;

use std::collections::BTreeSet;

use common::{assert_documented_difference, fixture, json_files, saf_key, scangate};
use serde_json::Value;

enum Expect {
    /// The same JSON as saf, once scangate's extra (all-zero) `none` buckets are removed.
    Equal,
    /// saf's JSON with these `index.status.bucket=N` changes.
    Differs {
        rule: &'static str,
        changes: &'static str,
    },
    /// saf's output does not apply (it rejected the file, or counted other profiles):
    /// scangate prints exactly this.
    Replaced {
        rule: &'static str,
        summary: &'static str,
    },
    /// Not results: exit 2 with the message in the insta snapshot (saf also rejects it).
    Rejected,
}

use Expect::*;

const CASES: &[(&str, Expect)] = &[
    (
        "RHEL7_overrides_hdf.json",
        Differs {
            rule: "totals-count-all: a failed control with severity none counts",
            changes: "0.failed.none=1 0.failed.total=3",
        },
    ),
    ("Windows_Server_2022_v1r3_mini-profile.json", Rejected),
    (
        "amazon-grype-hdf.json",
        Differs {
            rule: "severity-any-case: Grype writes severity tags as High/Medium/Low",
            changes: "0.failed.high=6 0.failed.medium=6 0.failed.low=1 0.failed.total=13",
        },
    ),
    ("checklist-RHEL8V1R3-hdf.json", Equal),
    ("minimal-hdf-passthrough-object.json", Equal),
    ("minimal-hdf-target-object.json", Equal),
    ("minimal_hdf.json", Equal),
    ("red_hat_good.json", Equal),
    ("rhel-7-v3r7-mini-sample-profile.json", Rejected),
    ("rhel-8_hardened.json", Equal),
    ("rhel7_V-71931-hdf.json", Equal),
    ("rhel8_sample_oneOfEachControlStatus.json", Equal),
    ("small_overrides_hdf.json", Equal),
    ("synthetic/all_na.json", Equal),
    ("synthetic/bad_attestation_status.json", Rejected),
    ("synthetic/bad_impact_string.json", Rejected),
    ("synthetic/bad_missing_platform.json", Rejected),
    ("synthetic/bad_missing_sha256.json", Rejected),
    ("synthetic/bad_missing_start_time.json", Rejected),
    ("synthetic/bad_missing_statistics.json", Rejected),
    ("synthetic/bad_result_status_enum.json", Rejected),
    (
        "synthetic/bom.json",
        Replaced {
            rule: "more-inputs: a UTF-8 BOM is accepted",
            summary: r#"[{"profileName":"p","resultSets":["bom.json"],"compliance":100,"passed":{"critical":0,"high":0,"medium":1,"low":0,"none":0,"total":1},"failed":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"skipped":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"error":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"no_impact":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0}}]"#,
        },
    ),
    (
        "synthetic/edge_cases.json",
        Differs {
            rule: "severity-any-case: C21's tag \"High\" counts as high; totals-count-all: severity-none controls count: C26 (passed), C25, C36, C38 (failed), C12 (error)",
            changes: "0.passed.none=1 0.passed.total=13 0.failed.high=7 0.failed.none=3 0.failed.total=13 0.error.none=1 0.error.total=7",
        },
    ),
    ("synthetic/empty.json", Rejected),
    ("synthetic/hostile.json", Equal),
    ("synthetic/json_array.json", Rejected),
    (
        "synthetic/json_min.json",
        Replaced {
            rule: "more-inputs: json-min is read; it has no impact, so controls get InSpec's default 0.5 (medium)",
            summary: r#"[{"profileName":"p","resultSets":["json_min.json"],"compliance":50,"passed":{"critical":0,"high":0,"medium":1,"low":0,"none":0,"total":1},"failed":{"critical":0,"high":0,"medium":1,"low":0,"none":0,"total":1},"skipped":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"error":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"no_impact":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0}}]"#,
        },
    ),
    ("synthetic/malformed.json", Rejected),
    (
        "synthetic/multi_profile_independent.json",
        Replaced {
            rule: "independent-profiles: second-profile is independent (no parent, not depended on, no shared ids), so it counts too",
            summary: r#"[{"profileName":"first-profile","resultSets":["multi_profile_independent.json"],"compliance":50,"passed":{"critical":0,"high":0,"medium":1,"low":0,"none":0,"total":1},"failed":{"critical":0,"high":0,"medium":1,"low":0,"none":0,"total":1},"skipped":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"error":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"no_impact":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0}},{"profileName":"second-profile","resultSets":["multi_profile_independent.json"],"compliance":0,"passed":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"failed":{"critical":0,"high":1,"medium":2,"low":0,"none":0,"total":3},"skipped":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"error":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"no_impact":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0}}]"#,
        },
    ),
    (
        "synthetic/multi_profile_shared_id_first_populated.json",
        Differs {
            rule: "independent-profiles: second-profile shares A1, so it is first-profile's dependency; its empty copy of A1 no longer hides first-profile's passed A1",
            changes: "0.compliance=50 0.passed.medium=1 0.passed.total=1",
        },
    ),
    ("synthetic/multi_profile_shared_id_noparent.json", Equal),
    ("synthetic/no_profiles.json", Rejected),
    ("synthetic/ok_extra_fields.json", Equal),
    (
        "synthetic/overlay_baseline_first.json",
        Replaced {
            rule: "independent-profiles: baseline has parent_profile, so the overlay `wrapper` counts, although it is not profiles[0]",
            summary: r#"[{"profileName":"wrapper","resultSets":["overlay_baseline_first.json"],"compliance":33,"passed":{"critical":0,"high":0,"medium":1,"low":0,"none":0,"total":1},"failed":{"critical":0,"high":0,"medium":1,"low":0,"none":0,"total":1},"skipped":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"error":{"critical":0,"high":0,"medium":1,"low":0,"none":0,"total":1},"no_impact":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0}}]"#,
        },
    ),
    ("synthetic/overlay_impact_divergent.json", Equal),
    ("synthetic/random_object.json", Rejected),
    ("synthetic/rounding_1of2.json", Equal),
    ("synthetic/rounding_1of8.json", Equal),
    ("synthetic/rounding_2of3.json", Equal),
    (
        "synthetic/sevtag_array.json",
        Replaced {
            rule: "severity-any-case: a non-string severity tag falls back to impact, with a warning (saf crashes)",
            summary: r#"[{"profileName":"round","resultSets":["sevtag_array.json"],"compliance":67,"passed":{"critical":0,"high":0,"medium":2,"low":0,"none":0,"total":2},"failed":{"critical":0,"high":0,"medium":1,"low":0,"none":0,"total":1},"skipped":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"error":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"no_impact":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0}}]"#,
        },
    ),
    (
        "synthetic/sevtag_number.json",
        Replaced {
            rule: "severity-any-case: a non-string severity tag falls back to impact, with a warning (saf crashes)",
            summary: r#"[{"profileName":"round","resultSets":["sevtag_number.json"],"compliance":67,"passed":{"critical":0,"high":0,"medium":2,"low":0,"none":0,"total":2},"failed":{"critical":0,"high":0,"medium":1,"low":0,"none":0,"total":1},"skipped":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"error":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"no_impact":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0}}]"#,
        },
    ),
    ("synthetic/zero_controls.json", Equal),
    ("real/2018-03-07_ubuntu-alpha-myprofile-skipped.json", Equal),
    ("real/71859-71861-71863.json", Equal),
    (
        "real/c5-full.json",
        Replaced {
            rule: "independent-profiles: InSpec 2.2.20 writes depends and parent_profile, and none of the four profiles has either, so all four count although two pairs share an id (saf counts profiles[0])",
            summary: r#"[{"profileName":"mylinux-success","resultSets":["c5-full.json"],"compliance":100,"passed":{"critical":0,"high":0,"medium":1,"low":1,"none":0,"total":2},"failed":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"skipped":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"error":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"no_impact":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0}},{"profileName":"mylinux-failure-waived","resultSets":["c5-full.json"],"compliance":0,"passed":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"failed":{"critical":0,"high":0,"medium":1,"low":0,"none":0,"total":1},"skipped":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"error":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"no_impact":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0}},{"profileName":"mylinux-failure","resultSets":["c5-full.json"],"compliance":0,"passed":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"failed":{"critical":1,"high":0,"medium":1,"low":0,"none":0,"total":2},"skipped":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"error":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"no_impact":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0}},{"profileName":"mylinux-failure-pass-waived","resultSets":["c5-full.json"],"compliance":33,"passed":{"critical":0,"high":0,"medium":1,"low":0,"none":0,"total":1},"failed":{"critical":1,"high":0,"medium":1,"low":0,"none":0,"total":2},"skipped":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"error":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"no_impact":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0}}]"#,
        },
    ),
    (
        "real/checkov_synthetic-hdf.json",
        Differs {
            rule: "severity-any-case: the converter writes severity \"HIGH\"",
            changes: "0.failed.high=1 0.failed.total=1",
        },
    ),
    (
        "real/cms_3.1_aws_rds_infrastructure_overlay_results.json",
        Equal,
    ),
    (
        "real/f22-full.json",
        Replaced {
            rule: "independent-profiles: four InSpec 2.2.20 profiles without depends or parent_profile all count (saf counts profiles[0])",
            summary: r#"[{"profileName":"linux-baseline","resultSets":["f22-full.json"],"compliance":28,"passed":{"critical":15,"high":0,"medium":0,"low":0,"none":0,"total":15},"failed":{"critical":36,"high":0,"medium":0,"low":0,"none":0,"total":36},"skipped":{"critical":3,"high":0,"medium":0,"low":0,"none":0,"total":3},"error":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"no_impact":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0}},{"profileName":"ssh-baseline","resultSets":["f22-full.json"],"compliance":9,"passed":{"critical":6,"high":0,"medium":0,"low":0,"none":0,"total":6},"failed":{"critical":41,"high":0,"medium":0,"low":0,"none":0,"total":41},"skipped":{"critical":21,"high":0,"medium":0,"low":0,"none":0,"total":21},"error":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"no_impact":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0}},{"profileName":"apache-baseline","resultSets":["f22-full.json"],"compliance":0,"passed":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"failed":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"skipped":{"critical":13,"high":0,"medium":1,"low":0,"none":0,"total":14},"error":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"no_impact":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0}},{"profileName":"mysql-baseline","resultSets":["f22-full.json"],"compliance":24,"passed":{"critical":0,"high":0,"medium":4,"low":0,"none":0,"total":4},"failed":{"critical":0,"high":0,"medium":12,"low":0,"none":0,"total":12},"skipped":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0},"error":{"critical":0,"high":0,"medium":1,"low":0,"none":0,"total":1},"no_impact":{"critical":0,"high":0,"medium":0,"low":0,"none":0,"total":0}}]"#,
        },
    ),
    ("real/nikto-hdf.json", Equal),
    (
        "real/rhel-ami-merge-results.json",
        Differs {
            rule: "independent-profiles: V-72043 and V-72045 have no results in the overlay or in its baseline; saf drops them, scangate counts them as Profile Error",
            changes: "0.compliance=25 0.error.medium=2 0.error.total=2",
        },
    ),
    ("real/rhel6-results.json", Equal),
    ("real/rhel7ami_09042018.json", Equal),
    ("real/snyk-no-results.json", Equal),
    ("triple_overlay_attested.json", Equal),
    ("triple_overlay_profile_sample.json", Equal),
    ("vSphere8_report.json", Equal),
];

/// What scangate prints on stderr for a fixture it accepts, after `warning: <the file>: `; every
/// other accepted fixture prints nothing there.
const WARNINGS: &[(&str, &str)] = &[
    (
        "real/2018-03-07_ubuntu-alpha-myprofile-skipped.json",
        "at \
         profiles[0]: profile \"myprofile\" has no controls: nothing in it is counted, and its \
         compliance is 0 %; its status is skipped: \"Skipping profile: 'myprofile' on \
         unsupported platform: 'ubuntu/18.04'.\"\n",
    ),
    (
        "real/rhel7ami_09042018.json",
        "at byte 4455: first of 123 bytes that \
         are not UTF-8, each read as U+FFFD (the replacement character)\n",
    ),
    (
        "real/rhel-ami-merge-results.json",
        "at profiles[1]: profile \
         \"disa_stig-el7\" is merged into \"cms-ars3.1-moderate-inspec-profile-disa_stig-el7\" \
         (14 shared control ids) as an overlay's dependency: InSpec 2.1.54 wrote neither \
         `depends` nor `parent_profile` (they came in 2.1.70 and 2.2.25), so shared ids are all \
         that tells an overlay from independent profiles\n",
    ),
    (
        "synthetic/multi_profile_shared_id_first_populated.json",
        SECOND_PROFILE_MERGED,
    ),
    (
        "synthetic/multi_profile_shared_id_noparent.json",
        SECOND_PROFILE_MERGED,
    ),
    (
        "real/snyk-no-results.json",
        "at profiles[0]: profile \"# Snyk \
         (https://snyk.io) policy file, patches or ignores known vulnerabilities.\\nversion: \
         v1.22.1\\nignore: {}\\npatch: {}\\n\" has no controls: nothing in it is counted, and \
         its compliance is 0 %\n",
    ),
    (
        "synthetic/sevtag_array.json",
        "at profiles[0].controls[0]: control \
         R1: tags.severity is an array, not a string; severity taken from impact 0.5\n",
    ),
    (
        "synthetic/sevtag_number.json",
        "at profiles[0].controls[0]: control \
         R1: tags.severity is a number, not a string; severity taken from impact 0.5\n",
    ),
    (
        "synthetic/zero_controls.json",
        "at profiles[0]: profile \"empty\" \
         has no controls: nothing in it is counted, and its compliance is 0 %\n",
    ),
];

/// The warning of the two synthetic files of two profiles that share an id, made by InSpec 2.1.10.
const SECOND_PROFILE_MERGED: &str = "at profiles[1]: profile \"second-profile\" is merged into \
    \"first-profile\" (1 shared control id) as an overlay's dependency: InSpec 2.1.10 wrote \
    neither `depends` nor `parent_profile` (they came in 2.1.70 and 2.2.25), so shared ids are \
    all that tells an overlay from independent profiles\n";

fn expected_stderr(rel: &str) -> String {
    WARNINGS
        .iter()
        .find(|(f, _)| *f == rel)
        .map_or_else(String::new, |(_, warning)| {
            format!("warning: fixtures/results/{rel}: {warning}")
        })
}

fn saf_summary(rel: &str) -> (i32, Option<Value>) {
    let key = saf_key(rel);
    let rc: i32 = std::fs::read_to_string(fixture(&format!("saf-1.5.3/summary/{key}.rc")))
        .expect("recorded exit code")
        .trim()
        .parse()
        .expect("numeric exit code");
    let json = std::fs::read_to_string(fixture(&format!("saf-1.5.3/summary/{key}.json")))
        .expect("recorded output");
    (
        rc,
        (rc == 0).then(|| serde_json::from_str(&json).expect("saf printed JSON")),
    )
}

/// Drops scangate's `none` bucket from the statuses saf has none for; they must be zero.
fn without_zero_none_buckets(mut ours: Value, rel: &str) -> Value {
    for entry in ours.as_array_mut().expect("an array of profiles") {
        for status in ["passed", "failed", "skipped", "error"] {
            let none = entry[status].as_object_mut().unwrap().remove("none");
            assert_eq!(
                none,
                Some(Value::from(0)),
                "{rel}: {status}.none is not zero but the table says Equal"
            );
        }
    }
    ours
}

/// Applies `i.a.b=N` changes to saf's JSON and adds scangate's `none` buckets.
fn patched(mut saf: Value, changes: &str) -> Value {
    for entry in saf.as_array_mut().unwrap() {
        for status in ["passed", "failed", "skipped", "error"] {
            let map = entry[status].as_object_mut().unwrap();
            let total = map.remove("total").unwrap();
            map.insert("none".into(), 0.into());
            map.insert("total".into(), total);
        }
    }
    for change in changes.split_whitespace() {
        let (path, value) = change.split_once('=').expect("path=value");
        let mut node = &mut saf;
        for part in path.split('.') {
            node = match part.parse::<usize>() {
                Ok(i) => &mut node[i],
                Err(_) => &mut node[part],
            };
        }
        assert!(
            !node.is_null(),
            "change {change}: no such number in saf's output"
        );
        assert_ne!(
            *node,
            Value::from(value.parse::<f64>().unwrap()),
            "change {change} changes nothing"
        );
        *node = value.parse::<u64>().map(Value::from).unwrap();
    }
    saf
}

fn run_json(rel: &str) -> (i32, String, String) {
    let out = scangate()
        .args(["summary", "-f", "json", "-i"])
        .arg(format!("fixtures/results/{rel}"))
        .output()
        .expect("scangate runs");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

#[test]
fn the_table_covers_every_results_fixture() {
    let listed: BTreeSet<&str> = CASES.iter().map(|(f, _)| *f).collect();
    assert_eq!(listed.len(), CASES.len(), "a fixture is listed twice");
    let present: Vec<String> = json_files(&fixture("results"));
    let unlisted: Vec<&String> = present
        .iter()
        .filter(|f| !listed.contains(f.as_str()))
        .collect();
    assert!(
        unlisted.is_empty(),
        "fixtures without an expectation: {unlisted:?}"
    );
    let missing: Vec<&&str> = listed
        .iter()
        .filter(|f| !present.iter().any(|p| p == *f))
        .collect();
    assert!(
        missing.is_empty(),
        "listed fixtures that do not exist: {missing:?}"
    );
}

#[test]
fn every_fixture_matches_saf_or_a_named_difference() {
    for (rel, expect) in CASES {
        let (saf_rc, saf) = saf_summary(rel);
        let (rc, stdout, stderr) = run_json(rel);
        match expect {
            Equal => {
                assert_eq!(rc, 0, "{rel}: {stderr}");
                let saf = saf.unwrap_or_else(|| {
                    panic!("{rel}: saf rejected it; the table cannot say Equal")
                });
                let ours: Value = serde_json::from_str(&stdout).unwrap();
                assert_eq!(
                    without_zero_none_buckets(ours, rel),
                    saf,
                    "{rel}: differs from saf"
                );
                assert_eq!(stderr, expected_stderr(rel), "{rel}: stderr");
            }
            Differs { rule, changes } => {
                assert_documented_difference(rule);
                assert_eq!(rc, 0, "{rel}: {stderr}");
                let saf = saf.unwrap_or_else(|| panic!("{rel}: saf rejected it; use Replaced"));
                let ours: Value = serde_json::from_str(&stdout).unwrap();
                assert_eq!(
                    ours,
                    patched(saf, changes),
                    "{rel}: not explained by {rule}"
                );
                assert_eq!(stderr, expected_stderr(rel), "{rel}: stderr");
            }
            Replaced { rule, summary } => {
                assert_documented_difference(rule);
                assert_eq!(rc, 0, "{rel}: {stderr}");
                let ours: Value = serde_json::from_str(&stdout).unwrap();
                let expected: Value = serde_json::from_str(summary).unwrap();
                assert_eq!(ours, expected, "{rel}: ({rule})");
                if let Some(saf) = saf {
                    assert_ne!(ours, saf, "{rel}: equal to saf; the table should say Equal");
                }
                assert_eq!(stderr, expected_stderr(rel), "{rel}: stderr");
            }
            Rejected => {
                assert!(
                    expected_stderr(rel).is_empty(),
                    "{rel}: a rejected file's stderr is its snapshot, not a warning"
                );
                assert_eq!(
                    saf_rc, 1,
                    "{rel}: saf accepted it; a rejection needs a named difference"
                );
                assert_eq!(rc, 2, "{rel}: expected exit 2 (compat:errors-fail)");
                assert!(stdout.is_empty(), "{rel}: data on stdout despite an error");
                assert_eq!(
                    stderr.lines().count(),
                    1,
                    "{rel}: the diagnostic is one line: {stderr}"
                );
                insta::assert_snapshot!(format!("rejected__{}", saf_key(rel)), stderr);
            }
        }
    }
}

#[test]
fn warnings_go_to_stderr_and_name_the_control() {
    let (rc, stdout, stderr) = run_json("synthetic/sevtag_number.json");
    assert_eq!(rc, 0);
    assert!(stdout.starts_with('['));
    insta::assert_snapshot!(stderr, @"warning: fixtures/results/synthetic/sevtag_number.json: at profiles[0].controls[0]: control R1: tags.severity is a number, not a string; severity taken from impact 0.5");
}
