//! Builds reports from the repository's fixtures, for the renderers' tests.

use std::path::PathBuf;

use scangate_pipeline::{Batch, Context, Gate, Source};
use scangate_report::Report;
use scangate_results::{Error, ErrorKind, Location};

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

/// `synthetic/edge_cases.json` with `n` copies of its duplicated control `C40-dup-id`, the
/// first result of each failing. As in saf, of n copies the n - 1 later ones count, with the
/// first one's results.
pub fn edge_cases_with_failing_copies(n: usize) -> serde_json::Value {
    let mut edge: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("synthetic/edge_cases.json")).unwrap())
            .unwrap();
    let controls = edge["profiles"][0]["controls"].as_array_mut().unwrap();
    let mut copy = controls
        .iter()
        .find(|c| c["id"] == "C40-dup-id")
        .unwrap()
        .clone();
    copy["results"][0]["status"] = "failed".into();
    controls.retain(|c| c["id"] != "C40-dup-id");
    controls.extend(std::iter::repeat_n(copy, n));
    edge
}

/// The inputs of a report and its gate, owned; [`Built::with`] lends the report, built by
/// the same pipeline as the CLI's.
pub struct Built {
    batch: Batch,
    gate: Option<Gate>,
    /// What every input is compared with, if anything.
    pub baseline: Option<scangate_report::baseline::Baseline>,
    /// Waivers and attestations applied to every input, and the clock they are judged by.
    pub risk: Option<(scangate_risk::AcceptedRisk, scangate_risk::Clock)>,
    /// Inputs added as unreadable on purpose; any other error is a broken test input.
    unreadable: usize,
}

impl Built {
    /// Adds an input that could not be read, as the pipeline lists it.
    pub fn push_error(&mut self, source: Source, error: Error) {
        self.batch.push_error(source, error);
        self.unreadable += 1;
    }

    /// Runs the pipeline and hands the report to `f`.
    pub fn with<R>(&self, f: impl FnOnce(&Report<'_>) -> R) -> R {
        let context = Context {
            baseline: self.baseline.as_ref(),
            risk: self.risk.as_ref().map(|(risk, clock)| (risk, clock)),
        };
        self.batch.run_with(self.gate.as_ref(), &context, |run| {
            let errors: Vec<String> = run.errors().iter().map(ToString::to_string).collect();
            assert_eq!(
                errors.len(),
                self.unreadable,
                "unexpected errors: {errors:?}"
            );
            f(&run.report())
        })
    }
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
    build_specs(specs, threshold)
}

/// Like [`build`], for inputs that are not fixture files (edited, or from pods).
pub fn build_specs(specs: Vec<Spec>, threshold: Option<&str>) -> Built {
    let sources = specs
        .into_iter()
        .map(|spec| {
            let source = match spec.pod {
                None => Source::file(&spec.name),
                Some((namespace, pod, container)) => {
                    Source::pod(namespace, pod, container, &spec.name).named(&spec.name)
                }
            };
            (source, spec.bytes)
        })
        .collect();
    build_sources(sources, threshold)
}

/// Like [`build_specs`], from sources as the CLI makes them.
pub fn build_sources(inputs: Vec<(Source, Vec<u8>)>, threshold: Option<&str>) -> Built {
    let mut batch = Batch::new();
    for (source, bytes) in inputs {
        batch.push_bytes(source, bytes);
    }
    let gate = threshold.map(|t| Gate {
        threshold: scangate_threshold::load(t, "gate.yml").unwrap(),
        name: "gate.yml".to_owned(),
    });
    Built {
        batch,
        gate,
        baseline: None,
        risk: None,
        unreadable: 0,
    }
}

/// The gate the golden reports use: the built-in default.
pub const DEFAULT_GATE: &str = include_str!("../../../../../thresholds/default.yml");

/// Renders `format` with default options.
pub fn render(
    format: scangate_report::Format,
    built: &Built,
) -> (Vec<u8>, scangate_report::Rendered) {
    built.with(|report| {
        let mut out = Vec::new();
        let rendered = scangate_report::render(
            format,
            report,
            &mut out,
            &scangate_report::RenderOptions::default(),
        )
        .expect("renders");
        (out, rendered)
    })
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
    let mut built = build(files, threshold);
    let missing = "scans/missing.json";
    built.push_error(
        Source::file(missing),
        Error {
            path: missing.into(),
            kind: ErrorKind::Io(std::io::Error::from_raw_os_error(2)),
        },
    );
    // HOSTILE_MESSAGE, as the parser's error type words it.
    let (place, found) = HOSTILE_MESSAGE.split_once(": expected").unwrap();
    let json_path = place.strip_prefix("3:7: at ").unwrap();
    built.push_error(
        Source::file(HOSTILE_NAME),
        Error {
            path: HOSTILE_NAME.into(),
            kind: ErrorKind::Invalid {
                location: Location {
                    line_column: Some((3, 7)),
                    json_path: json_path.to_owned(),
                },
                message: format!("expected{found}"),
            },
        },
    );
    built
}

/// Markdown report text without the HTML tags the report writes itself, so that any `<` left
/// came from untrusted text that was not escaped.
pub fn without_markdown_tags(html: &str) -> String {
    let own = [
        "<br>",
        "<details>",
        "</details>",
        "<summary>",
        "</summary>",
        "<pre>",
        "</pre>",
    ];
    own.iter()
        .fold(html.to_string(), |rest, tag| rest.replace(tag, ""))
}

/// Waivers and attestations as the loaders make them, for [`Built::risk`].
pub mod risk {
    use jiff::tz::TimeZone;
    use jiff::{SignedDuration, Timestamp};
    use scangate_risk::{
        AcceptedRisk, Attestation, Attestations, AttestedStatus, Clock, Frequency, Waiver, Waivers,
        When, WhenValue,
    };
    use scangate_threshold::Pos;

