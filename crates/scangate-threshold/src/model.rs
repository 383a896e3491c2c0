//! The checked threshold: every limit known to be meaningful.

use scangate_results::{Severity, Status};
use serde::Serialize;

/// What a count limit applies to: all controls of a status, or one severity of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Total,
    Severity(Severity),
}

impl Bucket {
    /// Every bucket in saf's key order: critical, high, medium, low, none, then total.
    pub const ALL: [Bucket; 6] = [
        Bucket::Severity(Severity::Critical),
        Bucket::Severity(Severity::High),
        Bucket::Severity(Severity::Medium),
        Bucket::Severity(Severity::Low),
        Bucket::Severity(Severity::None),
        Bucket::Total,
    ];

    /// The threshold key: `total`, `critical`, ...
    pub const fn key(self) -> &'static str {
        match self {
            Bucket::Total => "total",
            Bucket::Severity(s) => s.key(),
        }
    }

    /// Parses a threshold key.
    pub fn from_key(key: &str) -> Option<Bucket> {
        Bucket::ALL.into_iter().find(|b| b.key() == key)
    }
}

/// The limits set on one status × bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// At least this many controls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<u64>,
    /// At most this many controls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u64>,
    /// Exactly this many (saf's scalar form `failed.total: 3`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exactly: Option<u64>,
    /// Exactly these control ids, no more, no fewer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controls: Option<Vec<String>>,
}

/// A validated threshold. Build it with [`crate::load`], [`crate::load_inline`] or
/// [`crate::load_file`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Threshold {
    /// Minimum compliance in percent (0–100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compliance_min: Option<f64>,
    /// Maximum compliance in percent (0–100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compliance_max: Option<f64>,
    /// Count limits, one entry per status × bucket that has any.
    pub counts: Vec<(Status, Bucket, Limits)>,
    /// Ceilings on new failures (`new.<bucket>.max`): failing now, not failing in the
    /// baseline. They need a baseline to be judged.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub new_max: Vec<(Bucket, u64)>,
    /// Ceilings on accepted risk (`waived.total.max`, `attested.total.max`): how many controls
    /// a waiver or an attestation may decide.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accepted_max: Vec<(Accepted, u64)>,
}

/// Which kind of accepted risk a `waived`/`attested` rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Accepted {
    /// Controls a current `run: false` waiver made Not Applicable.
    Waived,
    /// Controls whose status a current attestation decided.
    Attested,
}

impl Accepted {
    pub const ALL: [Accepted; 2] = [Accepted::Waived, Accepted::Attested];

    /// The threshold key: `waived`, `attested`.
    pub const fn key(self) -> &'static str {
        match self {
            Accepted::Waived => "waived",
            Accepted::Attested => "attested",
        }
    }

    pub fn from_key(key: &str) -> Option<Accepted> {
        Accepted::ALL.into_iter().find(|a| a.key() == key)
    }
}

impl Threshold {
    /// The limits on `status` × `bucket`, if any were set.
    pub fn limits(&self, status: Status, bucket: Bucket) -> Option<&Limits> {
        self.counts
            .iter()
            .find(|(s, b, _)| *s == status && *b == bucket)
            .map(|(_, _, l)| l)
    }

    pub(crate) fn limits_mut(&mut self, status: Status, bucket: Bucket) -> &mut Limits {
        let i = match self
            .counts
            .iter()
            .position(|(s, b, _)| *s == status && *b == bucket)
        {
            Some(i) => i,
            None => {
                self.counts.push((status, bucket, Limits::default()));
                self.counts.len() - 1
            }
        };
        &mut self.counts[i].2
    }

    /// The ceiling on new failures of `bucket`, if one was set.
    pub fn new_max(&self, bucket: Bucket) -> Option<u64> {
        self.new_max
            .iter()
            .find(|(b, _)| *b == bucket)
            .map(|(_, max)| *max)
    }

    /// Sets the ceiling on new failures of `bucket`, keeping the stricter of two.
    pub fn tighten_new_max(&mut self, bucket: Bucket, max: u64) {
        match self.new_max.iter_mut().find(|(b, _)| *b == bucket) {
            Some((_, old)) => *old = (*old).min(max),
            None => self.new_max.push((bucket, max)),
        }
    }

    /// The ceiling on controls decided by accepted risk of `kind`, if one was set.
    pub fn accepted_max(&self, kind: Accepted) -> Option<u64> {
        self.accepted_max
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, max)| *max)
    }

    /// True when some rule is about change, so the run needs a baseline.
    pub fn needs_baseline(&self) -> bool {
        !self.new_max.is_empty()
    }

    /// How many rules this threshold evaluates.
    pub fn rule_count(&self) -> usize {
        self.new_max.len()
            + self.accepted_max.len()
            + usize::from(self.compliance_min.is_some())
            + usize::from(self.compliance_max.is_some())
            + self
                .counts
                .iter()
                .map(|(_, _, l)| {
                    usize::from(l.min.is_some())
                        + usize::from(l.max.is_some())
                        + usize::from(l.exactly.is_some())
                        + usize::from(l.controls.is_some())
                })
                .sum::<usize>()
    }

    /// True when no limit is set at all.
    pub fn is_empty(&self) -> bool {
        self.rule_count() == 0
    }
}
