//! `--baseline FILE` bytes → the baseline loader, as `check --baseline` reads them (a baseline
//! file, a JSON report or plain results, told apart by content). A baseline it accepts is then
//! compared with a fixed scan, and every report is rendered with it: what the loader accepts,
//! every format must render. Errors are expected; panics and errors that do not print are not.

#![no_main]

use libfuzzer_sys::fuzz_target;
use scangate_pipeline::{Batch, Source};
use scangate_report::baseline::{Baseline, State};
use scangate_report::{Format, RenderOptions, render};

const SCAN: &[u8] = include_bytes!("../../fixtures/results/synthetic/edge_cases.json");

fuzz_target!(|data: &[u8]| {
    let baseline = match Baseline::from_bytes("baseline.json", data.to_vec()) {
        Ok(baseline) => baseline,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let mut batch = Batch::new();
    batch.push_bytes(Source::file("scan.json"), SCAN.to_vec());
    batch.run_against(None, Some(&baseline), |run| {
        let input = &run.inputs()[0];
        let change = input.change.expect("compared with the baseline");
        assert_eq!(change.states.len(), input.summary.controls.len());
        let counts = change.counts();
        let failing = input
            .summary
            .controls
            .iter()
            .filter(|c| c.status.is_failing())
            .count() as u64;
        assert_eq!(counts.new.total + counts.still_failing, failing);
        assert_eq!(counts.fixed as usize, change.indices(State::Fixed).len());
        let report = run.report();
        for format in Format::ALL {
            let mut out = Vec::new();
            render(format, &report, &mut out, &RenderOptions::default())
                .unwrap_or_else(|e| panic!("{format:?} failed on an accepted baseline: {e}"));
        }
    });
});
