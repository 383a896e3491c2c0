//! Which controls count, and how many of each status and severity there are.
//!
//! Overlay linking follows inspecjs's `contextualizeEvaluation` step by step (compat:saf-overlays), with hash
//! maps instead of its linear searches, so a file with tens of thousands of duplicated ids
//! stays linear. Which profiles count is scangate's own rule (compat:independent-profiles): every profile that is not a
//! dependency of another, not only `profiles[0]`.

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::model::{ControlHead, Profile, Results};
use crate::status::{Severity, SeverityWarning, Status};

/// Controls per status × severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Counts {
    cells: [[u64; 5]; 5],
}

impl Counts {
    /// Controls with this status and severity.
    pub fn get(&self, status: Status, severity: Severity) -> u64 {
        self.cells[status.index()][severity.index()]
    }

    /// Sets one cell (for building counts by hand, e.g. in tests).
    pub fn set(&mut self, status: Status, severity: Severity, count: u64) {
        self.cells[status.index()][severity.index()] = count;
    }

    /// Counts one more control.
    pub fn add_control(&mut self, status: Status, severity: Severity) {
        self.cells[status.index()][severity.index()] += 1;
    }

    /// Every control with this status, whatever its severity (compat:totals-count-all: buckets sum to it).
    pub fn total(&self, status: Status) -> u64 {
        self.cells[status.index()].iter().sum()
    }

    /// Every counted control.
    pub fn controls(&self) -> u64 {
        Status::ALL.iter().map(|&s| self.total(s)).sum()
    }

    /// Adds another set of counts to these.
    pub fn merge(&mut self, other: &Counts) {
        for (row, other_row) in self.cells.iter_mut().zip(other.cells.iter()) {
            for (cell, other_cell) in row.iter_mut().zip(other_row.iter()) {
                *cell += other_cell;
            }
        }
    }

    /// saf's compliance (compat:saf-compliance): `round(100 × passed / (passed + failed + not reviewed +
    /// profile error))`, halves rounding up, 0 when nothing is applicable.
    pub fn compliance(&self) -> u32 {
        let passed = self.total(Status::Passed);
        let denominator = passed
            + self.total(Status::Failed)
            + self.total(Status::NotReviewed)
            + self.total(Status::ProfileError);
        if denominator == 0 {
            return 0;
        }
        // Same double arithmetic as JavaScript's Math.round(100 * p / d).
        let exact = (100 * passed) as f64 / denominator as f64;
        (exact + 0.5).floor() as u32
    }
}

/// A counted control: its root (the layer whose results and metadata count) and verdict.
#[derive(Debug, Clone, Copy)]
pub struct Evaluated<'r> {
    /// The deepest ancestor: results, impact, tags and id come from it (compat:saf-overlays). Its
    /// [`ControlHead::full`] parses the whole control, for reports.
    pub control: &'r ControlHead<'r>,
    /// The control as it appears in the counted profile (the same as `control` unless overlaid).
    pub leaf: &'r ControlHead<'r>,
    /// Index into [`Summary::profiles`].
    pub profile: usize,
    pub status: Status,
    pub severity: Severity,
}

/// One counted profile of an input.
#[derive(Debug, Clone)]
pub struct ProfileSummary<'r> {
    pub profile: &'r Profile<'r>,
    /// Index into [`Results::profiles`].
    pub index: usize,
    pub counts: Counts,
    /// This profile's entries in [`Summary::controls`].
    pub controls: Range<usize>,
}

/// Something worth telling the user that does not stop the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where in the file: a JSON path (`profiles[0].controls[3]`, `profiles[1]`) or a byte
    /// offset (`byte 4455`, counted from 0).
    pub location: String,
    pub message: String,
}

