//! Gating change from the command line: `baseline create|schema`, `--baseline` with every kind
//! of baseline on `check` and `summary`, `--fail-on-new`, the `new.*` rules, their errors, and
//! README's worked example (whose output is checked against README here).

use std::path::Path;

use serde_json::Value;

use crate::common::later_scan::later_scan;
use crate::common::{Ran, exits_in, fixture, root};

/// The RHEL 8 scan and a later scan of it: 3 controls newly failing (one high), 5 fixed.
fn scans() -> (Value, Value) {
    let earlier: Value =
        serde_json::from_slice(&std::fs::read(fixture("results/rhel-8_hardened.json")).unwrap())
            .unwrap();
    let later = later_scan(&earlier, 3, 5, 7).doc;
    (earlier, later)
}

fn write(dir: &Path, name: &str, doc: &Value) {
    std::fs::write(dir.join(name), serde_json::to_vec(doc).unwrap()).unwrap();
}

/// Runs scangate in `dir` (so inputs are named as CI names them: `scan.json`).
fn exits(dir: &Path, args: &[&str], code: i32) -> Ran {
    exits_in(dir, &[], args, code)
}

/// A directory where `scan.json` was the RHEL 8 scan when `baseline.json`, `report.json` and
/// `earlier.json` were made from it, and is now the later scan.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (earlier, later) = scans();
    write(dir.path(), "scan.json", &earlier);
    write(dir.path(), "earlier.json", &earlier);
    exits(
        dir.path(),
        &[
            "baseline",
            "create",
            "-i",
            "scan.json",
            "-o",
            "baseline.json",
        ],
        0,
    );
    exits(
        dir.path(),
        &[
            "check",
            "-i",
            "scan.json",
            "-q",
            "--report",
            "json=report.json",
        ],
        1,
    );
    write(dir.path(), "scan.json", &later);
    dir
}

#[test]
fn every_kind_of_baseline_gates_change() {
    let dir = workspace();
    let dir = dir.path();
    for baseline in ["baseline.json", "report.json", "earlier.json"] {
        let gate = |rules: &str, code: i32| {
            exits(
                dir,
                &[
                    "check",
                    "-i",
                    "scan.json",
                    "--baseline",
                    baseline,
                    "-I",
                    rules,
                ],
                code,
            )
        };
        let ran = gate("{new.total.max: 3}", 0);
        let flipped = later_scan(&scans().0, 3, 5, 7);
        for id in &flipped.newly_failing {
            assert!(
                ran.stdout.contains(&format!("  new  {id}  ")),
                "{id}: {}",
                ran.stdout
            );
        }
        assert_eq!(flipped.fixed.len(), 5);
        assert!(
            ran.stdout.contains(
                "Against the baseline: 3 new (1 high, 2 medium), 107 still failing, 5 fixed, 0 gone"
            ),
            "{baseline}: {}",
            ran.stdout
        );
        gate("{new.total.max: 2}", 1);
        gate("{new.high.max: 1}, {new.medium.max: 2}", 0);
        gate("{new.medium.max: 1}", 1);
        let flag = |flag: &str, code: i32| {
            exits(
                dir,
                &[
                    "check",
                    "-i",
                    "scan.json",
                    "--baseline",
                    baseline,
                    "-I",
                    "{compliance.min: 0}",
                    flag,
                ],
                code,
            )
        };
        flag("--fail-on-new=critical", 0);
        let ran = flag("--fail-on-new=high", 1);
        assert!(
            ran.stdout
                .contains("new-high-max: new.high.max: 1 high control newly failing"),
            "{}",
            ran.stdout
        );
        flag("--fail-on-new", 1);
        // Without the later scan's changes, nothing is new.
        exits(
            dir,
            &[
                "check",
                "-i",
                "earlier.json",
                "--baseline",
                "earlier.json",
                "-I",
                "{compliance.min: 0}",
                "--fail-on-new",
            ],
            0,
        );
    }
}

