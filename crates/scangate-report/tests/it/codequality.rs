//! The GitLab Code Quality report: golden reports of the four golden fixtures (also written to
//! `target/golden/codequality/`, where `.ci/check-reports.sh` validates them with
//! check-jsonschema), each validated against the schema written from GitLab's documentation
//! (`schemas/gitlab-codequality.schema.json`); and the finding identity it shares with SARIF:
//! the same finding has the same fingerprint in both, across runs and reorderings, and no two
//! findings share one.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use proptest::prelude::*;
use scangate_report::Format;
use serde_json::Value;
use support::{Built, DEFAULT_GATE, Spec, build, build_specs, fixture, render};

fn schema() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/gitlab-codequality.schema.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&schema()).expect("the schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .take(5)
        .collect()
}

/// Where CI's check-jsonschema step reads the golden reports (as `golden.rs` writes its own).
pub(crate) fn golden_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/golden/codequality");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stem(fixture: &str) -> String {
    fixture.trim_end_matches(".json").replace('/', "__")
}

/// The report's text, checked for what GitLab's parser needs of the file itself.
fn text(built: &Built) -> String {
    let (out, rendered) = render(Format::CodeQuality, built);
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
    let text = String::from_utf8(out).expect("UTF-8");
    assert!(
        text.starts_with('['),
        "a JSON array, and no byte order mark"
    );
    assert!(text.ends_with("]\n"));
    text
}

/// The report, parsed, valid against the schema, every fingerprint once.
fn report(built: &Built) -> Vec<Value> {
    parsed(&text(built))
}

fn parsed(text: &str) -> Vec<Value> {
    let value: Value = serde_json::from_str(text).expect("strict JSON");
    let errors = schema_errors(&validator(), &value);
    assert!(errors.is_empty(), "{errors:?}");
    let findings = value.as_array().unwrap().clone();
    let unique: BTreeSet<&str> = findings.iter().map(fingerprint).collect();
    assert_eq!(unique.len(), findings.len(), "a fingerprint per finding");
    findings
}

fn fingerprint(finding: &Value) -> &str {
    finding["fingerprint"].as_str().unwrap()
}

fn sarif(built: &Built) -> Value {
    let (out, _) = render(Format::Sarif, built);
    serde_json::from_slice(&out).unwrap()
}

/// SARIF's results by fingerprint.
fn sarif_results(log: &Value) -> BTreeMap<String, Value> {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let f = r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap();
            (f.to_owned(), r.clone())
        })
        .collect()
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

fn results_of(rel: &str) -> Value {
    serde_json::from_slice(&std::fs::read(fixture(rel)).unwrap()).unwrap()
}

#[test]
fn golden_reports() {
    // Every file first: CI's validator needs them even when a snapshot is out of date.
    let mut reports = Vec::new();
    for file in support::GOLDEN {
        let built = build(&[file], Some(DEFAULT_GATE));
        let text = text(&built);
        std::fs::write(golden_dir().join(format!("{}.json", stem(file))), &text).unwrap();
        reports.push((file, built, text));
    }
    for (file, built, text) in reports {
        let findings = parsed(&text);
        // One line per finding, between the brackets.
        assert_eq!(text.lines().count(), findings.len() + 2, "{file}");
        let (failing, failed_rules) = built.with(|report| {
            let input = &report.inputs[0];
            let failing = input
                .summary
                .controls
                .iter()
                .filter(|c| c.status.is_failing())
                .count();
            (failing, input.verdict.unwrap().failures().count())
        });
        assert_eq!(findings.len(), failing + failed_rules, "{file}");
        insta::with_settings!({sort_maps => false}, {
            insta::assert_json_snapshot!(stem(file), findings);
        });
    }
}

/// Inputs that could not be read come first, each a blocker GitLab shows in the widget, with
/// its error as inert text; the rest of the report is what it is without them.
#[test]
fn unreadable_inputs_are_blockers() {
    use support::{HOSTILE_MESSAGE, HOSTILE_NAME, MISSING_MESSAGE, with_unreadable};

    let built = with_unreadable(&["rhel-8_hardened.json"], Some(DEFAULT_GATE));
    let text = text(&built);
    std::fs::write(golden_dir().join("unreadable.json"), &text).unwrap();
    let findings = report(&built);
    let (unreadable, rest) = findings.split_at(2);
    for finding in unreadable {
        assert_eq!(finding["check_name"], "unreadable-input");
        assert_eq!(finding["severity"], "blocker");
        assert_eq!(finding["location"]["lines"]["begin"], 1);
    }
    assert_eq!(
        unreadable[0]["description"],
        format!(
            "Input 'scans/missing.json' could not be read, so it was not gated: {MISSING_MESSAGE}"
        )
    );
    assert_eq!(unreadable[0]["location"]["path"], "scans/missing.json");
    let hostile = unreadable[1]["description"].as_str().unwrap();
    let name = HOSTILE_NAME.replace('\u{202e}', "\u{FFFD}");
    assert!(
        hostile.starts_with(&format!("Input '{name}' could not be read")),
        "{hostile}"
    );
    assert!(
        hostile.contains("<script>alert(1)</script>"),
        "GitLab shows text, not markup"
    );
    assert!(
        !hostile.contains(['\u{1b}', '\u{7}', '\u{202e}', '\n']),
        "{hostile}"
    );
    assert!(!hostile.contains("]("), "a link in {hostile}");
    assert!(HOSTILE_MESSAGE.contains("]("));
    assert_eq!(
        unreadable[1]["location"]["path"],
        "scans/ns%20%3Cx%3E/pod%7C1%EF%BF%BDnosj.json"
    );
    // The same input is the same finding in the next run, whatever its error says then.
    let again = report(&with_unreadable(&[], None));
    assert_eq!(
        again[..2].iter().map(fingerprint).collect::<Vec<_>>(),
        unreadable.iter().map(fingerprint).collect::<Vec<_>>()
    );
    assert_eq!(
        rest,
        &report(&build(&["rhel-8_hardened.json"], Some(DEFAULT_GATE)))[..]
    );
}

