//! The repository stands alone, and its compatibility contract with SAF CLI can be followed
//! from inside it: every `compat:NAME` that code, tests or docs cite is a heading of
//! `docs/saf-compatibility.md`, and every test that page names exists.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::root;

const DOC: &str = "docs/saf-compatibility.md";

/// Every file of the repository, skipping build output and tool caches.
fn files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let entry = entry.expect("directory entry");
            let path = entry.path();
            let name = entry.file_name();
            if matches!(
                name.to_str(),
                Some("target" | ".git" | "node_modules" | "corpus" | "artifacts")
            ) {
                continue;
            }
            let kind = entry.file_type().expect("file type");
            if kind.is_dir() {
                walk(&path, out);
            } else if kind.is_file() {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root(), &mut out);
    out.sort();
    out
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The names of the contract: the `### \`name\`` headings of the page.
fn headings(doc: &str) -> BTreeSet<&str> {
    doc.lines()
        .filter_map(|l| l.strip_prefix("### `")?.strip_suffix('`'))
        .collect()
}

fn find_all<'a>(haystack: &'a str, needle: &str) -> impl Iterator<Item = &'a str> {
    haystack.match_indices(needle).map(move |(i, _)| {
        let rest = &haystack[i + needle.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
            .unwrap_or(rest.len());
        rest[..end].trim_end_matches('-')
    })
}

#[test]
fn nothing_in_the_repository_names_a_folder_beside_it() {
    // Built at run time so that this file does not name it either.
    let sibling = ["..", "shared"].join("/");
    let offenders: Vec<String> = files()
        .iter()
        .filter(|path| {
            std::fs::read(path)
                .map(|bytes| {
                    bytes
                        .windows(sibling.len())
                        .any(|w| w == sibling.as_bytes())
                })
                .unwrap_or(false)
        })
        .map(|path| relative(path))
        .collect();
    assert!(
        offenders.is_empty(),
        "these files name {sibling}, which a fresh clone does not have: {offenders:?}"
    );
}

#[test]
fn every_cited_compat_name_is_in_the_contract() {
    let doc = std::fs::read_to_string(root().join(DOC)).unwrap();
    let names = headings(&doc);
    assert!(
        names.len() >= 18,
        "{DOC}: expected 8 saf rules and 10 differences, found {names:?}"
    );
    let mut cited = 0;
    for path in files() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for name in find_all(&text, "compat:") {
            if name.is_empty() || name == "name" {
                continue; // the page's own `compat:NAME` explanation
            }
            cited += 1;
            assert!(
                names.contains(name),
                "{} cites compat:{name}, which {DOC} does not define",
                relative(&path)
            );
        }
    }
    assert!(
        cited > 20,
        "only {cited} citations found: is the scan looking in the right place?"
    );
}

#[test]
fn every_entry_of_the_contract_names_tests_that_exist() {
    let doc = std::fs::read_to_string(root().join(DOC)).unwrap();
    for section in doc.split("\n### `").skip(1) {
        let name = section.split('`').next().unwrap();
        let body = section.split("\n## ").next().unwrap();
        let tests_line = body
            .split("\nTests: ")
            .nth(1)
            .unwrap_or_else(|| panic!("{DOC}: `{name}` names no test"));
        let paragraph = tests_line.split("\n\n").next().unwrap();
        let mut named = 0;
        for quoted in paragraph.split('`').skip(1).step_by(2) {
            let (file, function) = quoted
                .split_once("::")
                .unwrap_or_else(|| panic!("{DOC}: `{name}`: {quoted:?} is not FILE::TEST"));
            let source = std::fs::read_to_string(root().join(file))
                .unwrap_or_else(|e| panic!("{DOC}: `{name}` names {file}: {e}"));
            assert!(
                source.contains(&format!("fn {function}(")),
                "{DOC}: `{name}` names {file}::{function}, which does not exist"
            );
            named += 1;
        }
        assert!(named > 0, "{DOC}: `{name}` names no test");
    }
}
