//! `scangate saf ...` and the binary run as `saf`: each saf command line writes what the native
//! command it names writes (stdout, files, exit code), and the name it prints on stderr is that
//! command, pasteable.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::root;
use predicates::prelude::*;

const NOTE: &str = "note: saf's command line; scangate's own is: ";

/// A fixture by absolute path, so runs in fresh directories name the same file.
fn fx(rel: &str) -> String {
    root().join(rel).to_str().unwrap().to_owned()
}

fn rhel8() -> String {
    fx("fixtures/results/rhel-8_hardened.json")
}

fn good() -> String {
    fx("fixtures/results/red_hat_good.json")
}

fn multi() -> String {
    fx("fixtures/results/synthetic/multi_profile_independent.json")
}

/// What one run left behind.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
    /// Every file in the run's (fresh, initially empty) working directory.
    files: BTreeMap<String, Vec<u8>>,
}

impl Run {
    /// The line after the note that names the native command starts with `prefix`.
    fn assert_after_the_note(&self, prefix: &str) {
        let line = self.stderr.lines().nth(1).unwrap_or_default();
        assert!(line.starts_with(prefix), "{}", self.stderr);
    }

    fn stdout(&self) -> &str {
        std::str::from_utf8(&self.stdout).unwrap()
    }
}

/// Runs `program args` in a fresh empty directory, so written files can be compared.
fn run_with(program: &Path, args: &[String]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(program)
        .args(args)
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    let files = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    Run {
        code: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8(out.stderr).unwrap(),
        files,
    }
}

fn scangate_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("scangate")
}

fn run(args: &[String]) -> Run {
    run_with(&scangate_bin(), args)
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|&a| a.to_owned()).collect()
}

/// The command the note on stderr names, split as a POSIX shell would split it.
fn noted_command(stderr: &str) -> Vec<String> {
    let notes: Vec<&str> = stderr.lines().filter(|l| l.starts_with("note:")).collect();
    assert_eq!(notes.len(), 1, "not exactly one note line: {stderr}");
    let line = notes[0].strip_prefix(NOTE).expect("the note's wording");
    shlex::split(line).unwrap_or_else(|| panic!("not a shell command line: {line}"))
}

/// Runs saf's command line through `program` and the native one: same exit code, stdout and
/// files; stderr is the note naming exactly `native` (pasted back through a shell split), then
/// the native command's own stderr. Running the noted command gives the same again.
fn assert_same_with(program: &Path, saf: &[String], native: &[&str]) -> Run {
    let ours = run_with(program, saf);
    let noted = noted_command(&ours.stderr);
    assert_eq!(noted[0], "scangate", "{saf:?}");
    assert_eq!(
        noted[1..],
        strings(native),
        "{saf:?}: the note names another command"
    );
    let theirs = run(&noted[1..]);
    assert_eq!(ours.code, theirs.code, "{saf:?}: exit code");
    assert_eq!(ours.stdout(), theirs.stdout(), "{saf:?}: stdout");
    assert_eq!(ours.files, theirs.files, "{saf:?}: written files");
    let note = ours.stderr.lines().next().unwrap();
    assert!(note.starts_with(NOTE), "{saf:?}: the note comes first");
    assert_eq!(
        ours.stderr,
        format!("{note}\n{}", theirs.stderr),
        "{saf:?}: stderr besides the note"
    );
    ours
}

/// `scangate saf <saf>` against `scangate <native>`.
fn assert_same(saf: &[&str], native: &[&str]) -> Run {
    let mut args = vec!["saf".to_owned()];
    args.extend(strings(saf));
    assert_same_with(&scangate_bin(), &args, native)
}

#[test]
fn summary_defaults_to_yaml_on_stdout() {
    let r = rhel8();
    let run = assert_same(&["summary", "-i", &r], &["summary", "-i", &r, "-f", "yaml"]);
    assert_eq!(run.code, Some(0));
    assert!(
        run.stdout()
            .starts_with("- profileName: redhat-enterprise-linux-8-stig-baseline\n")
    );
    assert!(run.files.is_empty());
    // saf's canonical name for the command.
    assert_same(
        &["view", "summary", "-i", &r],
        &["summary", "-i", &r, "-f", "yaml"],
    );
}

#[test]
fn summary_short_and_long_spellings() {
    let r = rhel8();
    let native = ["summary", "-i", &r, "-f", "json", "--pretty"];
    let run = assert_same(
        &[
            "summary", "-i", &r, "-f", "json", "-r", "-t", "-s", "-l", "debug",
        ],
        &native,
    );
    assert!(run.stdout().starts_with("[\n  {\n"), "{}", run.stdout());
    assert_same(
        &[
            "summary",
            "--input",
            &r,
            "--format",
            "json",
            "--print-pretty",
            "--title-table",
            "--stdout",
            "--logLevel",
            "debug",
        ],
        &native,
    );
    // oclif's `--flag=value`.
    assert_same(
        &["summary", &format!("--input={r}"), "--format=json"],
        &native,
    );
}

