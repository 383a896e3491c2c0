use crate::support;

use std::path::Path;

use scangate_report::Format;
use support::{DEFAULT_GATE, Spec, build, build_specs, render};

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&scangate_report::report_schema()).expect("schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, value: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(5)
        .collect()
}

#[test]
fn json_report_validates_against_its_schema() {
    let validator = validator();
    for gate in [Some(DEFAULT_GATE), None] {
        for file in support::GOLDEN {
            let built = build(&[file], gate);
            let (out, _) = render(Format::Json, &built);
            let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let errors = schema_errors(&validator, &value);
            assert!(errors.is_empty(), "{file}: {errors:?}");
            assert_eq!(value["schema_version"], 1);
        }
    }
}

#[test]
fn unreadable_inputs_are_listed_and_the_report_still_validates() {
    use support::{HOSTILE_MESSAGE, HOSTILE_NAME, MISSING_MESSAGE, with_unreadable};

    let schema = scangate_report::report_schema();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    assert!(
        schema["properties"]["errors"].is_object(),
        "errors in the schema"
    );
    for gate in [Some(DEFAULT_GATE), None] {
        let built = with_unreadable(&["triple_overlay_profile_sample.json"], gate);
        let (out, _) = render(Format::Json, &built);
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            value["errors"],
            serde_json::json!([
                {"name": "scans/missing.json", "file_name": "missing.json",
                 "origin": {"kind": "file", "path": "scans/missing.json"},
                 "message": MISSING_MESSAGE},
                {"name": HOSTILE_NAME, "file_name": "pod|1\u{202e}nosj.json",
                 "origin": {"kind": "file", "path": HOSTILE_NAME},
                 "message": HOSTILE_MESSAGE},
            ])
        );
        assert_eq!(value["inputs"].as_array().unwrap().len(), 1);
        // A run with an unreadable input never passes.
        assert_eq!(
            value["passed"],
            if gate.is_some() {
                serde_json::json!(false)
            } else {
                serde_json::Value::Null
            }
        );
    }
    // Without errors the key is left out: reports of good runs are what they were.
    let (out, _) = render(Format::Json, &build(&["rhel-8_hardened.json"], None));
    let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(value.get("errors").is_none());
}

#[test]
fn templates_can_list_errors_whether_or_not_there_are_any() {
    use scangate_report::template::UserTemplate;
    use scangate_report::{RenderOptions, Report};
    use support::with_unreadable;

    let options = RenderOptions {
        template: Some(UserTemplate {
            format: Format::Markdown,
            name: "errors.hbs".into(),
            source: "{{#each errors}}- {{name}}: {{message}}\n{{/each}}{{len inputs}} read\n"
                .into(),
        }),
        ..RenderOptions::default()
    };
    let text = |report: &Report<'_>| {
        let mut out = Vec::new();
        scangate_report::render(Format::Markdown, report, &mut out, &options).unwrap();
        String::from_utf8(out).unwrap()
    };
    let good = build(&["triple_overlay_profile_sample.json"], None);
    assert_eq!(good.with(text), "1 read\n");
    let bad = with_unreadable(&["triple_overlay_profile_sample.json"], None);
    let listed = bad.with(text);
    assert!(
        listed.starts_with("- scans/missing.json: cannot read file\\: No such file"),
        "{listed}"
    );
    assert!(listed.contains("\\<script\\>"), "{listed}");
}

/// Every `*.json` under `dir`, recursively, sorted.
fn json_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Not only the golden four: the JSON report of every results fixture that parses, gated and
/// not, is strict JSON and matches `scangate report schema`.
#[test]
fn json_report_of_every_results_fixture_validates_against_the_schema() {
    let validator = validator();
    let root = support::fixture("");
    let mut files = Vec::new();
    json_files(&root, &mut files);
    files.sort();
    let mut checked = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        if scangate_results::Input::from_bytes(&name, bytes.clone())
            .parse()
            .is_err()
        {
            continue;
        }
        for gate in [Some(DEFAULT_GATE), None] {
            let report = build_specs(vec![Spec::file(&name, bytes.clone())], gate);
            let mut out = Vec::new();
            report
                .with(|report| {
                    scangate_report::render(Format::Json, report, &mut out, &Default::default())
                })
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let value: serde_json::Value =
                serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{name}: {e}"));
            let errors = schema_errors(&validator, &value);
            assert!(errors.is_empty(), "{name}: {errors:?}");
        }
        checked += 1;
    }
    // Most fixtures are valid results; the rest are the deliberately broken synthetic ones.
    assert!(
        checked >= 30,
        "only {checked} of {} fixtures parsed",
        files.len()
    );
}
