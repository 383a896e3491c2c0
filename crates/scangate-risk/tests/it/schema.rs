//! The published JSON Schemas and the loaders agree on every fixture: good ones validate,
//! schema-invalid ones are refused by both.

use scangate_risk::schema::{attestations_schema, waivers_schema};

use crate::fixtures;

/// Fixtures the loader refuses for reasons a JSON Schema does not express.
const BEYOND_SCHEMA: &[(&str, &str)] = &[];

fn agree(dir: &str, schema: serde_json::Value, load: fn(&str, &str) -> bool) {
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let mut good = 0;
    for (name, text) in fixtures(dir) {
        let loaded = load(&text, &name);
        let Ok(Some(json)) = serde_saphyr::from_str::<Option<serde_json::Value>>(&text) else {
            assert!(!loaded, "{name}: not YAML, yet loaded");
            continue;
        };
        let schema_ok = validator.is_valid(&json);
        match BEYOND_SCHEMA.iter().find(|(f, _)| name.ends_with(f)) {
            Some((_, why)) => assert!(
                schema_ok && !loaded,
                "{name}: expected schema-valid but refused ({why})"
            ),
            None => assert_eq!(
                schema_ok,
                loaded,
                "{name}: the schema says {schema_ok}: {:?}",
                validator
                    .iter_errors(&json)
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
            ),
        }
        good += usize::from(loaded);
    }
    assert!(good >= 3, "only {good} good fixtures in {dir}");
}

#[test]
fn waivers_schema_and_loader_agree() {
    agree("fixtures/waivers", waivers_schema(), |text, name| {
        scangate_risk::waivers::load(text, name).is_ok()
    });
}

#[test]
fn attestations_schema_and_loader_agree() {
    agree(
        "fixtures/attestations",
        attestations_schema(),
        |text, name| scangate_risk::attestations::load(text, name).is_ok(),
    );
}

#[test]
fn the_schemas_are_titled_2020_12_documents() {
    for schema in [waivers_schema(), attestations_schema()] {
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert!(schema["title"].is_string() && schema["description"].is_string());
    }
}
