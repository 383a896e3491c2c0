//! Shared helpers for the CLI tests.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub mod later_scan;

/// The `scangate` binary under test, run from the repository root.
pub fn scangate() -> Command {
    let mut cmd = Command::cargo_bin("scangate").expect("scangate binary is built");
    cmd.current_dir(root());
    cmd.env_remove("NO_COLOR").env("COLUMNS", "100");
    cmd
}

/// The repository root (where `fixtures/` lives).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `fixtures/...` relative to the repository root.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// Every `*.json` under `dir`, recursively, relative to it, sorted.
pub fn json_files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("fixture dir is readable") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(
                    path.strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// saf's recording name for a results file: `synthetic/x.json` → `synthetic__x.json`.
pub fn saf_key(rel: &str) -> String {
    rel.replace('/', "__")
}

/// Panics unless every difference that `rule` names is a heading of
/// `docs/saf-compatibility.md`. A rule reads `name: why`, `a/b: why` or
/// `a: why; b: why`, so a table row cannot cite a difference the contract does not list.
pub fn assert_documented_difference(rule: &str) {
    let doc = std::fs::read_to_string(root().join("docs/saf-compatibility.md"))
        .expect("docs/saf-compatibility.md is readable");
    let differences = doc
        .split_once("## Part 2")
        .expect("the contract has a Part 2 listing the differences")
        .1;
    let is_name = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c == '/')
    };
    let mut cited = 0;
    for part in rule.split("; ") {
        let Some((names, _)) = part.split_once(": ").filter(|(names, _)| is_name(names)) else {
            continue;
        };
        for name in names.split('/') {
            cited += 1;
            assert!(
                differences.contains(&format!("\n### `{name}`\n")),
                "rule {rule:?} names `{name}`, which docs/saf-compatibility.md does not list \
                 as a difference"
            );
        }
    }
    assert!(cited > 0, "rule {rule:?}: expected `name: why`");
}

/// What a run of the binary printed.
pub struct Ran {
    pub stdout: String,
    pub stderr: String,
}

/// Runs scangate with `args` from the repository root and checks that it exits with `code`.
pub fn run_exits(args: &[&str], code: i32) -> Ran {
    exits_in(&root(), &[], args, code)
}

/// [`run_exits`] in `dir`, with `env` set.
pub fn exits_in(dir: &Path, env: &[(&str, &str)], args: &[&str], code: i32) -> Ran {
    let out = scangate()
        .current_dir(dir)
        .envs(env.iter().copied())
        .args(args)
        .output()
        .expect("scangate runs");
    let ran = Ran {
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    };
    assert_eq!(
        out.status.code(),
        Some(code),
        "scangate {args:?}\nstdout: {}\nstderr: {}",
        ran.stdout,
        ran.stderr
    );
    ran
}

/// The names of the entries of `dir`, sorted; none when it does not exist.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| {
                e.expect("dir entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    names.sort();
    names
}