#[test]
fn gating_on_change_without_a_baseline_is_an_error() {
    let dir = workspace();
    let dir = dir.path();
    let ran = exits(
        dir,
        &["check", "-i", "scan.json", "-I", "{new.total.max: 0}"],
        2,
    );
    assert_eq!(
        ran.stderr,
        "error: <inline>: new.total.max counts new failures, which needs something to compare with: \
         add --baseline FILE (a baseline file, a JSON report or earlier results)\n"
    );
    assert!(ran.stdout.is_empty());
    std::fs::write(
        dir.join("t.yml"),
        "new:\n  high:\n    max: 0\n  total: {max: 2}\n",
    )
    .unwrap();
    let ran = exits(dir, &["check", "-i", "scan.json", "-T", "t.yml"], 2);
    assert!(
        ran.stderr
            .starts_with("error: t.yml: new.total.max and new.high.max count new failures"),
        "{}",
        ran.stderr
    );
    let ran = exits(dir, &["check", "-i", "scan.json", "--fail-on-new"], 2);
    assert!(ran.stderr.contains("--baseline <FILE>"), "{}", ran.stderr);
    // A typo in a change rule is a threshold error like any other.
    let ran = exits(
        dir,
        &[
            "check",
            "-i",
            "scan.json",
            "--baseline",
            "baseline.json",
            "-I",
            "{new.hihg.max: 0}",
        ],
        2,
    );
    assert_eq!(
        ran.stderr,
        "error: <inline>:1:2: new.hihg: unknown key; did you mean `new.high`?\n"
    );
}

#[test]
fn a_bad_baseline_is_one_line_naming_the_place() {
    let dir = workspace();
    let dir = dir.path();
    let text = std::fs::read_to_string(dir.join("baseline.json")).unwrap();
    std::fs::write(
        dir.join("edited.json"),
        text.replacen("\"failed\"", "\"passed\"", 1),
    )
    .unwrap();
    let ran = exits(
        dir,
        &["check", "-i", "scan.json", "--baseline", "edited.json"],
        2,
    );
    assert!(
        ran.stderr.starts_with("error: edited.json: ")
            && ran
                .stderr
                .contains(": at entries[0].status: unknown variant `passed`"),
        "{}",
        ran.stderr
    );
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(ran.stdout.is_empty(), "nothing is gated: {}", ran.stdout);
    let ran = exits(
        dir,
        &["check", "-i", "scan.json", "--baseline", "missing.json"],
        2,
    );
    assert!(
        ran.stderr
            .starts_with("error: missing.json: cannot read file"),
        "{}",
        ran.stderr
    );
    let ran = exits(
        dir,
        &["summary", "-i", "scan.json", "--baseline", "missing.json"],
        2,
    );
    assert!(
        ran.stderr
            .starts_with("error: missing.json: cannot read file"),
        "{}",
        ran.stderr
    );
}

#[test]
fn summary_prints_the_change_on_stderr_and_keeps_stdout() {
    let dir = workspace();
    let dir = dir.path();
    let plain = exits(dir, &["summary", "-i", "scan.json", "-f", "json"], 0);
    let against = exits(
        dir,
        &[
            "summary",
            "-i",
            "scan.json",
            "-f",
            "json",
            "--baseline",
            "baseline.json",
        ],
        0,
    );
    assert_eq!(plain.stdout, against.stdout);
    assert_eq!(
        against.stderr,
        "scan.json: against the baseline: 3 new (1 high, 2 medium), 107 still failing, 5 fixed, 0 gone\n"
    );
}

