//! Results bytes → parse → summary → gate (the built-in default threshold) → every report.
//!
//! Whatever the parser accepts must render: an error from any renderer after a successful
//! parse is a crash here, because that is how a passed gate used to turn into exit 2 with a
//! message naming neither the input nor the place. Each report must also read back: JSON
//! with serde_json, SARIF into serde-sarif's typed model, JUnit with quick-junit, Code Quality
//! as an array of findings with every property GitLab requires, the rest as UTF-8.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use scangate_report::check::{CheckOptions, Gated, write_check};
use scangate_report::summary::{TableOptions, write_markdown, write_table};
use scangate_report::template::UserTemplate;
use scangate_report::{
    Format, Origin, RenderOptions, Report, ReportInput, UnreadableInput, render,
};
use scangate_results::{Input, Summary, aggregate};
use scangate_threshold::Threshold;

const DEFAULT_THRESHOLD: &str = include_str!("../../thresholds/default.yml");

/// A user template that walks the whole context, tags included.
const TEMPLATE: &str = "{{#each inputs}}{{name}} {{compliance}}\n{{#each controls}}{{id}} \
    {{status}} {{#each tags}}{{name}}={{value}} {{/each}}{{#each results}}{{code_desc}}\
    {{/each}}\n{{/each}}{{/each}}";

fn threshold() -> &'static Threshold {
    static THRESHOLD: OnceLock<Threshold> = OnceLock::new();
    THRESHOLD.get_or_init(|| {
        scangate_threshold::load(DEFAULT_THRESHOLD, "thresholds/default.yml")
            .expect("the built-in threshold loads")
    })
}

/// Each machine-read report must read back with a strict reader of its format.
fn read_back(format: Format, out: &[u8]) {
    let result = match format {
        Format::Json => serde_json::from_slice::<serde_json::Value>(out)
            .map(drop)
            .map_err(|e| e.to_string()),
        Format::Sarif => serde_json::from_slice::<serde_sarif::sarif::Sarif>(out)
            .map(drop)
            .map_err(|e| e.to_string()),
        Format::Junit => std::str::from_utf8(out)
            .map_err(|e| e.to_string())
            .and_then(|xml| {
                quick_junit::Report::deserialize_from_str(xml)
                    .map(drop)
                    .map_err(|e| e.to_string())
            }),
        Format::CodeQuality => serde_json::from_slice::<serde_json::Value>(out)
            .map_err(|e| e.to_string())
            .and_then(|v| code_quality_findings(&v)),
        Format::Markdown | Format::Html => std::str::from_utf8(out)
            .map(drop)
            .map_err(|e| e.to_string()),
    };
    if let Err(e) = result {
        panic!("{format} report does not read back: {e}");
    }
}

/// What GitLab requires of a Code Quality report (its schema is
/// `crates/scangate-report/schemas/gitlab-codequality.schema.json`): an array of findings with
/// non-empty strings, a known severity, a relative path and a line from 1, and no fingerprint
/// twice.
fn code_quality_findings(report: &serde_json::Value) -> Result<(), String> {
    let findings = report.as_array().ok_or("not an array")?;
    let mut fingerprints = std::collections::HashSet::new();
    for f in findings {
        let text = |key: &str| f[key].as_str().filter(|s| !s.is_empty());
        for key in ["description", "check_name", "fingerprint"] {
            text(key).ok_or_else(|| format!("no {key} in {f}"))?;
        }
        let severities = ["info", "minor", "major", "critical", "blocker"];
        if !text("severity").is_some_and(|s| severities.contains(&s)) {
            return Err(format!("bad severity in {f}"));
        }
        let path = f["location"]["path"].as_str().unwrap_or("");
        if path.is_empty() || path.starts_with('/') || path.starts_with("./") {
            return Err(format!("bad path in {f}"));
        }
        if !f["location"]["lines"]["begin"]
            .as_u64()
            .is_some_and(|l| l >= 1)
        {
            return Err(format!("bad line in {f}"));
        }
        if !fingerprints.insert(text("fingerprint")) {
            return Err(format!("fingerprint twice: {f}"));
        }
    }
    Ok(())
}

