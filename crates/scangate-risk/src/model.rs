//! Waiver and attestation files once validated: every value typed, every entry with the place
//! it was written, so that warnings and reports can point back at it.

use std::fmt;
use std::path::PathBuf;

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use scangate_threshold::Pos;

/// A validated InSpec waiver file (`--waivers`).
#[derive(Debug, Clone, PartialEq)]
pub struct Waivers {
    /// The file, as given on the command line.
    pub path: PathBuf,
    /// In file order.
    pub entries: Vec<Waiver>,
}

/// One waiver: InSpec's keys, plus scangate's `approver`, `ticket` and `scope`.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiver {
    /// Where the entry's key (the control id) was written.
    pub pos: Pos,
    /// Matched exactly, as InSpec matches waiver keys.
    pub control_id: String,
    pub justification: String,
    /// `run: false` skips the control (InSpec: `skipped_due_to_waiver`); `true` or absent
    /// leaves it counted from its results. Spellings InSpec accepts (`yes`, `no`, ...) are
    /// normalised here.
    pub run: Option<bool>,
    /// Absent: never expires (as in InSpec).
    pub expiration_date: Option<When>,
    pub approver: Option<String>,
    pub ticket: Option<String>,
    /// Empty: every input.
    pub scope: Vec<Scope>,
}

/// A validated SAF CLI attestation file (`--attestations`).
#[derive(Debug, Clone, PartialEq)]
pub struct Attestations {
    pub path: PathBuf,
    pub entries: Vec<Attestation>,
}

/// One attestation, as `saf attest create` writes it, plus scangate's `ticket` and `scope`.
#[derive(Debug, Clone, PartialEq)]
pub struct Attestation {
    /// Where the entry (the list item) starts.
    pub pos: Pos,
    /// Matched ignoring ASCII case, as saf matches it.
    pub control_id: String,
    pub explanation: String,
    pub frequency: Frequency,
    pub status: AttestedStatus,
    pub updated: When,
    pub updated_by: String,
    pub ticket: Option<String>,
    pub scope: Vec<Scope>,
}

/// What a person found when checking a control by hand. saf takes no other value: "to make
/// this control 'not applicable', use a waiver".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttestedStatus {
    Passed,
    Failed,
}

impl AttestedStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AttestedStatus::Passed => "passed",
            AttestedStatus::Failed => "failed",
        }
    }
}

/// How long an attestation holds, from its `updated` date: saf's named frequencies, or a
/// whole number of days, weeks, months or years (`90d`, `2w`, `6m`, `1y`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Frequency {
    Annually,
    Semiannually,
    Quarterly,
    Monthly,
    Every2Weeks,
    /// saf's undocumented alias of `every2weeks`.
    Fortnightly,
    Weekly,
    Every3Days,
    Daily,
    Custom {
        count: u32,
        unit: Unit,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Days,
    Weeks,
    Months,
    Years,
}

/// Which inputs an entry applies to. Every field given must match; an entry with several
/// scopes applies to an input any of them matches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// A results file's path as the reports write it (repository-relative, `/`-separated).
    pub input: Option<String>,
    /// A fetched pod's namespace, workload (pod name without generated suffixes) and
    /// scanner container.
    pub namespace: Option<String>,
    pub workload: Option<String>,
    pub container: Option<String>,
}

/// The input an entry is matched against: what [`Scope`] can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    File {
        path: &'a str,
    },
    Pod {
        namespace: &'a str,
        workload: &'a str,
        container: &'a str,
    },
}

/// A date or instant as written in a file, and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When {
    /// The text as written, for messages and reports.
    pub written: String,
    pub value: WhenValue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenValue {
    /// `2026-11-20`: midnight at the start of that day, in the local time zone (as InSpec
    /// and saf read it).
    Day(Date),
    /// `2026-11-20T10:00:00` or `2026-11-20 10:00`: local time.
    Local(DateTime),
    /// `2026-11-20T10:00:00Z` or with an offset: that instant.
    Instant(Timestamp),
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

impl When {
    /// The instant this date stands for, in `tz` where it names no zone itself.
    pub fn in_zone(&self, tz: &TimeZone) -> Zoned {
        match self.value {
            WhenValue::Day(date) => date
                .to_zoned(tz.clone())
                .unwrap_or_else(|_| Timestamp::MAX.to_zoned(tz.clone())),
            WhenValue::Local(datetime) => datetime
                .to_zoned(tz.clone())
                .unwrap_or_else(|_| Timestamp::MAX.to_zoned(tz.clone())),
            WhenValue::Instant(ts) => ts.to_zoned(tz.clone()),
        }
    }
}
