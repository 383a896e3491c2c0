//! Accepted risk from the command line: `--waivers` and `--attestations` on `summary` and
//! `check`, counted as InSpec and saf count them (checked against saf 1.5.3's recordings),
//! expiry judged at SOURCE_DATE_EPOCH, the warnings, `waived.total.max`/`attested.total.max`,
//! and `waivers|attestations validate|schema`.

use std::path::Path;

use serde_json::Value;

use crate::common::{Ran, exits_in, fixture, root};

/// 2026-12-04T13:37:00Z: when saf 1.5.3 applied the recorded attestations (TZ=UTC).
const RECORDED_AT: &str = "1796391420";
/// 2026-12-04T00:00:00Z and one second later: the first instant of the run day is the end of
/// an entry that expires that day, and the next is past it.
const RUN_DAY_MIDNIGHT: i64 = 1796342400;

/// Runs scangate in `dir` at `epoch` (SOURCE_DATE_EPOCH), with local time UTC.
fn exits_at(dir: &Path, epoch: &str, args: &[&str], code: i32) -> Ran {
    exits_in(
        dir,
        &[("TZ", "UTC"), ("SOURCE_DATE_EPOCH", epoch)],
        args,
        code,
    )
}

fn exits(args: &[&str], code: i32) -> Ran {
    exits_at(&root(), RECORDED_AT, args, code)
}

fn path(rel: &str) -> String {
    fixture(rel).to_string_lossy().into_owned()
}

/// saf's summary rows against scangate's: every count saf writes must be equal (scangate adds
/// `none` buckets saf lacks, and names the input its own way).
fn assert_counts_equal(saf: &Value, ours: &Value, what: &str) {
    let (saf, ours) = (saf.as_array().unwrap(), ours.as_array().unwrap());
    assert_eq!(saf.len(), ours.len(), "{what}: profiles");
    for (s, o) in saf.iter().zip(ours) {
        for (key, value) in s.as_object().unwrap() {
            if key == "resultSets" {
                continue;
            }
            match value {
                Value::Object(buckets) => {
                    for (bucket, n) in buckets {
                        assert_eq!(&o[key][bucket], n, "{what}: {key}.{bucket}");
                    }
                }
                other => assert_eq!(&o[key], other, "{what}: {key}"),
            }
        }
    }
}

fn summary_json(args: &[&str]) -> Value {
    let mut all = vec!["summary", "-f", "json"];
    all.extend_from_slice(args);
    let ran = exits(&all, 0);
    serde_json::from_str(&ran.stdout).unwrap()
}

/// A waiver applied at gate time counts as InSpec's scan-time waiver does in saf: the scan
/// InSpec wrote with `--waiver-file` and saf's count of it are recorded; the unwaived scan
/// with the same waiver file at gate time gives the same counts.
#[test]
fn gate_time_waivers_count_as_scan_time_waivers_do_in_saf() {
    let saf: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture(
            "saf-1.5.3/waivers/rhel8_sample_oneOfEachControlStatus.waived-at-scan.summary.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let scan_time = summary_json(&[
        "-i",
        &path("waivers/inspec-scan-time/rhel8_sample_oneOfEachControlStatus.waived-at-scan.json"),
    ]);
    assert_counts_equal(&saf, &scan_time, "InSpec's scan-time waivers");
    let gate_time = summary_json(&[
        "-i",
        &path("results/rhel8_sample_oneOfEachControlStatus.json"),
        "--waivers",
        &path("waivers/inspec-scan-time/rhel8_sample_oneOfEachControlStatus.waivers.yml"),
    ]);
    assert_counts_equal(&saf, &gate_time, "the same waivers at gate time");
}

