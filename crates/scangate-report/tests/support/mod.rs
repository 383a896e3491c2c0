//! Builds reports from the repository's fixtures, for the renderers' tests.
#![allow(dead_code)]

use std::path::PathBuf;

use scangate_report::{Origin, Report, ReportInput, UnreadableInput};
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

/// One input to build a report from: its name, bytes, and the pod it came from, if any.
pub struct Spec {
    pub name: String,
    /// (namespace, pod, container)
    pub pod: Option<(&'static str, String, &'static str)>,
    pub bytes: Vec<u8>,
}

impl Spec {
    /// A results file named `name`.
    pub fn file(name: &str, bytes: Vec<u8>) -> Spec {
        Spec {
            name: name.to_owned(),
            pod: None,
            bytes,
        }
    }
}

/// Parses `files`, gates them against `threshold` (YAML text; `None` for an ungated report)
/// and assembles the report as the CLI would.
pub fn build(files: &[&str], threshold: Option<&str>) -> Built {
    let specs = files
        .iter()
        .map(|f| {
            Spec::file(
                &format!("fixtures/results/{f}"),
                std::fs::read(fixture(f)).unwrap(),
            )
        })
        .collect();
    Built {
        report: build_specs(specs, threshold),
    }
}

/// Like [`build`], for inputs that are not fixture files (edited, or from pods).
pub fn build_specs(mut specs: Vec<Spec>, threshold: Option<&str>) -> Report<'static> {
    let inputs: &'static [Input] = Vec::leak(
        specs
            .iter_mut()
            .map(|s| Input::from_bytes(s.name.clone(), std::mem::take(&mut s.bytes)))
            .collect(),
    );
    let specs: &'static [Spec] = Vec::leak(specs);
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
    let report_inputs: &'static [ReportInput<'static>] = Vec::leak(
        specs
            .iter()
            .enumerate()
            .map(|(i, s)| ReportInput {
                name: &s.name,
                origin: match &s.pod {
                    None => Origin::File { path: &s.name },
                    Some((namespace, pod, container)) => Origin::Pod {
                        namespace,
                        pod,
                        container,
                        path: &s.name,
                    },
                },
                results: &results[i],
                summary: &summaries[i],
                verdict: verdicts[i].as_ref(),
            })
            .collect(),
    );
    let base: Vec<String> = inputs.iter().map(Input::base_name).collect();
    let profiles: &'static [ProfileAggregate] =
        Vec::leak(aggregate(base.iter().map(String::as_str).zip(summaries)));
    Report {
        inputs: report_inputs,
        errors: &[],
        profiles,
        threshold: threshold.is_some().then_some("gate.yml"),
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

/// The name of an unreadable input in [`with_unreadable`]: markup, a pipe, a bidi override.
pub const HOSTILE_NAME: &str = "scans/ns <x>/pod|1\u{202e}nosj.json";
/// Its error, as a parser could word it about a hostile file: it quotes a key and a string.
pub const HOSTILE_MESSAGE: &str = "3:7: at profiles[0].controls[0].tags.<script>alert(1)</script>: \
    expected a string, found \"| `x` ]]> [l](javascript:alert(1)) \u{1b}[31mred\u{7} \u{202e}evil &amp; {{x}}\"";
/// A missing file's error, as the CLI words it.
pub const MISSING_MESSAGE: &str = "cannot read file: No such file or directory (os error 2)";

/// [`build`] plus two inputs that could not be read: a missing file and a hostile one.
pub fn with_unreadable(files: &[&str], threshold: Option<&str>) -> Built {
    let built = build(files, threshold);
    let errors: &'static [UnreadableInput<'static>] = Vec::leak(vec![
        UnreadableInput {
            name: "scans/missing.json",
            origin: Origin::File {
                path: "scans/missing.json",
            },
            message: MISSING_MESSAGE,
        },
        UnreadableInput {
            name: HOSTILE_NAME,
            origin: Origin::File { path: HOSTILE_NAME },
            message: HOSTILE_MESSAGE,
        },
    ]);
    Built {
        report: Report {
            errors,
            ..built.report
        },
    }
}
