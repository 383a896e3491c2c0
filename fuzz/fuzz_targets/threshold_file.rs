//! Threshold file bytes (YAML or JSON) → the loader, as `-T FILE` reads them; a loaded
//! threshold then gates a fixed scan. Errors are expected; panics, hangs and errors that do
//! not print are not.

#![no_main]

use libfuzzer_sys::fuzz_target;
use scangate_results::{Input, Summary};

const SCAN: &[u8] = include_bytes!("../../fixtures/results/synthetic/edge_cases.json");

fuzz_target!(|data: &[u8]| {
    // load_file reads the file as UTF-8 text first; other bytes never reach the parser.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match scangate_threshold::load(text, "fuzz.yml") {
        Ok(threshold) => {
            let input = Input::from_bytes("scan.json", SCAN.to_vec());
            let results = input.parse().expect("the fixture parses");
            let summary = Summary::new(&results);
            let verdict = scangate_threshold::evaluate(&summary, &threshold);
            assert_eq!(verdict.outcomes.len(), threshold.rule_count());
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
        }
    }
});
