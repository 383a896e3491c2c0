mod support;

use scangate_report::Format;
use support::{DEFAULT_GATE, build, render};

#[test]
fn json_report_validates_against_its_schema() {
    let schema = scangate_report::report_schema();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for gate in [Some(DEFAULT_GATE), None] {
        for file in support::GOLDEN {
            let built = build(&[file], gate);
            let (out, _) = render(Format::Json, &built);
            let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .take(5)
                .collect();
            assert!(errors.is_empty(), "{file}: {errors:?}");
            assert_eq!(value["schema_version"], 1);
        }
    }
}
