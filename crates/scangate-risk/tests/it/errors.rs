//! Every kind of problem, and the message a user gets for it: each bad fixture, and inline
//! cases for what no fixture holds.

use std::collections::BTreeSet;

use scangate_risk::{Code, Error, attestations, waivers};

use crate::{fixtures, is_bad};

/// Inline cases: (what, which loader, text).
const CASES: &[(&str, Kind, &str)] = &[
    ("empty file", Kind::Waivers, ""),
    ("comments only", Kind::Attestations, "# nothing here\n"),
    ("yaml syntax", Kind::Waivers, "SV-1:\n  justification: [x\n"),
    (
        "duplicate control id",
        Kind::Waivers,
        "SV-1: {justification: a}\nSV-1: {justification: b}\n",
    ),
    (
        "duplicate attestation, other case",
        Kind::Attestations,
        "- {control_id: SV-1, explanation: e, frequency: daily, status: passed, updated: 2026-11-20, updated_by: u}\n- {control_id: sv-1, explanation: e, frequency: 2w, status: failed, updated: 2026-11-21, updated_by: u}\n",
    ),
    (
        "same control, different scopes: not a duplicate; the bad scope is",
        Kind::Attestations,
        "- {control_id: SV-1, explanation: e, frequency: daily, status: passed, updated: 2026-11-20, updated_by: u, scope: {namespace: a}}\n- {control_id: SV-1, explanation: e, frequency: daily, status: passed, updated: 2026-11-20, updated_by: u, scope: {namespace: b}}\n- {control_id: SV-1, explanation: e, frequency: daily, status: passed, updated: 2026-11-20, updated_by: u, scope: {nmespace: c}}\n",
    ),
    (
        "attestation frequencies saf reads loosely",
        Kind::Attestations,
        "- {control_id: A, explanation: e, frequency: Monthly, status: Passed, updated: 2026-11-20, updated_by: u}\n- {control_id: B, explanation: e, frequency: 1.5m, status: failed, updated: '2026-11-20T10:00:00+01:00', updated_by: u}\n- {control_id: C, explanation: e, frequency: anually, status: failed, updated: 2026-11-20, updated_by: u}\n- {control_id: D, explanation: e, frequency: every 5 days, status: failed, updated: 2026-11-20, updated_by: u}\n- {control_id: E, explanation: e, frequency: 0d, status: failed, updated: 2026-11-20, updated_by: u}\n",
    ),
    (
        "attestation with wrong types and misspelt keys",
        Kind::Attestations,
        "- control_id: 42\n  explanation: [a]\n  frequency: daily\n  status: failed\n  updated: 2026-11-20\n  updatedby: u\n  tikcet: T-1\n- just a string\n",
    ),
    (
        "attestation file that is a string",
        Kind::Attestations,
        "hello\n",
    ),
    ("waiver file that is a number", Kind::Waivers, "42\n"),
];

#[derive(Clone, Copy)]
enum Kind {
    Waivers,
    Attestations,
}

fn load(kind: Kind, text: &str, name: &str) -> Result<(), Error> {
    match kind {
        Kind::Waivers => waivers::load(text, name).map(drop),
        Kind::Attestations => attestations::load(text, name).map(drop),
    }
}

#[test]
fn every_bad_fixture_is_refused_with_a_precise_message() {
    let mut report = String::new();
    for (dir, kind) in [
        ("fixtures/waivers", Kind::Waivers),
        ("fixtures/attestations", Kind::Attestations),
    ] {
        for (name, text) in fixtures(dir) {
            if !is_bad(&name) {
                continue;
            }
            let err = load(kind, &text, &name).expect_err(&name);
            report.push_str(&format!("## {name}\n{err}\n\n"));
        }
    }
    insta::assert_snapshot!(report);
}

#[test]
fn every_inline_case_has_a_precise_message() {
    let mut report = String::new();
    for (what, kind, text) in CASES {
        let err = load(*kind, text, "t.yml").expect_err(what);
        report.push_str(&format!("## {what}\n{text}---\n{err}\n\n"));
    }
    insta::assert_snapshot!(report);
}

/// Every problem line starts `FILE:LINE:COL: `, and every code is produced by some case.
#[test]
fn every_code_is_used_and_every_problem_has_a_place() {
    let mut seen = BTreeSet::new();
    let mut check = |err: Error| {
        for problem in err.problems() {
            seen.insert(problem.code);
        }
        for line in err.to_string().lines() {
            let mut parts = line.splitn(4, ':');
            let (_, l, c) = (parts.next(), parts.next(), parts.next());
            assert!(
                l.is_some_and(|l| l.parse::<u64>().is_ok())
                    && c.is_some_and(|c| c.parse::<u64>().is_ok()),
                "no place in {line:?}"
            );
        }
    };
    for (dir, kind) in [
        ("fixtures/waivers", Kind::Waivers),
        ("fixtures/attestations", Kind::Attestations),
    ] {
        for (name, text) in fixtures(dir) {
            if is_bad(&name) {
                check(load(kind, &text, &name).unwrap_err());
            }
        }
    }
    for (what, kind, text) in CASES {
        let err = load(*kind, text, "t.yml").expect_err(what);
        if matches!(err.kind, scangate_risk::ErrorKind::Invalid { .. }) {
            check(err);
        }
    }
    let all: BTreeSet<Code> = Code::ALL.into_iter().collect();
    assert_eq!(
        seen,
        all,
        "codes no case produces: {:?}",
        all.difference(&seen)
    );
    let names: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(names.len(), Code::ALL.len());
}
