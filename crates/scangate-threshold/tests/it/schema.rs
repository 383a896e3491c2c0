//! The published JSON Schema and the loader agree on every threshold fixture.

use std::path::{Path, PathBuf};

use scangate_threshold::schema::threshold_schema;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn yml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml") {
            out.push(path);
        }
    }
}

/// Thresholds the loader rejects for reasons a JSON Schema cannot express.
const BEYOND_SCHEMA: &[(&str, &str)] = &[
    ("flattened_minmax_same_prefix.yml", "min > max"),
    ("no_impact_total_max0.yml", "min > max"),
];

#[test]
fn schema_and_loader_agree_on_every_fixture_threshold() {
    let validator = jsonschema::validator_for(&threshold_schema()).expect("the schema compiles");
    let mut files = Vec::new();
    yml_files(&repo().join("fixtures/thresholds"), &mut files);
    yml_files(&repo().join("thresholds"), &mut files);
    files.sort();
    assert!(files.len() > 30);
    let mut checked = 0;
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let loaded = scangate_threshold::load(&text, &path);
        // Documents that are not YAML mappings at all never reach the schema.
        let Ok(Some(json)) = serde_saphyr::from_str::<Option<serde_json::Value>>(&text) else {
            assert!(
                loaded.is_err(),
                "{name}: YAML error but the loader accepted it"
            );
            continue;
        };
        let schema_ok = validator.is_valid(&json);
        match BEYOND_SCHEMA.iter().find(|(f, _)| *f == name) {
            Some((_, why)) => {
                assert!(
                    schema_ok && loaded.is_err(),
                    "{name}: expected schema-valid but rejected ({why})"
                );
            }
            None => assert_eq!(
                schema_ok,
                loaded.is_ok(),
                "{name}: schema says {schema_ok}, loader says {:?}",
                loaded.err().map(|e| e.to_string())
            ),
        }
        checked += 1;
    }
    assert!(checked > 25, "only {checked} thresholds reached the schema");
}
