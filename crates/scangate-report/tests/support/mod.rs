//! Builds reports from the repository's fixtures, for the renderers' tests.
#![allow(dead_code)]

use std::path::PathBuf;

use scangate_report::{Origin, Report, ReportInput};
use scangate_results::{Input, ProfileAggregate, Results, Summary, aggregate};
use scangate_threshold::Verdict;

/// The fixtures every format is golden-tested on.
pub const GOLDEN: &[&str] = &[
    "rhel-8_hardened.json",
    "triple_overlay_profile_sample.json",
    "synthetic/edge_cases.json",
    "synthetic/hostile.json",
];

pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/results")
        .join(rel)
}

/// Owns everything a [`Report`] borrows. Leaked: tests are short-lived processes.
pub struct Built {
    pub report: Report<'static>,
}

/// Parses `files`, gates them against `threshold` (YAML text; `None` for an ungated report)
/// and assembles the report as the CLI would.
pub fn build(files: &[&str], threshold: Option<&str>) -> Built {
    let inputs: &'static [Input] = Vec::leak(
        files
            .iter()
            .map(|f| {
                let bytes = std::fs::read(fixture(f)).unwrap();
                Input::from_bytes(format!("fixtures/results/{f}"), bytes)
            })
            .collect(),
    );
    let results: &'static [Results<'static>] =
        Vec::leak(inputs.iter().map(|i| i.parse().unwrap()).collect());
    let summaries: &'static [Summary<'static>] =
        Vec::leak(results.iter().map(Summary::new).collect());
    let threshold = threshold.map(|t| scangate_threshold::load(t, "gate.yml").unwrap());
    let verdicts: &'static [Option<Verdict>] = Vec::leak(
        summaries
            .iter()
            .map(|s| {
                threshold
                    .as_ref()
                    .map(|t| scangate_threshold::evaluate(s, t))
            })
            .collect(),
    );
    let names: &'static [String] = Vec::leak(
        inputs
            .iter()
            .map(|i| i.path().display().to_string())
            .collect(),
    );
    let report_inputs: &'static [ReportInput<'static>] = Vec::leak(
        (0..inputs.len())
            .map(|i| ReportInput {
                name: &names[i],
                origin: Origin::File { path: &names[i] },
                results: &results[i],
                summary: &summaries[i],
                verdict: verdicts[i].as_ref(),
            })
            .collect(),
    );
    let base: Vec<String> = inputs.iter().map(Input::base_name).collect();
    let profiles: &'static [ProfileAggregate] =
        Vec::leak(aggregate(base.iter().map(String::as_str).zip(summaries)));
    Built {
        report: Report {
            inputs: report_inputs,
            profiles,
            threshold: threshold.is_some().then_some("gate.yml"),
        },
    }
}

/// The gate the golden reports use: the built-in default.
pub const DEFAULT_GATE: &str = include_str!("../../../../thresholds/default.yml");

/// Renders `format` with default options.
pub fn render(
    format: scangate_report::Format,
    built: &Built,
) -> (Vec<u8>, scangate_report::Rendered) {
    let mut out = Vec::new();
    let rendered = scangate_report::render(
        format,
        &built.report,
        &mut out,
        &scangate_report::RenderOptions::default(),
    )
    .expect("renders");
    (out, rendered)
}
