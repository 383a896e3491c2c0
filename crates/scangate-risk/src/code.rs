//! Problem codes: every check the loaders make has one stable, kebab-case code, so that tests,
//! reports and users can tell problems apart without parsing messages.

use std::fmt;

/// What is wrong with one place of a waiver or attestation file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// A key the format does not have (a typo gets a "did you mean" suggestion).
    UnknownKey,
    /// A required key is absent: `justification` in a waiver, any of saf's six keys in an
    /// attestation.
    MissingKey,
    /// A value of the wrong kind: a number or list where a string is expected.
    WrongType,
    /// An empty string, or an empty attestation list.
    EmptyValue,
    /// A date that is not `YYYY-MM-DD`, a local date and time, or RFC 3339 (saf treats an
    /// unparseable `updated` as never expiring, InSpec aborts the run).
    BadDate,
    /// A frequency that is neither one of saf's names nor a whole number and unit.
    UnknownFrequency,
    /// An attestation status other than `passed` or `failed`.
    BadStatus,
    /// A waiver `run` value InSpec does not recognise (InSpec silently makes it null, which
    /// skips the control).
    BadRun,
    /// Two attestations for the same control (ignoring case) and the same scope.
    DuplicateEntry,
    /// A scope that names nothing, or both a results file and a pod.
    BadScope,
    /// A mapping was expected: a waiver file, a waiver, an attestation, a scope.
    NotAMapping,
    /// A list was expected: an attestation file.
    NotAList,
}

impl Code {
    /// Every code, in documentation order.
    pub const ALL: [Code; 12] = [
        Code::UnknownKey,
        Code::MissingKey,
        Code::WrongType,
        Code::EmptyValue,
        Code::BadDate,
        Code::UnknownFrequency,
        Code::BadStatus,
        Code::BadRun,
        Code::DuplicateEntry,
        Code::BadScope,
        Code::NotAMapping,
        Code::NotAList,
    ];

    /// The stable name, e.g. `unknown-key`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::UnknownKey => "unknown-key",
            Code::MissingKey => "missing-key",
            Code::WrongType => "wrong-type",
            Code::EmptyValue => "empty-value",
            Code::BadDate => "bad-date",
            Code::UnknownFrequency => "unknown-frequency",
            Code::BadStatus => "bad-status",
            Code::BadRun => "bad-run",
            Code::DuplicateEntry => "duplicate-entry",
            Code::BadScope => "bad-scope",
            Code::NotAMapping => "not-a-mapping",
            Code::NotAList => "not-a-list",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