/// What one input file counts to: the gate looks at this.
#[derive(Debug, Clone)]
pub struct Summary<'r> {
    /// Counted profiles in file order (compat:independent-profiles).
    pub profiles: Vec<ProfileSummary<'r>>,
    /// Every counted control, grouped by profile, in file order within each.
    pub controls: Vec<Evaluated<'r>>,
    /// All counted profiles combined (compat:gate-per-input).
    pub counts: Counts,
    pub warnings: Vec<Warning>,
}

impl<'r> Summary<'r> {
    /// Resolves overlays and counts `results`.
    pub fn new(results: &'r Results<'r>) -> Summary<'r> {
        summarize(results)
    }

    /// Compliance of all counted profiles together (compat:saf-compliance on the summed counts).
    pub fn compliance(&self) -> u32 {
        self.counts.compliance()
    }

    /// The counted controls with this status and severity.
    pub fn bucket(
        &self,
        status: Status,
        severity: Severity,
    ) -> impl Iterator<Item = &Evaluated<'r>> {
        self.controls
            .iter()
            .filter(move |c| c.status == status && c.severity == severity)
    }
}

/// Where every control of the file sits: (profile, control) by global index.
struct Flat<'r> {
    owner: Vec<u32>,
    controls: Vec<&'r ControlHead<'r>>,
    starts: Vec<usize>,
}

impl<'r> Flat<'r> {
    fn new(profiles: &'r [Profile<'r>]) -> Self {
        let total = profiles.iter().map(|p| p.controls.len()).sum();
        let mut flat = Flat {
            owner: Vec::with_capacity(total),
            controls: Vec::with_capacity(total),
            starts: Vec::with_capacity(profiles.len()),
        };
        for (p, profile) in profiles.iter().enumerate() {
            flat.starts.push(flat.controls.len());
            for control in &profile.controls {
                flat.owner.push(p as u32);
                flat.controls.push(control);
            }
        }
        flat
    }
}

fn summarize<'r>(results: &'r Results<'r>) -> Summary<'r> {
    let profiles = &results.profiles;
    let flat = Flat::new(profiles);
    let parent_of = link_controls(profiles, &flat);
    let counted = counted_profiles(profiles);

    // A control stops counting only when a control of a counted profile extends it: duplicate
    // ids inside one profile behave as in saf, but a dependency's copy no longer hides the
    // counted profile's own control (saf's first-populated quirk).
    let mut extended = vec![false; flat.controls.len()];
    for (g, parent) in parent_of.iter().enumerate() {
        if let Some(parent) = parent
            && counted[flat.owner[g] as usize]
        {
            extended[*parent as usize] = true;
        }
    }

    let mut summary = Summary {
        profiles: Vec::new(),
        controls: Vec::new(),
        counts: Counts::default(),
        warnings: results.warnings.clone(),
    };
    let mut chain_mark = vec![u32::MAX; flat.controls.len()];
    for (p, profile) in profiles.iter().enumerate().filter(|(p, _)| counted[*p]) {
        let start = summary.controls.len();
        let mut counts = Counts::default();
        for c in 0..profile.controls.len() {
            let g = flat.starts[p] + c;
            if extended[g] {
                continue;
            }
            let root = root_of(g, &parent_of, &mut chain_mark);
            let control = flat.controls[root];
            let (status, severity) = (control.status, control.severity);
            if let Some(SeverityWarning { tag, found }) = &control.severity_warning {
                summary.warnings.push(Warning {
                    location: format!("profiles[{}].controls[{}]", flat.owner[root], root - flat.starts[flat.owner[root] as usize]),
                    message: format!(
                        "control {}: tags.{tag} is {found}, not a string; severity taken from impact {}",
                        control.id, control.impact
                    ),
                });
            }
            counts.add_control(status, severity);
            summary.controls.push(Evaluated {
                control,
                leaf: flat.controls[g],
                profile: summary.profiles.len(),
                status,
                severity,
            });
        }
        summary.counts.merge(&counts);
        summary.profiles.push(ProfileSummary {
            profile,
            index: p,
            counts,
            controls: start..summary.controls.len(),
        });
    }
    summary
}