#[test]
fn baseline_create_writes_whole_files_and_refuses_unreadable_inputs() {
    let dir = workspace();
    let dir = dir.path();
    let ran = exits(dir, &["baseline", "create", "-i", "scan.json"], 0);
    let created: Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(created["kind"], "scangate-baseline");
    assert_eq!(created["entries"].as_array().unwrap().len(), 112 - 5 + 3);
    let schema: Value =
        serde_json::from_str(&exits(dir, &["baseline", "schema"], 0).stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&created));

    let ran = exits(
        dir,
        &[
            "baseline",
            "create",
            "-i",
            "scan.json",
            "missing.json",
            "-o",
            "new.json",
        ],
        2,
    );
    assert!(
        ran.stderr.contains("missing.json: cannot read file"),
        "{}",
        ran.stderr
    );
    assert!(
        !dir.join("new.json").exists(),
        "no baseline that lacks an input"
    );
    let ran = exits(
        dir,
        &["baseline", "create", "-i", "scan.json", "-o", "new.json"],
        0,
    );
    assert_eq!(
        ran.stderr,
        "wrote new.json: 110 failing controls of 1 input\n"
    );
}

#[test]
fn other_profiles_and_other_inputs_are_warned_about_and_all_new() {
    let dir = workspace();
    let dir = dir.path();
    std::fs::copy(fixture("results/red_hat_good.json"), dir.join("rhel7.json")).unwrap();
    let ran = exits(
        dir,
        &[
            "check",
            "-i",
            "scan.json",
            "--baseline",
            "rhel7.json",
            "-I",
            "{compliance.min: 0}",
            "--fail-on-new",
            "-q",
        ],
        1,
    );
    assert_eq!(
        ran.stderr,
        "warning: rhel7.json has no results of profile `redhat-enterprise-linux-8-stig-baseline` for scan.json \
         (it has `Red Hat Enterprise Linux 7 STIG`); their failing controls all count as new\n"
    );
    assert!(ran.stdout.contains("110 new, 0 fixed"), "{}", ran.stdout);

    // Two inputs in the baseline, one of them in this run under another name.
    exits(
        dir,
        &[
            "baseline",
            "create",
            "-i",
            "scan.json",
            "rhel7.json",
            "-o",
            "two.json",
        ],
        0,
    );
    std::fs::copy(dir.join("scan.json"), dir.join("renamed.json")).unwrap();
    let ran = exits(
        dir,
        &[
            "check",
            "-i",
            "renamed.json",
            "--baseline",
            "two.json",
            "-I",
            "{new.total.max: 0}",
            "-q",
        ],
        1,
    );
    assert_eq!(
        ran.stderr,
        "warning: two.json has no input renamed.json (it has `scan.json`, `rhel7.json`); all 110 failing \
         controls of renamed.json count as new (inputs match by path, or by namespace, workload and container)\n\
         warning: two.json: no input of this run is scan.json, rhel7.json: its failing controls were not compared\n"
    );
}

/// README's "Gating change" example: its commands, run here, print what README shows.
#[test]
fn readme_gating_change_example() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let (earlier, later) = scans();
    write(dir, "scan.json", &earlier);
    let created = exits(
        dir,
        &[
            "baseline",
            "create",
            "-i",
            "scan.json",
            "-o",
            "baseline.json",
        ],
        0,
    );
    write(dir, "scan.json", &later);
    let ran = exits(
        dir,
        &[
            "check",
            "-i",
            "scan.json",
            "--baseline",
            "baseline.json",
            "-I",
            "{compliance.min: 60}",
            "--fail-on-new=high",
            "--report",
            "markdown=scangate.md",
        ],
        1,
    );
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let block = |marker: &str| -> String {
        let start = readme
            .find(&format!("<!-- {marker} -->"))
            .unwrap_or_else(|| panic!("README has no <!-- {marker} --> block"));
        let rest = &readme[start..];
        let body = rest.split_once("```text\n").unwrap().1;
        body.split_once("```\n").unwrap().0.to_owned()
    };
    let output = format!("{}{}", created.stderr, ran.stdout);
    assert_eq!(
        block("gating-change-output"),
        output,
        "README's gate output is stale:\n{output}"
    );
    let markdown = std::fs::read_to_string(dir.join("scangate.md")).unwrap();
    let head: String = markdown
        .lines()
        .take_while(|l| !l.starts_with("<details>"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        block("gating-change-markdown"),
        head,
        "README's Markdown is stale:\n{head}"
    );
}