    /// A day as the files write it (`2026-12-20`): midnight in the clock's zone.
    pub fn day(text: &str) -> When {
        When {
            written: text.to_owned(),
            value: WhenValue::Day(text.parse().expect("a date")),
        }
    }

    /// The moment entries are judged at (`2026-12-04T12:00:00Z`), in UTC, warning 30 days
    /// ahead.
    pub fn clock(now: &str) -> Clock {
        Clock {
            now: now.parse::<Timestamp>().expect("an instant"),
            tz: TimeZone::UTC,
            warn_within: SignedDuration::from_hours(30 * 24),
        }
    }

    /// A `run: false` waiver of `control_id` that never expires, without approver or ticket.
    pub fn waiver(control_id: &str, justification: &str) -> Waiver {
        Waiver {
            pos: Pos { line: 1, column: 1 },
            control_id: control_id.to_owned(),
            justification: justification.to_owned(),
            run: Some(false),
            expiration_date: None,
            approver: None,
            ticket: None,
            scope: Vec::new(),
        }
    }

    /// An annual attestation of `control_id`, made on `updated` (a day).
    pub fn attestation(
        control_id: &str,
        explanation: &str,
        status: AttestedStatus,
        updated: &str,
        updated_by: &str,
    ) -> Attestation {
        Attestation {
            pos: Pos { line: 1, column: 1 },
            control_id: control_id.to_owned(),
            explanation: explanation.to_owned(),
            frequency: Frequency::Annually,
            status,
            updated: day(updated),
            updated_by: updated_by.to_owned(),
            ticket: None,
            scope: Vec::new(),
        }
    }

    /// `waivers.yml` and `attestations.yml` holding these entries (either left out when
    /// empty), each entry placed on its own lines as a file would.
    pub fn accepted(mut waivers: Vec<Waiver>, mut attestations: Vec<Attestation>) -> AcceptedRisk {
        for (k, w) in waivers.iter_mut().enumerate() {
            w.pos = Pos {
                line: 1 + 6 * k as u64,
                column: 1,
            };
        }
        for (k, a) in attestations.iter_mut().enumerate() {
            a.pos = Pos {
                line: 2 + 8 * k as u64,
                column: 3,
            };
        }
        AcceptedRisk {
            waivers: (!waivers.is_empty()).then(|| Waivers {
                path: "waivers.yml".into(),
                entries: waivers,
            }),
            attestations: (!attestations.is_empty()).then(|| Attestations {
                path: "attestations.yml".into(),
                entries: attestations,
            }),
        }
    }
}
