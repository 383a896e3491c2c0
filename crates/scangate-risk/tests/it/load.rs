//! Every good fixture loads, into the model a snapshot shows.

use crate::{fixtures, is_bad};

#[test]
fn good_waiver_files_load() {
    for (name, text) in fixtures("fixtures/waivers") {
        if is_bad(&name) {
            continue;
        }
        let waivers =
            scangate_risk::waivers::load(&text, &name).unwrap_or_else(|e| panic!("{name}:\n{e}"));
        insta::assert_debug_snapshot!(name.rsplit('/').next().unwrap(), waivers);
    }
}

#[test]
fn good_attestation_files_load() {
    for (name, text) in fixtures("fixtures/attestations") {
        // The expiry-boundary file keeps saf's fractional `1.5m` on purpose (see expiry.rs).
        if is_bad(&name) || name.contains("expiry-boundaries") {
            continue;
        }
        let attestations = scangate_risk::attestations::load(&text, &name)
            .unwrap_or_else(|e| panic!("{name}:\n{e}"));
        insta::assert_debug_snapshot!(name.rsplit('/').next().unwrap(), attestations);
    }
}

#[test]
fn load_file_reads_and_labels_with_the_path() {
    let path = crate::repo().join("fixtures/waivers/red_hat_good.waivers.yml");
    let waivers = scangate_risk::waivers::load_file(&path).unwrap();
    assert_eq!(waivers.path, path);
    let missing = crate::repo().join("fixtures/waivers/no_such_file.yml");
    let err = scangate_risk::attestations::load_file(&missing).unwrap_err();
    assert!(matches!(err.kind, scangate_risk::ErrorKind::Io(_)));
    assert!(
        err.to_string()
            .contains("no_such_file.yml: cannot read file"),
        "{err}"
    );
}

#[test]
fn yaml_and_inspec_spellings_of_run() {
    // Plain YAML 1.1 booleans (as Ruby's Psych reads them for InSpec) and InSpec's strings.
    let yaml = "A: {justification: j, run: on}\nB: {justification: j, run: Off}\nC: {justification: j, run: \"Y\"}\nD: {justification: j, run: \"NO\"}\nE: {justification: j, run: n}\n";
    let runs: Vec<_> = scangate_risk::waivers::load(yaml, "w.yml")
        .unwrap()
        .entries
        .iter()
        .map(|w| w.run)
        .collect();
    assert_eq!(
        runs,
        [
            Some(true),
            Some(false),
            Some(true),
            Some(false),
            Some(false)
        ]
    );
}

#[test]
fn a_bom_is_skipped_and_an_empty_mapping_holds_no_waivers() {
    let waivers =
        scangate_risk::waivers::load("\u{feff}SV-1:\n  justification: j\n", "w.yml").unwrap();
    assert_eq!(waivers.entries[0].control_id, "SV-1");
    assert!(
        scangate_risk::waivers::load("{}", "w.json")
            .unwrap()
            .entries
            .is_empty()
    );
}