/// The committed baselines in `fixtures/baselines/` are what `baseline create` writes today
/// (but for the version that wrote them): the format does not drift unnoticed, and the fuzz
/// target's seeds stay valid.
#[test]
fn committed_baselines_are_recreated_byte_for_byte() {
    let dir = fixture("baselines");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".baseline.json") else {
            continue;
        };
        let input = format!("fixtures/results/{stem}.json");
        let ran = crate::common::run_exits(&["baseline", "create", "-i", &input], 0);
        let committed = std::fs::read_to_string(&path).unwrap();
        let version = |text: &str| {
            let v: Value = serde_json::from_str(text).unwrap();
            v["tool"]["version"].as_str().unwrap().to_owned()
        };
        let ours = ran.stdout.replace(
            &format!("\"version\": \"{}\"", version(&ran.stdout)),
            &format!("\"version\": \"{}\"", version(&committed)),
        );
        assert_eq!(ours, committed, "{name}");
        checked += 1;
    }
    assert_eq!(checked, 4);
    // The committed JSON report is a baseline too, of the results it was written from.
    let ran = crate::common::run_exits(
        &[
            "check",
            "-i",
            "fixtures/results/rhel8_sample_oneOfEachControlStatus.json",
            "--baseline",
            "fixtures/baselines/rhel8_sample_oneOfEachControlStatus.report.json",
            "-I",
            "{compliance.min: 0}",
            "--fail-on-new",
            "-q",
        ],
        0,
    );
    assert!(ran.stdout.contains("0 new, 0 fixed"), "{}", ran.stdout);
}

/// A baseline is as hostile as the scans it came from: what its errors and warnings quote
/// reaches the terminal without escape sequences.
#[test]
fn hostile_baselines_reach_the_terminal_inert() {
    let dir = workspace();
    let dir = dir.path();
    let esc = "\u{1b}]0;pwned\u{7}\u{1b}[31m";
    let report = serde_json::json!({
        "schema_version": 1, "tool": {"name": "scangate", "version": "0"},
        "inputs": [{"name": "scan.json", "origin": {"kind": "file", "path": "scan.json"},
            "profiles": [{"name": format!("other{esc}")}],
            "controls": [{"id": "C-1", "profile": "p", "status": format!("failed{esc}"),
                "severity": "high", "title": null}]}]
    });
    std::fs::write(dir.join("bad.json"), report.to_string()).unwrap();
    let ran = exits(
        dir,
        &["check", "-i", "scan.json", "--baseline", "bad.json"],
        2,
    );
    assert!(
        ran.stderr.contains("at inputs[0].controls[0].status"),
        "{}",
        ran.stderr
    );
    assert!(
        !ran.stderr.contains('\u{1b}') && !ran.stderr.contains('\u{7}'),
        "{:?}",
        ran.stderr
    );

    let mut report = report;
    report["inputs"][0]["controls"][0]["status"] = "failed".into();
    report["inputs"][0]["controls"][0]["profile"] = format!("other{esc}").into();
    std::fs::write(dir.join("other.json"), report.to_string()).unwrap();
    let ran = exits(
        dir,
        &["check", "-i", "scan.json", "--baseline", "other.json", "-q"],
        1,
    );
    assert!(
        ran.stderr
            .starts_with("warning: other.json has no results of profile"),
        "{}",
        ran.stderr
    );
    assert!(
        !ran.stderr.contains('\u{1b}') && !ran.stderr.contains('\u{7}'),
        "{:?}",
        ran.stderr
    );
}
