//! saf's inline threshold syntax (`-I "{compliance.min: 80}, {failed.total.max: 2}"`) → the
//! inline parser. Errors are expected; panics and hangs are not.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match scangate_threshold::load_inline(text) {
        Ok(threshold) => {
            let _ = threshold.rule_count();
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
        }
    }
});
