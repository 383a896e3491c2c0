//! Waivers and attestations applied to one input's parsed results, at gate time.
//!
//! Waivers first, then attestations, as inspecjs decides a status: a control waived with
//! `run: false` is Not Applicable whatever an attestation says of it. Nothing is removed from
//! the results: a waived or attested control keeps its tests, and the reports show both.

use std::collections::HashMap;

use foldhash::fast::RandomState;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, Zoned};
use scangate_results::model::{ControlHead, ResultStatus};
use scangate_results::{Results, Status, Summary};
use scangate_threshold::Pos;

use crate::model::{Attestation, Attestations, AttestedStatus, Scope, Target, Waiver, Waivers};

/// The moment entries are judged at, and where their dates without a zone are read.
#[derive(Debug, Clone)]
pub struct Clock {
    pub now: Timestamp,
    /// Dates without a zone mean midnight here, as InSpec and saf read them on the machine
    /// that runs them.
    pub tz: TimeZone,
    /// Entries that expire within this long from `now` are warned about.
    pub warn_within: SignedDuration,
}

/// The waiver and attestation files of a run, either or both.
#[derive(Debug, Clone, Default)]
pub struct AcceptedRisk {
    pub waivers: Option<Waivers>,
    pub attestations: Option<Attestations>,
}

impl AcceptedRisk {
    pub fn is_empty(&self) -> bool {
        self.waivers.is_none() && self.attestations.is_none()
    }
}

/// Which file an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Waiver,
    Attestation,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Waiver => "waiver",
            Kind::Attestation => "attestation",
        }
    }
}

/// What became of an entry on one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// It decided the control: waived (Not Applicable) or attested (its status).
    Applied,
    /// Its end date is past: the control counts from its results.
    Expired,
    /// No control of the input has its id.
    Stale,
    /// The control passes or is Not Applicable without it.
    Unneeded,
    /// A waiver without `run: false`: InSpec runs such a control and counts its results,
    /// and so does scangate; the waiver is shown, not applied.
    Counted,
    /// An attestation for a control with automated results: saf attests only controls whose
    /// first result is skipped.
    NotAttestable,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Applied => "applied",
            State::Expired => "expired",
            State::Stale => "stale",
            State::Unneeded => "unneeded",
            State::Counted => "counted",
            State::NotAttestable => "not_attestable",
        }
    }
}

/// One entry as applied to one input: everything a report shows of it.
#[derive(Debug, Clone)]
pub struct Decision {
    pub kind: Kind,
    /// The file and the place the entry was written.
    pub file: PathBuf,
    pub pos: Pos,
    /// As written in the entry.
    pub control_id: String,
    pub state: State,
    /// The justification of a waiver, the explanation of an attestation.
    pub reason: String,
    /// The approver of a waiver, `updated_by` of an attestation.
    pub by: Option<String>,
    pub ticket: Option<String>,
    /// When it stops applying: a waiver's `expiration_date`, an attestation's `updated` plus
    /// its frequency. `None`: a waiver without an end date.
    pub expires: Option<Zoned>,
    /// Set when it is current and expires within the clock's warning window.
    pub expiring_soon: bool,
    /// An attestation's status.
    pub attested: Option<AttestedStatus>,
    /// The control's status before and after, where the entry matched a control (the
    /// first matching control's, for an id repeated in overlays).
    pub before: Option<Status>,
    pub after: Option<Status>,
}

impl Decision {
    /// `waivers.yml:3:1`.
    pub fn place(&self) -> String {
        format!("{}:{}", self.file.display(), self.pos)
    }

    /// The day it ends, for people: `2026-12-20` (with the time when it is not midnight).
    pub fn expires_text(&self) -> Option<String> {
        self.expires.as_ref().map(|z| {
            if z.time() == jiff::civil::Time::midnight() {
                z.date().to_string()
            } else {
                z.strftime("%Y-%m-%d %H:%M %Z").to_string()
            }
        })
    }

