//! The SARIF report: golden logs of the four golden fixtures (also written to
//! `target/golden/sarif/*.sarif` for `.ci/check-sarif.sh`, which runs the OASIS schema and
//! Microsoft's SARIF validator with GitHub's rules on them), and the properties GitHub relies
//! on: counts, levels, stable fingerprints, truncation, URIs and text from hostile scans.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use scangate_report::{Format, RenderOptions, Rendered};
use serde_json::Value;
use support::{Built, DEFAULT_GATE, Spec, build, build_specs, fixture};

fn render_with(built: &Built, options: &RenderOptions) -> (Vec<u8>, Rendered) {
    built.with(|report| {
        let mut out = Vec::new();
        let rendered =
            scangate_report::render(Format::Sarif, report, &mut out, options).expect("renders");
        (out, rendered)
    })
}

fn sarif(built: &Built) -> Value {
    sarif_with(built, &RenderOptions::default()).0
}

fn sarif_with(built: &Built, options: &RenderOptions) -> (Value, Rendered) {
    let (out, rendered) = render_with(built, options);
    (serde_json::from_slice(&out).expect("valid JSON"), rendered)
}

fn run(log: &Value) -> &Value {
    assert_eq!(log["runs"].as_array().map(Vec::len), Some(1), "one run");
    &log["runs"][0]
}

fn rules(log: &Value) -> &Vec<Value> {
    run(log)["tool"]["driver"]["rules"].as_array().unwrap()
}

fn results(log: &Value) -> &Vec<Value> {
    run(log)["results"].as_array().unwrap()
}

fn fingerprint(result: &Value) -> &str {
    result["partialFingerprints"]["primaryLocationLineHash"]
        .as_str()
        .unwrap()
}

pub(crate) fn golden_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("golden/sarif")
}

#[test]
fn golden_logs() {
    let dir = golden_dir();
    std::fs::create_dir_all(&dir).unwrap();
    // Every file first: the validators need them even when a snapshot is out of date.
    let mut logs = Vec::new();
    for file in support::GOLDEN {
        let built = build(&[file], Some(DEFAULT_GATE));
        let (out, _) = render_with(&built, &RenderOptions::default());
        let stem = file.rsplit('/').next().unwrap().trim_end_matches(".json");
        std::fs::write(dir.join(format!("{stem}.sarif")), &out).unwrap();
        logs.push((stem, out));
    }
    for (stem, out) in logs {
        let mut log: Value = serde_json::from_slice(&out).unwrap();
        // The version changes with every release; everything else must not change unnoticed.
        let driver = &mut log["runs"][0]["tool"]["driver"];
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        driver["version"] = "[version]".into();
        driver["semanticVersion"] = "[version]".into();
        insta::assert_json_snapshot!(stem, log);
    }
}

#[test]
fn the_envelope_is_what_github_requires() {
    let built = build(&["rhel-8_hardened.json"], Some(DEFAULT_GATE));
    let log = sarif(&built);
    assert_eq!(log["version"], "2.1.0");
    assert!(
        log["$schema"]
            .as_str()
            .unwrap()
            .ends_with("sarif-schema-2.1.0.json")
    );
    let run = run(&log);
    assert_eq!(run["tool"]["driver"]["name"], "scangate");
    assert!(
        run.get("automationDetails").is_none(),
        "the upload's category decides"
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    assert_eq!(run["properties"]["scangate"]["passed"], false);
}

#[test]
fn a_rule_per_control_and_failed_gate_rule_a_result_per_failing_control() {
    let built = build(&["rhel-8_hardened.json"], Some(DEFAULT_GATE));
    let log = sarif(&built);
    built.with(|report| {
        let input = &report.inputs[0];
        let (rules, results) = (rules(&log), results(&log));

        let ids: BTreeSet<&str> = input
            .summary
            .controls
            .iter()
            .map(|c| c.control.id.as_str())
            .collect();
        let failed_gate: Vec<&str> = input
            .verdict
            .unwrap()
            .failures()
            .map(|o| o.code.as_str())
            .collect();
        assert!(!failed_gate.is_empty());
        assert_eq!(rules.len(), ids.len() + failed_gate.len());
        let failing = input
            .summary
            .controls
            .iter()
            .filter(|c| c.status.key() == "failed" || c.status.key() == "error")
            .count();
        assert_eq!(results.len(), failing + failed_gate.len());

        // Gate results first, with the bare code as rule id.
        for (result, code) in results.iter().zip(&failed_gate) {
            assert_eq!(result["ruleId"], *code);
            assert_eq!(result["level"], "error");
        }
        // Every result points at its rule both ways.
        for result in results {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], result["ruleId"]);
        }
        let mut seen = BTreeSet::new();
        for rule in rules {
            assert!(seen.insert(rule["id"].as_str().unwrap()), "unique rule ids");
            for required in ["shortDescription", "fullDescription", "help"] {
                assert!(
                    !rule[required]["text"].as_str().unwrap().trim().is_empty(),
                    "{required}"
                );
            }
            assert_ne!(rule["name"], rule["id"]);
        }

        let rule = rules.iter().find(|r| r["id"] == "SV-230221").unwrap();
        assert_eq!(rule["properties"]["security-severity"], "7.0");
        assert_eq!(
            rule["properties"]["tags"],
            serde_json::json!(["security", "CM-6 b", "CCI-000366"])
        );
        assert!(rule["help"]["text"].as_str().unwrap().starts_with("Fix:\n"));
    });
}