#[test]
fn summary_no_print_pretty_is_compact_json() {
    let r = rhel8();
    let run = assert_same(
        &["summary", "-i", &r, "-f", "json", "--no-print-pretty"],
        &["summary", "-i", &r, "-f", "json"],
    );
    assert_eq!(run.stdout().lines().count(), 1);
    // The last of a --flag/--no-flag pair wins, as in oclif, in either order.
    assert_same(
        &["summary", "-i", &r, "-f", "json", "--no-print-pretty", "-r"],
        &["summary", "-i", &r, "-f", "json", "--pretty"],
    );
    assert_same(
        &["summary", "-i", &r, "-f", "json", "-r", "--no-print-pretty"],
        &["summary", "-i", &r, "-f", "json"],
    );
}

#[test]
fn summary_markdown_with_and_without_titles() {
    let (r, m) = (rhel8(), multi());
    let run = assert_same(
        &["summary", "-i", &r, &m, "-f", "markdown"],
        &["summary", "-i", &r, &m, "-f", "markdown"],
    );
    assert!(run.stdout().starts_with("# "), "{}", run.stdout());
    let run = assert_same(
        &[
            "summary",
            "-i",
            &r,
            &m,
            "-f",
            "markdown",
            "--no-title-table",
        ],
        &["summary", "-i", &r, &m, "-f", "markdown", "--no-title"],
    );
    assert!(!run.stdout().contains("\n# "), "{}", run.stdout());
}

#[test]
fn summary_several_inputs_after_one_i_or_repeated() {
    let (g, r) = (good(), rhel8());
    let native = ["summary", "-i", &g, &r, "-f", "json", "--pretty"];
    let after_one = assert_same(&["summary", "-i", &g, &r, "-f", "json"], &native);
    let repeated = assert_same(&["summary", "-i", &g, "-i", &r, "-f", "json"], &native);
    assert_eq!(after_one.stdout, repeated.stdout);
    let v: serde_json::Value = serde_json::from_slice(&after_one.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
}

#[test]
fn summary_output_file_is_also_printed_unless_no_stdout() {
    let r = rhel8();
    let run = assert_same(
        &["summary", "-i", &r, "-f", "json", "-o", "out.json"],
        &[
            "summary", "-i", &r, "-f", "json", "--pretty", "-o", "out.json", "--tee",
        ],
    );
    assert_eq!(run.files.keys().collect::<Vec<_>>(), ["out.json"]);
    assert_eq!(run.files["out.json"], run.stdout);
    let run = assert_same(
        &["summary", "-i", &r, "--output", "out.yml", "--no-stdout"],
        &["summary", "-i", &r, "-f", "yaml", "-o", "out.yml"],
    );
    assert!(run.stdout.is_empty());
    assert!(
        run.files["out.yml"].starts_with(b"- profileName: "),
        "{:?}",
        run.files
    );
}

#[test]
fn summary_output_md_as_the_sidecar_docs_write_it() {
    let r = rhel8();
    let run = assert_same(
        &["summary", "--input", &r, "--output-md", "summary.md"],
        &[
            "summary",
            "-i",
            &r,
            "-f",
            "markdown",
            "-o",
            "summary.md",
            "--tee",
        ],
    );
    assert_eq!(run.files["summary.md"], run.stdout);
    assert!(run.stdout().starts_with("# "), "{}", run.stdout());
    let run = assert_same(
        &[
            "summary",
            "--input",
            &r,
            "--output-md",
            "summary.md",
            "--no-stdout",
            "--no-title-table",
        ],
        &[
            "summary",
            "-i",
            &r,
            "-f",
            "markdown",
            "--no-title",
            "-o",
            "summary.md",
        ],
    );
    assert!(run.stdout.is_empty());
    assert!(run.files["summary.md"].starts_with(b"| Compliance: 66<br>"));
    for clash in [["-o", "x.md"], ["-f", "json"]] {
        common::scangate()
            .args(["saf", "summary", "-i", &r, "--output-md", "s.md"])
            .args(clash)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("cannot be used with"));
    }
}

