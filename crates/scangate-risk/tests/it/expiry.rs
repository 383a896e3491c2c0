//! Expiry against saf's recording: which attestations of the boundary file saf 1.5.3 called
//! expired on 2026-12-04 at about 13:37 UTC (`TZ=UTC`), computed here with the same rule:
//! expiry = `updated` (local midnight for a date) advanced by `frequency`, expired iff
//! expiry < now, strictly (moment's `isBefore`).

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use scangate_risk::{Code, attestations};

use crate::repo;

const FILE: &str = "fixtures/attestations/red_hat_good.expiry-boundaries.attestations.yml";
const RECORDING: &str = "fixtures/saf-1.5.3/attest/red_hat_good.json--red_hat_good.expiry-boundaries.attestations.yml.out";

#[test]
fn expiry_matches_what_saf_recorded() {
    let text = std::fs::read_to_string(repo().join(FILE)).unwrap();

    // The file holds saf's fractional `1.5m`, which scangate refuses: exactly that problem.
    let err = attestations::load(&text, FILE).unwrap_err();
    let problems = err.problems();
    assert_eq!(problems.len(), 1, "{err}");
    assert_eq!(problems[0].code, Code::UnknownFrequency);
    assert_eq!(problems[0].key, "[8].frequency");

    // The other entries are checked on a copy where `1.5m` is what moment rounds it to,
    // `2m`: every entry of the recording stays in, V-71855 (current) among them.
    let copy = text.replace("frequency: 1.5m", "frequency: 2m");
    assert_ne!(copy, text);
    let file = attestations::load(&copy, FILE).unwrap();
    assert_eq!(file.entries.len(), 9);

    let now: Timestamp = "2026-12-04T13:37:00Z".parse().unwrap();
    let expired: BTreeSet<String> = file
        .entries
        .iter()
        .filter(|a| {
            a.frequency
                .advance(&a.updated.in_zone(&TimeZone::UTC))
                .timestamp()
                < now
        })
        .map(|a| a.control_id.clone())
        .collect();

    let recording = std::fs::read_to_string(repo().join(RECORDING)).unwrap();
    let saf: BTreeSet<String> = recording
        .lines()
        .filter_map(|l| l.strip_prefix("Warning: Attestation Expired: "))
        .map(|rest| rest.split_whitespace().next().unwrap().to_owned())
        .collect();
    assert!(!saf.is_empty(), "no expiry lines in {RECORDING}");
    assert_eq!(expired, saf);
}
