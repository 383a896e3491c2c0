//! One unreadable input among several: the others are still gated (or summarised), the
//! unreadable ones are errors on stderr and in every report, and the run exits 2
//! (compat:errors-fail).

use crate::common;

use std::path::{Path, PathBuf};

use common::scangate;

const GOOD: &str = "fixtures/results/red_hat_good.json";
const RHEL8: &str = "fixtures/results/rhel-8_hardened.json";

/// A missing file, a truncated copy of a real fixture, and a copy whose first result status
/// is markup: three kinds of input that cannot be gated.
struct Broken {
    dir: tempfile::TempDir,
}

impl Broken {
    fn new() -> Broken {
        let dir = tempfile::tempdir().unwrap();
        let good = std::fs::read_to_string(common::root().join(GOOD)).unwrap();
        std::fs::write(dir.path().join("truncated.json"), &good[..good.len() / 3]).unwrap();
        let hostile = good.replacen(
            r#""status": "passed","#,
            r#""status": "<b>|`PASSED`</b> & \u001b[31m","#,
            1,
        );
        assert_ne!(hostile, good);
        std::fs::write(dir.path().join("hostile.json"), hostile).unwrap();
        Broken { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn missing(&self) -> PathBuf {
        self.path("missing.json")
    }

    fn truncated(&self) -> PathBuf {
        self.path("truncated.json")
    }

    fn hostile(&self) -> PathBuf {
        self.path("hostile.json")
    }

    /// `text` with the temporary directory written `<dir>`, as the repository's snapshots do.
    fn redact(&self, text: &str) -> String {
        text.replace(self.dir.path().to_str().unwrap(), "<dir>")
    }
}

fn transcript(broken: &Broken, out: &std::process::Output) -> String {
    broken.redact(&format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_readable_inputs_are_gated_and_every_report_lists_the_others() {
    let broken = Broken::new();
    let out_dir = broken.path("out");
    let mut cmd = scangate();
    cmd.args(["check", "-q", "-i", GOOD])
        .arg(broken.missing())
        .arg(RHEL8)
        .arg(broken.truncated())
        .arg(broken.hostile());
    for (format, file) in [
        ("markdown", "summary.md"),
        ("junit", "junit.xml"),
        ("sarif", "scangate.sarif"),
        ("html", "report.html"),
        ("json", "report.json"),
        ("codequality", "gl-code-quality-report.json"),
    ] {
        cmd.arg("--report")
            .arg(format!("{format}={}", out_dir.join(file).display()));
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&broken, &out));
    insta::assert_snapshot!(transcript(&broken, &out));

    // Every report is there, whole: no temporary file is left beside them.
    let names = common::file_names(&out_dir);
    assert_eq!(
        names,
        [
            "gl-code-quality-report.json",
            "junit.xml",
            "report.html",
            "report.json",
            "scangate.sarif",
            "summary.md"
        ]
    );
    let expected = |name: &str| {
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let path = broken.path(name).display().to_string();
        let line = stderr
            .lines()
            .find_map(|l| l.strip_prefix(&format!("error: {path}: ")))
            .unwrap_or_else(|| panic!("no error line for {name} in {stderr}"))
            .to_owned();
        (path, line)
    };
    let errors = [
        expected("missing.json"),
        expected("truncated.json"),
        expected("hostile.json"),
    ];
    let hostile_message = &errors[2].1;
    assert!(
        hostile_message.contains(r#"found "<b>|`PASSED`</b> & \u{1b}[31m""#),
        "{hostile_message}"
    );

    // JSON: valid against the published schema, with an `errors` entry per unreadable input.
    let schema_out = scangate().args(["report", "schema"]).output().unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&schema_out.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let json: serde_json::Value =
        serde_json::from_str(&read(&out_dir.join("report.json"))).unwrap();
    let problems: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .take(5)
        .collect();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(json["passed"], false);
    assert_eq!(json["inputs"].as_array().unwrap().len(), 2);
    let listed: Vec<(String, String)> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["origin"]["kind"], "file");
            assert_eq!(e["origin"]["path"], e["name"]);
            (
                e["name"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(listed, errors);

    // SARIF: an error notification per unreadable input, and the run did not succeed.
    let sarif: serde_json::Value =
        serde_json::from_str(&read(&out_dir.join("scangate.sarif"))).unwrap();
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notifications = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 3);
    for (n, (path, message)) in notifications.iter().zip(&errors) {
        assert_eq!(n["level"], "error");
        assert_eq!(n["descriptor"]["id"], "unreadable-input");
        let text = n["message"]["text"].as_str().unwrap();
        assert!(text.contains(path.as_str()), "{text}");
        if path.ends_with("hostile.json") {
            // The escape character is made visible, not passed on.
            assert!(
                text.contains(r#"found "<b>|`PASSED`</b> & \u{1b}[31m""#),
                "{text}"
            );
            assert!(!text.contains('\u{1b}'));
        } else {
            assert!(text.ends_with(message.as_str()), "{text}");
        }
    }

    // Code Quality: a blocker per unreadable input, first, so that the MR widget shows it.
    let codequality: serde_json::Value =
        serde_json::from_str(&read(&out_dir.join("gl-code-quality-report.json"))).unwrap();
    let findings = codequality.as_array().unwrap();
    for (finding, (path, _)) in findings.iter().zip(&errors) {
        assert_eq!(finding["check_name"], "unreadable-input");
        assert_eq!(finding["severity"], "blocker");
        let text = finding["description"].as_str().unwrap();
        assert!(text.contains(path.as_str()), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
    }
    assert_eq!(
        findings
            .iter()
            .filter(|f| f["check_name"] == "unreadable-input")
            .count(),
        3
    );

    // JUnit: a testcase per unreadable input with an <error> carrying the message.
    let xml = read(&out_dir.join("junit.xml"));
    assert!(
        xml.contains("&lt;b&gt;|`PASSED`&lt;/b&gt; &amp; "),
        "not escaped"
    );
    let junit = quick_junit::Report::deserialize_from_str(&xml).expect("valid JUnit");
    let suite = junit
        .test_suites
        .iter()
        .find(|s| s.name.as_str() == "scangate-inputs")
        .expect("the unreadable inputs' suite");
    assert_eq!(suite.test_cases.len(), 3);
    for (case, (path, message)) in suite.test_cases.iter().zip(&errors) {
        assert_eq!(case.name.as_str(), path);
        match &case.status {
            quick_junit::TestCaseStatus::NonSuccess {
                kind: quick_junit::NonSuccessKind::Error,
                message: Some(m),
                ty: Some(ty),
                ..
            } => {
                assert_eq!(ty.as_str(), "unreadable-input");
                assert_eq!(m.as_str(), message);
            }
            other => panic!("{path}: {other:?}"),
        }
    }

    // Markdown and HTML: the section near the top, with the message escaped.
    let markdown = read(&out_dir.join("summary.md"));
    assert!(markdown.starts_with("# ⛔ scangate: 3 of 5 inputs could not be read\n"));
    let section = markdown
        .find("## ⛔ Inputs that could not be read (3)")
        .unwrap();
    assert!(section < markdown.find("## Summary").unwrap());
    assert!(
        markdown.contains(r#"found "\<b\>\|\`PASSED\`\</b\> &amp; \\u{1b}\[31m""#),
        "not escaped: {markdown}"
    );
    assert!(markdown.contains("truncated.json | "));
    let html = read(&out_dir.join("report.html"));
    let section = html
        .find("Inputs that could not be read")
        .expect("the section");
    assert!(section < html.find("<section class=\"input\"").unwrap());
    assert!(html.contains(r#"found "&lt;b&gt;|`PASSED`&lt;/b&gt; &amp; \u{1b}[31m""#));
    assert!(!html.contains("<b>|"));
}

#[test]
fn an_unreadable_input_fails_the_run_even_when_every_other_one_passes() {
    let broken = Broken::new();
    let out = scangate()
        .args(["check", "-q", "-I", "{compliance.min: 0}", "-i", GOOD])
        .arg(broken.missing())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        broken.redact(&String::from_utf8(out.stdout).unwrap()),
        "PASS  fixtures/results/red_hat_good.json: 1 of 1 rules passed (compliance 96%)\n\
         ERROR <dir>/missing.json: cannot read file: No such file or directory (os error 2)\n\
         ERROR 1 of 2 inputs could not be read; the other input passed the gate\n"
    );
    assert_eq!(
        broken.redact(&String::from_utf8(out.stderr).unwrap()),
        "error: <dir>/missing.json: cannot read file: No such file or directory (os error 2)\n"
    );
}

#[test]
fn with_a_report_on_stdout_the_error_lines_join_the_verdict_on_stderr() {
    let broken = Broken::new();
    let out = scangate()
        .args(["check", "-q", "--report", "json=-", "-i", RHEL8])
        .arg(broken.truncated())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is exactly the JSON report");
    assert_eq!(json["errors"].as_array().unwrap().len(), 1);
    let stderr = broken.redact(&String::from_utf8(out.stderr).unwrap());
    assert!(
        stderr.starts_with("error: <dir>/truncated.json: "),
        "{stderr}"
    );
    assert!(
        stderr.contains("\nFAIL  fixtures/results/rhel-8_hardened.json: ")
            && stderr.contains("\nERROR <dir>/truncated.json: ")
            && stderr.ends_with(
                "\nERROR 1 of 2 inputs could not be read; the other input failed the gate\n"
            ),
        "{stderr}"
    );
}

#[test]
fn nothing_readable_prints_no_verdict_but_writes_the_reports_and_exits_2() {
    let broken = Broken::new();
    let report = broken.path("report.json");
    let out = scangate()
        .args(["check", "-q", "-i"])
        .arg(broken.missing())
        .arg(broken.truncated())
        .arg("--report")
        .arg(format!("json={}", report.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // No verdict without a readable input: stderr has the errors, as for a single bad input.
    assert!(out.stdout.is_empty());
    let stderr = broken.redact(&String::from_utf8(out.stderr).unwrap());
    assert!(
        stderr.starts_with(
            "error: <dir>/missing.json: cannot read file: No such file or directory (os error 2)\n\
             error: <dir>/truncated.json: "
        ) && stderr.lines().count() == 2,
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_str(&read(&report)).unwrap();
    assert_eq!(json["passed"], false);
    assert_eq!(json["inputs"], serde_json::json!([]));
    assert_eq!(json["errors"].as_array().unwrap().len(), 2);
}

/// `summary` does as `check`: what can be read is summarised, the rest are errors, exit 2.
#[test]
fn summary_summarises_the_readable_inputs_and_lists_the_others() {
    let broken = Broken::new();
    let md = broken.path("summary.md");
    let out = scangate()
        .args(["summary", "-f", "json", "-i", GOOD])
        .arg(broken.missing())
        .arg(broken.hostile())
        .arg("--report")
        .arg(format!("markdown={}", md.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        summary[0]["resultSets"],
        serde_json::json!(["red_hat_good.json"])
    );
    let stderr = broken.redact(&String::from_utf8(out.stderr).unwrap());
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(stderr.starts_with(
        "error: <dir>/missing.json: cannot read file: No such file or directory (os error 2)\n\
         error: <dir>/hostile.json: "
    ));
    let markdown = read(&md);
    assert!(markdown.starts_with("# ⛔ scangate: 2 of 3 inputs could not be read\n"));
    assert!(markdown.contains("## ⛔ Inputs that could not be read (2)"));
}
