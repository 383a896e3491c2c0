//! Accepted risk (waivers and attestations given at gate time) as every renderer words it:
//! which decisions touched a control, the short note its row carries, who accepted it and
//! until when, and what became of an entry that was not applied.
//!
//! The texts returned here quote the waiver and attestation files (ids, justifications,
//! approvers, tickets), which are as untrusted as the scans: each renderer escapes them with
//! its own policy, exactly as it escapes the scan's text.

use scangate_results::Status;
use scangate_risk::{Decision, Kind, State};

use crate::ReportInput;

/// The decisions that matched control `i` of `input` (none without `--waivers` or
/// `--attestations`).
pub(crate) fn on_control<'a>(
    input: &ReportInput<'a>,
    i: usize,
) -> impl Iterator<Item = &'a Decision> + 'a {
    let control = input.summary.controls.get(i).map(|c| c.control);
    input
        .risk
        .into_iter()
        .zip(control)
        .flat_map(|(risk, control)| risk.for_control(control))
}

/// The decision that decided control `i`: its applied waiver, else its applied attestation.
pub(crate) fn applied<'a>(input: &ReportInput<'a>, i: usize) -> Option<&'a Decision> {
    let mut attested = None;
    for d in on_control(input, i).filter(|d| d.state == State::Applied) {
        match d.kind {
            Kind::Waiver => return Some(d),
            Kind::Attestation => attested = attested.or(Some(d)),
        }
    }
    attested
}

/// The applied waiver of control `i` that made a failing control Not Applicable: the
/// finding the waiver accepts (SARIF keeps it, suppressed).
pub(crate) fn waived_failure<'a>(input: &ReportInput<'a>, i: usize) -> Option<&'a Decision> {
    applied(input, i).filter(|d| d.kind == Kind::Waiver && d.before.is_some_and(Status::is_failing))
}

/// The note a control's row carries: `waived`, `attested failed`, `waiver expired`, ...; the
/// applied decision first. `None` when nothing touched the control.
pub(crate) fn row_note(input: &ReportInput<'_>, i: usize) -> Option<String> {
    if let Some(d) = applied(input, i) {
        return Some(match d.attested {
            Some(status) => format!("attested {}", status.as_str()),
            None => "waived".to_owned(),
        });
    }
    on_control(input, i)
        .find(|d| matches!(d.state, State::Expired | State::Counted))
        .map(|d| format!("{} {}", d.kind.as_str(), d.state.as_str()))
}

/// `approver Jane, ticket SEC-1, expires 2026-12-20 (soon)`: who accepted the entry, and
/// until when (`never expires` for a waiver without an end date). Quotes the file.
pub(crate) fn attribution(d: &Decision) -> String {
    let mut parts = Vec::new();
    if let Some(by) = &d.by {
        let role = match d.kind {
            Kind::Waiver => "approver",
            Kind::Attestation => "updated by",
        };
        parts.push(format!("{role} {by}"));
    }
    if let Some(ticket) = &d.ticket {
        parts.push(format!("ticket {ticket}"));
    }
    parts.push(expiry(d));
    parts.join(", ")
}

/// `expires 2026-12-20`, `expires 2026-12-20 (soon)`, `expired 2026-01-01`, `never expires`.
pub(crate) fn expiry(d: &Decision) -> String {
    match d.expires_text() {
        None => "never expires".to_owned(),
        Some(day) if d.state == State::Expired => format!("expired {day}"),
        Some(day) if d.expiring_soon => format!("expires {day} (soon)"),
        Some(day) => format!("expires {day}"),
    }
}

/// What became of an entry, in a few words of scangate's own (no text from the file).
pub(crate) fn outcome(d: &Decision) -> String {
    let before = d.before.map(Status::label);
    match d.state {
        State::Applied => match d.attested {
            Some(status) => format!("applied: attested {}", status.as_str()),
            None => "applied: Not Applicable".to_owned(),
        },
        State::Expired => format!(
            "expired on {}: not applied, the control counts from its results{}",
            d.expires_text().unwrap_or_default(),
            before.map(|s| format!(" ({s})")).unwrap_or_default()
        ),
        State::Stale => "stale: no control of this input has this id".to_owned(),
        State::Unneeded => format!(
            "unneeded: the control is {} without it",
            before.unwrap_or("Passed")
        ),
        State::Counted => format!(
            "counted: the waiver does not say run: false, so the control counts from its results{}",
            before.map(|s| format!(" ({s})")).unwrap_or_default()
        ),
        State::NotAttestable => format!(
            "not attestable: only a control whose first result is skipped is attested, and \
             this one is {}",
            before.unwrap_or("without results")
        ),
    }
}

/// For each decision of `input`, in order, the index of the first control it matched.
pub(crate) fn decision_controls(input: &ReportInput<'_>) -> Vec<Option<usize>> {
    let Some(risk) = input.risk else {
        return Vec::new();
    };
    let index: std::collections::HashMap<*const Decision, usize> = risk
        .decisions
        .iter()
        .enumerate()
        .map(|(k, d)| (std::ptr::from_ref(d), k))
        .collect();
    let mut at = vec![None; risk.decisions.len()];
    for (i, c) in input.summary.controls.iter().enumerate() {
        for d in risk.for_control(c.control) {
            if let Some(&k) = index.get(&std::ptr::from_ref(d))
                && at[k].is_none()
            {
                at[k] = Some(i);
            }
        }
    }
    at
}

/// `Waiver`, `Attestation`.
pub(crate) fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Waiver => "Waiver",
        Kind::Attestation => "Attestation",
    }
}
