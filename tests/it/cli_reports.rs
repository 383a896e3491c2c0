//! `--report` and `--template` on the command line: files, streams, errors.

use crate::common;

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
    let names = common::file_names(&out);
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
        (
            "junit",
            "invalid value 'junit' for '--report <FORMAT=PATH>': expected FORMAT=PATH",
        ),
        (
            "pdf=out.pdf",
            "unknown report format `pdf`; expected one of markdown, junit, sarif, html, json, \
             codequality",
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

const RED_HAT_GOOD: &str = "fixtures/results/red_hat_good.json";

/// red_hat_good.json (which passes the default gate) with `tags` added to its first control,
/// written into `dir`.
fn with_tags(dir: &std::path::Path, name: &str, tags: &str) -> std::path::PathBuf {
    let good = std::fs::read_to_string(RED_HAT_GOOD).unwrap();
    let changed = good.replacen(r#""tags": {"#, &format!(r#""tags": {{{tags}, "#), 1);
    assert_ne!(changed, good);
    let path = dir.join(name);
    std::fs::write(&path, changed).unwrap();
    path
}

fn nested(depth: usize, inner: &str) -> String {
    format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth))
}

/// `check` with every report format into `dir/reports`: exit code, stderr (with `dir` as
/// `<dir>`), and the names of the reports written.
fn check_with_every_report(
    dir: &std::path::Path,
    input: &std::path::Path,
) -> (i32, String, Vec<String>) {
    let reports = dir.join("reports");
    let mut cmd = scangate();
    cmd.args(["check", "-q", "-i"]).arg(input);
    for format in ["markdown", "junit", "sarif", "html", "json", "codequality"] {
        cmd.arg("--report")
            .arg(format!("{format}={}", reports.join(format).display()));
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8(out.stderr)
        .unwrap()
        .replace(dir.to_str().unwrap(), "<dir>");
    let written = common::file_names(&reports);
    (out.status.code().unwrap(), stderr, written)
}

/// `--report codequality=PATH` on `check` and `summary`: GitLab's array of findings, a
/// fingerprint each, the same as in the SARIF log of the same run; `summary` gates nothing, so
/// it has the failing controls and no gate rules.
#[test]
fn codequality_reports_share_sarif_s_fingerprints() {
    let dir = tempfile::tempdir().unwrap();
    let (cq, sarif) = (dir.path().join("gl.json"), dir.path().join("s.sarif"));
    scangate()
        .args(["check", "-q", "-i", RHEL8, "--report"])
        .arg(format!("codequality={}", cq.display()))
        .arg("--report")
        .arg(format!("sarif={}", sarif.display()))
        .assert()
        .code(1);
    let read = |path: &std::path::Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    };
    let gated = read(&cq);
    let ours: std::collections::BTreeSet<&str> = gated
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let log = read(&sarif);
    let theirs: std::collections::BTreeSet<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(ours, theirs);
    assert!(gated[0]["check_name"] == "compliance-min" && gated[0]["severity"] == "blocker");

    let summary = dir.path().join("summary.json");
    scangate()
        .args(["summary", "-i", RHEL8, "--report"])
        .arg(format!("codequality={}", summary.display()))
        .assert()
        .success();
    let ungated = read(&summary);
    let ungated = ungated.as_array().unwrap();
    assert!(!ungated.is_empty());
    assert!(
        ungated
            .iter()
            .all(|f| f["check_name"].as_str().unwrap().starts_with("SV-"))
    );
    assert_eq!(
        ungated[..],
        gated.as_array().unwrap()[gated.as_array().unwrap().len() - ungated.len()..]
    );
}

/// An input that cannot be read is gated around (compat:errors-fail): every report is still
/// written, and each names the input among those that could not be read.
fn assert_reports_list_the_error(dir: &std::path::Path, written: &[String]) {
    assert_eq!(
        written,
        ["codequality", "html", "json", "junit", "markdown", "sarif"]
    );
    let reports = dir.join("reports");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reports.join("json")).unwrap()).unwrap();
    assert_eq!(json["errors"].as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!(json["passed"], false);
    let markdown = std::fs::read_to_string(reports.join("markdown")).unwrap();
    assert!(
        markdown.contains("Inputs that could not be read (1)"),
        "{markdown}"
    );
    let codequality: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reports.join("codequality")).unwrap()).unwrap();
    assert_eq!(
        codequality[0]["check_name"], "unreadable-input",
        "{codequality}"
    );
}