    /// One line for stderr, or `None` when an applied entry needs no word.
    pub fn warning(&self) -> Option<String> {
        let what = format!(
            "{} for {} ({})",
            self.kind.as_str(),
            self.control_id,
            self.place()
        );
        let ends = self.expires_text().unwrap_or_default();
        Some(match self.state {
            State::Applied if self.expiring_soon => {
                format!("{what} expires on {ends}: renew it or the control counts again")
            }
            State::Applied => return None,
            State::Expired => format!(
                "{what} expired on {ends}: not applied, the control counts from its results{}",
                self.before
                    .map(|s| format!(" ({})", status_name(s)))
                    .unwrap_or_default()
            ),
            State::Stale => format!("{what} matches no control of this input: stale"),
            State::Unneeded if self.kind == Kind::Attestation => format!(
                "{what} is unneeded: the control is {}, which an attestation does not change \
                 (impact 0, a waiver or an error decide first)",
                self.before.map(status_name).unwrap_or("Not Applicable")
            ),
            State::Unneeded => format!(
                "{what} is unneeded: the control is {} without it",
                self.before.map(status_name).unwrap_or("Passed")
            ),
            State::Counted => format!(
                "{what} does not say `run: false`: as in InSpec, the control counts from its \
                 results ({})",
                self.before.map(status_name).unwrap_or("unknown")
            ),
            State::NotAttestable => format!(
                "{what} not applied: saf attests only a control whose first result is skipped, \
                 and this one is {}",
                match self.before {
                    Some(Status::ProfileError) => "a Profile Error (or has no results)",
                    Some(status) => status_name(status),
                    None => "without results",
                }
            ),
        })
    }
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Passed => "Passed",
        Status::Failed => "Failed",
        Status::NotReviewed => "Not Reviewed",
        Status::ProfileError => "Profile Error",
        Status::NotApplicable => "Not Applicable",
    }
}

/// Identifies a control head within one parsed input by its address: heads live in their
/// profile's vector, which applying risk and summarising never reallocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ControlKey(usize);

impl ControlKey {
    pub fn of(control: &ControlHead<'_>) -> ControlKey {
        ControlKey(std::ptr::from_ref(control) as usize)
    }
}

/// Every entry's decision on one input, and which controls each touched.
#[derive(Debug, Clone, Default)]
pub struct InputRisk {
    pub decisions: Vec<Decision>,
    /// Decisions (indices) by the controls they matched.
    by_control: HashMap<ControlKey, Vec<usize>, RandomState>,
}

impl InputRisk {
    /// The decisions that matched `control` (a counted control's root, as summaries give it).
    pub fn for_control(&self, control: &ControlHead<'_>) -> impl Iterator<Item = &Decision> {
        self.by_control
            .get(&ControlKey::of(control))
            .into_iter()
            .flatten()
            .map(|&i| &self.decisions[i])
    }

    /// Indices into `summary.controls` of the controls an applied waiver, and an applied
    /// attestation, decided: what `waived.total.max` and `attested.total.max` count.
    pub fn decided(&self, summary: &Summary<'_>) -> (Vec<usize>, Vec<usize>) {
        let (mut waived, mut attested) = (Vec::new(), Vec::new());
        for (i, evaluated) in summary.controls.iter().enumerate() {
            let applied = |kind| {
                self.for_control(evaluated.control)
                    .any(|d| d.kind == kind && d.state == State::Applied)
            };
            if applied(Kind::Waiver) {
                waived.push(i);
            } else if applied(Kind::Attestation) {
                attested.push(i);
            }
        }
        (waived, attested)
    }

    /// How many entries are in each state, for summaries.
    pub fn count(&self, kind: Kind, state: State) -> usize {
        self.decisions
            .iter()
            .filter(|d| d.kind == kind && d.state == state)
            .count()
    }

    fn push(&mut self, decision: Decision, controls: &[ControlKey]) {
        let i = self.decisions.len();
        self.decisions.push(decision);
        for key in controls {
            let list = self.by_control.entry(*key).or_default();
            if !list.contains(&i) {
                list.push(i);
            }
        }
    }
}

impl Scope {
    /// Every field given matches `target`.
    pub fn matches(&self, target: &Target<'_>) -> bool {
        let is = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        match *target {
            Target::File { path } => {
                self.namespace.is_none()
                    && self.workload.is_none()
                    && self.container.is_none()
                    && is(&self.input, path)
            }
            Target::Pod {
                namespace,
                workload,
                container,
            } => {
                self.input.is_none()
                    && is(&self.namespace, namespace)
                    && is(&self.workload, workload)
                    && is(&self.container, container)
            }
        }
    }
}

fn in_scope(scopes: &[Scope], target: &Target<'_>) -> bool {
    scopes.is_empty() || scopes.iter().any(|s| s.matches(target))
}