#[test]
fn an_ungated_or_empty_report_has_only_controls_or_nothing() {
    let findings = report(&build(&["triple_overlay_profile_sample.json"], None));
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|f| !f["check_name"].as_str().unwrap().starts_with("failed-"))
    );
    assert_eq!(text(&build(&[], None)), "[]\n");
}

#[test]
fn the_schema_refuses_what_gitlab_refuses() {
    let validator = validator();
    let good = serde_json::json!({
        "description": "'unused' is assigned a value but never used.",
        "check_name": "no-unused-vars",
        "fingerprint": "7815696ecbf1c96e6894b779456d330e",
        "severity": "minor",
        "location": {"path": "lib/index.js", "lines": {"begin": 42}}
    });
    // GitLab's own example, and its other way of giving the line.
    assert!(validator.is_valid(&serde_json::json!([good])));
    let mut positions = good.clone();
    positions["location"] =
        serde_json::json!({"path": "a.rb", "positions": {"begin": {"line": 1}}});
    assert!(validator.is_valid(&serde_json::json!([positions])));
    assert!(validator.is_valid(&serde_json::json!([])));
    let bad: [(&str, Value); 9] = [
        ("/severity", "high".into()),
        ("/fingerprint", Value::Null),
        ("/check_name", "".into()),
        ("/location/lines/begin", 0.into()),
        ("/location/lines/begin", "1".into()),
        ("/location/path", "/etc/passwd".into()),
        ("/location/path", "./lib/index.js".into()),
        ("/location/path", "https://example.com/x.js".into()),
        ("/location/lines", Value::Null),
    ];
    for (pointer, value) in bad {
        let mut finding = good.clone();
        *finding.pointer_mut(pointer).unwrap() = value.clone();
        if value.is_null() {
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            let parent = if parent.is_empty() {
                &mut finding
            } else {
                finding.pointer_mut(parent).unwrap()
            };
            parent.as_object_mut().unwrap().remove(key);
        }
        assert!(
            !validator.is_valid(&serde_json::json!([finding])),
            "{pointer} = {value} passed"
        );
    }
    assert!(!validator.is_valid(&good), "an object, not an array");
}

/// The same finding has the same fingerprint, the same location and the same severity rank in
/// SARIF and in Code Quality, and the two list the same findings.
#[test]
fn fingerprints_and_locations_are_sarif_s() {
    for file in support::GOLDEN {
        let built = build(&[file], Some(DEFAULT_GATE));
        let sarif = sarif_results(&sarif(&built));
        let findings = report(&built);
        let ours: BTreeSet<&str> = findings.iter().map(fingerprint).collect();
        let theirs: BTreeSet<&str> = sarif.keys().map(String::as_str).collect();
        assert_eq!(ours, theirs, "{file}");
        for finding in &findings {
            let result = &sarif[fingerprint(finding)];
            let physical = &result["locations"][0]["physicalLocation"];
            assert_eq!(
                finding["location"]["path"], physical["artifactLocation"]["uri"],
                "{file}: {finding}"
            );
            assert_eq!(
                finding["location"]["lines"]["begin"], physical["region"]["startLine"],
                "{file}: {finding}"
            );
            let expected = match result["properties"]["severity"].as_str() {
                None => "blocker", // a gate rule
                Some("critical") => "blocker",
                Some("high") => "critical",
                Some("medium") => "major",
                Some("low") => "minor",
                Some(_) => "info",
            };
            assert_eq!(finding["severity"], expected, "{file}: {finding}");
        }
    }
}