/// Attestations count as `saf attest apply` followed by `saf summary` counted them, for every
/// recorded pair whose output saf could summarise and whose file scangate accepts.
#[test]
fn attestations_count_as_saf_attest_apply_does() {
    let pairs = [
        (
            "rhel8_sample_oneOfEachControlStatus.json",
            "rhel8_sample_oneOfEachControlStatus.attestations.json",
        ),
        ("red_hat_good.json", "red_hat_good.attestations.yml"),
        (
            "triple_overlay_profile_sample.json",
            "triple_overlay_profile_sample.attestations.json",
        ),
    ];
    for (results, attestations) in pairs {
        let key = format!("{results}--{attestations}");
        let rc = std::fs::read_to_string(fixture(&format!("saf-1.5.3/attest/{key}.summary.rc")))
            .unwrap();
        assert_eq!(rc.trim(), "0", "{key}: saf could not summarise its output");
        let saf: Value = serde_json::from_str(
            &std::fs::read_to_string(fixture(&format!("saf-1.5.3/attest/{key}.summary.json")))
                .unwrap(),
        )
        .unwrap();
        let ours = summary_json(&[
            "-i",
            &path(&format!("results/{results}")),
            "--attestations",
            &path(&format!("attestations/{attestations}")),
        ]);
        assert_counts_equal(&saf, &ours, &key);
        let unattested = summary_json(&["-i", &path(&format!("results/{results}"))]);
        assert_ne!(ours, unattested, "{key}: the attestations changed nothing");
    }
}

/// A scratch directory holding the RHEL 8 sample as `scan.json`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("results/rhel8_sample_oneOfEachControlStatus.json"),
        dir.path().join("scan.json"),
    )
    .unwrap();
    dir
}

fn waive_failed_until(dir: &Path, date: &str) {
    std::fs::write(
        dir.join("waivers.yml"),
        format!(
            "SV-230222:\n  expiration_date: {date}\n  justification: Patched by image rebuilds\n  run: false\n  approver: Dana Ortiz\n"
        ),
    )
    .unwrap();
}

/// An entry whose end date is the run day no longer applies on that day, from its first
/// instant on (InSpec's and saf's `expiry < now`); the day before it applies, and warns
/// that it is about to end.
#[test]
fn a_waiver_expires_at_the_start_of_its_expiration_date() {
    let dir = workspace();
    waive_failed_until(dir.path(), "2026-12-04");
    let gate = [
        "check",
        "-i",
        "scan.json",
        "-I",
        "{failed.total.max: 0}",
        "--waivers",
        "waivers.yml",
    ];

    let at_midnight = exits_at(dir.path(), &RUN_DAY_MIDNIGHT.to_string(), &gate, 0);
    assert!(
        at_midnight
            .stderr
            .contains("waiver for SV-230222 (waivers.yml:1:1) expires on 2026-12-04"),
        "{}",
        at_midnight.stderr
    );
    assert!(
        at_midnight
            .stdout
            .contains("Accepted risk: 1 waived, 0 attested"),
        "{}",
        at_midnight.stdout
    );

    let after = exits_at(dir.path(), &(RUN_DAY_MIDNIGHT + 1).to_string(), &gate, 1);
    assert!(
        after.stderr.contains(
            "waiver for SV-230222 (waivers.yml:1:1) expired on 2026-12-04: not applied, the control counts from its results (Failed)"
        ),
        "{}",
        after.stderr
    );
    assert!(
        after.stdout.contains("not applied: 1 expired"),
        "{}",
        after.stdout
    );

    // Past the warning window: applied, and nothing to say about it.
    waive_failed_until(dir.path(), "2027-06-30");
    let quiet = exits_at(dir.path(), RECORDED_AT, &gate, 0);
    assert!(!quiet.stderr.contains("SV-230222"), "{}", quiet.stderr);
    let warned = exits_at(
        dir.path(),
        RECORDED_AT,
        &[&gate[..], &["--warn-expiring", "30w"]].concat(),
        0,
    );
    assert!(
        warned.stderr.contains("expires on 2027-06-30"),
        "{}",
        warned.stderr
    );
}

/// Entries for controls the results do not have are stale, a waiver for a passing control is
/// unneeded, a waiver without `run: false` counts the control as InSpec does; each is named
/// on stderr with its place in the file, and none changes a count.
#[test]
fn stale_unneeded_and_counted_waivers_are_named_and_change_nothing() {
    let dir = workspace();
    std::fs::write(
        dir.path().join("waivers.yml"),
        "SV-999999:\n  justification: gone\n  run: false\nSV-230221:\n  justification: passes anyway\n  run: false\nSV-230222:\n  justification: shown, not applied\n",
    )
    .unwrap();
    let ran = exits_at(
        dir.path(),
        RECORDED_AT,
        &[
            "check",
            "-i",
            "scan.json",
            "-I",
            "{failed.total.max: 0}",
            "--waivers",
            "waivers.yml",
        ],
        1,
    );
    for expected in [
        "waiver for SV-999999 (waivers.yml:1:1) matches no control of this input: stale",
        "waiver for SV-230221 (waivers.yml:4:1) is unneeded: the control is Passed without it",
        "waiver for SV-230222 (waivers.yml:7:1) does not say `run: false`: as in InSpec, the control counts from its results (Failed)",
    ] {
        assert!(
            ran.stderr.contains(expected),
            "missing {expected:?} in\n{}",
            ran.stderr
        );
    }
    assert!(
        ran.stdout.contains(
            "Accepted risk: 0 waived, 0 attested, not applied: 1 stale, 1 unneeded, 1 counted"
        ),
        "{}",
        ran.stdout
    );
}