/// A tag value no strict JSON reader accepts used to pass the gate and then break the HTML
/// report (exit 2 naming neither file nor place) and leave a JSON report jq rejects. It is
/// now an input error, naming the tag, and the reports say so.
#[test]
fn a_lone_surrogate_in_a_tag_is_an_input_error_naming_the_tag() {
    let dir = tempfile::tempdir().unwrap();
    let input = with_tags(dir.path(), "surrogate.json", r#""x": "\ud800""#);
    let (code, stderr, written) = check_with_every_report(dir.path(), &input);
    assert_eq!(code, 2);
    assert_reports_list_the_error(dir.path(), &written);
    insta::assert_snapshot!(stderr);
}

#[test]
fn a_tag_nested_past_the_limit_is_an_input_error_naming_the_tag() {
    let dir = tempfile::tempdir().unwrap();
    let input = with_tags(
        dir.path(),
        "deep.json",
        &format!(r#""ok": [1], "deep": {}"#, nested(128, "")),
    );
    let (code, stderr, written) = check_with_every_report(dir.path(), &input);
    assert_eq!(code, 2);
    assert_reports_list_the_error(dir.path(), &written);
    insta::assert_snapshot!(stderr);
}

/// The same lone surrogate in an ordinary string field: rejected before, now said plainly.
#[test]
fn a_lone_surrogate_in_a_string_field_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(RED_HAT_GOOD).unwrap();
    let input = dir.path().join("code_desc.json");
    std::fs::write(
        &input,
        good.replacen(r#""code_desc": ""#, r#""code_desc": "\uDC00 and "#, 1),
    )
    .unwrap();
    let (code, stderr, written) = check_with_every_report(dir.path(), &input);
    assert_eq!(code, 2);
    assert_reports_list_the_error(dir.path(), &written);
    insta::assert_snapshot!(stderr);
}

/// Tag values at the depth limit, with every kind of scalar at their edges, render in every
/// format, and the JSON report holds them as they were.
#[test]
fn tags_at_the_limits_render_in_every_format() {
    let depth = scangate_results::MAX_OPAQUE_DEPTH;
    // `depth - 1` objects around an array of edge-case scalars: `depth` levels in all.
    let scalars =
        r#"["\ud83d\ude00 \u00e9 \u0000 <b>", 1.7976931348623157e308, -0, 1e-400, true, null]"#;
    let deep_object = format!(
        "{}{scalars}{}",
        r#"{"k": "#.repeat(depth - 1),
        "}".repeat(depth - 1)
    );
    let tags = [
        ("arrays", nested(depth, "\"bottom\"")),
        ("objects", deep_object),
        ("pair", r#""\uD83D\uDE00""#.to_owned()),
        ("big", "123456789012345678901234567890".to_owned()),
    ];
    let text: Vec<String> = tags.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
    let dir = tempfile::tempdir().unwrap();
    let input = with_tags(dir.path(), "limits.json", &text.join(", "));
    let (code, stderr, written) = check_with_every_report(dir.path(), &input);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(
        written,
        ["codequality", "html", "json", "junit", "markdown", "sarif"]
    );

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("reports/json")).unwrap())
            .expect("the JSON report is strict JSON");
    let shown = &report["inputs"][0]["controls"][0]["tags"];
    for (name, value) in &tags {
        let expected: serde_json::Value = serde_json::from_str(value).unwrap();
        let found = shown
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == *name)
            .unwrap_or_else(|| panic!("tag {name} missing: {shown}"));
        assert_eq!(found["value"], expected, "{name}");
    }
    let html = std::fs::read_to_string(dir.path().join("reports/html")).unwrap();
    assert!(html.contains("<dt>arrays</dt>"), "tags not shown");
}

/// A report on stdout read only in part (`... --report json=- | head -c 100`): the closed
/// pipe is the reader's choice, not an error, so the exit code is still the gate's.
#[test]
fn a_report_piped_into_a_reader_that_stops_early_keeps_the_gates_exit_code() {
    use std::io::Read;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_scangate"))
        .args([
            "check",
            "-q",
            "-i",
            "fixtures/results/rhel-8_hardened.json",
            "--report",
            "json=-",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // stdout is dropped here: the next write past the pipe's buffer fails with EPIPE.
    let out = child.wait_with_output().unwrap();
    assert!(head.starts_with(b"{"));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The verdict moved to stderr (stdout carries the report); no error beside it.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("FAIL  "), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}
