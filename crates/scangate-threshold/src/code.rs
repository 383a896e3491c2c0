//! Rule codes: each rule of a threshold has one stable code (`failed-critical-max`), which is
//! also its SARIF `ruleId`, its JUnit failure type and what `check` prints beside it. Codes
//! are built and recognised here only, so a report never has to guess from a string's shape.

use std::fmt;
use std::str::FromStr;

use scangate_results::Status;
use serde::{Serialize, Serializer};

use crate::model::{Accepted, Bucket};

/// Which way a limit bounds its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bound {
    Min,
    Max,
    /// saf's scalar `<status>.total: N`.
    Exact,
}

impl Bound {
    /// The last word of the rule code.
    pub const fn word(self) -> &'static str {
        match self {
            Bound::Min => "min",
            Bound::Max => "max",
            Bound::Exact => "exact",
        }
    }

    fn from_word(word: &str) -> Option<Bound> {
        [Bound::Min, Bound::Max, Bound::Exact]
            .into_iter()
            .find(|b| b.word() == word)
    }
}

/// What a rule limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// `compliance.min` or `compliance.max` (never [`Bound::Exact`]).
    Compliance(Bound),
    /// A count of the controls of one status, in total or of one severity.
    Count {
        status: Status,
        bucket: Bucket,
        bound: Bound,
    },
    /// Exactly these control ids in one status × bucket.
    Controls { status: Status, bucket: Bucket },
    /// At most this many new failures (failing now, not in the baseline), in total or of one
    /// severity: `new.high.max`.
    New { bucket: Bucket },
    /// At most this many controls decided by accepted risk: `waived.total.max`.
    Accepted(Accepted),
}

/// A rule's code, e.g. `compliance-min`, `failed-critical-max`, `passed-total-exact`,
/// `skipped-total-controls`. Built only from a [`Rule`]; its text is made once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RuleCode {
    rule: Rule,
    text: String,
}

impl RuleCode {
    pub fn new(rule: Rule) -> RuleCode {
        let text = match rule {
            Rule::Compliance(bound) => format!("compliance-{}", bound.word()),
            Rule::Count {
                status,
                bucket,
                bound,
            } => format!("{}-{}-{}", status_word(status), bucket.key(), bound.word()),
            Rule::Controls { status, bucket } => {
                format!("{}-{}-controls", status_word(status), bucket.key())
            }
            Rule::New { bucket } => format!("new-{}-max", bucket.key()),
            Rule::Accepted(kind) => format!("{}-total-max", kind.key()),
        };
        RuleCode { rule, text }
    }

    pub fn rule(&self) -> Rule {
        self.rule
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The threshold key the rule comes from: `compliance.min`, `failed.total` (saf's exact
    /// form), `failed.critical.max`, `passed.total.controls`.
    pub fn key(&self) -> String {
        match self.rule {
            Rule::Compliance(bound) => format!("compliance.{}", bound.word()),
            Rule::Count {
                status,
                bound: Bound::Exact,
                ..
            } => format!("{}.total", status.key()),
            Rule::Count {
                status,
                bucket,
                bound,
            } => format!("{}.{}.{}", status.key(), bucket.key(), bound.word()),
            Rule::Controls { status, bucket } => {
                format!("{}.{}.controls", status.key(), bucket.key())
            }
            Rule::New { bucket } => format!("new.{}.max", bucket.key()),
            Rule::Accepted(kind) => format!("{}.total.max", kind.key()),
        }
    }

    /// The bucket a count or control-list rule applies to; `None` for compliance and
    /// accepted risk (which counts controls of every status).
    pub fn bucket(&self) -> Option<Bucket> {
        match self.rule {
            Rule::Compliance(_) | Rule::Accepted(_) => None,
            Rule::Count { bucket, .. } | Rule::Controls { bucket, .. } | Rule::New { bucket } => {
                Some(bucket)
            }
        }
    }
}

/// The status part of a code: its key with `-` for `_` (`no-impact`).
fn status_word(status: Status) -> String {
    status.key().replace('_', "-")
}

/// Text that is not a rule code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a rule code")]
pub struct NotARuleCode(String);

impl FromStr for RuleCode {
    type Err = NotARuleCode;

    /// Exactly the codes [`RuleCode::new`] makes, and nothing else.
    fn from_str(s: &str) -> Result<RuleCode, NotARuleCode> {
        let not = || NotARuleCode(s.to_owned());
        let (head, last) = s.rsplit_once('-').ok_or_else(not)?;
        let rule = if head == "compliance" {
            match Bound::from_word(last) {
                Some(bound @ (Bound::Min | Bound::Max)) => Rule::Compliance(bound),
                _ => return Err(not()),
            }
        } else if let Some(kind) = head.strip_suffix("-total").and_then(Accepted::from_key) {
            match last {
                "max" => Rule::Accepted(kind),
                _ => return Err(not()),
            }
        } else if let Some(bucket) = head.strip_prefix("new-") {
            match (Bucket::from_key(bucket), last) {
                (Some(bucket), "max") => Rule::New { bucket },
                _ => return Err(not()),
            }
        } else {
            let (status, bucket) = head.rsplit_once('-').ok_or_else(not)?;
            let status = Status::ALL
                .into_iter()
                .find(|st| status_word(*st) == status)
                .ok_or_else(not)?;
            let bucket = Bucket::from_key(bucket).ok_or_else(not)?;
            match (last, Bound::from_word(last)) {
                ("controls", _) => Rule::Controls { status, bucket },
                (_, Some(bound)) => Rule::Count {
                    status,
                    bucket,
                    bound,
                },
                _ => return Err(not()),
            }
        };
        Ok(RuleCode::new(rule))
    }
}

impl fmt::Display for RuleCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for RuleCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl PartialEq<str> for RuleCode {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for RuleCode {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code evaluation can produce reads back as itself, and nothing else reads as one.
    #[test]
    fn every_code_reads_back_and_lookalikes_do_not() {
        let mut rules = vec![Rule::Compliance(Bound::Min), Rule::Compliance(Bound::Max)];
        for bucket in Bucket::ALL {
            rules.push(Rule::New { bucket });
        }
        rules.extend(Accepted::ALL.map(Rule::Accepted));
        for status in Status::ALL {
            for bucket in Bucket::ALL {
                rules.push(Rule::Controls { status, bucket });
                for bound in [Bound::Min, Bound::Max, Bound::Exact] {
                    rules.push(Rule::Count {
                        status,
                        bucket,
                        bound,
                    });
                }
            }
        }
        for rule in rules {
            let code = RuleCode::new(rule);
            assert_eq!(code.as_str().parse::<RuleCode>().as_ref(), Ok(&code));
        }
        for text in [
            "failed-foo",
            "failed-critical",
            "compliance-exact",
            "no_impact-total-max",
            "Failed-total-max",
            "failed-total-max-",
            "new-total-min",
            "new-foo-max",
            "new-max",
            "waived-total-min",
            "waived-high-max",
            "attested-max",
            "-failed-total-max",
            "",
        ] {
            assert!(text.parse::<RuleCode>().is_err(), "{text}");
        }
        assert_eq!(
            RuleCode::new(Rule::Count {
                status: Status::NotApplicable,
                bucket: Bucket::Total,
                bound: Bound::Exact
            })
            .key(),
            "no_impact.total"
        );
        assert_eq!(
            RuleCode::new(Rule::New {
                bucket: Bucket::Severity(scangate_results::Severity::High)
            })
            .key(),
            "new.high.max"
        );
    }
}