#[test]
fn levels_follow_severity_and_results_are_ordered_by_it() {
    let built = build(&["synthetic/edge_cases.json"], Some(DEFAULT_GATE));
    let log = sarif(&built);
    let rank = |s: &str| {
        ["critical", "high", "medium", "low", "none"]
            .iter()
            .position(|x| *x == s)
    };
    let mut last = 0;
    for result in results(&log) {
        let Some(severity) = result["properties"]["severity"].as_str() else {
            continue; // a gate result
        };
        let expected = match severity {
            "critical" | "high" => "error",
            "medium" => "warning",
            _ => "note",
        };
        assert_eq!(result["level"], expected, "{result}");
        let r = rank(severity).unwrap();
        assert!(r >= last, "sorted by severity");
        last = r;
    }
    // The severity override makes C23 critical although its impact says medium.
    let c23 = results(&log)
        .iter()
        .find(|r| r["ruleId"] == "C23-sevoverride-critical")
        .unwrap();
    assert_eq!(c23["level"], "error");
}

#[test]
fn duplicated_ids_share_a_rule_and_keep_apart_by_their_ordinal() {
    // Three copies, failing: two count.
    let edge = support::edge_cases_with_failing_copies(3);
    let log = sarif(&build_specs(
        vec![Spec::file("edge.json", bytes(&edge))],
        None,
    ));
    let rules: Vec<&Value> = rules(&log)
        .iter()
        .filter(|r| r["id"] == "C40-dup-id")
        .collect();
    assert_eq!(rules.len(), 1);
    let mut dups: Vec<&str> = results(&log)
        .iter()
        .filter(|r| r["ruleId"] == "C40-dup-id")
        .map(fingerprint)
        .collect();
    dups.sort();
    assert_eq!(dups.len(), 2);
    assert_eq!(dups[0].split(':').next(), dups[1].split(':').next());
    assert!(dups[0].ends_with(":1") && dups[1].ends_with(":2"));
}

fn fingerprints(log: &Value) -> BTreeMap<String, String> {
    results(log)
        .iter()
        .map(|r| {
            let key = format!("{} {}", r["ruleId"].as_str().unwrap(), fingerprint(r));
            (key, fingerprint(r).to_owned())
        })
        .collect()
}

/// What a test input is and where it came from.
fn rhel8() -> Value {
    serde_json::from_slice(&std::fs::read(fixture("rhel-8_hardened.json")).unwrap()).unwrap()
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

#[test]
fn fingerprints_are_stable_across_renders_reordering_and_unrelated_changes() {
    let name = "scans/rhel8.json";
    let original = sarif(&build_specs(vec![Spec::file(name, bytes(&rhel8()))], None));
    let again = sarif(&build_specs(vec![Spec::file(name, bytes(&rhel8()))], None));
    assert_eq!(original, again, "deterministic");
    let before = fingerprints(&original);
    assert!(before.len() > 50);

    // Reverse the controls, move every source line, drop every passing control and change
    // every message: no fingerprint of the remaining findings may change.
    let mut edited = rhel8();
    let controls = edited["profiles"][0]["controls"].as_array_mut().unwrap();
    controls.reverse();
    controls.retain(|c| {
        c["results"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["status"] != "passed"))
            || c["impact"] == 0.0
    });
    for c in controls.iter_mut() {
        c["source_location"]["line"] = Value::from(999);
        for r in c["results"].as_array_mut().unwrap() {
            r["message"] = Value::from("something else entirely");
        }
    }
    let after = fingerprints(&sarif(&build_specs(
        vec![Spec::file(name, bytes(&edited))],
        None,
    )));
    assert_eq!(before, after);

    // The input's identity is part of it: another file name, other fingerprints.
    let elsewhere = sarif(&build_specs(
        vec![Spec::file("scans/other.json", bytes(&rhel8()))],
        None,
    ));
    assert!(
        fingerprints(&elsewhere)
            .values()
            .all(|f| !before.values().any(|b| b == f))
    );
}

