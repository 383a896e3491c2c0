//! One input compared with a baseline: each control's [`State`], the baseline's failing
//! controls the input no longer has, and the counts the gate and the reports use.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use foldhash::fast::RandomState;
use std::fmt;

use scangate_results::{Severity, Summary};

use super::load::{Baseline, BaselineControl};
use crate::finding::{self, IdentityRecord};

/// What a control of a run is, against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Failing now, not failing in the baseline (or not in it at all).
    New,
    /// Failing now and in the baseline.
    StillFailing,
    /// Failing in the baseline, not now.
    Fixed,
    /// Failing neither now nor in the baseline.
    NotFailing,
}

impl State {
    /// The word reports use: `new`, `still_failing`, `fixed`, `not_failing`.
    pub const fn key(self) -> &'static str {
        match self {
            State::New => "new",
            State::StillFailing => "still_failing",
            State::Fixed => "fixed",
            State::NotFailing => "not_failing",
        }
    }

    /// For people: `new`, `still failing`, `fixed`, `not failing`.
    pub const fn label(self) -> &'static str {
        match self {
            State::New => "new",
            State::StillFailing => "still failing",
            State::Fixed => "fixed",
            State::NotFailing => "not failing",
        }
    }
}

/// A failing control of the baseline that the input no longer has.
#[derive(Debug, Clone, PartialEq)]
pub struct GoneControl {
    pub control: BaselineControl,
    /// Its fingerprint, under the input's identity.
    pub fingerprint: String,
}

/// New failures by severity, and in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NewCounts {
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub none: u64,
    pub total: u64,
}

impl NewCounts {
    fn add(&mut self, severity: Severity) {
        *match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::None => &mut self.none,
        } += 1;
        self.total += 1;
    }

    /// Adds `other` to these counts.
    pub fn merge(&mut self, other: &NewCounts) {
        self.critical += other.critical;
        self.high += other.high;
        self.medium += other.medium;
        self.low += other.low;
        self.none += other.none;
        self.total += other.total;
    }
}

/// How an input changed against the baseline, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChangeCounts {
    pub new: NewCounts,
    pub still_failing: u64,
    pub fixed: u64,
    pub gone: u64,
}

impl ChangeCounts {
    /// Adds `other` to these counts.
    pub fn merge(&mut self, other: &ChangeCounts) {
        self.new.merge(&other.new);
        self.still_failing += other.still_failing;
        self.fixed += other.fixed;
        self.gone += other.gone;
    }
}

impl fmt::Display for ChangeCounts {
    /// `3 new (1 high, 2 medium), 109 still failing, 5 fixed, 0 gone`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = &self.new;
        write!(f, "{} new", n.total)?;
        let parts: Vec<String> = [
            (n.critical, "critical"),
            (n.high, "high"),
            (n.medium, "medium"),
            (n.low, "low"),
            (n.none, "none"),
        ]
        .iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, severity)| format!("{count} {severity}"))
        .collect();
        if !parts.is_empty() {
            write!(f, " ({})", parts.join(", "))?;
        }
        write!(
            f,
            ", {} still failing, {} fixed, {} gone",
            self.still_failing, self.fixed, self.gone
        )
    }
}

/// Why an input was compared with less than a user would expect.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeWarning {
    /// The baseline has no input of this identity: nothing to compare with.
    NoBaselineInput {
        baseline: String,
        input: IdentityRecord,
        /// The identities it has (a few).
        known: Vec<String>,
        failing: u64,
    },
    /// The baseline's input has none of these profiles.
    OtherProfiles {
        baseline: String,
        input: IdentityRecord,
        profiles: Vec<String>,
        baseline_profiles: Vec<String>,
    },
}

impl fmt::Display for ChangeWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChangeWarning::NoBaselineInput {
                baseline,
                input,
                known,
                failing,
            } => {
                write!(f, "{baseline} has no input {input}")?;
                if !known.is_empty() {
                    write!(f, " (it has {})", list(known))?;
                }
                write!(
                    f,
                    "; all {failing} failing controls of {input} count as new (inputs match by path, or by namespace, workload and container)"
                )
            }
            ChangeWarning::OtherProfiles {
                baseline,
                input,
                profiles,
                baseline_profiles,
            } => {
                let plural = if profiles.len() == 1 { "" } else { "s" };
                write!(
                    f,
                    "{baseline} has no results of profile{plural} {} for {input}",
                    list(profiles)
                )?;
                if baseline_profiles.is_empty() {
                    f.write_str(" (it has no profile)")?;
                } else {
                    write!(f, " (it has {})", list(baseline_profiles))?;
                }
                write!(f, "; their failing controls all count as new")
            }
        }
    }
}

