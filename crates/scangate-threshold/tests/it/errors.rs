//! Every kind of threshold problem, and the message a user gets for it.

const CASES: &[(&str, &str)] = &[
    ("compliance above 100", "compliance:\n  min: 120\n"),
    ("negative compliance", "compliance.max: -1\n"),
    ("fractional count", "failed:\n  total:\n    max: 2.5\n"),
    (
        "set twice, nested and flattened",
        "failed.total.max: 1\nfailed:\n  total:\n    max: 2\n",
    ),
    ("stray dot", "failed..max: 1\n"),
    ("too deep", "compliance:\n  min:\n    value: 3\n"),
    ("limit under a limit", "failed.high.max.value: 3\n"),
    (
        "alias for a status",
        "not_reviewed:\n  total:\n    max: 1\n",
    ),
    ("alias for n/a", "not_applicable.total.max: 1\n"),
    ("status as a number", "failed: 3\n"),
    (
        "controls with a non-string",
        "passed:\n  high:\n    controls: [SV-1, {x: 1}, true]\n",
    ),
    (
        "controls as numbers",
        "passed:\n  low:\n    controls: [1, 2]\n",
    ),
    (
        "exact total contradicts max",
        "failed:\n  total: 5\nfailed.total.max: 3\n",
    ),
    (
        "more controls listed than allowed",
        "failed.high.max: 1\nfailed.high.controls: [A, B]\n",
    ),
    (
        "compliance min above max",
        "compliance: {min: 90, max: 80}\n",
    ),
    ("empty mapping", "{}\n"),
    (
        "several problems at once",
        "compliance:\n  minimum: 80\npassed:\n  totl:\n    min: 1\nfailed:\n  critical:\n    max: \"0\"\n  high:\n    max: -2\n",
    ),
    ("new failures with a floor", "new:\n  total:\n    min: 1\n"),
    ("new failures as a number", "new:\n  high: 0\n"),
    ("new failures of an unknown severity", "new.hihg.max: 0\n"),
    (
        "new failures, set twice",
        "new.total.max: 1\nnew:\n  total: {max: 2}\n",
    ),
    (
        "accepted risk with a floor",
        "waived:\n  total:\n    min: 1\n",
    ),
    ("accepted risk by severity", "attested.high.max: 0\n"),
    ("accepted risk as a number", "waived.total: 3\n"),
    ("accepted risk misspelt", "waivd.total.max: 3\n"),
    ("yaml syntax", "compliance:\n  min: [80\n"),
    ("tabs", "compliance:\n\tmin: 80\n"),
];

#[test]
fn every_problem_has_a_precise_message() {
    let mut report = String::new();
    for (what, yaml) in CASES {
        let err = scangate_threshold::load(yaml, "t.yml").expect_err(what);
        report.push_str(&format!("## {what}\n{yaml}---\n{err}\n\n"));
    }
    insta::assert_snapshot!(report);
}

#[test]
fn inline_errors_point_into_the_inline_text() {
    let err =
        scangate_threshold::load_inline("{compliance.min: 80}, {failed.totl.max: 2}").unwrap_err();
    assert_eq!(
        err.to_string(),
        "<inline>:1:24: failed.totl: unknown key; did you mean `failed.total`?"
    );
    let err = scangate_threshold::load_inline("{compliance.min: 80").unwrap_err();
    assert!(err.to_string().starts_with("<inline>:1:"), "{err}");
}