#[test]
fn pods_are_logical_locations_and_their_fingerprints_survive_redeploys() {
    let pod = |name: &str, container: &'static str| Spec {
        name: "/tmp/scangate-1234/scan.json".to_owned(),
        pod: Some(("shop", name.to_owned(), container)),
        bytes: bytes(&rhel8()),
    };
    let first = sarif(&build_specs(
        vec![pod("web-7d9f8b6c5-x2kz9", "inspec")],
        None,
    ));
    let location = &results(&first)[0]["locations"][0];
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        "shop/web-7d9f8b6c5-x2kz9/inspec"
    );
    let redeployed = sarif(&build_specs(
        vec![pod("web-5c4b8d7f9-q8wz2", "inspec")],
        None,
    ));
    assert_eq!(fingerprints(&first), fingerprints(&redeployed));
    let other = sarif(&build_specs(vec![pod("web-7d9f8b6c5-x2kz9", "cinc")], None));
    assert_ne!(fingerprints(&first), fingerprints(&other));

    // Two replicas in one report keep apart; their rules are shared.
    let both = sarif(&build_specs(
        vec![
            pod("web-7d9f8b6c5-x2kz9", "inspec"),
            pod("web-7d9f8b6c5-b6f4d", "inspec"),
        ],
        None,
    ));
    assert_eq!(rules(&both).len(), rules(&first).len());
    assert_eq!(results(&both).len(), 2 * results(&first).len());
    let unique: BTreeSet<&str> = results(&both).iter().map(fingerprint).collect();
    assert_eq!(unique.len(), results(&both).len());
}

#[test]
fn truncation_is_deterministic_keeps_the_gate_and_the_most_severe_and_says_so() {
    let built = build(&["rhel-8_hardened.json"], Some(DEFAULT_GATE));
    let options = RenderOptions {
        sarif_max_results: 12,
        ..RenderOptions::default()
    };
    let (log, rendered) = sarif_with(&built, &options);
    let (again, _) = sarif_with(&built, &options);
    assert_eq!(log, again);
    let (full, none) = sarif_with(&built, &RenderOptions::default());
    assert!(none.warnings.is_empty());

    let kept = results(&log);
    assert_eq!(kept.len(), 12);
    let without_index = |r: &Value| {
        let mut r = r.clone();
        r.as_object_mut().unwrap().remove("ruleIndex");
        r
    };
    let prefix: Vec<Value> = results(&full)[..12].iter().map(without_index).collect();
    let kept_plain: Vec<Value> = kept.iter().map(without_index).collect();
    assert_eq!(kept_plain, prefix, "a prefix of the full, ordered list");
    assert!(
        kept[0]["ruleId"].as_str().unwrap().starts_with("failed-")
            || kept[0]["ruleId"] == "compliance-min"
    );
    let omitted = results(&full).len() - 12;
    assert_eq!(rendered.warnings.len(), 2, "{:?}", rendered.warnings);
    assert!(
        rendered.warnings[0].contains(&format!("{omitted} of {} results", results(&full).len()))
    );
    let run = run(&log);
    assert_eq!(run["properties"]["scangate"]["resultsOmitted"], omitted);
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes[0]["level"], "warning");

    // Rules: capped too, yet every result still finds its rule.
    let rules = rules(&log);
    assert!(rules.len() <= 12);
    for result in kept {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }

    let (empty, _) = sarif_with(
        &built,
        &RenderOptions {
            sarif_max_results: 0,
            ..RenderOptions::default()
        },
    );
    assert!(results(&empty).is_empty());
}

fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
        Value::Object(o) => o.iter().for_each(|(k, v)| {
            out.push(k.clone());
            strings(v, out);
        }),
        _ => {}
    }
}