/// Applies `risk` to `results` (one input, known to scopes as `target`): sets the status of
/// every control a current entry decides, and says what became of each entry in scope.
pub fn apply(
    results: &mut Results<'_>,
    target: &Target<'_>,
    risk: &AcceptedRisk,
    clock: &Clock,
) -> InputRisk {
    let mut out = InputRisk::default();
    if let Some(waivers) = &risk.waivers {
        let entries: Vec<&Waiver> = waivers
            .entries
            .iter()
            .filter(|w| in_scope(&w.scope, target))
            .collect();
        let index = Index::new(
            results,
            entries.iter().map(|w| w.control_id.as_str()),
            false,
        );
        for waiver in entries {
            apply_waiver(results, &index, waiver, &waivers.path, clock, &mut out);
        }
    }
    if let Some(attestations) = &risk.attestations {
        let entries: Vec<&Attestation> = attestations
            .entries
            .iter()
            .filter(|a| in_scope(&a.scope, target))
            .collect();
        let index = Index::new(results, entries.iter().map(|a| a.control_id.as_str()), true);
        for attestation in entries {
            apply_attestation(
                results,
                &index,
                attestation,
                &attestations.path,
                clock,
                &mut out,
            );
        }
    }
    out
}

/// Where the controls of each id some entry names are: (profile, control) in file order.
/// Built from the entries' ids, not the scan's: a scan has tens of thousands of controls and a
/// file a few dozen entries, so each control costs one lookup and no allocation.
struct Index {
    places: HashMap<String, Vec<(usize, usize)>, RandomState>,
    /// saf matches an attestation's `control_id` ignoring case; InSpec a waiver's key exactly.
    fold: bool,
}

impl Index {
    fn new<'e>(results: &Results<'_>, ids: impl Iterator<Item = &'e str>, fold: bool) -> Index {
        let key = |id: &str| {
            if fold {
                id.to_ascii_lowercase()
            } else {
                id.to_owned()
            }
        };
        // Control ids are the scanned system's: the hash is seeded per process.
        let mut places: HashMap<String, Vec<(usize, usize)>, RandomState> =
            ids.map(|id| (key(id), Vec::new())).collect();
        if !places.is_empty() {
            let mut folded = String::new();
            for (p, profile) in results.profiles.iter().enumerate() {
                for (c, control) in profile.controls.iter().enumerate() {
                    let id = if fold {
                        folded.clear();
                        folded.extend(control.id.chars().map(|ch| ch.to_ascii_lowercase()));
                        folded.as_str()
                    } else {
                        control.id.as_str()
                    };
                    if let Some(list) = places.get_mut(id) {
                        list.push((p, c));
                    }
                }
            }
        }
        Index { places, fold }
    }

    fn get(&self, id: &str) -> &[(usize, usize)] {
        let found = if self.fold {
            self.places.get(&id.to_ascii_lowercase())
        } else {
            self.places.get(id)
        };
        found.map_or(&[], Vec::as_slice)
    }
}

fn expired(expires: &Zoned, clock: &Clock) -> bool {
    // saf's `isBefore(now)` and InSpec's `expiry < Time.now`: the end instant itself still
    // holds; a date-only end is midnight at the start of that day, so the day is expired.
    expires.timestamp() < clock.now
}

fn expiring_soon(expires: &Zoned, clock: &Clock) -> bool {
    clock.warn_within > SignedDuration::ZERO
        && expires.timestamp().duration_since(clock.now) <= clock.warn_within
}