/// `waived.total.max` and `attested.total.max` limit how much risk a run may accept.
#[test]
fn accepted_risk_has_a_ceiling() {
    let results = path("results/rhel8_sample_oneOfEachControlStatus.json");
    let waivers = path("waivers/inspec-scan-time/rhel8_sample_oneOfEachControlStatus.waivers.yml");
    let attestations = path("attestations/rhel8_sample_oneOfEachControlStatus.attestations.json");
    let base = [
        "check",
        "-i",
        results.as_str(),
        "--waivers",
        waivers.as_str(),
        "--attestations",
        attestations.as_str(),
    ];
    exits(
        &[
            &base[..],
            &["-I", "{waived.total.max: 2}, {attested.total.max: 1}"],
        ]
        .concat(),
        0,
    );
    let over = exits(&[&base[..], &["-I", "{waived.total.max: 1}"]].concat(), 1);
    assert!(
        over.stdout.contains("waived.total.max: 2 controls waived (Not Applicable by a waiver), more than the 1 allowed"),
        "{}",
        over.stdout
    );
    // A waived control is Not Applicable whatever an attestation says of it (inspecjs decides
    // the waiver first), so with both files nothing is attested; without the waivers the
    // Not Reviewed control is.
    let attested_only = [
        "check",
        "-i",
        results.as_str(),
        "--attestations",
        attestations.as_str(),
        "-I",
        "{attested.total.max: 0}",
    ];
    let none = exits(&attested_only, 1);
    assert!(
        none.stdout.contains("attested-total-max"),
        "{}",
        none.stdout
    );
}

#[test]
fn validate_and_schema_commands() {
    let good = exits(
        &[
            "waivers",
            "validate",
            &path("waivers/inspec-scan-time/rhel8_sample_oneOfEachControlStatus.waivers.yml"),
        ],
        0,
    );
    assert!(
        good.stdout.ends_with(": valid, 3 waivers\n"),
        "{}",
        good.stdout
    );
    let good = exits(
        &[
            "attestations",
            "validate",
            &path("attestations/red_hat_good.attestations.yml"),
        ],
        0,
    );
    assert!(good.stdout.contains(": valid, "), "{}", good.stdout);

    // Every bad attestation file is refused with its place, on one line per problem.
    let bad_dir = fixture("attestations");
    let mut refused = 0;
    for entry in std::fs::read_dir(&bad_dir).unwrap() {
        let file = entry.unwrap().path();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("bad_") {
            continue;
        }
        let ran = exits(&["attestations", "validate", &file.to_string_lossy()], 2);
        for line in ran.stderr.lines() {
            assert!(
                line.contains(&name) && !line.contains('\u{1b}'),
                "{name}: {line:?}"
            );
        }
        refused += 1;
    }
    assert!(refused >= 10, "only {refused} bad attestation files");

    // A waiver file given as attestations, and the other way round.
    let crossed = exits(
        &[
            "attestations",
            "validate",
            &path("waivers/inspec-scan-time/rhel8_sample_oneOfEachControlStatus.waivers.yml"),
        ],
        2,
    );
    assert!(crossed.stderr.contains("--waivers"), "{}", crossed.stderr);
    let crossed = exits(
        &[
            "waivers",
            "validate",
            &path("attestations/red_hat_good.attestations.yml"),
        ],
        2,
    );
    assert!(
        crossed.stderr.contains("--attestations"),
        "{}",
        crossed.stderr
    );

    for kind in ["waivers", "attestations"] {
        let schema: Value = serde_json::from_str(&exits(&[kind, "schema"], 0).stdout).unwrap();
        assert!(
            jsonschema::validator_for(&schema).is_ok(),
            "{kind}: the schema does not compile"
        );
    }
}