#[test]
fn hostile_text_is_inert_and_bounded() {
    let built = build(&["synthetic/hostile.json"], Some(DEFAULT_GATE));
    let (out, _) = render_with(&built, &RenderOptions::default());
    assert!(
        out.len() < 100_000,
        "the 1 MB message is cut: {} bytes",
        out.len()
    );
    let log: Value = serde_json::from_slice(&out).unwrap();
    let mut all = Vec::new();
    strings(&log, &mut all);
    for s in &all {
        for c in s.chars() {
            let control = c.is_control() && c != '\n' && c != '\t';
            let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}');
            assert!(!control && !bidi, "{c:?} in {s:?}");
        }
    }

    let ids: Vec<&str> = rules(&log)
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in &ids {
        assert!(!id.is_empty() && id.len() <= 255);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._%~".contains(&b)),
            "{id}"
        );
    }
    assert!(ids.contains(&"H-1%20%7C%20%60id%60%20%3Cb%3Ebold%3C%2Fb%3E"));

    let huge = results(&log)
        .iter()
        .find(|r| r["ruleId"] == "H-2%20%5D%5D%3E%3C%21%5BCDATA%5B")
        .unwrap();
    let text = huge["message"]["text"].as_str().unwrap();
    assert!(text.len() < 4500, "{}", text.len());
    assert!(
        text.ends_with("[truncated by scangate: 1000000 characters in all]"),
        "{}",
        &text[text.len() - 80..]
    );

    let h1 = rules(&log)
        .iter()
        .find(|r| r["id"].as_str().unwrap().starts_with("H-1"))
        .unwrap();
    let markdown = h1["help"]["markdown"].as_str().unwrap();
    for raw in ["<", "`", "[", "|", "&", "{"] {
        let bare = markdown
            .match_indices(raw)
            .any(|(i, _)| !markdown[..i].ends_with('\\'));
        assert!(!bare, "unescaped {raw} in {markdown}");
    }
}

#[test]
fn embedded_links_in_scan_text_are_broken() {
    // SARIF viewers turn `[text](target)` in plain text into a link (SARIF §3.11.6).
    let mut edge: Value =
        serde_json::from_slice(&std::fs::read(fixture("synthetic/edge_cases.json")).unwrap())
            .unwrap();
    let link = "[click](javascript:alert(1))";
    for c in edge["profiles"][0]["controls"].as_array_mut().unwrap() {
        c["title"] = format!("title {link}").into();
        c["desc"] = format!("desc {link}").into();
        for r in c["results"].as_array_mut().unwrap() {
            r["message"] = format!("message {link}").into();
        }
    }
    let log = sarif(&build_specs(
        vec![Spec::file("edge.json", bytes(&edge))],
        None,
    ));
    let mut all = Vec::new();
    strings(&log, &mut all);
    assert!(
        all.iter()
            .any(|s| s.contains("[click] (javascript:alert(1))"))
    );
    assert!(all.iter().all(|s| !s.contains("](")), "a link survived");
}

