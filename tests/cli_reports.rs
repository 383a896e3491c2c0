//! `--report` and `--template` on the command line: files, streams, errors.

mod common;

use common::scangate;
use predicates::prelude::*;

const RHEL8: &str = "fixtures/results/rhel-8_hardened.json";

#[test]
fn every_format_in_one_run_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut cmd = scangate();
    cmd.args(["check", "-q", "-i", RHEL8]);
    for (format, file) in [
        ("markdown", "summary.md"),
        ("junit", "junit.xml"),
        ("json", "verdict.json"),
    ] {
        cmd.arg("--report")
            .arg(format!("{format}={}", out.join(file).display()));
    }
    cmd.assert().code(1).stderr("");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["junit.xml", "summary.md", "verdict.json"],
        "temporary files left behind?"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("verdict.json")).unwrap()).unwrap();
    assert_eq!(json["passed"], false);
    assert_eq!(json["threshold"], "thresholds/default.yml (built in)");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("junit.xml"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o644);
    }
}

#[test]
fn a_report_on_stdout_moves_the_verdict_to_stderr() {
    let out = scangate()
        .args(["check", "-i", RHEL8, "--report", "json=-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is exactly the JSON report");
    assert_eq!(json["schema_version"], 1);
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("FAIL  fixtures/results/rhel-8_hardened.json")
    );
}

#[test]
fn summary_writes_reports_too() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("s.md");
    scangate()
        .args(["summary", "-i", RHEL8, "-f", "json", "--report"])
        .arg(format!("markdown={}", md.display()))
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(md)
            .unwrap()
            .starts_with("# 📋 scangate: summary\n")
    );
}

#[test]
fn a_failing_report_write_is_an_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a directory").unwrap();
    scangate()
        .args(["check", "-q", "-i", RHEL8, "--report"])
        .arg(format!("junit={}/sub/junit.xml", blocker.display()))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--report junit: cannot create"));
}

#[test]
fn bad_report_specs_are_usage_errors_before_inputs_are_read() {
    for (spec, message) in [
        ("junit", "--report junit: expected FORMAT=PATH"),
        (
            "pdf=out.pdf",
            "unknown report format `pdf`; expected one of markdown, junit, sarif, html, json",
        ),
        ("junit=", "no path after `=`"),
    ] {
        scangate()
            .args(["check", "-i", "no-such-input.json", "--report", spec])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
    scangate()
        .args([
            "check", "-i", RHEL8, "--report", "json=-", "--report", "junit=-",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("only one report can go to stdout"));
}

#[test]
fn a_user_template_renders_the_documented_context() {
    let out = scangate()
        .args([
            "check",
            "-q",
            "-i",
            "fixtures/results/triple_overlay_profile_sample.json",
            "--report",
            "markdown=-",
            "--template",
            "markdown=tests/templates/summary.md.hbs",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn an_unknown_template_variable_is_an_error_naming_it() {
    let out = scangate()
        .args([
            "check",
            "-q",
            "-i",
            RHEL8,
            "--report",
            "markdown=-",
            "--template",
            "markdown=tests/templates/unknown-variable.md.hbs",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("complience"), "{stderr}");
    assert!(out.stdout.is_empty(), "half a report on stdout");
}

#[test]
fn a_template_needs_its_report_and_a_supported_format() {
    scangate()
        .args([
            "check",
            "-i",
            RHEL8,
            "--template",
            "markdown=tests/templates/summary.md.hbs",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no --report markdown=PATH to render it into",
        ));
    scangate()
        .args([
            "check",
            "-i",
            RHEL8,
            "--report",
            "junit=-",
            "--template",
            "junit=tests/templates/summary.md.hbs",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "templates replace the markdown or html report, not junit",
        ));
}

#[test]
fn report_schema_is_printed() {
    let out = scangate().args(["report", "schema"]).output().unwrap();
    assert!(out.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["title"], "scangate report");
    assert!(schema["properties"]["schema_version"].is_object());
}
