//! Gating change: baselines of real scans, compared with later scans made from them by
//! flipping statuses (the generator is the root's `tests/it/common/later_scan.rs`); the
//! classification's properties; every kind of baseline; and golden reports with a baseline in
//! every format, written where CI's consumers validate the others.

#[path = "../../../../tests/it/common/later_scan.rs"]
mod later_scan;

use std::collections::BTreeSet;

use proptest::prelude::*;
use scangate_report::Format;
use scangate_report::baseline::{
    Baseline, BaselineFile, ChangeWarning, InputChange, Kind, State, baseline_schema,
};
use scangate_report::finding::IdentityRecord;
use scangate_results::{Input, Summary};
use serde_json::Value;

use crate::support::{self, Built, DEFAULT_GATE, Spec, build_specs, fixture, render};
use later_scan::{LaterScan, later_scan};

const RHEL8: &str = "rhel-8_hardened.json";

fn doc(rel: &str) -> Value {
    serde_json::from_slice(&std::fs::read(fixture(rel)).unwrap()).unwrap()
}

fn bytes(doc: &Value) -> Vec<u8> {
    serde_json::to_vec(doc).unwrap()
}

fn identity(path: &str) -> IdentityRecord {
    IdentityRecord::File {
        path: path.to_owned(),
        occurrence: 1,
    }
}

/// `now` (named `scan.json`) compared with `baseline`.
fn compare(baseline: &Baseline, now: &[u8]) -> InputChange {
    let input = Input::from_bytes("scan.json", now.to_vec());
    let results = input.parse().unwrap();
    let summary = Summary::new(&results);
    baseline.compare(&identity("scan.json"), &summary)
}

/// The ids of the controls of `now` in `state`.
fn ids(now: &[u8], change: &InputChange, state: State) -> BTreeSet<String> {
    let input = Input::from_bytes("scan.json", now.to_vec());
    let results = input.parse().unwrap();
    let summary = Summary::new(&results);
    change
        .indices(state)
        .into_iter()
        .map(|i| summary.controls[i].control.id.to_string())
        .collect()
}

/// The baseline file of `bytes` read as `scan.json`, through its JSON text.
fn baseline_file(bytes: &[u8]) -> Baseline {
    let built = build_specs(vec![Spec::file("scan.json", bytes.to_vec())], None);
    let json = built.with(|report| BaselineFile::new(report.inputs).to_json());
    Baseline::from_bytes("baseline.json", json.into_bytes()).unwrap()
}

/// The baseline of scangate's JSON report of `bytes` read as `scan.json`.
fn baseline_report(bytes: &[u8]) -> Baseline {
    let built = build_specs(
        vec![Spec::file("scan.json", bytes.to_vec())],
        Some(DEFAULT_GATE),
    );
    let (json, _) = render(Format::Json, &built);
    Baseline::from_bytes("report.json", json).unwrap()
}

fn baseline_results(bytes: &[u8]) -> Baseline {
    Baseline::from_bytes("earlier.json", bytes.to_vec()).unwrap()
}