#[test]
fn pods_keep_their_fingerprints_across_redeploys_and_replicas_keep_apart() {
    let pod = |name: &str| Spec {
        name: "/tmp/scangate-1234/scan.json".to_owned(),
        pod: Some(("shop", name.to_owned(), "inspec")),
        bytes: bytes(&results_of("rhel-8_hardened.json")),
    };
    let fingerprints = |specs: Vec<Spec>| -> Vec<String> {
        let built = build_specs(specs, Some(DEFAULT_GATE));
        let sarif: BTreeSet<String> = sarif_results(&sarif(&built)).into_keys().collect();
        let ours: Vec<String> = report(&built)
            .iter()
            .map(|f| fingerprint(f).to_owned())
            .collect();
        assert_eq!(ours.iter().cloned().collect::<BTreeSet<_>>(), sarif);
        ours
    };
    let first = fingerprints(vec![pod("web-7d9f8b6c5-x2kz9")]);
    assert_eq!(first, fingerprints(vec![pod("web-5c4b8d7f9-q8wz2")]));
    let both = fingerprints(vec![pod("web-7d9f8b6c5-x2kz9"), pod("web-7d9f8b6c5-b6f4d")]);
    assert_eq!(both.len(), 2 * first.len());
    assert_eq!(
        both[..first.len()],
        first[..],
        "the first replica is the one alone"
    );
}

#[test]
fn fingerprints_ignore_lines_messages_and_the_order_of_inputs() {
    let findings = |specs: Vec<Spec>| -> BTreeMap<String, String> {
        report(&build_specs(specs, Some(DEFAULT_GATE)))
            .iter()
            .map(|f| {
                (
                    fingerprint(f).to_owned(),
                    f["check_name"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let (rhel, edge) = (
        results_of("rhel-8_hardened.json"),
        results_of("synthetic/edge_cases.json"),
    );
    let both = findings(vec![
        Spec::file("a/rhel.json", bytes(&rhel)),
        Spec::file("b/edge.json", bytes(&edge)),
    ]);
    let swapped = findings(vec![
        Spec::file("b/edge.json", bytes(&edge)),
        Spec::file("a/rhel.json", bytes(&rhel)),
    ]);
    assert_eq!(both, swapped);

    // Every source line moved, every message and title changed: the same findings.
    let mut edited = rhel.clone();
    for c in edited["profiles"][0]["controls"].as_array_mut().unwrap() {
        c["source_location"]["line"] = Value::from(999);
        c["title"] = Value::from("retitled");
        for r in c["results"].as_array_mut().unwrap() {
            r["message"] = Value::from("something else entirely");
        }
    }
    let alone = findings(vec![Spec::file("a/rhel.json", bytes(&rhel))]);
    assert_eq!(
        alone,
        findings(vec![Spec::file("a/rhel.json", bytes(&edited))])
    );
    // Another path is another input.
    let moved = findings(vec![Spec::file("c/rhel.json", bytes(&rhel))]);
    assert!(moved.keys().all(|f| !alone.contains_key(f)));
}

/// Controls in [`edge_in_order`]'s copy of `edge_cases.json`.
const EDGE_CONTROLS: usize = 42;

/// A copy of `edge_cases.json` with three failing copies of C40-dup-id (of which, as in saf,
/// the two later ones count), its controls in the order `order` gives (a permutation).
fn edge_in_order(order: &[usize]) -> Vec<u8> {
    let mut edge = results_of("synthetic/edge_cases.json");
    let controls = edge["profiles"][0]["controls"].as_array_mut().unwrap();
    for c in controls.iter_mut().filter(|c| c["id"] == "C40-dup-id") {
        c["results"][0]["status"] = "failed".into();
    }
    let copy = controls
        .iter()
        .find(|c| c["id"] == "C40-dup-id")
        .unwrap()
        .clone();
    controls.push(copy);
    let original = controls.clone();
    assert_eq!(order.len(), original.len());
    *controls = order.iter().map(|&i| original[i].clone()).collect();
    bytes(&edge)
}

/// Fingerprint → (check name, path) of the Code Quality findings of `bytes`.
fn by_fingerprint(bytes: Vec<u8>) -> BTreeMap<String, (String, String)> {
    let built = build_specs(vec![Spec::file("edge.json", bytes)], Some(DEFAULT_GATE));
    report(&built)
        .iter()
        .map(|f| {
            let check = f["check_name"].as_str().unwrap().to_owned();
            let path = f["location"]["path"].as_str().unwrap().to_owned();
            (fingerprint(f).to_owned(), (check, path))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Reordering the controls changes no finding's fingerprint but the duplicated id's,
    /// whose copies are numbered by position (and, being identical, are interchangeable).
    #[test]
    fn fingerprints_do_not_depend_on_the_order_of_controls(
        order in Just((0..EDGE_CONTROLS).collect::<Vec<usize>>()).prop_shuffle()
    ) {
        let identity: Vec<usize> = (0..EDGE_CONTROLS).collect();
        let before = by_fingerprint(edge_in_order(&identity));
        let after = by_fingerprint(edge_in_order(&order));
        prop_assert_eq!(&before, &after);
        let duplicates = before.values().filter(|(check, _)| check == "C40-dup-id").count();
        prop_assert_eq!(duplicates, 2);
    }
}