/// An input the parser rejected: its error message quotes the input, so every report that
/// lists it (gated or not, as `check` and `summary --report` do) must carry that text too.
fn unreadable(message: &str) {
    let errors = [UnreadableInput {
        name: "fuzz.json",
        origin: Origin::File { path: "fuzz.json" },
        message,
    }];
    let options = CheckOptions {
        width: Some(80),
        ..CheckOptions::default()
    };
    write_check(&mut Vec::new(), &[], &errors, options).expect("check output of an error");
    for threshold in [Some("thresholds/default.yml (built in)"), None] {
        let report = Report {
            inputs: &[],
            errors: &errors,
            profiles: &[],
            threshold,
            baseline: None,
        };
        for format in Format::ALL {
            let mut out = Vec::new();
            if let Err(e) = render(format, &report, &mut out, &RenderOptions::default()) {
                panic!("{format} report of an unreadable input failed: {e}");
            }
            read_back(format, &out);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let input = Input::from_bytes("fuzz.json", data.to_vec());
    let results = match input.parse() {
        Ok(results) => results,
        Err(e) => return unreadable(&e.kind.to_string()),
    };
    let summary = Summary::new(&results);
    let verdict = scangate_threshold::evaluate(&summary, threshold());
    let profiles = aggregate([("fuzz.json", &summary)]);

    // `scangate check` on the terminal, and `scangate summary` in each of its formats.
    let gated = [Gated {
        name: "fuzz.json",
        summary: &summary,
        verdict: &verdict,
        change: None,
    }];
    for quiet in [false, true] {
        let options = CheckOptions {
            quiet,
            width: Some(80),
            ..CheckOptions::default()
        };
        write_check(&mut Vec::new(), &gated, &[], options).expect("check output");
    }
    let table = TableOptions {
        color: true,
        width: Some(80),
    };
    write_table(&mut Vec::new(), &profiles, table).expect("summary table");
    write_markdown(&mut Vec::new(), &profiles, true).expect("summary markdown");
    let json = serde_json::to_vec(&profiles).expect("summary json");
    serde_json::from_slice::<serde_json::Value>(&json).expect("summary json reads back");
    let options = serde_saphyr::ser_options! { compact_list_indent: false };
    serde_saphyr::to_string_with_options(&profiles, options).expect("summary yaml");

    // Every report, gated (`check`) or not (`summary --report`), as the CLI assembles it.
    let gate = data.len() % 2 == 0;
    let inputs = [ReportInput {
        name: "fuzz.json",
        origin: Origin::File { path: "fuzz.json" },
        results: &results,
        summary: &summary,
        verdict: gate.then_some(&verdict),
        change: None,
        risk: None,
    }];
    let report = Report {
        inputs: &inputs,
        errors: &[],
        profiles: &profiles,
        threshold: gate.then_some("thresholds/default.yml (built in)"),
        baseline: None,
    };
    for format in Format::ALL {
        let mut out = Vec::new();
        if let Err(e) = render(format, &report, &mut out, &RenderOptions::default()) {
            panic!("{format} report of a parsed input failed: {e}");
        }
        read_back(format, &out);
    }
    // The limits' truncation paths, which the default limits never reach on small inputs.
    let tight = RenderOptions {
        markdown_max_bytes: 1024,
        sarif_max_results: 2,
        template: None,
    };
    for format in [Format::Markdown, Format::Sarif] {
        let mut out = Vec::new();
        if let Err(e) = render(format, &report, &mut out, &tight) {
            panic!("{format} report with tight limits failed: {e}");
        }
        read_back(format, &out);
    }
    for format in [Format::Markdown, Format::Html] {
        let user = RenderOptions {
            template: Some(UserTemplate {
                format,
                name: "fuzz.hbs".to_owned(),
                source: TEMPLATE.to_owned(),
            }),
            ..RenderOptions::default()
        };
        if let Err(e) = render(format, &report, &mut Vec::new(), &user) {
            panic!("user {format} template failed: {e}");
        }
    }
});