fn apply_waiver(
    results: &mut Results<'_>,
    index: &Index,
    waiver: &Waiver,
    file: &Path,
    clock: &Clock,
    out: &mut InputRisk,
) {
    let places = index.get(&waiver.control_id);
    let keys: Vec<ControlKey> = places
        .iter()
        .map(|&(p, c)| ControlKey::of(&results.profiles[p].controls[c]))
        .collect();
    let expires = waiver
        .expiration_date
        .as_ref()
        .map(|d| d.in_zone(&clock.tz));
    let before = places
        .first()
        .map(|&(p, c)| results.profiles[p].controls[c].status);
    let mut decision = Decision {
        kind: Kind::Waiver,
        file: file.to_owned(),
        pos: waiver.pos,
        control_id: waiver.control_id.clone(),
        state: State::Stale,
        reason: waiver.justification.clone(),
        by: waiver.approver.clone(),
        ticket: waiver.ticket.clone(),
        expires: expires.clone(),
        expiring_soon: false,
        attested: None,
        before,
        after: before,
    };
    if places.is_empty() {
        return out.push(decision, &keys);
    }
    if expires.as_ref().is_some_and(|e| expired(e, clock)) {
        decision.state = State::Expired;
        return out.push(decision, &keys);
    }
    if waiver.run != Some(false) {
        decision.state = State::Counted;
        return out.push(decision, &keys);
    }
    let mut changed = false;
    for &(p, c) in places {
        let head = &mut results.profiles[p].controls[c];
        // A control that passes, or is already Not Applicable, needs no waiver; anything
        // else (failed, not reviewed, or a test that raised) is what InSpec would have
        // skipped with the No-op result of a `run: false` waiver: Not Applicable.
        if !matches!(head.status, Status::Passed | Status::NotApplicable) {
            head.status = Status::NotApplicable;
            changed = true;
        }
    }
    decision.state = if changed {
        State::Applied
    } else {
        State::Unneeded
    };
    decision.after = places
        .first()
        .map(|&(p, c)| results.profiles[p].controls[c].status);
    decision.expiring_soon = changed && expires.as_ref().is_some_and(|e| expiring_soon(e, clock));
    out.push(decision, &keys);
}

fn apply_attestation(
    results: &mut Results<'_>,
    index: &Index,
    attestation: &Attestation,
    file: &Path,
    clock: &Clock,
    out: &mut InputRisk,
) {
    let places = index.get(&attestation.control_id);
    // saf looks at controls with results only (an overlay's wrapper layers have none), and
    // attests those whose first result is skipped.
    let mut matched = Vec::new();
    let mut attestable = Vec::new();
    for &(p, c) in places {
        let head = &results.profiles[p].controls[c];
        if !head.has_results {
            continue;
        }
        matched.push((p, c));
        let first = head.full().results().first().and_then(|r| r.status);
        if first == Some(ResultStatus::Skipped) {
            attestable.push((p, c));
        }
    }
    let keys: Vec<ControlKey> = matched
        .iter()
        .map(|&(p, c)| ControlKey::of(&results.profiles[p].controls[c]))
        .collect();
    let start = attestation.updated.in_zone(&clock.tz);
    let expires = attestation.frequency.advance(&start);
    let status_at = |results: &Results<'_>, at: &[(usize, usize)]| {
        at.first()
            .map(|&(p, c)| results.profiles[p].controls[c].status)
    };
    let before = status_at(results, &attestable)
        .or(status_at(results, &matched))
        .or(status_at(results, places));
    let mut decision = Decision {
        kind: Kind::Attestation,
        file: file.to_owned(),
        pos: attestation.pos,
        control_id: attestation.control_id.clone(),
        state: State::Stale,
        reason: attestation.explanation.clone(),
        by: Some(attestation.updated_by.clone()),
        ticket: attestation.ticket.clone(),
        expires: Some(expires.clone()),
        expiring_soon: false,
        attested: Some(attestation.status),
        before,
        after: before,
    };
    if places.is_empty() {
        return out.push(decision, &keys);
    }
    // The control is there, but without results (a Profile Error) or with automated ones.
    if attestable.is_empty() {
        decision.state = State::NotAttestable;
        return out.push(decision, &keys);
    }
    if expired(&expires, clock) {
        // saf appends a skipped result, which changes no status.
        decision.state = State::Expired;
        return out.push(decision, &keys);
    }
    let mut decided = false;
    for &(p, c) in &attestable {
        let head = &mut results.profiles[p].controls[c];
        // The appended result is one more test: an error, a waiver or impact 0 still
        // decide first (inspecjs's order), and a failed test still fails the control.
        head.status = match (head.status, attestation.status) {
            (s @ (Status::ProfileError | Status::NotApplicable), _) => s,
            (Status::Failed, _) | (_, AttestedStatus::Failed) => {
                decided = true;
                Status::Failed
            }
            (Status::Passed | Status::NotReviewed, AttestedStatus::Passed) => {
                decided = true;
                Status::Passed
            }
        };
    }
    decision.state = if decided {
        State::Applied
    } else {
        State::Unneeded
    };
    decision.after = status_at(results, &attestable);
    decision.expiring_soon = decided && expiring_soon(&expires, clock);
    out.push(decision, &keys);
}
