//! Any bytes → the attestation loader, as `--attestations FILE` reads them. Errors are
//! expected; panics, hangs and errors that do not print are not. An accepted file's dates
//! and frequencies print back as text that parses to the same value, and every expiry can be
//! computed (saturating, never panicking); it applies to fixed scans and renders in every
//! format (`apply_risk.rs`).

#![no_main]

#[path = "apply_risk.rs"]
mod apply_risk;

use jiff::tz::TimeZone;
use libfuzzer_sys::fuzz_target;
use scangate_risk::{Frequency, When};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match scangate_risk::attestations::load(&text, "fuzz.yml") {
        Ok(attestations) => {
            assert!(!attestations.entries.is_empty());
            for a in &attestations.entries {
                assert_eq!(When::parse(&a.updated.to_string()).as_ref(), Ok(&a.updated));
                assert_eq!(Frequency::parse(&a.frequency.to_string()), Ok(a.frequency));
                let start = a.updated.in_zone(&TimeZone::UTC);
                assert!(a.frequency.advance(&start) >= start);
            }
            apply_risk::apply_and_render(&scangate_risk::AcceptedRisk {
                waivers: None,
                attestations: Some(attestations),
            });
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
