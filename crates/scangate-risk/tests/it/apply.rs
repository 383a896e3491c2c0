//! Waivers and attestations applied to real results: what each does to a control's status,
//! where expiry falls, and that nothing but the named controls changes.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use scangate_results::{Input, Status, Summary};
use scangate_risk::{AcceptedRisk, Clock, State, Target, apply, attestations, waivers};

use crate::repo;

const RHEL8: &str = "fixtures/results/rhel8_sample_oneOfEachControlStatus.json";

fn input(rel: &str) -> Input {
    Input::read(repo().join(rel)).unwrap()
}

fn clock(at: &str) -> Clock {
    Clock {
        now: at.parse::<Timestamp>().unwrap(),
        tz: TimeZone::UTC,
        warn_within: SignedDuration::from_hours(14 * 24),
    }
}

const TARGET: Target<'static> = Target::File { path: "scan.json" };

fn statuses(summary: &Summary<'_>) -> Vec<(String, Status)> {
    summary
        .controls
        .iter()
        .map(|c| (c.control.id.as_str().to_owned(), c.status))
        .collect()
}

fn status_of(summary: &Summary<'_>, id: &str) -> Status {
    summary
        .controls
        .iter()
        .find(|c| c.control.id.as_str() == id)
        .unwrap()
        .status
}

/// A `run: false` waiver makes a failing or not reviewed control Not Applicable until the
/// first instant of its expiration date, and from then on changes nothing.
#[test]
fn a_waiver_holds_until_the_start_of_its_expiration_date() {
    let risk = AcceptedRisk {
        waivers: Some(
            waivers::load(
                "SV-230222:\n  justification: rebuilt weekly\n  expiration_date: 2026-12-04\n  run: false\n",
                "w.yml",
            )
            .unwrap(),
        ),
        attestations: None,
    };
    for (at, state, status) in [
        (
            "2026-12-03T23:59:59Z",
            State::Applied,
            Status::NotApplicable,
        ),
        (
            "2026-12-04T00:00:00Z",
            State::Applied,
            Status::NotApplicable,
        ),
        (
            "2026-12-04T00:00:00.000000001Z",
            State::Expired,
            Status::Failed,
        ),
    ] {
        let input = input(RHEL8);
        let mut results = input.parse().unwrap();
        let decided = apply(&mut results, &TARGET, &risk, &clock(at));
        assert_eq!(decided.decisions[0].state, state, "at {at}");
        assert_eq!(decided.decisions[0].expiring_soon, state == State::Applied);
        let summary = Summary::new(&results);
        assert_eq!(status_of(&summary, "SV-230222"), status, "at {at}");
        let (waived, attested) = decided.decided(&summary);
        assert_eq!(waived.len(), usize::from(state == State::Applied));
        assert!(attested.is_empty());
    }
}

/// saf's transitions: a Not Reviewed control takes the attested status; impact 0 and
/// automated results are not overridden.
#[test]
fn attestations_decide_only_not_reviewed_controls() {
    let file = attestations::load(
        "- {control_id: sv-230328, explanation: checked, frequency: annually, status: failed, updated: 2026-11-20, updated_by: me}\n\
         - {control_id: SV-230223, explanation: checked, frequency: annually, status: passed, updated: 2026-11-20, updated_by: me}\n\
         - {control_id: SV-230222, explanation: checked, frequency: annually, status: passed, updated: 2026-11-20, updated_by: me}\n",
        "a.yml",
    )
    .unwrap();
    let risk = AcceptedRisk {
        waivers: None,
        attestations: Some(file),
    };
    let input = input(RHEL8);
    let mut results = input.parse().unwrap();
    let decided = apply(&mut results, &TARGET, &risk, &clock("2026-12-04T12:00:00Z"));
    let states: Vec<State> = decided.decisions.iter().map(|d| d.state).collect();
    assert_eq!(
        states,
        [State::Applied, State::Unneeded, State::NotAttestable]
    );
    let summary = Summary::new(&results);
    assert_eq!(status_of(&summary, "SV-230328"), Status::Failed);
    assert_eq!(status_of(&summary, "SV-230223"), Status::NotApplicable);
    assert_eq!(status_of(&summary, "SV-230222"), Status::Failed);
    let (_, attested) = decided.decided(&summary);
    assert_eq!(attested.len(), 1);
}

/// Entries scoped to another input do nothing here and are not reported for it.
#[test]
fn out_of_scope_entries_are_not_this_inputs() {
    let risk = AcceptedRisk {
        waivers: Some(
            waivers::load(
                "SV-230222:\n  justification: j\n  run: false\n  scope: {namespace: shop}\n",
                "w.yml",
            )
            .unwrap(),
        ),
        attestations: None,
    };
    let input = input(RHEL8);
    let mut results = input.parse().unwrap();
    let decided = apply(&mut results, &TARGET, &risk, &clock("2026-12-04T12:00:00Z"));
    assert!(decided.decisions.is_empty());
    let pod = Target::Pod {
        namespace: "shop",
        workload: "web",
        container: "scanner",
    };
    let decided = apply(&mut results, &pod, &risk, &clock("2026-12-04T12:00:00Z"));
    assert_eq!(decided.decisions[0].state, State::Applied);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Waiving any set of controls of a real scan changes exactly those that were neither
    /// Passed nor Not Applicable, each to Not Applicable, and nothing else; the number of
    /// counted controls stays the same.
    #[test]
    fn waivers_change_exactly_the_controls_they_name(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 1..30),
    ) {
        let input = input("fixtures/results/red_hat_good.json");
        let before = Summary::new(&input.parse().unwrap()).controls.iter()
            .map(|c| (c.control.id.as_str().to_owned(), c.status)).collect::<Vec<_>>();
        let mut named: Vec<&str> = picks.iter().map(|p| before[p.index(before.len())].0.as_str()).collect();
        named.sort_unstable();
        named.dedup();
        let text: String = named.iter()
            .map(|id| format!("{id}:\n  justification: accepted\n  run: false\n"))
            .collect();
        let risk = AcceptedRisk {
            waivers: Some(waivers::load(&text, "w.yml").unwrap()),
            attestations: None,
        };
        let mut results = input.parse().unwrap();
        let decided = apply(&mut results, &TARGET, &risk, &clock("2026-12-04T12:00:00Z"));
        let summary = Summary::new(&results);
        let after = statuses(&summary);
        prop_assert_eq!(after.len(), before.len());
        let mut waived = 0;
        for ((id, was), (_, now)) in before.iter().zip(&after) {
            let expected = if named.contains(&id.as_str())
                && !matches!(was, Status::Passed | Status::NotApplicable)
            {
                waived += 1;
                Status::NotApplicable
            } else {
                *was
            };
            prop_assert_eq!(*now, expected, "{}", id);
        }
        prop_assert_eq!(decided.decided(&summary).0.len(), waived);
        prop_assert_eq!(decided.count(scangate_risk::Kind::Waiver, State::Applied), waived);
    }
}