/// Follows `extendsFrom[0]` to the deepest ancestor. A cycle (which crashes saf) ends at
/// the control where it closes.
fn root_of(start: usize, parent_of: &[Option<u32>], mark: &mut [u32]) -> usize {
    let mut g = start;
    let stamp = start as u32;
    mark[g] = stamp;
    while let Some(parent) = parent_of[g] {
        let parent = parent as usize;
        if mark[parent] == stamp {
            break;
        }
        mark[parent] = stamp;
        g = parent;
    }
    g
}

/// inspecjs's linking: each control gets at most one ancestor (`extendsFrom[0]`).
fn link_controls<'r>(profiles: &'r [Profile<'r>], flat: &Flat<'r>) -> Vec<Option<u32>> {
    let n = profiles.len();
    let mut first_named: HashMap<&str, usize> = HashMap::with_capacity(n);
    for (p, profile) in profiles.iter().enumerate() {
        first_named.entry(profile.name.as_str()).or_insert(p);
    }
    // extends_from[q]: profiles whose parent_profile names q; has_parent[p]: p's parent exists.
    let mut extends_from: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut has_parent = vec![false; n];
    for (p, profile) in profiles.iter().enumerate() {
        if let Some(&q) = profile
            .parent_profile
            .as_deref()
            .and_then(|name| first_named.get(name))
        {
            extends_from[q].push(p);
            has_parent[p] = true;
        }
    }

    // First control of each id per profile, for the profiles some overlay searches.
    let mut searched = vec![false; n];
    for list in &extends_from {
        for &p in list {
            searched[p] = true;
        }
    }
    let mut first_in_profile: Vec<HashMap<&str, u32>> = (0..n)
        .map(|p| {
            if !searched[p] {
                return HashMap::new();
            }
            let mut ids = HashMap::with_capacity(profiles[p].controls.len());
            for (c, control) in profiles[p].controls.iter().enumerate() {
                ids.entry(control.id.as_str())
                    .or_insert((flat.starts[p] + c) as u32);
            }
            ids
        })
        .collect();

    // For unrelated profiles: the first control with each id that has results, else the first.
    let mut fallback: HashMap<&str, (u32, Option<u32>)> = HashMap::new();
    let needs_fallback = (0..n).any(|p| extends_from[p].is_empty() && !has_parent[p]);
    if needs_fallback {
        fallback.reserve(flat.controls.len());
        for (g, control) in flat.controls.iter().enumerate() {
            let g = g as u32;
            let entry = fallback.entry(control.id.as_str()).or_insert((g, None));
            if entry.1.is_none() && control.has_results {
                entry.1 = Some(g);
            }
        }
    }

    let mut parent_of = vec![None; flat.controls.len()];
    for (g, control) in flat.controls.iter().enumerate() {
        let p = flat.owner[g] as usize;
        let id = control.id.as_str();
        if !extends_from[p].is_empty() || has_parent[p] {
            parent_of[g] = extends_from[p]
                .iter()
                .find_map(|&e| first_in_profile[e].get(id).copied())
                .filter(|&a| a as usize != g);
        } else if let Some(&(first, populated)) = fallback.get(id) {
            let target = populated.unwrap_or(first);
            if target as usize != g {
                parent_of[g] = Some(target);
            }
        }
    }
    first_in_profile.clear();
    parent_of
}

