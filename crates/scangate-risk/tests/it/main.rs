//! Waiver and attestation files: loading every fixture, every error message, the schemas,
//! properties of dates and frequencies, and expiry against saf's own recording.
//!
//! One test binary for the crate (as scangate-threshold keeps its own): one link step, and
//! helpers shared without `#[allow(dead_code)]`.

mod apply;
mod errors;
mod expiry;
mod load;
mod props;
mod schema;

use std::path::{Path, PathBuf};

/// The repository root.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every file of a fixture directory, as (repository-relative name, text), sorted by name.
fn fixtures(dir: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(repo().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {dir}");
    files
}

fn is_bad(name: &str) -> bool {
    name.rsplit('/').next().unwrap().starts_with("bad_")
}
