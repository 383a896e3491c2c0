//! Raw node tree to checked [`Threshold`], collecting every problem before giving up.
//!
//! Keys may be nested (`failed: {critical: {max: 0}}`), flattened with dots
//! (`failed.critical.max: 0`), or any mix of the two, at any level.

use std::collections::HashMap;

use scangate_results::{Severity, Status};

use crate::error::Problem;
use crate::model::{Accepted, Bucket, Threshold};
use crate::raw::{Node, Pos, Value};

/// `compliance`, the status keys in saf's order, then `new`, `waived` and `attested`.
const ROOT_KEYS: &[&str] = &{
    let mut keys = ["compliance"; Status::ALL.len() + 4];
    let mut i = 0;
    while i < Status::ALL.len() {
        keys[i + 1] = Status::ALL[i].key();
        i += 1;
    }
    keys[i + 1] = "new";
    keys[i + 2] = Accepted::Waived.key();
    keys[i + 3] = Accepted::Attested.key();
    keys
};
/// Accepted risk is counted over every severity: one bucket, `total`.
const ACCEPTED_KEYS: &[&str] = &["total"];
const COMPLIANCE_KEYS: &[&str] = &["min", "max"];
/// `total`, then the severity keys.
const STATUS_KEYS: &[&str] = &{
    let mut keys = ["total"; Severity::ALL.len() + 1];
    let mut i = 0;
    while i < Severity::ALL.len() {
        keys[i + 1] = Severity::ALL[i].key();
        i += 1;
    }
    keys
};
const LIMIT_KEYS: &[&str] = &["min", "max", "controls"];
/// New failures and accepted risk only have a ceiling: a floor on new failures would demand
/// regressions, a floor on waivers would demand accepted risk.
const NEW_LIMIT_KEYS: &[&str] = &["max"];

/// Words people write for saf's status keys.
const ALIASES: &[(&str, &str)] = &[
    ("not_reviewed", "skipped"),
    ("notreviewed", "skipped"),
    ("not-reviewed", "skipped"),
    ("not_applicable", "no_impact"),
    ("notapplicable", "no_impact"),
    ("not-applicable", "no_impact"),
    ("na", "no_impact"),
    ("n/a", "no_impact"),
    ("noimpact", "no_impact"),
    ("no-impact", "no_impact"),
    ("profile_error", "error"),
    ("errors", "error"),
    ("pass", "passed"),
    ("fail", "failed"),
    ("skip", "skipped"),
    ("minimum", "min"),
    ("maximum", "max"),
    ("control_ids", "controls"),
    ("ids", "controls"),
];

/// Where a key sits in the threshold grammar.
#[derive(Clone, Copy)]
enum Level {
    Root,
    Compliance,
    Status(Status),
    Limits(Status, Bucket),
    /// `new`: failures that are not in the baseline.
    New,
    NewLimits(Bucket),
    /// `waived` or `attested`: controls decided by accepted risk.
    Accepted(Accepted),
    AcceptedLimits(Accepted),
}

struct Checker {
    threshold: Threshold,
    problems: Vec<Problem>,
    /// Where each dotted key was set, to catch the same limit set twice.
    seen: HashMap<String, Pos>,
    /// Where each limit was set, for `min > max` messages.
    set_at: HashMap<String, Pos>,
}

/// Validates a parsed document; `None` means the source was empty.
pub(crate) fn check(doc: &Node) -> Result<Threshold, Vec<Problem>> {
    let mut checker = Checker {
        threshold: Threshold::default(),
        problems: Vec::new(),
        seen: HashMap::new(),
        set_at: HashMap::new(),
    };
    match &doc.value {
        Value::Map(entries) if entries.is_empty() => checker.problem(
            doc.pos,
            "",
            "the threshold sets no limits: expected keys such as `compliance`, `failed`, `passed`",
        ),
        Value::Map(_) => checker.walk(Level::Root, "", doc),
        other => checker.problem(
            doc.pos,
            "",
            format!(
                "expected a mapping of threshold keys such as `compliance: {{min: 80}}`, found {}",
                other.describe()
            ),
        ),
    }
    checker.cross_checks();
    if checker.problems.is_empty() {
        Ok(checker.threshold)
    } else {
        checker.problems.sort_by_key(|p| p.pos);
        Err(checker.problems)
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// The closest allowed key, if it is close enough to be a likely typo.
fn suggest(word: &str, allowed: &'static [&'static str]) -> Option<&'static str> {
    let lower = word.to_ascii_lowercase();
    if let Some((_, to)) = ALIASES
        .iter()
        .find(|(from, to)| *from == lower && allowed.contains(to))
    {
        return Some(to);
    }
    crate::raw::closest(&lower, allowed)
}

