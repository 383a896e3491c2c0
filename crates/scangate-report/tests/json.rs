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
    assert_eq!(text(&good.report), "1 read\n");
    let bad = with_unreadable(&["triple_overlay_profile_sample.json"], None);
    let listed = text(&bad.report);
    assert!(
        listed.starts_with("- scans/missing.json: cannot read file\\: No such file"),
        "{listed}"
    );
    assert!(listed.contains("\\<script\\>"), "{listed}");
}