#[test]
fn every_kind_of_baseline_is_recognised_and_classifies_alike() {
    let earlier = bytes(&doc(RHEL8));
    let LaterScan {
        doc: later,
        newly_failing,
        fixed,
    } = later_scan(&doc(RHEL8), 3, 5, 7);
    let later = bytes(&later);
    let kinds = [
        (baseline_results(&earlier), Kind::Results),
        (baseline_file(&earlier), Kind::BaselineFile),
        (baseline_report(&earlier), Kind::Report),
    ];
    let mut states = Vec::new();
    for (baseline, kind) in &kinds {
        assert_eq!(baseline.kind, *kind);
        assert_eq!(baseline.failing_count(), 112, "{kind:?}");
        let change = compare(baseline, &later);
        assert!(
            change.warnings.is_empty(),
            "{kind:?}: {:?}",
            change.warnings
        );
        let counts = change.counts();
        assert_eq!((counts.new.total, counts.fixed), (3, 5), "{kind:?}");
        assert_eq!(counts.still_failing, 112 - 5, "{kind:?}");
        assert_eq!(counts.gone, 0);
        assert_eq!(
            ids(&later, &change, State::New),
            newly_failing.iter().cloned().collect()
        );
        assert_eq!(
            ids(&later, &change, State::Fixed),
            fixed.iter().cloned().collect()
        );
        states.push(change.states);
    }
    assert!(states.windows(2).all(|w| w[0] == w[1]));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Results as their own baseline change nothing; swapping the baseline and the results
    /// swaps new and fixed; and new and fixed are exactly what the generator flipped.
    #[test]
    fn classification_is_symmetric(new in 0usize..12, fixed in 0usize..12, stride in 1usize..6) {
        let earlier_doc = doc(RHEL8);
        let later = later_scan(&earlier_doc, new, fixed, stride);
        let (earlier, later_bytes) = (bytes(&earlier_doc), bytes(&later.doc));

        for b in [baseline_results(&earlier), baseline_file(&earlier)] {
            let same = compare(&b, &earlier).counts();
            prop_assert_eq!((same.new.total, same.fixed, same.gone), (0, 0, 0));
            prop_assert_eq!(same.still_failing, 112);
        }
        let forward = compare(&baseline_results(&earlier), &later_bytes);
        let backward = compare(&baseline_results(&later_bytes), &earlier);
        let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();
        prop_assert_eq!(ids(&later_bytes, &forward, State::New), set(&later.newly_failing));
        prop_assert_eq!(ids(&later_bytes, &forward, State::Fixed), set(&later.fixed));
        prop_assert_eq!(ids(&earlier, &backward, State::New), set(&later.fixed));
        prop_assert_eq!(ids(&earlier, &backward, State::Fixed), set(&later.newly_failing));
        prop_assert_eq!(
            ids(&later_bytes, &forward, State::StillFailing),
            ids(&earlier, &backward, State::StillFailing)
        );
    }
}

#[test]
fn controls_no_longer_in_the_results_are_gone() {
    let earlier = doc(RHEL8);
    let baseline = baseline_file(&bytes(&earlier));
    let mut later = earlier.clone();
    let controls = later["profiles"][0]["controls"].as_array_mut().unwrap();
    let before = controls.len();
    // Drop the first two failing controls (SV-230223 and SV-230224 fail in this scan).
    controls.retain(|c| c["id"] != "SV-230223" && c["id"] != "SV-230224");
    assert_eq!(controls.len(), before - 2);
    let change = compare(&baseline, &bytes(&later));
    let counts = change.counts();
    assert_eq!((counts.gone, counts.new.total, counts.fixed), (2, 0, 0));
    let gone: Vec<&str> = change
        .gone
        .iter()
        .map(|g| g.control.control_id.as_str())
        .collect();
    assert_eq!(gone, ["SV-230223", "SV-230224"]);
}

#[test]
fn a_baseline_of_another_profile_makes_everything_new_and_says_so() {
    let baseline = baseline_results(&std::fs::read(fixture("red_hat_good.json")).unwrap());
    let change = compare(&baseline, &bytes(&doc(RHEL8)));
    assert_eq!(change.counts().new.total, 112);
    assert_eq!(change.counts().still_failing, 0);
    let [ChangeWarning::OtherProfiles { profiles, .. }] = &change.warnings[..] else {
        panic!("{:?}", change.warnings);
    };
    assert_eq!(profiles, &["redhat-enterprise-linux-8-stig-baseline"]);
    insta::assert_snapshot!(change.warnings[0].to_string(), @"earlier.json has no results of profile `redhat-enterprise-linux-8-stig-baseline` for scan.json (it has `Red Hat Enterprise Linux 7 STIG`); their failing controls all count as new");
}

#[test]
fn an_input_the_baseline_lacks_is_all_new_and_says_so() {
    let baseline = baseline_file(&bytes(&doc(RHEL8)));
    let input = Input::from_bytes("other.json", bytes(&doc(RHEL8)));
    let results = input.parse().unwrap();
    let summary = Summary::new(&results);
    let change = baseline.compare(&identity("other.json"), &summary);
    assert_eq!(change.counts().new.total, 112);
    assert_eq!(
        change.states.iter().filter(|s| **s == State::New).count(),
        112
    );
    insta::assert_snapshot!(change.warnings[0].to_string(), @"baseline.json has no input other.json (it has `scan.json`); all 112 failing controls of other.json count as new (inputs match by path, or by namespace, workload and container)");
}