/// compat:independent-profiles: a profile counts unless it is a dependency of another one.
fn counted_profiles(profiles: &[Profile<'_>]) -> Vec<bool> {
    let present: HashMap<&str, usize> = profiles
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), i))
        .collect();
    let mut named_by_depends = vec![false; profiles.len()];
    for profile in profiles {
        for dep in &profile.depends {
            if let Some(&i) = dep.name.as_deref().and_then(|n| present.get(n)) {
                named_by_depends[i] = true;
            }
        }
    }
    let linked =
        profiles.iter().any(|p| p.parent_profile.is_some()) || named_by_depends.iter().any(|&d| d);
    let mut counted: Vec<bool> = if linked {
        profiles
            .iter()
            .zip(&named_by_depends)
            .map(|(p, &named)| p.parent_profile.is_none() && !named)
            .collect()
    } else {
        // Old overlays (no parent_profile, no depends): a later profile repeating an earlier
        // profile's control id is that profile's dependency.
        let mut first_profile_of: HashMap<&str, usize> = HashMap::new();
        profiles
            .iter()
            .enumerate()
            .map(|(p, profile)| {
                let mut repeats = false;
                for control in &profile.controls {
                    let first = *first_profile_of.entry(control.id.as_str()).or_insert(p);
                    repeats |= first < p;
                }
                !repeats
            })
            .collect()
    };
    // Nothing left (a cycle of parent_profile): fall back to saf's choice.
    if !counted.iter().any(|&c| c)
        && let Some(first) = counted.first_mut()
    {
        *first = true;
    }
    counted
}

/// One entry of `scangate summary`: a profile name across every input (compat:saf-summary, compat:multi-file-sums).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileAggregate {
    pub profile_name: String,
    /// Base names of the inputs that counted this profile.
    pub result_sets: Vec<String>,
    /// Mean of the per-input compliance values, unrounded (as saf).
    pub compliance: f64,
    pub counts: Counts,
}

/// Combines inputs per profile name, in first-appearance order.
pub fn aggregate<'s, 'r: 's>(
    inputs: impl IntoIterator<Item = (&'s str, &'s Summary<'r>)>,
) -> Vec<ProfileAggregate> {
    let mut out: Vec<ProfileAggregate> = Vec::new();
    let mut scores: Vec<Vec<u32>> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (name, summary) in inputs {
        for profile in &summary.profiles {
            let key = profile.profile.name.to_string();
            let i = *by_name.entry(key.clone()).or_insert_with(|| {
                out.push(ProfileAggregate {
                    profile_name: key,
                    result_sets: Vec::new(),
                    compliance: 0.0,
                    counts: Counts::default(),
                });
                scores.push(Vec::new());
                out.len() - 1
            });
            out[i].result_sets.push(name.to_owned());
            out[i].counts.merge(&profile.counts);
            scores[i].push(profile.counts.compliance());
        }
    }
    for (entry, scores) in out.iter_mut().zip(scores) {
        entry.compliance = scores.iter().map(|&s| f64::from(s)).sum::<f64>() / scores.len() as f64;
    }
    out
}

/// One status's buckets, in saf's key order plus scangate's `none` (compat:totals-count-all), then `total`.
struct StatusCounts<'c>(&'c Counts, Status);

impl Serialize for StatusCounts<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(6))?;
        for severity in Severity::ALL {
            map.serialize_entry(severity.key(), &self.0.get(self.1, severity))?;
        }
        map.serialize_entry("total", &self.0.total(self.1))?;
        map.end()
    }
}

/// A number as JavaScript prints it: `66`, not `66.0`.
pub(crate) fn serialize_js_number<S: Serializer>(value: f64, s: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() < 9e15 {
        s.serialize_i64(value as i64)
    } else {
        s.serialize_f64(value)
    }
}

struct JsNumber(f64);

impl Serialize for JsNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_js_number(self.0, s)
    }
}