#[test]
fn hostile_paths_become_relative_uris_that_stay_inside() {
    let built = build(&["synthetic/hostile.json"], Some(DEFAULT_GATE));
    let log = sarif(&built);
    let mut uris = BTreeSet::new();
    for result in results(&log) {
        let physical = &result["locations"][0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
        assert!(physical["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(
            !uri.starts_with('/')
                && !uri.contains(':')
                && !uri.split('/').any(|s| s == ".." || s == ".")
        );
        assert!(
            uri.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%/".contains(&b)),
            "{uri}"
        );
        uris.insert(uri.to_owned());
    }
    assert!(uris.contains("etc/passwd%20%3Cx%3E"), "{uris:?}");
    let h1 = results(&log)
        .iter()
        .find(|r| r["ruleId"].as_str().unwrap().starts_with("H-1"))
        .unwrap();
    assert_eq!(
        h1["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );
    // Without a source location: the input file.
    assert!(
        uris.contains("fixtures/results/synthetic/hostile.json"),
        "{uris:?}"
    );
}

#[test]
fn an_ungated_report_has_no_gate_rules() {
    let built = build(&["triple_overlay_profile_sample.json"], None);
    let log = sarif(&built);
    assert!(
        rules(&log)
            .iter()
            .all(|r| r["properties"]["tags"][0] == "security")
    );
    assert!(run(&log)["properties"]["scangate"].get("passed").is_none());
    // Overlays count once: the rules are the counted profile's controls.
    assert_eq!(rules(&log).len(), 5);
}

#[test]
fn an_empty_report_is_still_a_valid_log() {
    let log = sarif(&build(&[], None));
    assert!(rules(&log).is_empty() && results(&log).is_empty());
}

fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Memory and time of rendering a big input (`SCANGATE_BIG_INPUT=/tmp/big.json`, made with
/// `gen-results /tmp/big.json --controls 8500 --results 8`): what rendering adds on top of
/// the parsed report, measured as the peak resident size during the render (Linux).
#[test]
#[ignore = "measurement; needs SCANGATE_BIG_INPUT"]
#[allow(clippy::print_stdout)] // the measurement is the output
fn big_input_memory() {
    let Some(path) = std::env::var_os("SCANGATE_BIG_INPUT") else {
        return;
    };
    let bytes = std::fs::read(&path).unwrap();
    let input_mib = bytes.len() as f64 / 1048576.0;
    let report = build_specs(vec![Spec::file("big.json", bytes)], Some(DEFAULT_GATE));
    report.with(|report| {
        let before = proc_status_kib("VmRSS:").unwrap();
        // Reset the peak so that it measures the render alone.
        std::fs::write("/proc/self/clear_refs", "5").unwrap();
        let started = std::time::Instant::now();
        let mut counter = CountingSink(
            0,
            std::env::var_os("SCANGATE_BIG_OUTPUT").map(|p| std::fs::File::create(p).unwrap()),
        );
        let rendered = scangate_report::render(
            Format::Sarif,
            report,
            &mut counter,
            &RenderOptions::default(),
        )
        .unwrap();
        let elapsed = started.elapsed();
        let peak = proc_status_kib("VmHWM:").unwrap();
        println!(
            "input {input_mib:.1} MiB; RSS after parse {:.1} MiB; peak during render {:.1} MiB \
         (+{:.1} MiB); output {:.1} MiB; {:?}; warnings {:?}",
            before as f64 / 1024.0,
            peak as f64 / 1024.0,
            (peak.saturating_sub(before)) as f64 / 1024.0,
            counter.0 as f64 / 1048576.0,
            elapsed,
            rendered.warnings
        );
    });
}

/// Counts what is written, and writes it to a file if asked to (unbuffered: the sink must not
/// hold the output).
struct CountingSink(u64, Option<std::fs::File>);

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        if let Some(f) = &mut self.1 {
            f.write_all(buf)?;
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn unreadable_inputs_are_error_notifications_and_the_run_did_not_succeed() {
    use support::{HOSTILE_NAME, MISSING_MESSAGE, with_unreadable};

    let built = with_unreadable(&["rhel-8_hardened.json"], Some(DEFAULT_GATE));
    let (out, rendered) = render_with(&built, &RenderOptions::default());
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
    let dir = golden_dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("unreadable.sarif"), &out).unwrap();
    let log: Value = serde_json::from_slice(&out).unwrap();
    let invocation = &run(&log)["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notifications = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 2);
    for n in notifications {
        assert_eq!(n["level"], "error");
        assert_eq!(n["descriptor"]["id"], "unreadable-input");
    }
    assert_eq!(
        notifications[0]["message"]["text"],
        format!(
            "Input 'scans/missing.json' could not be read, so it was not gated: {MISSING_MESSAGE}"
        )
    );
    assert_eq!(
        notifications[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "scans/missing.json"
    );
    assert_eq!(
        notifications[1]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
            .as_str()
            .unwrap(),
        HOSTILE_NAME.replace('\u{202e}', "\u{FFFD}")
    );
    let hostile = notifications[1]["message"]["text"].as_str().unwrap();
    assert!(hostile.contains("<script>alert(1)</script>"), "{hostile}");
    for bad in ['\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(!hostile.contains(bad), "{bad:?} in {hostile}");
    }
    assert!(!hostile.contains("]("), "a link in {hostile}");
    assert_eq!(run(&log)["properties"]["scangate"]["unreadableInputs"], 2);
    assert_eq!(run(&log)["properties"]["scangate"]["passed"], false);
    // The input that was read is reported as without the others.
    let alone = sarif(&build(&["rhel-8_hardened.json"], Some(DEFAULT_GATE)));
    assert_eq!(results(&log), results(&alone));
    assert_eq!(rules(&log), rules(&alone));
}