/// Pods match by namespace, workload and container: a redeployed pod keeps its baseline, a
/// second replica and another container do not share it.
#[test]
fn pods_match_by_workload_identity() {
    let earlier = bytes(&doc(RHEL8));
    let later = bytes(&later_scan(&doc(RHEL8), 2, 4, 3).doc);
    let pod = |name: &str, container: &'static str, bytes: &[u8]| Spec {
        name: format!("{name}.json"),
        pod: Some(("shop", name.to_owned(), container)),
        bytes: bytes.to_vec(),
    };
    let before = build_specs(
        vec![
            pod("web-7d9f8b6c5-x2kz9", "inspec", &earlier),
            pod("db-0", "inspec", &earlier),
        ],
        None,
    );
    let json = before.with(|report| BaselineFile::new(report.inputs).to_json());
    let baseline = Baseline::from_bytes("baseline.json", json.into_bytes()).unwrap();

    let mut after = build_specs(
        vec![
            // The web deployment was rolled out again: new pod names, same workload.
            pod("web-5c4b8d7f9-q8wz2", "inspec", &later),
            pod("db-0", "inspec", &earlier),
            pod("db-0", "cinc", &earlier),
        ],
        None,
    );
    after.baseline = Some(baseline);
    after.with(|report| {
        let counts: Vec<(u64, u64, usize)> = report
            .inputs
            .iter()
            .map(|i| {
                let change = i.change.unwrap();
                let c = change.counts();
                (c.new.total, c.fixed, change.warnings.len())
            })
            .collect();
        // web: the later scan against its own baseline; db: unchanged; db's other container:
        // not in the baseline, all new, with a warning.
        assert_eq!(counts, [(2, 4, 0), (0, 0, 0), (112, 0, 1)]);
    });
}

#[test]
fn bad_baselines_are_refused_with_the_place() {
    let built = build_specs(
        vec![Spec::file("scan.json", bytes(&doc("red_hat_good.json")))],
        None,
    );
    let good: Value = built.with(|r| serde_json::to_value(BaselineFile::new(r.inputs)).unwrap());
    let edited = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        serde_json::to_string_pretty(&v).unwrap()
    };
    let cases: Vec<(&str, String)> = vec![
        (
            "edited fingerprint",
            edited(&|v| v["entries"][0]["fingerprint"] = "0123:1".into()),
        ),
        (
            "edited control id",
            edited(&|v| v["entries"][0]["control_id"] = "SV-1".into()),
        ),
        ("newer version", edited(&|v| v["schema_version"] = 2.into())),
        (
            "unknown key",
            edited(&|v| v["entries"][0]["note"] = "x".into()),
        ),
        (
            "unknown status",
            edited(&|v| v["entries"][0]["status"] = "passed".into()),
        ),
        (
            "entry of an unknown input",
            edited(&|v| v["inputs"] = Value::Array(Vec::new())),
        ),
        ("input listed twice", {
            edited(&|v| {
                let first = v["inputs"][0].clone();
                v["inputs"].as_array_mut().unwrap().push(first);
            })
        }),
        (
            "trailing text",
            format!("{}\n{{}}", edited(&|_| ())),
        ),
        (
            "report with a bad status",
            r#"{"schema_version": 1, "tool": {"name": "scangate", "version": "0"}, "inputs": [{"name": "a.json", "origin": {"kind": "file", "path": "a.json"}, "profiles": [{"name": "p"}], "controls": [{"id": "C-1", "profile": "p", "status": "broken", "severity": "high", "title": null}]}]}"#.to_owned(),
        ),
        ("neither", r#"{"profiles": 3}"#.to_owned()),
        ("not JSON", "baseline: yes\n".to_owned()),
    ];
    let mut report = String::new();
    for (what, text) in cases {
        let err = Baseline::from_bytes("baseline.json", text.into_bytes())
            .expect_err(what)
            .to_string();
        assert!(!err.contains('\n'), "{what}: one line, got {err}");
        report.push_str(&format!("{what}: {err}\n"));
    }
    insta::assert_snapshot!(report);
}