impl Serialize for ProfileAggregate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(8))?;
        map.serialize_entry("profileName", &self.profile_name)?;
        map.serialize_entry("resultSets", &self.result_sets)?;
        map.serialize_entry("compliance", &JsNumber(self.compliance))?;
        for status in Status::ALL {
            map.serialize_entry(status.key(), &StatusCounts(&self.counts, status))?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Input;

    fn doc(profiles: &str) -> Input {
        let json = format!(
            r#"{{"platform":{{"name":"p","release":"1"}},"statistics":{{}},"version":"5","profiles":[{profiles}]}}"#
        );
        Input::from_bytes("t.json", json.into_bytes())
    }

    fn profile(name: &str, parent: Option<&str>, controls: &[(&str, &str)]) -> String {
        let controls: Vec<String> = controls
            .iter()
            .map(|(id, status)| {
                let results = if status.is_empty() {
                    String::new()
                } else {
                    format!(r#"{{"status":"{status}","code_desc":"t","start_time":"s"}}"#)
                };
                format!(r#"{{"id":"{id}","impact":0.5,"refs":[],"tags":{{}},"source_location":{{}},"results":[{results}]}}"#)
            })
            .collect();
        let parent = parent
            .map(|p| format!(r#""parent_profile":"{p}","#))
            .unwrap_or_default();
        format!(
            r#"{{"name":"{name}",{parent}"sha256":"0","supports":[],"attributes":[],"groups":[],"controls":[{}]}}"#,
            controls.join(",")
        )
    }

    #[test]
    fn duplicate_ids_in_one_profile_count_n_minus_one_like_saf() {
        let input = doc(&profile(
            "p",
            None,
            &[("A", "passed"), ("A", "failed"), ("A", "failed")],
        ));
        let results = input.parse().unwrap();
        let s = Summary::new(&results);
        // Every later copy extends the first populated one, which then no longer counts, and
        // the copies take the first copy's results.
        assert_eq!(s.controls.len(), 2);
        assert_eq!(s.counts.total(Status::Passed), 2);
    }

    #[test]
    fn a_parent_profile_cycle_terminates_and_counts_something() {
        let input = doc(&format!(
            "{},{}",
            profile("a", Some("b"), &[("X", "passed")]),
            profile("b", Some("a"), &[("X", "failed")])
        ));
        let results = input.parse().unwrap();
        let s = Summary::new(&results);
        // Both are dependencies; saf's fallback (profiles[0]) counts, and the chain stops.
        assert_eq!(s.profiles.len(), 1);
        assert_eq!(s.profiles[0].profile.name.as_str(), "a");
        assert_eq!(s.counts.controls(), 1);
    }

    #[test]
    fn a_self_parent_is_not_followed() {
        let input = doc(&profile("a", Some("a"), &[("X", "failed")]));
        let results = input.parse().unwrap();
        let s = Summary::new(&results);
        assert_eq!(s.counts.total(Status::Failed), 1);
    }

    #[test]
    fn overlay_takes_results_from_the_deepest_ancestor() {
        let input = doc(&format!(
            "{},{},{}",
            profile("top", None, &[("X", ""), ("Y", "")]),
            profile("mid", Some("top"), &[("X", ""), ("Y", "")]),
            profile("base", Some("mid"), &[("X", "failed"), ("Y", "passed")])
        ));
        let results = input.parse().unwrap();
        let s = Summary::new(&results);
        assert_eq!(s.profiles.len(), 1);
        assert_eq!(s.profiles[0].profile.name.as_str(), "top");
        assert_eq!(s.counts.total(Status::Failed), 1);
        assert_eq!(s.counts.total(Status::Passed), 1);
        assert_eq!(s.controls[0].leaf.id.as_str(), "X");
        assert!(std::ptr::eq(
            s.controls[0].control,
            &results.profiles[2].controls[0]
        ));
    }

    #[test]
    fn compliance_rounds_half_up_like_math_round() {
        let mut c = Counts::default();
        c.set(Status::Passed, Severity::High, 1);
        c.set(Status::Failed, Severity::High, 7);
        assert_eq!(c.compliance(), 13); // 12.5
        c.set(Status::Failed, Severity::High, 1);
        assert_eq!(c.compliance(), 50);
        assert_eq!(Counts::default().compliance(), 0);
    }
}
