//! Invariants of counting, over generated results files.

use proptest::prelude::*;
use scangate_results::{Input, Severity, Status, Summary};
use serde_json::{Value, json};

fn result() -> impl Strategy<Value = Value> {
    let status = prop_oneof![
        4 => Just(json!("passed")),
        3 => Just(json!("failed")),
        2 => Just(json!("skipped")),
        1 => Just(json!("error")),
        1 => Just(Value::Null),
    ];
    let backtrace = prop_oneof![6 => Just(None), 1 => Just(Some(Value::Null)), 1 => Just(Some(json!([]))), 1 => Just(Some(json!(["at x.rb:1"])))];
    (status, backtrace).prop_map(|(status, backtrace)| {
        let mut r = json!({"status": status, "code_desc": "test", "start_time": "2024-01-01T00:00:00Z", "message": "m"});
        if let Some(bt) = backtrace {
            r["backtrace"] = bt;
        }
        r
    })
}

fn control() -> impl Strategy<Value = Value> {
    let impact = prop_oneof![
        Just(0.0),
        Just(0.05),
        Just(0.3),
        Just(0.5),
        Just(0.7),
        Just(0.95),
        (-0.5f64..1.5f64)
    ];
    let severity = prop_oneof![
        3 => Just(None),
        1 => Just(Some(json!("high"))),
        1 => Just(Some(json!("High"))),
        1 => Just(Some(json!("none"))),
        1 => Just(Some(json!("bogus"))),
        1 => Just(Some(json!(5))),
    ];
    let waiver = prop_oneof![4 => Just(None), 1 => Just(Some(json!(true))), 1 => Just(Some(json!(false))), 1 => Just(Some(json!("")))];
    (impact, severity, waiver, prop::collection::vec(result(), 0..5)).prop_map(|(impact, severity, waiver, results)| {
        let mut c = json!({"id": "", "impact": impact, "refs": [], "tags": {}, "source_location": {}, "results": results});
        if let Some(s) = severity {
            c["tags"]["severity"] = s;
        }
        if let Some(w) = waiver {
            c["waiver_data"] = json!({"skipped_due_to_waiver": w});
        }
        c
    })
}

fn profile(name: &str, mut controls: Vec<Value>) -> Value {
    for (i, c) in controls.iter_mut().enumerate() {
        c["id"] = json!(format!("{name}-{i}"));
    }
    json!({"name": name, "sha256": "0", "supports": [], "attributes": [], "groups": [], "controls": controls})
}

fn document(profiles: Vec<Value>) -> Vec<u8> {
    let doc = json!({"platform": {"name": "p", "release": "1"}, "profiles": profiles, "statistics": {}, "version": "5"});
    serde_json::to_vec(&doc).unwrap()
}

/// 1 to 4 independent profiles with disjoint control ids.
fn independent_profiles() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(prop::collection::vec(control(), 0..12), 1..5).prop_map(|profiles| {
        profiles
            .into_iter()
            .enumerate()
            .map(|(i, cs)| profile(&format!("p{i}"), cs))
            .collect()
    })
}

/// An overlay (controls without results) over a baseline that has `parent_profile`.
fn overlay_pair() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(control(), 1..12).prop_map(|controls| {
        let mut base = profile("base", controls.clone());
        base["parent_profile"] = json!("overlay");
        let mut over = profile("base", controls);
        over["name"] = json!("overlay");
        for c in over["controls"].as_array_mut().unwrap() {
            c["results"] = json!([]);
        }
        vec![over, base]
    })
}

fn summarize<T>(bytes: Vec<u8>, f: impl FnOnce(&Summary<'_>) -> T) -> T {
    let input = Input::from_bytes("generated.json", bytes);
    let results = input.parse().expect("generated results parse");
    let summary = Summary::new(&results);
    f(&summary)
}

proptest! {
    #[test]
    fn buckets_sum_to_totals_and_every_control_is_counted_once(profiles in independent_profiles()) {
        let n: usize = profiles.iter().map(|p| p["controls"].as_array().unwrap().len()).sum();
        summarize(document(profiles), |s| {
            for status in Status::ALL {
                let buckets: u64 = Severity::ALL.iter().map(|&sev| s.counts.get(status, sev)).sum();
                prop_assert_eq!(buckets, s.counts.total(status));
            }
            prop_assert_eq!(s.counts.controls() as usize, n);
            prop_assert_eq!(s.controls.len(), n);
            let mut per_profile = scangate_results::Counts::default();
            for p in &s.profiles {
                per_profile.merge(&p.counts);
            }
            prop_assert_eq!(per_profile, s.counts);
            Ok(())
        })?;
    }

    #[test]
    fn compliance_is_a_percentage(profiles in independent_profiles()) {
        summarize(document(profiles), |s| {
            prop_assert!(s.compliance() <= 100);
            for p in &s.profiles {
                prop_assert!(p.counts.compliance() <= 100);
            }
            Ok(())
        })?;
    }

    #[test]
    fn reordering_results_within_a_control_keeps_its_status(
        (control, order) in control().prop_flat_map(|c| {
            let n = c["results"].as_array().unwrap().len();
            (Just(c), Just((0..n).collect::<Vec<_>>()).prop_shuffle())
        })
    ) {
        let mut shuffled = control.clone();
        let results = control["results"].as_array().unwrap();
        shuffled["results"] = Value::Array(order.iter().map(|&i| results[i].clone()).collect());
        let status = |c: Value| summarize(document(vec![profile("p", vec![c])]), |s| s.controls[0].status);
        prop_assert_eq!(status(control), status(shuffled));
    }

    #[test]
    fn reordering_profiles_keeps_the_counts(
        profiles in prop_oneof![independent_profiles(), overlay_pair()].prop_flat_map(|p| {
            let n = p.len();
            (Just(p), Just((0..n).collect::<Vec<_>>()).prop_shuffle())
        })
    ) {
        let (profiles, order) = profiles;
        let reordered: Vec<Value> = order.iter().map(|&i| profiles[i].clone()).collect();
        let counts = |ps: Vec<Value>| summarize(document(ps), |s| (s.counts, s.compliance()));
        prop_assert_eq!(counts(profiles), counts(reordered));
    }
}
