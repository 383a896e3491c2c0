//! A threshold from a baseline scan, with saf's keys, values and key order (compat:saf-generate), so files from
//! `saf generate threshold` and `scangate threshold generate` are interchangeable.

use scangate_results::{Severity, Status, Summary};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// How strict the generated threshold is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Pin every count and the compliance: write both `min` and `max` (saf's `-e`).
    pub exact: bool,
    /// List the control ids of every status × severity (saf's `-c`).
    pub control_ids: bool,
    /// Lower `compliance.min` by this many points, to tolerate drift.
    pub margin: u32,
}

/// An ordered YAML/JSON tree; serialises keys in insertion order.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Map(Vec<(&'static str, Node)>),
    Int(u64),
    Ids(Vec<String>),
}

/// A generated threshold document.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated(Node);

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Node::Int(n) => s.serialize_u64(*n),
            Node::Ids(ids) => ids.serialize(s),
        }
    }
}

impl Serialize for Generated {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// The node at `path`, created where missing as lodash creates it: in insertion order, maps
/// on the way and `leaf()` at the end.
fn entry<'n>(node: &'n mut Node, path: &[&'static str], leaf: fn() -> Node) -> &'n mut Node {
    let Node::Map(entries) = node else {
        unreachable!("paths only go through maps")
    };
    let (head, rest) = (path[0], &path[1..]);
    let i = match entries.iter().position(|(k, _)| *k == head) {
        Some(i) => i,
        None => {
            let fresh = if rest.is_empty() {
                leaf()
            } else {
                Node::Map(Vec::new())
            };
            entries.push((head, fresh));
            entries.len() - 1
        }
    };
    let child = &mut entries[i].1;
    if rest.is_empty() {
        child
    } else {
        entry(child, rest, leaf)
    }
}

/// lodash's `_.set`: creates the path in insertion order, replacing a leaf.
fn set(node: &mut Node, path: &[&'static str], value: Node) {
    *entry(node, path, || Node::Map(Vec::new())) = value;
}

/// Appends `id` to the list of control ids at `path`.
fn push_id(node: &mut Node, path: &[&'static str], id: String) {
    match entry(node, path, || Node::Ids(Vec::new())) {
        Node::Ids(ids) => ids.push(id),
        _ => unreachable!("controls is always a list"),
    }
}

/// saf's per-severity targets: every status for critical..low, only no_impact for none.
fn targets(severity: Severity) -> &'static [Status] {
    match severity {
        Severity::None => &[Status::NotApplicable],
        _ => &Status::ALL,
    }
}

/// Writes the threshold that `summary` exactly meets (or, without `exact`, meets with room:
/// only minimums for passed and maximums for the rest).
pub fn generate(summary: &Summary<'_>, options: GenerateOptions) -> Generated {
    let counts = &summary.counts;
    let compliance = u64::from(summary.compliance());
    let mut doc = Node::Map(Vec::new());
    set(
        &mut doc,
        &["compliance", "min"],
        Node::Int(compliance.saturating_sub(u64::from(options.margin))),
    );
    if options.exact {
        set(&mut doc, &["compliance", "max"], Node::Int(compliance));
    }
    for severity in Severity::ALL {
        for &status in targets(severity) {
            for (bound, wanted) in [
                ("min", status == Status::Passed),
                ("max", status != Status::Passed),
            ] {
                if wanted || options.exact {
                    set(
                        &mut doc,
                        &[status.key(), severity.key(), bound],
                        Node::Int(counts.get(status, severity)),
                    );
                }
            }
        }
    }
    for (status, bound) in [
        (Status::Passed, "min"),
        (Status::Failed, "max"),
        (Status::NotReviewed, "max"),
        (Status::ProfileError, "max"),
        (Status::NotApplicable, "max"),
    ] {
        set(
            &mut doc,
            &[status.key(), "total", bound],
            Node::Int(counts.total(status)),
        );
    }
    if options.control_ids {
        for control in &summary.controls {
            push_id(
                &mut doc,
                &[control.status.key(), control.severity.key(), "controls"],
                control.control.id.to_string(),
            );
        }
    }
    Generated(doc)
}