#[test]
fn summary_to_a_file_named_dash_writes_that_file_as_saf_does() {
    let r = rhel8();
    let run = assert_same(
        &["summary", "-i", &r, "-o", "-", "--no-stdout"],
        &["summary", "-i", &r, "-f", "yaml", "-o", "./-"],
    );
    assert!(run.stdout.is_empty());
    assert_eq!(run.files.keys().collect::<Vec<_>>(), ["-"]);
}

#[test]
fn summary_no_stdout_without_a_file_is_a_usage_error() {
    common::scangate()
        .args(["saf", "summary", "-i", &rhel8(), "--no-stdout"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "error: --no-stdout without -o/--output or --output-md writes nothing; add -o FILE\n",
        );
}

#[test]
fn summary_warnings_still_appear_after_the_note() {
    let s = fx("fixtures/results/synthetic/sevtag_number.json");
    let run = assert_same(&["summary", "-i", &s], &["summary", "-i", &s, "-f", "yaml"]);
    run.assert_after_the_note("warning: ");
}

#[test]
fn validate_threshold_with_a_file_passes_and_fails() {
    let (g, r) = (good(), rhel8());
    let pass = fx("fixtures/thresholds/red_hat_good.counts.good.yml");
    let run = assert_same(
        &["validate", "threshold", "-i", &g, "-T", &pass],
        &["check", "-i", &g, "-T", &pass],
    );
    assert_eq!(run.code, Some(0));
    assert!(run.stdout().contains("PASS  "), "{}", run.stdout());
    let fail = fx("fixtures/thresholds/rhel-8_hardened.counts.bad.noimpactHigh.yml");
    let run = assert_same(
        &[
            "validate",
            "threshold",
            "--input",
            &r,
            "--templateFile",
            &fail,
            "-L",
            "info",
        ],
        &["check", "-i", &r, "-T", &fail],
    );
    assert_eq!(run.code, Some(1));
    let basic = fx("thresholds/basic.yml");
    let run = assert_same(
        &[
            "validate",
            "threshold",
            "-i",
            &r,
            &format!("--templateFile={basic}"),
        ],
        &["check", "-i", &r, "-T", &basic],
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn validate_threshold_inline_passes_and_fails() {
    let r = rhel8();
    let pass = "{compliance.min: 60}, {failed.total.max: 200}";
    let run = assert_same(
        &["validate", "threshold", "-i", &r, "-I", pass],
        &["check", "-i", &r, "-I", pass],
    );
    assert_eq!(run.code, Some(0));
    // The note quotes it for the shell.
    assert!(
        run.stderr.contains(&format!(" -I '{pass}'")),
        "{}",
        run.stderr
    );
    let run = assert_same(
        &[
            "validate",
            "threshold",
            "-i",
            &r,
            "--templateInline",
            "{compliance.min: 90}",
            "--logLevel",
            "verbose",
        ],
        &["check", "-i", &r, "-I", "{compliance.min: 90}"],
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn threshold_t_as_the_sidecar_docs_write_it() {
    let (g, r) = (good(), rhel8());
    let pass = fx("fixtures/thresholds/red_hat_good.counts.good.yml");
    let run = assert_same(
        &["threshold", "-i", &g, "-t", &pass],
        &["check", "-i", &g, "-T", &pass],
    );
    assert_eq!(run.code, Some(0));
    let basic = fx("thresholds/basic.yml");
    let run = assert_same(
        &["threshold", "-i", &r, "-T", &basic],
        &["check", "-i", &r, "-T", &basic],
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn generate_threshold_to_stdout_and_to_a_file() {
    let r = rhel8();
    let run = assert_same(
        &["generate", "threshold", "-i", &r, "-e", "-c", "-o", "t.yml"],
        &["threshold", "generate", "-i", &r, "-e", "-c", "-o", "t.yml"],
    );
    assert!(run.stdout.is_empty());
    assert!(run.files["t.yml"].starts_with(b"compliance:\n  min: 66\n  max: 66\n"));
    let run = assert_same(
        &[
            "generate",
            "threshold",
            "--input",
            &r,
            "--exact",
            "--generateControlIds",
            "-L",
            "warn",
        ],
        &["threshold", "generate", "-i", &r, "-e", "-c"],
    );
    assert!(run.stdout().starts_with("compliance:\n"));
    let run = assert_same(
        &["generate", "threshold", "-i", &r],
        &["threshold", "generate", "-i", &r],
    );
    assert!(!run.stdout().contains("max: 66"), "{}", run.stdout());
}

#[test]
fn errors_exit_2_with_the_native_message() {
    let (r, missing) = (rhel8(), fx("fixtures/results/no-such-file.json"));
    let basic = fx("thresholds/basic.yml");
    let cases: [(Vec<&str>, Vec<&str>); 4] = [
        (
            vec!["summary", "-i", &missing],
            vec!["summary", "-i", &missing, "-f", "yaml"],
        ),
        // saf exits 0 on a missing input to `validate threshold`.
        (
            vec!["validate", "threshold", "-i", &missing, "-T", &basic],
            vec!["check", "-i", &missing, "-T", &basic],
        ),
        (
            vec!["validate", "threshold", "-i", &r, "-T", "no-such.yml"],
            vec!["check", "-i", &r, "-T", "no-such.yml"],
        ),
        (
            vec!["generate", "threshold", "-i", &missing],
            vec!["threshold", "generate", "-i", &missing],
        ),
    ];
    for (saf, native) in cases {
        let run = assert_same(&saf, &native);
        assert_eq!(run.code, Some(2), "{saf:?}");
        assert!(run.stdout.is_empty(), "{saf:?}");
        run.assert_after_the_note("error: ");
    }
}

#[test]
fn usage_errors_exit_2_before_any_note() {
    let (r, basic) = (rhel8(), fx("thresholds/basic.yml"));
    let gate = ["validate", "threshold", "-i", &r, "-T", &basic];
    for (args, message) in [
        (
            [&gate[..], &["-I", "{compliance.min: 1}"]].concat(),
            "cannot be used with",
        ),
        // saf passes here having checked nothing.
        (
            vec!["validate", "threshold", "-i", &r],
            "required arguments were not provided",
        ),
        (
            [&gate[..], &["-L", "loud"]].concat(),
            "invalid value 'loud'",
        ),
        (
            vec!["summary", "-i", &r, "-f", "table"],
            "invalid value 'table'",
        ),
        (vec!["summary"], "required arguments were not provided"),
    ] {
        common::scangate()
            .arg("saf")
            .args(&args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(message).and(predicate::str::contains("note:").not()));
    }
}

#[test]
fn the_colour_choice_is_passed_on_and_named() {
    let (r, basic) = (rhel8(), fx("thresholds/basic.yml"));
    let args = strings(&[
        "--color",
        "always",
        "saf",
        "threshold",
        "-i",
        &r,
        "-t",
        &basic,
    ]);
    let run = assert_same_with(
        &scangate_bin(),
        &args,
        &["--color", "always", "check", "-i", &r, "-T", &basic],
    );
    assert!(run.stdout().contains("\u{1b}["), "no colour");
}

#[test]
fn a_symlink_named_saf_takes_safs_command_lines() {
    let dir = tempfile::tempdir().unwrap();
    let saf = dir.path().join("saf");
    std::os::unix::fs::symlink(scangate_bin(), &saf).unwrap();
    let (g, r) = (good(), rhel8());
    let pass = fx("fixtures/thresholds/red_hat_good.counts.good.yml");
    let basic = fx("thresholds/basic.yml");
    for (args, native, code) in [
        (
            vec!["summary", "-i", &r, "-o", "s.yml"],
            vec!["summary", "-i", &r, "-f", "yaml", "-o", "s.yml", "--tee"],
            0,
        ),
        (
            vec!["validate", "threshold", "-i", &g, "-T", &pass],
            vec!["check", "-i", &g, "-T", &pass],
            0,
        ),
        (
            vec!["threshold", "-i", &r, "-t", &basic],
            vec!["check", "-i", &r, "-T", &basic],
            1,
        ),
        (
            vec!["generate", "threshold", "-i", &r, "-c"],
            vec!["threshold", "generate", "-i", &r, "-c"],
            0,
        ),
    ] {
        let run = assert_same_with(&saf, &strings(&args), &native);
        assert_eq!(run.code, Some(code), "{args:?}");
    }
    // Help and usage errors say `saf`.
    let help = run_with(&saf, &strings(&["--help"]));
    assert_eq!(help.code, Some(0));
    assert!(
        help.stdout().contains("Usage: saf <COMMAND>"),
        "{}",
        help.stdout()
    );
    let usage = run_with(&saf, &strings(&["summary"]));
    assert_eq!(usage.code, Some(2));
    assert!(
        usage.stderr.contains("Usage: saf summary "),
        "{}",
        usage.stderr
    );
    assert!(!usage.stderr.contains("scangate"), "{}", usage.stderr);
    // A symlink by any other name is scangate.
    let other = dir.path().join("gate");
    std::os::unix::fs::symlink(scangate_bin(), &other).unwrap();
    let run = run_with(&other, &strings(&["summary", "-i", &r]));
    assert_eq!(run.code, Some(0));
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn help_text() {
    let out = common::scangate().args(["saf", "--help"]).output().unwrap();
    assert!(out.status.success());
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}
