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
    let kind = Dependencies::of(results);
    let parent_of = link_controls(profiles, &flat, kind);
    let (counted, merges) = counted_profiles(profiles, kind);

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
    for merge in &merges {
        summary.warnings.push(merge.warning(results));
    }
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
        if profile.controls.is_empty() {
            summary.warnings.push(no_controls(p, profile));
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

/// Text from the file for a warning line: as it is when it is a plain word or version, else
/// quoted with its control characters escaped, so that it cannot rewrite the terminal.
fn shown(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-+_".contains(c))
    {
        text.to_owned()
    } else {
        format!("{text:?}")
    }
}

/// A counted profile without controls shows 0 % and fails a compliance gate: say so, and
/// why when InSpec said (a profile skipped on an unsupported platform, or one that failed to
/// load, reports its reason in `status_message` or `skip_message`).
fn no_controls(p: usize, profile: &Profile<'_>) -> Warning {
    const MAX_REASON: usize = 300;
    let mut message = format!(
        "profile {:?} has no controls: nothing in it is counted, and its compliance is 0 %",
        profile.name.as_str()
    );
    let status = profile.status.as_deref().filter(|s| *s != "loaded");
    let reason = profile
        .status_message
        .as_deref()
        .or(profile.skip_message.as_deref())
        .filter(|m| !m.trim().is_empty());
    if let Some(status) = status {
        message.push_str(&format!("; its status is {}", shown(status)));
    }
    if let Some(reason) = reason {
        let mut end = reason.len().min(MAX_REASON);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        let more = if end < reason.len() { "…" } else { "" };
        message.push_str(&format!(": {:?}{more}", &reason[..end]));
    }
    Warning {
        location: format!("profiles[{p}]"),
        message,
    }
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

/// What a file says about which of its profiles depend on which (compat:independent-profiles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dependencies {
    /// Some `parent_profile`, or a `depends` that names a profile of the file.
    Declared,
    /// Neither field, from an InSpec that writes both whenever a profile has dependencies:
    /// the profiles are independent, whatever ids they share.
    None,
    /// Neither field usable, and no way to know: the overlays of old InSpec versions, which
    /// only repeating a control id gives away (compat:saf-overlays).
    Unknown,
}

/// InSpec versions that write `depends` into the JSON report: 2.1.70 on (inspec#3033), and
/// 1.51.24 to the end of 1.x (inspec#3035, the same change on the 1.x line). `parent_profile`
/// follows in 2.2.25 (inspec#3164, for inspec#3135). Earlier 2.x and 1.51 releases leave both
/// out, so a wrapper and the profile it includes look like two profiles sharing control ids.
fn writes_depends(version: &str) -> bool {
    let mut parts = version.trim().split('.').map(|part| {
        let digits = part.len() - part.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        part[..digits].parse::<u64>().ok()
    });
    let (Some(Some(major)), minor, patch) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let version = (
        major,
        minor.flatten().unwrap_or(0),
        patch.flatten().unwrap_or(0),
    );
    version >= (2, 1, 70) || ((1, 51, 24)..(2, 0, 0)).contains(&version)
}

impl Dependencies {
    fn of(results: &Results<'_>) -> Dependencies {
        let profiles = &results.profiles;
        let names: std::collections::HashSet<&str> =
            profiles.iter().map(|p| p.name.as_str()).collect();
        let declared = profiles.iter().any(|p| {
            p.parent_profile.is_some()
                || p.depends
                    .iter()
                    .any(|d| d.name.as_deref().is_some_and(|n| names.contains(n)))
        });
        let silent = profiles
            .iter()
            .all(|p| p.parent_profile.is_none() && p.depends.is_empty());
        // json-min never carries profile metadata, whatever InSpec wrote it.
        let writer_says = results.format == crate::Format::Exec && writes_depends(&results.version);
        if declared {
            Dependencies::Declared
        } else if silent && writer_says {
            Dependencies::None
        } else {
            Dependencies::Unknown
        }
    }
}

/// A profile taken for a dependency of earlier ones because it repeats their control ids.
#[derive(Debug)]
struct Merge {
    profile: usize,
    /// The earlier profiles whose ids it repeats, and how many of each.
    into: Vec<(usize, usize)>,
}

impl Merge {
    fn warning(&self, results: &Results<'_>) -> Warning {
        let name = |p: usize| format!("{:?}", results.profiles[p].name.as_str());
        let into: Vec<String> = self
            .into
            .iter()
            .map(|&(p, shared)| {
                let ids = if shared == 1 { "id" } else { "ids" };
                format!("{} ({shared} shared control {ids})", name(p))
            })
            .collect();
        let version = shown(&results.version);
        let why = if results.format == crate::Format::Exec && writes_depends(&results.version) {
            "the file's `depends` name none of its profiles".to_owned()
        } else {
            format!(
                "InSpec {version} wrote neither `depends` nor `parent_profile` (they came in \
                 2.1.70 and 2.2.25)"
            )
        };
        Warning {
            location: format!("profiles[{}]", self.profile),
            message: format!(
                "profile {} is merged into {} as an overlay's dependency: {why}, so shared ids \
                 are all that tells an overlay from independent profiles",
                name(self.profile),
                into.join(", ")
            ),
        }
    }
}

/// inspecjs's linking: each control gets at most one ancestor (`extendsFrom[0]`). When the
/// file's profiles are known to be independent, same-id controls are linked only within one
/// profile (saf's n − 1 for repeated ids stays), never across two.
fn link_controls<'r>(
    profiles: &'r [Profile<'r>],
    flat: &Flat<'r>,
    kind: Dependencies,
) -> Vec<Option<u32>> {
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

    // For unrelated profiles: the first control with each id that has results, else the first,
    // in the whole file or, for independent profiles, in the control's own profile.
    let scope = |g: usize| match kind {
        Dependencies::None => flat.owner[g],
        Dependencies::Declared | Dependencies::Unknown => 0,
    };
    let mut fallback: HashMap<(u32, &str), (u32, Option<u32>)> = HashMap::new();
    let needs_fallback = (0..n).any(|p| extends_from[p].is_empty() && !has_parent[p]);
    if needs_fallback {
        fallback.reserve(flat.controls.len());
        for (g, control) in flat.controls.iter().enumerate() {
            let entry = fallback
                .entry((scope(g), control.id.as_str()))
                .or_insert((g as u32, None));
            if entry.1.is_none() && control.has_results {
                entry.1 = Some(g as u32);
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
        } else if let Some(&(first, populated)) = fallback.get(&(scope(g), id)) {
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
/// Also returns the profiles taken for dependencies only because they repeat control ids, so
/// that the guess is never silent.
fn counted_profiles(profiles: &[Profile<'_>], kind: Dependencies) -> (Vec<bool>, Vec<Merge>) {
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
    let mut merges = Vec::new();
    let mut counted: Vec<bool> = match kind {
        Dependencies::Declared => profiles
            .iter()
            .zip(&named_by_depends)
            .map(|(p, &named)| p.parent_profile.is_none() && !named)
            .collect(),
        Dependencies::None => vec![true; profiles.len()],
        Dependencies::Unknown => {
            // Old overlays: a later profile repeating an earlier profile's control id is that
            // profile's dependency.
            let mut first_profile_of: HashMap<&str, usize> = HashMap::new();
            profiles
                .iter()
                .enumerate()
                .map(|(p, profile)| {
                    let mut into: Vec<(usize, usize)> = Vec::new();
                    let mut seen = std::collections::HashSet::new();
                    for control in &profile.controls {
                        let id = control.id.as_str();
                        let first = *first_profile_of.entry(id).or_insert(p);
                        if first < p && seen.insert(id) {
                            match into.iter_mut().find(|(q, _)| *q == first) {
                                Some((_, shared)) => *shared += 1,
                                None => into.push((first, 1)),
                            }
                        }
                    }
                    let repeats = !into.is_empty();
                    if repeats {
                        merges.push(Merge { profile: p, into });
                    }
                    !repeats
                })
                .collect()
        }
    };
    // Nothing left (a cycle of parent_profile): fall back to saf's choice.
    if !counted.iter().any(|&c| c)
        && let Some(first) = counted.first_mut()
    {
        *first = true;
    }
    (counted, merges)
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
        doc_from("5", profiles)
    }

    fn doc_from(version: &str, profiles: &str) -> Input {
        let json = format!(
            r#"{{"platform":{{"name":"p","release":"1"}},"statistics":{{}},"version":"{version}","profiles":[{profiles}]}}"#
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
    fn depends_is_written_from_inspec_2_1_70_and_1_51_24() {
        for (version, writes) in [
            ("1.7.0", false),
            ("1.51.23", false),
            ("1.51.24", true),
            ("1.51.31", true),
            ("2.0.0", false),
            ("2.1.54", false),
            ("2.1.69", false),
            ("2.1.70", true),
            ("2.1.84", true),
            ("2.2.20", true),
            ("2.10", true),
            ("4.18.24", true),
            ("5", true),
            ("6.6.0-beta", true),
            ("", false),
            ("unknown", false),
        ] {
            assert_eq!(writes_depends(version), writes, "{version}");
        }
    }

    /// Two profiles sharing one id (a copy of a check in each), as InSpec 2.2 wrote them.
    fn sharing_one_id(version: &str) -> Input {
        doc_from(
            version,
            &format!(
                "{},{}",
                profile("a", None, &[("S", "failed"), ("A", "passed")]),
                profile(
                    "b",
                    None,
                    &[("S", "failed"), ("B", "failed"), ("B", "failed")]
                )
            ),
        )
    }

    #[test]
    fn profiles_of_an_inspec_that_writes_depends_and_have_none_are_independent() {
        let input = sharing_one_id("2.2.20");
        let results = input.parse().unwrap();
        let s = Summary::new(&results);
        let names: Vec<&str> = s.profiles.iter().map(|p| p.profile.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        // Both copies of S fail; b's repeated B still counts once, as saf counts it.
        assert_eq!(s.counts.total(Status::Failed), 3);
        assert_eq!(s.counts.total(Status::Passed), 1);
        assert!(std::ptr::eq(
            s.controls[2].control,
            &results.profiles[1].controls[0]
        ));
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    }

    #[test]
    fn profiles_of_an_older_inspec_that_share_ids_are_merged_and_it_says_so() {
        let input = sharing_one_id("2.1.69");
        let results = input.parse().unwrap();
        let s = Summary::new(&results);
        assert_eq!(s.profiles.len(), 1);
        assert_eq!(s.counts.total(Status::Failed), 1);
        assert_eq!(
            s.warnings,
            vec![Warning {
                location: "profiles[1]".to_owned(),
                message: "profile \"b\" is merged into \"a\" (1 shared control id) as an \
                          overlay's dependency: InSpec 2.1.69 wrote neither `depends` nor \
                          `parent_profile` (they came in 2.1.70 and 2.2.25), so shared ids are \
                          all that tells an overlay from independent profiles"
                    .to_owned(),
            }]
        );
    }

    #[test]
    fn json_min_profiles_that_share_ids_are_merged_and_it_says_so() {
        // json-min carries no profile metadata, whichever InSpec wrote it.
        let json = br#"{"version":"4.18.24","statistics":{"duration":0.1},"controls":[
            {"id":"S","profile_id":"a","profile_sha256":"0","status":"failed","code_desc":"d"},
            {"id":"S","profile_id":"b","profile_sha256":"1","status":"failed","code_desc":"d"}]}"#;
        let input = Input::from_bytes("min.json", json.to_vec());
        let results = input.parse().unwrap();
        let s = Summary::new(&results);
        assert_eq!(s.profiles.len(), 1);
        assert_eq!(s.warnings.len(), 1);
        assert!(
            s.warnings[0]
                .message
                .contains("InSpec 4.18.24 wrote neither"),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn depends_that_name_no_profile_leave_the_shared_id_rule_with_a_warning() {
        let wrapper = profile("wrapper", None, &[("S", "")]).replacen(
            r#""sha256""#,
            r#""depends":[{"name":"base-v1.0","compliance":"admin/base"}],"sha256""#,
            1,
        );
        let input = doc_from(
            "2.1.81",
            &format!("{wrapper},{}", profile("base", None, &[("S", "failed")])),
        );
        let results = input.parse().unwrap();
        let s = Summary::new(&results);
        assert_eq!(s.profiles.len(), 1);
        assert_eq!(s.counts.total(Status::Failed), 1);
        assert!(
            s.warnings[0]
                .message
                .contains("the file's `depends` name none of its profiles"),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn a_profile_without_controls_is_counted_with_a_warning_that_says_why() {
        let skipped = profile("windows-only", None, &[]).replacen(
            r#""sha256""#,
            r#""status":"skipped","skip_message":"Skipping profile: 'windows-only' on unsupported platform: 'ubuntu/18.04'.","sha256""#,
            1,
        );
        let input = doc(&format!(
            "{skipped},{},{}",
            profile("linux", None, &[("L", "passed")]),
            profile("empty\\u001b[2J", None, &[])
        ));
        let results = input.parse().unwrap();
        let s = Summary::new(&results);
        assert_eq!(s.profiles.len(), 3);
        assert_eq!(s.profiles[0].counts.compliance(), 0);
        assert_eq!(s.compliance(), 100);
        assert_eq!(
            s.warnings,
            vec![
                Warning {
                    location: "profiles[0]".to_owned(),
                    message: "profile \"windows-only\" has no controls: nothing in it is counted, \
                              and its compliance is 0 %; its status is skipped: \"Skipping \
                              profile: 'windows-only' on unsupported platform: 'ubuntu/18.04'.\""
                        .to_owned(),
                },
                Warning {
                    location: "profiles[2]".to_owned(),
                    message: "profile \"empty\\u{1b}[2J\" has no controls: nothing in it is \
                              counted, and its compliance is 0 %"
                        .to_owned(),
                },
            ]
        );
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
