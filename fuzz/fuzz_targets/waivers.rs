//! Any bytes → the waiver loader, as `--waivers FILE` reads them. Errors are expected;
//! panics, hangs and errors that do not print are not. An accepted file's dates print back
//! as text that parses to the same date, and it applies to
//! fixed scans and renders in every format (`apply_risk.rs`).

#![no_main]

#[path = "apply_risk.rs"]
mod apply_risk;

use libfuzzer_sys::fuzz_target;
use scangate_risk::When;

fuzz_target!(|data: &[u8]| {
    // Lossy, so that inputs with a stray invalid byte still reach the parser.
    let text = String::from_utf8_lossy(data);
    match scangate_risk::waivers::load(&text, "fuzz.yml") {
        Ok(waivers) => {
            for waiver in &waivers.entries {
                assert!(!waiver.justification.trim().is_empty());
                if let Some(date) = &waiver.expiration_date {
                    assert_eq!(When::parse(&date.to_string()).as_ref(), Ok(date));
                }
                for scope in &waiver.scope {
                    assert_ne!(*scope, scangate_risk::Scope::default());
                }
            }
            apply_risk::apply_and_render(&scangate_risk::AcceptedRisk {
                waivers: Some(waivers),
                attestations: None,
            });
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