/// `a, b, c` or `a, b, c and 4 more`.
fn list(items: &[String]) -> String {
    const SHOWN: usize = 3;
    let shown = items
        .iter()
        .take(SHOWN)
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        format!("{shown} and {} more", items.len() - SHOWN)
    } else {
        shown
    }
}

/// One input of a run, compared with the baseline.
#[derive(Debug, Clone)]
pub struct InputChange {
    /// One state per control of the input's summary, in its order.
    pub states: Vec<State>,
    /// The baseline's failing controls of this input that it no longer has.
    pub gone: Vec<GoneControl>,
    /// Why the comparison is weaker than it looks, if it is.
    pub warnings: Vec<ChangeWarning>,
    counts: ChangeCounts,
}

impl InputChange {
    pub fn counts(&self) -> ChangeCounts {
        self.counts
    }

    /// Indices into the summary's controls of the new failures, for the gate.
    pub fn new_failures(&self) -> Vec<usize> {
        self.indices(State::New)
    }

    /// Indices into the summary's controls in `state`.
    pub fn indices(&self, state: State) -> Vec<usize> {
        self.states
            .iter()
            .enumerate()
            .filter(|(_, s)| **s == state)
            .map(|(i, _)| i)
            .collect()
    }
}

impl Baseline {
    /// Compares the input of identity `identity`, whose counts are `summary`, with this
    /// baseline.
    pub fn compare(&self, identity: &IdentityRecord, summary: &Summary<'_>) -> InputChange {
        let baseline = self.path.display().to_string();
        let mut warnings = Vec::new();
        let mut states: Vec<State> = summary
            .controls
            .iter()
            .map(|c| {
                if c.status.is_failing() {
                    State::New
                } else {
                    State::NotFailing
                }
            })
            .collect();
        let mut gone = Vec::new();
        match self.set_for(identity) {
            None => {
                let known: Vec<String> = self
                    .sets
                    .iter()
                    .filter_map(|s| s.identity.as_ref().map(ToString::to_string))
                    .collect();
                let failing = states.iter().filter(|s| **s == State::New).count() as u64;
                warnings.push(ChangeWarning::NoBaselineInput {
                    baseline,
                    input: identity.clone(),
                    known,
                    failing,
                });
            }
            Some(set) => {
                let missing: Vec<String> = summary
                    .profiles
                    .iter()
                    .map(|p| p.profile.name.to_string())
                    .filter(|name| !set.profiles.contains(name))
                    .collect();
                if !missing.is_empty() {
                    warnings.push(ChangeWarning::OtherProfiles {
                        baseline,
                        input: identity.clone(),
                        profiles: missing,
                        baseline_profiles: set.profiles.clone(),
                    });
                }
                if !set.failing.is_empty() {
                    // One map from (profile, id, ordinal) to the control, with one hash per
                    // control: the first copy of an id is ordinal 1, and only duplicated ids
                    // go through a counter (the numbering of `finding::control_ordinals`).
                    // foldhash is seeded per process: control ids are the scanned system's.
                    let mut current: HashMap<(&str, &str, u32), usize, RandomState> =
                        HashMap::with_capacity_and_hasher(
                            summary.controls.len(),
                            RandomState::default(),
                        );
                    let mut copies: HashMap<(&str, &str), u32, RandomState> = HashMap::default();
                    for (i, c) in summary.controls.iter().enumerate() {
                        let profile = finding::profile_name(summary, c.profile);
                        let id = c.control.id.as_str();
                        if let Entry::Vacant(slot) = current.entry((profile, id, 1)) {
                            slot.insert(i);
                            continue;
                        }
                        let n = copies.entry((profile, id)).or_insert(1);
                        *n += 1;
                        current.insert((profile, id, *n), i);
                    }
                    let keys = identity.fingerprints();
                    for control in &set.failing {
                        let key = (
                            control.profile.as_str(),
                            control.control_id.as_str(),
                            control.ordinal,
                        );
                        match current.get(&key).map(|&i| (i, states[i])) {
                            Some((i, State::New)) => states[i] = State::StillFailing,
                            Some((i, State::NotFailing)) => states[i] = State::Fixed,
                            // The same control listed twice in a baseline: judged once.
                            Some(_) => {}
                            None => gone.push(GoneControl {
                                fingerprint: keys
                                    .control(&control.profile, &control.control_id, control.ordinal)
                                    .into(),
                                control: control.clone(),
                            }),
                        }
                    }
                }
            }
        }
        let mut counts = ChangeCounts {
            gone: gone.len() as u64,
            ..ChangeCounts::default()
        };
        for (state, control) in states.iter().zip(&summary.controls) {
            match state {
                State::New => counts.new.add(control.severity),
                State::StillFailing => counts.still_failing += 1,
                State::Fixed => counts.fixed += 1,
                State::NotFailing => {}
            }
        }
        InputChange {
            states,
            gone,
            warnings,
            counts,
        }
    }
}