#[test]
fn baseline_files_are_sorted_valid_and_stable() {
    let schema = jsonschema::validator_for(&baseline_schema()).expect("the schema compiles");
    let later = bytes(&later_scan(&doc(RHEL8), 3, 5, 7).doc);
    let specs = || {
        vec![
            Spec::file("fixtures/results/rhel-8_hardened.json", later.clone()),
            Spec::file(
                "fixtures/results/triple_overlay_profile_sample.json",
                std::fs::read(fixture("triple_overlay_profile_sample.json")).unwrap(),
            ),
        ]
    };
    let text = build_specs(specs(), None).with(|r| BaselineFile::new(r.inputs).to_json());
    let value: Value = serde_json::from_str(&text).unwrap();
    let errors: Vec<String> = schema.iter_errors(&value).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(!schema.is_valid(&serde_json::json!({"kind": "scangate-baseline"})));
    // The same scans give the same bytes: a baseline diffs only when findings change.
    let again = build_specs(specs(), None).with(|r| BaselineFile::new(r.inputs).to_json());
    assert_eq!(text, again);
    let entries = value["entries"].as_array().unwrap();
    let keys: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["input"]["path"].as_str().unwrap().to_owned(),
                e["control_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    std::fs::write(
        crate::golden::golden_dir("baseline").join("rhel-8_later.baseline.json"),
        &text,
    )
    .unwrap();
    // The head of the file, as people review it.
    let head: String = text.lines().take(40).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!(head);
}

/// The later RHEL 8 scan (3 newly failing, 5 fixed) against a baseline of the real one, gated
/// by the default threshold plus `new.total.max: 0`.
fn later_against_baseline() -> Built {
    let earlier = bytes(&doc(RHEL8));
    let later = bytes(&later_scan(&doc(RHEL8), 3, 5, 7).doc);
    let gate = format!("{DEFAULT_GATE}\nnew.total.max: 0\nnew.high.max: 0\n");
    let mut built = build_specs(
        vec![Spec::file("fixtures/results/rhel-8_hardened.json", later)],
        Some(&gate),
    );
    built.baseline =
        Some(Baseline::from_bytes("baseline/rhel-8_hardened.json", earlier).expect("a baseline"));
    built
}

#[test]
fn golden_reports_against_a_baseline() {
    let built = later_against_baseline();
    for format in Format::ALL {
        let (out, rendered) = render(format, &built);
        assert!(
            rendered.warnings.is_empty(),
            "{format:?}: {:?}",
            rendered.warnings
        );
        let (dir, ext) = match format {
            Format::Markdown => (crate::golden::golden_dir("markdown"), "md"),
            Format::Junit => (crate::golden::golden_dir("junit"), "xml"),
            Format::Sarif => (crate::sarif::golden_dir(), "sarif"),
            Format::Html => (crate::html::golden_dir(), "html"),
            Format::Json => (crate::golden::golden_dir("json"), "json"),
            Format::CodeQuality => (crate::codequality::golden_dir(), "json"),
        };
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("rhel-8_against_baseline.{ext}")), &out).unwrap();
        let text = String::from_utf8(out).unwrap();
        match format {
            Format::Markdown => {
                // Change first: the new failures open the report, before the summary.
                let new = text.find("### New failures (3)").expect("new failures");
                let fixed = text.find("### Fixed (5)").expect("fixed");
                let still = text
                    .find("<summary>Still failing (107)</summary>")
                    .expect("still");
                let summary = text.find("## Summary").expect("summary");
                assert!(new < fixed && fixed < still && still < summary);
                insta::assert_snapshot!("markdown_against_baseline", text);
            }
            Format::Junit => {
                assert_eq!(text.matches("message=\"[new] ").count(), 3);
                assert_eq!(text.matches("message=\"[still failing] ").count(), 107);
            }
            Format::Sarif => {
                let log: Value = serde_json::from_str(&text).unwrap();
                let states: Vec<(String, String, String)> = log["runs"][0]["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        (
                            r["ruleId"].as_str().unwrap().to_owned(),
                            r["baselineState"]
                                .as_str()
                                .expect("on every result")
                                .to_owned(),
                            r["level"].as_str().unwrap().to_owned(),
                        )
                    })
                    .filter(|(_, state, _)| state != "unchanged")
                    .collect();
                insta::assert_debug_snapshot!("sarif_against_baseline", states);
            }
            Format::Html => {
                assert_eq!(text.matches("data-chg=\"new\"").count(), 3);
                assert_eq!(text.matches("data-chg=\"fixed\"").count(), 5);
                assert!(text.contains("name=\"chg\" value=\"still_failing\""));
            }
            Format::Json => {
                let json: Value = serde_json::from_str(&text).unwrap();
                let schema = jsonschema::validator_for(&scangate_report::report_schema()).unwrap();
                assert!(schema.is_valid(&json));
                insta::assert_json_snapshot!("json_against_baseline", json["baseline"]);
                let input = &json["inputs"][0];
                assert_eq!(input["change"]["counts"]["new"]["total"], 3);
                let new: Vec<&str> = input["controls"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|c| c["change"] == "new")
                    .map(|c| c["id"].as_str().unwrap())
                    .collect();
                assert_eq!(new.len(), 3);
                assert!(
                    input["controls"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|c| c["fingerprint"].is_string())
                );
            }
            Format::CodeQuality => {}
        }
    }
}