/// Bad input to the options is exit 2 with one line, before any input is read.
#[test]
fn bad_clock_and_bad_options_are_errors() {
    let results = path("results/rhel8_sample_oneOfEachControlStatus.json");
    let waivers = path("waivers/inspec-scan-time/rhel8_sample_oneOfEachControlStatus.waivers.yml");
    let ran = exits_at(
        &root(),
        "yesterday",
        &["check", "-i", &results, "--waivers", &waivers],
        2,
    );
    assert_eq!(
        ran.stderr,
        "error: SOURCE_DATE_EPOCH: expected whole seconds since 1970-01-01 UTC, found \"yesterday\"\n"
    );
    let ran = exits(
        &[
            "check",
            "-i",
            &results,
            "--waivers",
            &waivers,
            "--warn-expiring",
            "soon",
        ],
        2,
    );
    assert!(
        ran.stderr
            .contains("expected a number of days or weeks such as `14d` or `2w`"),
        "{}",
        ran.stderr
    );
    let ran = exits(
        &["check", "-i", &results, "--waivers", "no/such/waivers.yml"],
        2,
    );
    assert!(
        ran.stderr.starts_with("error: no/such/waivers.yml: "),
        "{}",
        ran.stderr
    );
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
}

/// A waiver file can come from a pull request: what it says reaches the terminal without
/// escape sequences.
#[test]
fn hostile_waiver_text_is_made_safe_on_the_terminal() {
    let dir = workspace();
    std::fs::write(
        dir.path().join("waivers.yml"),
        "\"SV-\\e[31mEVIL\\e[0m\":\n  justification: \"\\e]8;;http://x\\a link\"\n  run: false\n",
    )
    .unwrap();
    let ran = exits_at(
        dir.path(),
        RECORDED_AT,
        &["check", "-i", "scan.json", "--waivers", "waivers.yml"],
        1,
    );
    assert!(ran.stderr.contains("stale"), "{}", ran.stderr);
    assert!(!ran.stderr.contains('\u{1b}'), "{:?}", ran.stderr);
    assert!(!ran.stdout.contains('\u{1b}'), "{:?}", ran.stdout);
}

/// A scoped entry applies only to the inputs it names.
#[test]
fn scoped_waivers_apply_to_their_input_only() {
    let dir = workspace();
    std::fs::copy(dir.path().join("scan.json"), dir.path().join("other.json")).unwrap();
    std::fs::write(
        dir.path().join("waivers.yml"),
        "SV-230222:\n  justification: only for other.json\n  run: false\n  scope:\n    input: other.json\n",
    )
    .unwrap();
    let ran = exits_at(
        dir.path(),
        RECORDED_AT,
        &[
            "check",
            "-i",
            "scan.json",
            "-i",
            "other.json",
            "-I",
            "{failed.total.max: 0}",
            "--waivers",
            "waivers.yml",
        ],
        1,
    );
    assert!(ran.stdout.contains("FAIL  scan.json"), "{}", ran.stdout);
    assert!(ran.stdout.contains("PASS  other.json"), "{}", ran.stdout);
    assert!(
        ran.stdout.contains("Accepted risk in other.json: 1 waived"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("Accepted risk in scan.json: 0 waived"),
        "{}",
        ran.stdout
    );
}

/// README's examples of both files are valid files.
#[test]
fn readme_examples_are_valid_files() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split_once("## Accepted risk")
        .expect("README has a section \"Accepted risk\"")
        .1;
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let blocks: Vec<&str> = section
        .split("```yaml\n")
        .skip(1)
        .map(|b| b.split_once("```").unwrap().0)
        .collect();
    assert_eq!(
        blocks.len(),
        2,
        "expected a waiver file and an attestation file"
    );
    let dir = tempfile::tempdir().unwrap();
    for (kind, text) in [("waivers", blocks[0]), ("attestations", blocks[1])] {
        let file = dir.path().join(format!("{kind}.yml"));
        std::fs::write(&file, text).unwrap();
        exits(&[kind, "validate", &file.to_string_lossy()], 0);
    }
}
