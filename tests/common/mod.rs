//! Shared helpers for the CLI tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

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
