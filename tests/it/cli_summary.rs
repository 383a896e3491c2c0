//! `scangate summary` as a user runs it: formats, files, streams and exit codes.

use crate::common;

use common::{fixture, scangate};
use predicates::prelude::*;

const RHEL8: &str = "fixtures/results/rhel-8_hardened.json";

fn stdout_of(args: &[&str]) -> String {
    let out = scangate().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{args:?}: stderr {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn markdown_is_byte_identical_to_safs() {
    let ours = stdout_of(&["summary", "-i", RHEL8, "-f", "markdown", "--no-title"]);
    let saf = std::fs::read_to_string(fixture(
        "saf-1.5.3/upstream-expected/rhel-8_hardened_output.md",
    ))
    .unwrap();
    assert_eq!(ours, saf);
}

#[test]
fn markdown_with_titles_for_several_profiles() {
    let ours = stdout_of(&[
        "summary",
        "-i",
        RHEL8,
        "fixtures/results/synthetic/multi_profile_independent.json",
        "-f",
        "markdown",
    ]);
    insta::assert_snapshot!(ours);
}

#[test]
fn table_is_the_default_and_has_no_colour_off_a_terminal() {
    let ours = stdout_of(&[
        "summary",
        "-i",
        RHEL8,
        "fixtures/results/triple_overlay_profile_sample.json",
    ]);
    assert!(!ours.contains('\u{1b}'), "colour escape on a pipe");
    insta::assert_snapshot!(ours);
}

#[test]
fn colour_is_forced_with_color_always_and_never_with_no_color() {
    let coloured = stdout_of(&["--color", "always", "summary", "-i", RHEL8]);
    assert!(
        coloured.contains("\u{1b}["),
        "no colour with --color always"
    );
    let out = scangate()
        .env("NO_COLOR", "1")
        .args(["summary", "-i", RHEL8])
        .output()
        .unwrap();
    assert!(!String::from_utf8(out.stdout).unwrap().contains('\u{1b}'));
}

#[test]
fn yaml_keeps_safs_structure() {
    let ours = stdout_of(&["summary", "-i", RHEL8, "-f", "yaml"]);
    let saf = std::fs::read_to_string(fixture(
        "saf-1.5.3/upstream-expected/rhel-8_hardened_output.yml",
    ))
    .unwrap();
    // compat:totals-count-all adds `none: 0` under the four statuses saf has no none bucket for; nothing else differs.
    let without_none: String = ours
        .lines()
        .enumerate()
        .filter(|&(i, l)| l.trim() != "none: 0" || is_no_impact(&ours, i))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    assert_eq!(without_none, saf);
}

/// Whether line `i` lies in the `no_impact:` block.
fn is_no_impact(yaml: &str, i: usize) -> bool {
    yaml.lines()
        .take(i)
        .filter(|l| l.starts_with("  ") && !l.starts_with("    ") && l.trim_end().ends_with(':'))
        .last()
        .is_some_and(|l| l.trim() == "no_impact:")
}

#[test]
fn several_files_of_one_profile_are_summed_and_compliance_averaged() {
    let ours = stdout_of(&["summary", "-f", "json", "-i", RHEL8, "-i", RHEL8]);
    let v: serde_json::Value = serde_json::from_str(&ours).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(
        v[0]["resultSets"],
        serde_json::json!(["rhel-8_hardened.json", "rhel-8_hardened.json"])
    );
    assert_eq!(v[0]["passed"]["total"], 454);
    assert_eq!(v[0]["compliance"], 66);
}

#[test]
fn output_file_is_written_whole_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("summary.json");
    scangate()
        .args(["summary", "-i", RHEL8, "-f", "json", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stdout("")
        .stderr("");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v[0]["compliance"], 66);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "a temporary file was left behind");
}

#[test]
fn a_failing_write_is_an_error_and_leaves_nothing() {
    scangate()
        .args([
            "summary",
            "-i",
            RHEL8,
            "-o",
            "/nonexistent-dir/summary.json",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "error: cannot create a temporary file in /nonexistent-dir",
        ));
}

#[test]
fn a_missing_file_exits_2_naming_it() {
    scangate()
        .args(["summary", "-i", "no-such-file.json"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "error: no-such-file.json: cannot read file: No such file or directory (os error 2)\n",
        );
}

/// Every bad input is an error line and the run exits 2; the good ones are still summarised,
/// so one broken file among many hides nothing.
#[test]
fn every_bad_input_is_reported_and_the_others_are_summarised() {
    let out = scangate()
        .args([
            "summary",
            "-f",
            "json",
            "-i",
            "fixtures/results/synthetic/empty.json",
            RHEL8,
            "fixtures/results/synthetic/bad_impact_string.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let alone = stdout_of(&["summary", "-f", "json", "-i", RHEL8]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), alone);
    insta::assert_snapshot!(String::from_utf8(out.stderr).unwrap());
}

/// Syntax errors name the place, the JSON path, what was expected and what stood there, also
/// inside a control (parsed on its own in the second pass) and for bytes that are not text.
#[test]
fn syntax_errors_say_what_was_found_where() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(RHEL8).unwrap();
    let damaged = [
        // A stray word after a result's `code_desc`, deep inside the controls.
        (
            "stray_word.json",
            good.replacen(r#""status": "failed","#, r#""status": "failed" oops,"#, 1),
        ),
        // A bare word where a value belongs.
        (
            "bare_word.json",
            good.replacen(r#""profiles": ["#, r#""profiles": nope, "x": ["#, 1),
        ),
        // Binary garbage.
        ("binary.json", "\u{1}\u{2}{}".to_owned()),
        // Cut off in the middle.
        ("truncated.json", good[..good.len() / 3].to_owned()),
    ];
    assert!(damaged.iter().all(|(_, text)| text != &good));
    let mut args = vec!["summary".to_owned(), "-i".to_owned()];
    for (name, text) in &damaged {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        args.push(path.to_str().unwrap().to_owned());
    }
    let out = scangate().args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr)
        .unwrap()
        .replace(dir.path().to_str().unwrap(), "<dir>");
    insta::assert_snapshot!(stderr);
}

/// A results file with 100,000 nested arrays at `attributes` or `tags`.
fn deep_file(dir: &std::path::Path, attributes: &str, tags: &str) -> std::path::PathBuf {
    let path = dir.join("deep.json");
    let body = format!(
        r#"{{"platform":{{"name":"x","release":"1"}},"statistics":{{}},"version":"1","profiles":[{{"name":"p","sha256":"0","supports":[],"attributes":[{attributes}],"groups":[],"controls":[{{"id":"C","impact":0.5,"refs":[],"source_location":{{}},"results":[],"tags":{tags}}}]}}]}}"#
    );
    std::fs::write(&path, body).unwrap();
    path
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn deep_nesting_where_a_value_is_expected_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = deep_file(
        dir.path(),
        "",
        &format!(
            r#"{{"severity":"high","nist":{{"x":{}}}}}"#,
            nested(100_000)
        ),
    );
    let body = std::fs::read_to_string(&path).unwrap().replace(
        r#""impact":0.5"#,
        &format!(r#""impact":{}"#, nested(100_000)),
    );
    std::fs::write(&path, body).unwrap();
    let out = scangate()
        .args(["summary", "-i"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("at profiles[0].controls[0].impact: expected a number, found an array"),
        "{stderr}"
    );
}

#[test]
fn deep_nesting_in_ignored_values_is_skipped_without_recursion() {
    // serde_json skips values iteratively, so depth that would overflow a recursive walker
    // costs nothing here.
    let dir = tempfile::tempdir().unwrap();
    let path = deep_file(
        dir.path(),
        &format!(r#"{{"x":{}}}"#, nested(100_000)),
        r#"{"shallow":[[1]]}"#,
    );
    scangate()
        .args(["summary", "-f", "json", "-i"])
        .arg(&path)
        .assert()
        .success();
}

#[test]
fn deep_nesting_in_a_tag_is_an_error_found_without_recursion() {
    // Tags are kept as raw text and shown in reports, so their depth is checked when the file
    // is read, by a walk that gives up at the limit rather than recursing 100,000 levels.
    let dir = tempfile::tempdir().unwrap();
    let path = deep_file(
        dir.path(),
        "",
        &format!(r#"{{"deep":{}}}"#, nested(100_000)),
    );
    scangate()
        .args(["summary", "-f", "json", "-i"])
        .arg(&path)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "at profiles[0].controls[0].tags.deep: nested more than 32 levels deep",
        ));
}

#[test]
fn unknown_format_is_a_usage_error() {
    scangate()
        .args(["summary", "-i", RHEL8, "-f", "xml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'xml'"));
}

#[test]
fn help_texts() {
    for args in [vec!["--help"], vec!["summary", "--help"]] {
        let out = stdout_of(&args);
        insta::assert_snapshot!(format!("help__{}", args.join("_").replace('-', "")), out);
    }
}

#[test]
fn pretty_indents_json_by_two_spaces_and_changes_nothing_else() {
    let compact = stdout_of(&["summary", "-i", RHEL8, "-f", "json"]);
    let pretty = stdout_of(&["summary", "-i", RHEL8, "-f", "json", "--pretty"]);
    // The same tokens in the same order: only line breaks, indentation and the space after
    // each colon are added (no string here holds `": "`).
    let joined: String = pretty
        .lines()
        .map(|l| l.trim_start().replace("\": ", "\":"))
        .collect();
    assert_eq!(format!("{joined}\n"), compact);
    assert!(
        pretty.starts_with("[\n  {\n    \"profileName\": "),
        "{pretty}"
    );
    // Only JSON has an indentation to choose.
    assert_eq!(
        stdout_of(&["summary", "-i", RHEL8, "-f", "yaml", "--pretty"]),
        stdout_of(&["summary", "-i", RHEL8, "-f", "yaml"])
    );
}

#[test]
fn tee_writes_the_file_and_prints_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("summary.md");
    let printed = scangate()
        .args(["summary", "-i", RHEL8, "-f", "markdown", "--tee", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(printed.status.success());
    assert!(printed.stderr.is_empty());
    assert_eq!(printed.stdout, std::fs::read(&out).unwrap());
    assert_eq!(
        String::from_utf8(printed.stdout).unwrap(),
        stdout_of(&["summary", "-i", RHEL8, "-f", "markdown"])
    );
}

#[test]
fn tee_without_an_output_file_is_a_usage_error() {
    scangate()
        .args(["summary", "-i", RHEL8, "--tee"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--output <FILE>"));
}
