//! generate → evaluate round trips: a threshold generated from a scan passes that scan, and
//! moving any one limit, or any one control, by one fails exactly the rules it should.

use proptest::prelude::*;
use scangate_results::{Input, Severity, Status, Summary};
use scangate_threshold::{GenerateOptions, Verdict, evaluate, generate, load};
use serde_json::{Value, json};

/// (status, impact, severity tag) of one control.
type Spec = (Status, f64, Option<&'static str>);

fn spec() -> impl Strategy<Value = Spec> {
    let status = prop::sample::select(Status::ALL.to_vec());
    let impact = prop::sample::select(vec![0.05, 0.3, 0.5, 0.7, 0.95]);
    let tag = prop::sample::select(vec![
        None,
        Some("high"),
        Some("Low"),
        Some("critical"),
        Some("none"),
    ]);
    (status, impact, tag)
}

fn control(i: usize, (status, impact, tag): Spec) -> Value {
    let result = |s: &str| json!({"status": s, "code_desc": "t", "start_time": "s"});
    let (impact, results) = match status {
        Status::Passed => (impact, vec![result("passed")]),
        Status::Failed => (impact, vec![result("passed"), result("failed")]),
        Status::NotReviewed => (impact, vec![result("skipped")]),
        Status::ProfileError => (
            impact,
            vec![json!({"status": "failed", "code_desc": "t", "start_time": "s", "backtrace": []})],
        ),
        Status::NotApplicable => (0.0, vec![result("skipped")]),
    };
    let mut c = json!({"id": format!("C-{i}"), "impact": impact, "refs": [], "tags": {}, "source_location": {}, "results": results});
    if let Some(t) = tag {
        c["tags"]["severity"] = json!(t);
    }
    c
}

fn document(specs: &[Spec]) -> Input {
    let controls: Vec<Value> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| control(i, *s))
        .collect();
    let doc = json!({
        "platform": {"name": "p", "release": "1"}, "statistics": {}, "version": "5",
        "profiles": [{"name": "p", "sha256": "0", "supports": [], "attributes": [], "groups": [], "controls": controls}]
    });
    Input::from_bytes("generated.json", serde_json::to_vec(&doc).unwrap())
}

fn failing(verdict: &Verdict) -> Vec<String> {
    verdict.failures().map(|o| o.code.to_string()).collect()
}

fn exact_threshold(summary: &Summary<'_>, control_ids: bool) -> scangate_threshold::Threshold {
    let generated = generate(
        summary,
        GenerateOptions {
            exact: true,
            control_ids,
            margin: 0,
        },
    );
    let yaml = serde_saphyr::to_string(&generated).unwrap();
    load(&yaml, "generated.yml").expect("a generated threshold loads")
}

proptest! {
    #[test]
    fn a_generated_threshold_passes_its_own_scan(specs in prop::collection::vec(spec(), 0..40), exact: bool, ids: bool) {
        let input = document(&specs);
        let results = input.parse().unwrap();
        let summary = Summary::new(&results);
        let generated = generate(&summary, GenerateOptions { exact, control_ids: ids, margin: 0 });
        let threshold = load(&serde_saphyr::to_string(&generated).unwrap(), "generated.yml").unwrap();
        let verdict = evaluate(&summary, &threshold);
        prop_assert!(verdict.passed(), "failing: {:?}", failing(&verdict));
        prop_assert_eq!(verdict.outcomes.len(), threshold.rule_count());
    }

    #[test]
    fn moving_one_limit_by_one_fails_exactly_that_rule(specs in prop::collection::vec(spec(), 1..40), pick: prop::sample::Index) {
        let input = document(&specs);
        let results = input.parse().unwrap();
        let summary = Summary::new(&results);
        let mut threshold = exact_threshold(&summary, false);
        // Every count limit, as (index into counts, is_min).
        let limits: Vec<(usize, bool)> = threshold.counts.iter().enumerate().flat_map(|(i, (_, _, l))| {
            let min = l.min.map(|_| (i, true));
            let max = l.max.filter(|&m| m > 0).map(|_| (i, false));
            min.into_iter().chain(max)
        }).collect();
        prop_assume!(!limits.is_empty());
        let (i, is_min) = limits[pick.index(limits.len())];
        let (status, bucket, limit) = &mut threshold.counts[i];
        let expected = format!("{}-{}-{}", status.key().replace('_', "-"), bucket.key(), if is_min { "min" } else { "max" });
        if is_min {
            *limit.min.as_mut().unwrap() += 1;
        } else {
            *limit.max.as_mut().unwrap() -= 1;
        }
        let verdict = evaluate(&summary, &threshold);
        prop_assert_eq!(failing(&verdict), vec![expected]);
    }

    #[test]
    fn one_more_control_fails_the_rules_of_its_bucket(specs in prop::collection::vec(spec(), 1..40), extra in spec(), ids: bool) {
        let input = document(&specs);
        let results = input.parse().unwrap();
        let summary = Summary::new(&results);
        let threshold = exact_threshold(&summary, ids);

        let mut more = specs.clone();
        more.push(extra);
        let bigger_input = document(&more);
        let bigger_results = bigger_input.parse().unwrap();
        let bigger = Summary::new(&bigger_results);
        let added = bigger.controls.last().unwrap();
        let (status, severity) = (added.status, added.severity);

        let codes = failing(&evaluate(&bigger, &threshold));
        let st = status.key().replace('_', "-");
        let sev = severity.key();
        // The bucket's ceiling fails whenever saf's generate writes one for it.
        if severity != Severity::None || status == Status::NotApplicable {
            let bucket_max = format!("{st}-{sev}-max");
            prop_assert!(codes.contains(&bucket_max), "{bucket_max} not in {codes:?}");
        }
        if status != Status::Passed {
            let total_max = format!("{st}-total-max");
            prop_assert!(codes.contains(&total_max), "{total_max} not in {codes:?}");
        }
        let allowed = [
            format!("{st}-{sev}-max"),
            format!("{st}-total-max"),
            format!("{st}-{sev}-controls"),
            "compliance-min".to_owned(),
            "compliance-max".to_owned(),
        ];
        for code in &codes {
            prop_assert!(allowed.contains(code), "{code} failed, but the new control is {st} {sev}");
        }
        // saf's generate lists ids only for buckets that had controls; where it did, the new
        // id breaks the list.
        let listed = threshold
            .limits(status, scangate_threshold::Bucket::Severity(severity))
            .is_some_and(|l| l.controls.is_some());
        prop_assert_eq!(listed, ids && summary.bucket(status, severity).next().is_some());
        prop_assert_eq!(codes.contains(&format!("{st}-{sev}-controls")), listed);
    }
}