impl Checker {
    fn problem(&mut self, pos: Pos, key: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            pos,
            key: key.to_owned(),
            message: message.into(),
        });
    }

    fn unknown(&mut self, pos: Pos, prefix: &str, word: &str, allowed: &'static [&'static str]) {
        let key = join(prefix, word);
        let message = match suggest(word, allowed) {
            Some(s) => format!("unknown key; did you mean `{}`?", join(prefix, s)),
            None => format!("unknown key; expected one of {}", allowed.join(", ")),
        };
        self.problem(pos, &key, message);
    }

    /// Walks a mapping node at `level`, whose dotted path so far is `prefix`.
    fn walk(&mut self, level: Level, prefix: &str, node: &Node) {
        let Value::Map(entries) = &node.value else {
            let expected = match level {
                Level::Root => "a mapping of threshold keys",
                Level::Compliance => "a mapping with `min` and/or `max`",
                Level::Status(_) => {
                    "a mapping with `total`, `critical`, `high`, `medium`, `low` or `none`"
                }
                Level::Limits(..) => "a mapping with `min`, `max` and/or `controls`",
                Level::New => {
                    "a mapping with `total`, `critical`, `high`, `medium`, `low` or `none`"
                }
                Level::NewLimits(_) | Level::AcceptedLimits(_) => "a mapping with `max`",
                Level::Accepted(_) => "a mapping with `total`",
            };
            let hint = match (level, &node.value) {
                (
                    Level::Limits(_, Bucket::Severity(_))
                    | Level::NewLimits(_)
                    | Level::AcceptedLimits(_),
                    Value::Int(n),
                ) => {
                    format!("; for a ceiling write `{prefix}.max: {n}`")
                }
                _ => String::new(),
            };
            self.problem(
                node.pos,
                prefix,
                format!("expected {expected}, found {}{hint}", node.value.describe()),
            );
            return;
        };
        for (key, value) in entries {
            let segments: Vec<&str> = key.name.split('.').collect();
            if segments.iter().any(|s| s.is_empty()) {
                self.problem(
                    key.pos,
                    &join(prefix, &key.name),
                    "empty key segment (stray `.`)",
                );
                continue;
            }
            self.assign(level, prefix, &segments, key.pos, value);
        }
    }

    /// Interprets the dotted key `segments` (relative to `level`) set to `node`.
    fn assign(&mut self, level: Level, prefix: &str, segments: &[&str], key_pos: Pos, node: &Node) {
        let (word, rest) = (segments[0], &segments[1..]);
        let path = join(prefix, word);
        let next = match level {
            Level::Root => match word {
                "compliance" => Level::Compliance,
                "new" => Level::New,
                w => match (Status::from_key(w), Accepted::from_key(w)) {
                    (Some(s), _) => Level::Status(s),
                    (None, Some(kind)) => Level::Accepted(kind),
                    (None, None) => return self.unknown(key_pos, prefix, word, ROOT_KEYS),
                },
            },
            Level::Accepted(kind) => match word {
                "total" => Level::AcceptedLimits(kind),
                w if Bucket::from_key(w).is_some() => {
                    return self.problem(
                        key_pos,
                        &path,
                        format!(
                            "unknown key: accepted risk is counted over every severity; did you \
                             mean `{}`?",
                            join(prefix, "total")
                        ),
                    );
                }
                _ => return self.unknown(key_pos, prefix, word, ACCEPTED_KEYS),
            },
            Level::AcceptedLimits(kind) => {
                if let Some(n) =
                    self.ceiling("accepted risk only has", prefix, segments, key_pos, node)
                {
                    self.threshold.accepted_max.push((kind, n));
                }
                return;
            }
            Level::Status(status) => match Bucket::from_key(word) {
                Some(Bucket::Total) if rest.is_empty() && !matches!(node.value, Value::Map(_)) => {
                    // saf's scalar form: `failed.total: 3` means exactly 3.
                    if let Some(n) = self.count(&path, node) {
                        self.mark(&path, key_pos);
                        self.threshold.limits_mut(status, Bucket::Total).exactly = Some(n);
                    }
                    return;
                }
                Some(bucket) => Level::Limits(status, bucket),
                None => return self.unknown(key_pos, prefix, word, STATUS_KEYS),
            },
            Level::New => match Bucket::from_key(word) {
                Some(bucket) => Level::NewLimits(bucket),
                None => return self.unknown(key_pos, prefix, word, STATUS_KEYS),
            },
            Level::NewLimits(bucket) => {
                if let Some(n) =
                    self.ceiling("new failures only have", prefix, segments, key_pos, node)
                {
                    self.threshold.new_max.push((bucket, n));
                }
                return;
            }
            Level::Compliance => {
                if !COMPLIANCE_KEYS.contains(&word) {
                    return self.unknown(key_pos, prefix, word, COMPLIANCE_KEYS);
                }
                if !rest.is_empty() {
                    return self.problem(key_pos, &join(&path, &rest.join(".")), "unknown key: `compliance.min` and `compliance.max` are numbers, not mappings");
                }
                if let Some(v) = self.percentage(&path, node) {
                    self.mark(&path, key_pos);
                    if word == "min" {
                        self.threshold.compliance_min = Some(v);
                    } else {
                        self.threshold.compliance_max = Some(v);
                    }
                }
                return;
            }
            Level::Limits(status, bucket) => {
                if !LIMIT_KEYS.contains(&word) {
                    return self.unknown(key_pos, prefix, word, LIMIT_KEYS);
                }
                if !rest.is_empty() {
                    return self.problem(
                        key_pos,
                        &join(&path, &rest.join(".")),
                        format!("unknown key: `{path}` is a value, not a mapping"),
                    );
                }
                match word {
                    "controls" => {
                        if let Some(ids) = self.control_ids(&path, node) {
                            self.mark(&path, key_pos);
                            self.threshold.limits_mut(status, bucket).controls = Some(ids);
                        }
                    }
                    _ => {
                        if let Some(n) = self.count(&path, node) {
                            self.mark(&path, key_pos);
                            let limits = self.threshold.limits_mut(status, bucket);
                            if word == "min" {
                                limits.min = Some(n);
                            } else {
                                limits.max = Some(n);
                            }
                        }
                    }
                }
                return;
            }
        };
        if rest.is_empty() {
            self.walk(next, &path, node);
        } else {
            self.assign(next, &path, rest, key_pos, node);
        }
    }

    /// Records that `path` was set at `pos`; setting it again is a problem.
    /// A limit that is only a ceiling (`new.<bucket>`, `waived.total`, `attested.total`):
    /// `max` set to a count, or the problem; `what` says whose ceiling it is in the message.
    fn ceiling(
        &mut self,
        what: &str,
        prefix: &str,
        segments: &[&str],
        key_pos: Pos,
        node: &Node,
    ) -> Option<u64> {
        let (word, rest) = (segments[0], &segments[1..]);
        let path = join(prefix, word);
        if !NEW_LIMIT_KEYS.contains(&word) {
            match word {
                "min" | "controls" => self.problem(
                    key_pos,
                    &path,
                    format!(
                        "unknown key: {what} a ceiling; did you mean `{}`?",
                        join(prefix, "max")
                    ),
                ),
                _ => self.unknown(key_pos, prefix, word, NEW_LIMIT_KEYS),
            }
            return None;
        }
        if !rest.is_empty() {
            self.problem(
                key_pos,
                &join(&path, &rest.join(".")),
                format!("unknown key: `{path}` is a value, not a mapping"),
            );
            return None;
        }
        let n = self.count(&path, node)?;
        self.mark(&path, key_pos);
        Some(n)
    }

    fn mark(&mut self, path: &str, pos: Pos) {
        if let Some(first) = self.seen.get(path).copied() {
            self.problem(pos, path, format!("set twice (first at {first})"));
        } else {
            self.seen.insert(path.to_owned(), pos);
            self.set_at.insert(path.to_owned(), pos);
        }
    }

    /// A non-negative whole number of controls.
    fn count(&mut self, path: &str, node: &Node) -> Option<u64> {
        let found = match &node.value {
            Value::Int(i) if *i >= 0 => return u64::try_from(*i).ok(),
            Value::Int(i) => format!("{i} (a count cannot be negative)"),
            Value::Float(f) if *f >= 0.0 && f.fract() == 0.0 && *f < 9e15 => {
                return Some(*f as u64);
            }
            Value::Float(f) if *f < 0.0 => format!("{f} (a count cannot be negative)"),
            Value::Float(f) => format!("{f} (a count of controls is a whole number)"),
            Value::Str(s) if s.trim().parse::<f64>().is_ok() => {
                format!("the string {s:?} (write the number without quotes)")
            }
            other => other.describe(),
        };
        self.problem(
            node.pos,
            path,
            format!("expected a whole number of controls, found {found}"),
        );
        None
    }

    /// A compliance percentage.
    fn percentage(&mut self, path: &str, node: &Node) -> Option<f64> {
        let value = match &node.value {
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            Value::Str(s) if s.trim().parse::<f64>().is_ok() => {
                self.problem(node.pos, path, format!("expected a percentage (0-100), found the string {s:?} (write the number without quotes)"));
                return None;
            }
            other => {
                self.problem(
                    node.pos,
                    path,
                    format!("expected a percentage (0-100), found {}", other.describe()),
                );
                return None;
            }
        };
        if (0.0..=100.0).contains(&value) {
            Some(value)
        } else {
            self.problem(
                node.pos,
                path,
                format!("expected a percentage (0-100), found {value}"),
            );
            None
        }
    }

    /// A list of control id strings.
    fn control_ids(&mut self, path: &str, node: &Node) -> Option<Vec<String>> {
        let Value::Seq(items) = &node.value else {
            let hint = match &node.value {
                Value::Str(s) => format!(" (write `[{s}]` for a single id)"),
                _ => String::new(),
            };
            self.problem(
                node.pos,
                path,
                format!(
                    "expected a list of control ids, found {}{hint}",
                    node.value.describe()
                ),
            );
            return None;
        };
        let mut ids = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match &item.value {
                Value::Str(s) => ids.push(s.clone()),
                // Guessing that `1234` meant the id "1234" would let a typo in a list gate
                // silently; README promises strings, so say how to write one.
                Value::Int(n) => {
                    ok = false;
                    self.problem(
                        item.pos,
                        &format!("{path}[{i}]"),
                        format!(
                            "expected a control id string, found the number {n} (write \"{n}\" in quotes)"
                        ),
                    );
                }
                other => {
                    ok = false;
                    self.problem(
                        item.pos,
                        &format!("{path}[{i}]"),
                        format!("expected a control id string, found {}", other.describe()),
                    );
                }
            }
        }
        ok.then_some(ids)
    }

    /// Limits that are each fine but cannot all hold.
    fn cross_checks(&mut self) {
        if let (Some(min), Some(max)) =
            (self.threshold.compliance_min, self.threshold.compliance_max)
            && min > max
        {
            let pos = self
                .set_at
                .get("compliance.min")
                .copied()
                .unwrap_or_default();
            self.problem(
                pos,
                "compliance.min",
                format!("minimum {min} is greater than compliance.max {max}: no result can pass"),
            );
        }
        let counts = self.threshold.counts.clone();
        for (status, bucket, limits) in counts {
            let key = format!("{}.{}", status.key(), bucket.key());
            let at = |suffix: &str, me: &Self| {
                me.set_at
                    .get(&format!("{key}{suffix}"))
                    .copied()
                    .unwrap_or_default()
            };
            if let (Some(min), Some(max)) = (limits.min, limits.max)
                && min > max
            {
                let pos = at(".min", self);
                self.problem(
                    pos,
                    &format!("{key}.min"),
                    format!("minimum {min} is greater than {key}.max {max}: no result can pass"),
                );
            }
            if let Some(exactly) = limits.exactly {
                let below = limits
                    .min
                    .filter(|&min| exactly < min)
                    .map(|min| format!("{key}.min {min}"));
                let above = limits
                    .max
                    .filter(|&max| exactly > max)
                    .map(|max| format!("{key}.max {max}"));
                for conflict in below.into_iter().chain(above) {
                    let pos = at("", self);
                    self.problem(
                        pos,
                        &key,
                        format!("exactly {exactly} contradicts {conflict}: no result can pass"),
                    );
                }
            }
            if let (Some(ids), Some(max)) = (&limits.controls, limits.max)
                && ids.len() as u64 > max
            {
                let pos = at(".controls", self);
                self.problem(
                    pos,
                    &format!("{key}.controls"),
                    format!(
                        "lists {} controls but {key}.max is {max}: no result can pass",
                        ids.len()
                    ),
                );
            }
        }
    }
}
