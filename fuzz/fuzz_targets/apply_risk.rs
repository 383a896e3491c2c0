//! Shared by the `waivers` and `attestations` targets: an accepted file is applied to fixed
//! scans through the pipeline, gated on accepted risk, and rendered in every format. What
//! the loaders accept, every report must render.

use jiff::SignedDuration;
use jiff::tz::TimeZone;
use scangate_pipeline::{Batch, Context, Gate, Source};
use scangate_report::{Format, RenderOptions, render};
use scangate_risk::{AcceptedRisk, Clock};

const SCANS: [(&str, &[u8]); 2] = [
    (
        "edge_cases.json",
        include_bytes!("../../fixtures/results/synthetic/edge_cases.json"),
    ),
    (
        "rhel8.json",
        include_bytes!("../../fixtures/results/rhel8_sample_oneOfEachControlStatus.json"),
    ),
];

pub fn apply_and_render(risk: &AcceptedRisk) {
    let clock = Clock {
        // 2026-12-04T13:37:00Z, the day the reference recordings were made.
        now: jiff::Timestamp::from_second(1_796_391_420).unwrap(),
        tz: TimeZone::UTC,
        warn_within: SignedDuration::from_hours(14 * 24),
    };
    let gate = Gate {
        threshold: scangate_threshold::load_inline("{waived.total.max: 1}, {attested.total.max: 1}")
            .unwrap(),
        name: "inline".to_owned(),
    };
    let mut batch = Batch::new();
    for (name, bytes) in SCANS {
        batch.push_bytes(Source::file(name), bytes.to_vec());
    }
    let unrisked: Vec<u64> = batch.run(None, |run| {
        run.summaries().iter().map(|s| s.counts.controls()).collect()
    });
    let context = Context {
        baseline: None,
        risk: Some((risk, &clock)),
    };
    batch.run_with(Some(&gate), &context, |run| {
        for (k, input) in run.inputs().iter().enumerate() {
            // Accepted risk changes statuses, never which controls are counted.
            assert_eq!(input.summary.counts.controls(), unrisked[k]);
            let risk = input.risk.expect("the run was given accepted risk");
            for decision in &risk.decisions {
                let _ = decision.warning();
                let _ = decision.expires_text();
            }
        }
        let report = run.report();
        for format in Format::ALL {
            let mut out = Vec::new();
            render(format, &report, &mut out, &RenderOptions::default())
                .unwrap_or_else(|e| panic!("{format:?} failed on accepted risk: {e}"));
        }
    });
}