proptest! {
    /// `new.<bucket>.max` counts exactly the new failures of its bucket, and without a
    /// baseline it never passes.
    #[test]
    fn new_failure_ceilings_count_their_bucket(
        specs in prop::collection::vec(spec(), 1..40),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
        max in 0u64..4,
        bucket in prop::sample::select(scangate_threshold::Bucket::ALL.to_vec()),
    ) {
        use scangate_threshold::{Bucket, evaluate_change};
        let input = document(&specs);
        let results = input.parse().unwrap();
        let summary = Summary::new(&results);
        let failing_now: Vec<usize> = summary.controls.iter().enumerate()
            .filter(|(_, c)| c.status.is_failing()).map(|(i, _)| i).collect();
        let mut new: Vec<usize> = if failing_now.is_empty() { Vec::new() } else {
            picks.iter().map(|p| failing_now[p.index(failing_now.len())]).collect()
        };
        new.sort_unstable();
        new.dedup();
        let threshold = load(&format!("new.{}.max: {max}", bucket.key()), "t.yml").unwrap();
        let in_bucket = new.iter().filter(|&&i| bucket == Bucket::Total
            || bucket == Bucket::Severity(summary.controls[i].severity)).count() as u64;
        let verdict = evaluate_change(&summary, &threshold, Some(&new));
        prop_assert_eq!(verdict.outcomes.len(), 1);
        prop_assert_eq!(verdict.passed(), in_bucket <= max);
        prop_assert_eq!(verdict.outcomes[0].code.as_str(), format!("new-{}-max", bucket.key()));
        prop_assert_eq!(verdict.outcomes[0].controls.len() as u64, in_bucket);
        let unjudged = evaluate(&summary, &threshold);
        prop_assert!(!unjudged.passed(), "a change rule passed without a baseline");
        prop_assert!(unjudged.outcomes[0].message.contains("--baseline"));
    }

    /// `waived.total.max` and `attested.total.max` count exactly the controls the gate was
    /// told accepted risk decided, whatever their status, and list them when they fail;
    /// with no waivers or attestations nothing is accepted and the rule passes.
    #[test]
    fn accepted_risk_ceilings_count_what_was_accepted(
        specs in prop::collection::vec(spec(), 1..40),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
        max in 0u64..4,
        waived in any::<bool>(),
    ) {
        use scangate_threshold::{Facts, evaluate_with};
        let input = document(&specs);
        let results = input.parse().unwrap();
        let summary = Summary::new(&results);
        let mut accepted: Vec<usize> =
            picks.iter().map(|p| p.index(summary.controls.len())).collect();
        accepted.sort_unstable();
        accepted.dedup();
        let key = if waived { "waived" } else { "attested" };
        let threshold = load(&format!("{key}.total.max: {max}"), "t.yml").unwrap();
        let facts = if waived {
            Facts { waived: &accepted, ..Facts::default() }
        } else {
            Facts { attested: &accepted, ..Facts::default() }
        };
        let verdict = evaluate_with(&summary, &threshold, &facts);
        let fails = accepted.len() as u64 > max;
        prop_assert_eq!(verdict.outcomes.len(), 1);
        prop_assert_eq!(verdict.passed(), !fails);
        prop_assert_eq!(verdict.outcomes[0].code.as_str(), format!("{key}-total-max"));
        prop_assert_eq!(&verdict.outcomes[0].controls, &if fails { accepted.clone() } else { Vec::new() });
        prop_assert!(evaluate(&summary, &threshold).passed(), "nothing accepted, yet the ceiling failed");
    }
}