/// A JSON report written with a baseline is itself a baseline for the next run.
#[test]
fn a_report_against_a_baseline_is_the_next_baseline() {
    let (json, _) = render(Format::Json, &later_against_baseline());
    let next = Baseline::from_bytes("report.json", json).unwrap();
    assert_eq!(next.kind, Kind::Report);
    // 112 failing, 5 fixed, 3 new.
    assert_eq!(next.failing_count(), 110);
}

/// Every golden fixture (duplicated ids, overlays, hostile text among them) against itself,
/// as each kind of baseline: nothing new, nothing fixed, nothing gone, every failure still
/// failing.
#[test]
fn every_golden_fixture_against_itself_changes_nothing() {
    for fixture_name in support::GOLDEN {
        let bytes = std::fs::read(fixture(fixture_name)).unwrap();
        let input = Input::from_bytes("scan.json", bytes.clone());
        let results = input.parse().unwrap();
        let summary = Summary::new(&results);
        let failing = summary
            .controls
            .iter()
            .filter(|c| c.status.is_failing())
            .count() as u64;
        for baseline in [
            baseline_results(&bytes),
            baseline_file(&bytes),
            baseline_report(&bytes),
        ] {
            let change = compare(&baseline, &bytes);
            let counts = change.counts();
            assert_eq!(
                (
                    counts.new.total,
                    counts.fixed,
                    counts.gone,
                    counts.still_failing
                ),
                (0, 0, 0, failing),
                "{fixture_name} against itself as {:?}",
                baseline.kind
            );
        }
    }
}

/// Copies of one control id are told apart by their ordinal, as their fingerprints are: one
/// more copy of a failing control is one new failure, the others still failing.
#[test]
fn duplicated_ids_compare_copy_by_copy() {
    let with_copies = |n: usize| bytes(&support::edge_cases_with_failing_copies(n));
    let (three, four) = (with_copies(3), with_copies(4));
    for baseline in [baseline_results(&three), baseline_file(&three)] {
        let change = compare(&baseline, &four);
        let new = ids(&four, &change, State::New);
        assert_eq!(
            new,
            BTreeSet::from(["C40-dup-id".to_owned()]),
            "{:?}",
            baseline.kind
        );
        assert_eq!(change.indices(State::New).len(), 1);
        let still: Vec<String> = ids(&four, &change, State::StillFailing)
            .into_iter()
            .filter(|id| id == "C40-dup-id")
            .collect();
        assert_eq!(still.len(), 1, "the id, once in the set");
        let back = compare(&baseline_results(&four), &three);
        assert_eq!(back.counts().gone, 1, "the fourth copy is gone");
    }
}
