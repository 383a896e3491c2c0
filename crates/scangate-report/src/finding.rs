//! Finding identity: what makes a finding of one run the same finding in the next. This module
//! is the one definition of it. SARIF's `partialFingerprints`, the Code Quality report's
//! `fingerprint`, the JSON report's `fingerprint` and `identity`, and baselines
//! ([`crate::baseline`]) take their fingerprints from here, and nowhere else, so one finding has
//! one fingerprint in every report and a baseline matches the findings of a later run.
//!
//! A finding is a failing control of an input (Failed or Profile Error:
//! [`Status::is_failing`](scangate_results::Status::is_failing)), or a failed gate rule of an
//! input ([`findings`]); reports that list an input that could not be read as a finding of its
//! own (Code Quality) fingerprint it too ([`unreadable_fingerprints`]).
//!
//! # Input identity
//!
//! [`InputIdentity`]: a file is its path as the reports write it (repository-relative,
//! normalised, as SARIF's `artifactLocation.uri`), so it stays the same from one runner to the next as long as
//! the input is given by the same path; a pod is its namespace, its workload and its container,
//! the workload being the pod's name without the suffixes Kubernetes generates
//! ([`workload_name`]), so that a redeploy does not make every finding new. Inputs of one
//! identity in one run (two files whose absolute paths both came down to their file name, two
//! replicas of a workload) are told apart by their order: the n-th of them (n > 1) adds n.
//!
//! # Fingerprint
//!
//! A [`Fingerprint`] is 32 hex digits, `:` and an ordinal. The digits are FNV-1a 128
//! (dependency-free and stable across platforms and releases) over length-prefixed fields: `scangate-fingerprint-v1`, the identity's parts
//! (`file` and the path, or `pod`, the namespace, the workload and the container), the
//! occurrence when it is over 1, and then
//!
//! | finding | fields | ordinal |
//! |---|---|---|
//! | a control | `control`, the profile's name, the control id | n for the n-th control with that id in that profile of the input (saf counts duplicated ids; each copy is a finding of its own) |
//! | a failed gate rule | `gate`, the rule's code (`failed-high-max`) | 1 |
//! | an input that could not be read | `unreadable-input` (the occurrence counts among such inputs) | 1 |
//!
//! Nothing else is part of it: not line numbers, titles, messages, severity or status, not the
//! order of the controls, not the other inputs of the run (but those of the same identity
//! before it). Editing a profile or a message therefore never makes a new finding, and moving
//! an input to another path or pod does. Changing any of this changes every fingerprint users
//! already have (GitHub reopens its alerts, GitLab shows every finding as new and every old one
//! as resolved): the version tag is there for that day, and tests pin today's values.

use std::collections::HashMap;
use std::fmt;

use scangate_results::Summary;
use scangate_threshold::RuleOutcome;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Origin, ReportInput, UnreadableInput};

/// The first field of every fingerprint's hash.
const VERSION: &str = "scangate-fingerprint-v1";

/// FNV-1a, 128 bits: dependency-free, stable across platforms and releases (unlike std's
/// `Hasher`s), and wide enough that accidental collisions do not happen. It is not meant to
/// resist someone who crafts control ids to collide; such a scan is untrustworthy anyway.
#[derive(Debug, Clone)]
pub(crate) struct Fnv128(u128);

impl Fnv128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

    pub(crate) fn new() -> Self {
        Fnv128(Self::OFFSET)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u128::from(b);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    /// Adds one field. Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
    pub(crate) fn field(&mut self, field: &str) -> &mut Self {
        self.bytes(&(field.len() as u64).to_le_bytes());
        self.bytes(field.as_bytes());
        self
    }

    /// The hash, through a bijective mixer: FNV leaves inputs that differ only at the end
    /// looking alike, and fingerprints that look alike get misread. Being a bijection, the
    /// mixer changes no collision.
    pub(crate) fn hex(&self) -> String {
        let mut x = self.0;
        x ^= x >> 67;
        x = x.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835);
        x ^= x >> 61;
        x = x.wrapping_mul(0xd6e8_feb8_6659_fd93_a5cb_3a6c_b0d9_a7f7);
        x ^= x >> 64;
        format!("{x:032x}")
    }
}

/// The workload a pod belongs to, for fingerprints that survive redeployment: Kubernetes names
/// pods of a Deployment `<name>-<template hash>-<5 random>` and those of a DaemonSet or Job
/// `<name>-<5 random>`, both from the alphabet below (no vowels, no 0/1/3). Anything else,
/// including StatefulSet pods (`db-0`), is kept whole.
pub fn workload_name(pod: &str) -> &str {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let generated = |s: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&s.len()) && s.bytes().all(|b| ALPHABET.contains(&b))
    };
    let mut name = pod;
    if let Some((head, tail)) = name.rsplit_once('-')
        && !head.is_empty()
        && generated(tail, 5..=5)
    {
        name = head;
        if let Some((head, tail)) = name.rsplit_once('-')
            && !head.is_empty()
            && generated(tail, 6..=10)
        {
            name = head;
        }
    }
    name
}

/// Who an input is, as far as fingerprints are concerned (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InputIdentity<'a> {
    /// A results file, by its repository-relative path as the reports write it.
    File { path: String },
    /// A file fetched from a pod.
    Pod {
        namespace: &'a str,
        /// The pod's name without the suffixes Kubernetes generates ([`workload_name`]).
        workload: &'a str,
        container: &'a str,
    },
}

impl<'a> InputIdentity<'a> {
    /// The identity of an input that came from `origin` and is called `name`.
    pub fn of(origin: Origin<'a>, name: &str) -> Self {
        match origin {
            Origin::File { .. } => InputIdentity::File {
                path: crate::uri::input_path(origin, name),
            },
            Origin::Pod {
                namespace,
                pod,
                container,
                ..
            } => InputIdentity::Pod {
                namespace,
                workload: workload_name(pod),
                container,
            },
        }
    }

    /// The identity as recorded in baselines and the JSON report, with its `occurrence`
    /// (1 for the first input with it in the run).
    pub fn record(&self, occurrence: u32) -> IdentityRecord {
        let (identity, occurrence) = (self, occurrence.max(1));
        match identity {
            InputIdentity::File { path } => IdentityRecord::File {
                path: path.clone(),
                occurrence,
            },
            InputIdentity::Pod {
                namespace,
                workload,
                container,
            } => IdentityRecord::Pod {
                namespace: (*namespace).to_owned(),
                workload: (*workload).to_owned(),
                container: (*container).to_owned(),
                occurrence,
            },
        }
    }
}

/// An input's identity with its occurrence, owned: what a baseline file and the JSON report
/// write for each input, and how a baseline's inputs are matched with a run's.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum IdentityRecord {
    /// A results file, by its path as the reports write it (repository-relative, normalised).
    File {
        path: String,
        /// The n-th input of this identity in its run; left out when 1.
        #[serde(default = "one", skip_serializing_if = "is_one")]
        #[schemars(range(min = 1))]
        occurrence: u32,
    },
    /// A file fetched from a pod: its namespace, its workload (the pod's name without the
    /// suffixes Kubernetes generates) and the scanner container.
    Pod {
        namespace: String,
        workload: String,
        container: String,
        #[serde(default = "one", skip_serializing_if = "is_one")]
        #[schemars(range(min = 1))]
        occurrence: u32,
    },
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

impl IdentityRecord {
    /// What every fingerprint of this input starts from.
    pub fn fingerprints(&self) -> InputFingerprints {
        let mut hash = Fnv128::new();
        hash.field(VERSION);
        let occurrence = match self {
            IdentityRecord::File { path, occurrence } => {
                hash.field("file").field(path);
                *occurrence
            }
            IdentityRecord::Pod {
                namespace,
                workload,
                container,
                occurrence,
            } => {
                hash.field("pod")
                    .field(namespace)
                    .field(workload)
                    .field(container);
                *occurrence
            }
        };
        if occurrence > 1 {
            hash.field(&occurrence.to_string());
        }
        InputFingerprints {
            identity: hash,
            record: self.clone(),
        }
    }
}

impl fmt::Display for IdentityRecord {
    /// For messages: `scans/a.json`, `pod shop/web/inspec`, with `#2` for a second occurrence.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let occurrence = match self {
            IdentityRecord::File { path, occurrence } => {
                f.write_str(path)?;
                *occurrence
            }
            IdentityRecord::Pod {
                namespace,
                workload,
                container,
                occurrence,
            } => {
                write!(f, "pod {namespace}/{workload}/{container}")?;
                *occurrence
            }
        };
        if occurrence > 1 {
            write!(f, " #{occurrence}")?;
        }
        Ok(())
    }
}

/// A finding's fingerprint: 32 hex digits, `:` and an ordinal (`3f…9a:1`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(String);

impl Fingerprint {
    fn new(hash: &Fnv128, ordinal: u32) -> Self {
        Fingerprint(format!("{}:{ordinal}", hash.hex()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Fingerprint> for String {
    fn from(fingerprint: Fingerprint) -> String {
        fingerprint.0
    }
}

/// What every fingerprint of one input starts from: its identity and its occurrence.
#[derive(Debug, Clone)]
pub struct InputFingerprints {
    identity: Fnv128,
    record: IdentityRecord,
}

impl InputFingerprints {
    /// The identity these fingerprints start from.
    pub fn record(&self) -> &IdentityRecord {
        &self.record
    }

    /// The fingerprint of the `ordinal`-th control (from 1; [`control_ordinals`]) with id `id`
    /// in the profile named `profile`.
    pub fn control(&self, profile: &str, id: &str, ordinal: u32) -> Fingerprint {
        let mut hash = self.identity.clone();
        hash.field("control").field(profile).field(id);
        Fingerprint::new(&hash, ordinal)
    }

    /// The fingerprint of the failed gate rule with code `code`.
    pub fn gate(&self, code: &str) -> Fingerprint {
        let mut hash = self.identity.clone();
        hash.field("gate").field(code);
        Fingerprint::new(&hash, 1)
    }

    /// The fingerprint of the input itself, when it could not be read.
    fn unreadable(&self) -> Fingerprint {
        let mut hash = self.identity.clone();
        hash.field("unreadable-input");
        Fingerprint::new(&hash, 1)
    }
}

/// Each input's identity and occurrence, in order, from where each came from and its name:
/// [`fingerprints_of`] for inputs that are not [`ReportInput`]s yet.
pub fn keyed<'a>(inputs: impl Iterator<Item = (Origin<'a>, &'a str)>) -> Vec<InputFingerprints> {
    let mut seen: HashMap<InputIdentity<'a>, u32> = HashMap::new();
    inputs
        .map(|(origin, name)| {
            let identity = InputIdentity::of(origin, name);
            let occurrence = seen.entry(identity.clone()).or_insert(0);
            *occurrence += 1;
            identity.record(*occurrence).fingerprints()
        })
        .collect()
}

/// The fingerprints of the readable inputs of a report, in their order.
pub fn fingerprints_of(inputs: &[ReportInput<'_>]) -> Vec<InputFingerprints> {
    keyed(inputs.iter().map(|i| (i.origin, i.name)))
}

/// The fingerprint of each input that could not be read, in their order. Their occurrences
/// count among themselves: whether another input of the run was read does not change them.
pub fn unreadable_fingerprints(errors: &[UnreadableInput<'_>]) -> Vec<Fingerprint> {
    keyed(errors.iter().map(|e| (e.origin, e.name)))
        .iter()
        .map(InputFingerprints::unreadable)
        .collect()
}

/// For each control of `summary`, its ordinal: 1 for the first control with its id in its
/// profile, 2 for the next copy, and so on. Profiles count by name, so that no two controls of
/// an input ever share a fingerprint, however the scan named its profiles.
pub fn control_ordinals(summary: &Summary<'_>) -> Vec<u32> {
    let mut seen: HashMap<(&str, &str), u32> = HashMap::new();
    summary
        .controls
        .iter()
        .map(|evaluated| {
            let profile = profile_name(summary, evaluated.profile);
            let n = seen
                .entry((profile, evaluated.control.id.as_str()))
                .or_insert(0);
            *n += 1;
            *n
        })
        .collect()
}

/// The name of the counted profile at `index` (empty if the summary has none there, which it
/// always has).
pub fn profile_name<'s>(summary: &'s Summary<'_>, index: usize) -> &'s str {
    summary
        .profiles
        .get(index)
        .map_or("", |p| p.profile.name.as_str())
}

/// One finding of an input.
#[derive(Debug, Clone)]
pub enum Finding<'a> {
    /// A failing control: its index in the input's `summary.controls`.
    Control {
        index: usize,
        fingerprint: Fingerprint,
    },
    /// A failed rule of the input's gate.
    Gate {
        outcome: &'a RuleOutcome,
        fingerprint: Fingerprint,
    },
}

impl Finding<'_> {
    pub fn fingerprint(&self) -> &Fingerprint {
        match self {
            Finding::Control { fingerprint, .. } | Finding::Gate { fingerprint, .. } => fingerprint,
        }
    }
}

/// The findings of `input`, whose fingerprints start from `fingerprints`: its failed gate
/// rules in the verdict's order, then its failing controls in the input's order.
pub fn findings<'a>(input: &ReportInput<'a>, fingerprints: &InputFingerprints) -> Vec<Finding<'a>> {
    let summary = input.summary;
    let gate = input
        .verdict
        .into_iter()
        .flat_map(|v| v.failures())
        .map(|outcome| Finding::Gate {
            outcome,
            fingerprint: fingerprints.gate(outcome.code.as_str()),
        });
    let controls = summary
        .controls
        .iter()
        .zip(control_ordinals(summary))
        .enumerate()
        .filter(|(_, (evaluated, _))| evaluated.status.is_failing())
        .map(|(index, (evaluated, ordinal))| Finding::Control {
            index,
            fingerprint: fingerprints.control(
                profile_name(summary, evaluated.profile),
                &evaluated.control.id,
                ordinal,
            ),
        });
    gate.chain(controls).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_and_length_prefixed() {
        let h = |a: &str, b: &str| Fnv128::new().field(a).field(b).hex();
        assert_eq!(h("ab", "c"), h("ab", "c"));
        assert_ne!(h("ab", "c"), h("a", "bc"));
        // Pinned: fingerprints must not change between releases.
        assert_eq!(
            Fnv128::new().field("a").hex(),
            "a47c15ebb143056154adeb634b031cb7"
        );
    }

    #[test]
    fn workloads_of_generated_pod_names() {
        assert_eq!(workload_name("web-7d9f8b6c5-x2kz9"), "web");
        assert_eq!(workload_name("node-exporter-x2kz9"), "node-exporter");
        assert_eq!(workload_name("db-0"), "db-0");
        assert_eq!(workload_name("api-server"), "api-server");
        assert_eq!(workload_name("x2kz9"), "x2kz9");
        assert_eq!(workload_name("-x2kz9"), "-x2kz9");
        assert_eq!(workload_name(""), "");
    }

    fn file(path: &str) -> (Origin<'_>, &str) {
        (Origin::File { path }, path)
    }

    fn pod<'a>(pod: &'a str, container: &'a str) -> (Origin<'a>, &'a str) {
        let origin = Origin::Pod {
            namespace: "shop",
            pod,
            container,
            path: "/tmp/scangate-1/scan.json",
        };
        (origin, "scan.json")
    }

    #[test]
    fn fingerprints_are_pinned() {
        // The values in the SARIF golden log of rhel-8_hardened.json since fingerprints were
        // first written. Changing them reopens every alert and renews every Code Quality
        // finding users have: only ever with a new version tag.
        let keys = keyed([file("fixtures/results/rhel-8_hardened.json")].into_iter());
        let profile = "redhat-enterprise-linux-8-stig-baseline";
        assert_eq!(
            keys[0].control(profile, "SV-230223", 1).as_str(),
            "cf697f78c73e35ee271e55da4c1a54d9:1"
        );
        assert_eq!(
            keys[0].gate("failed-high-max").as_str(),
            "203fbbe968a2067bed4ca988572f98cd:1"
        );
    }

    #[test]
    fn identities_of_files_and_pods() {
        let (origin, name) = file("/home/me/scans/../x.json");
        assert_eq!(
            InputIdentity::of(origin, name),
            InputIdentity::File {
                path: "x.json".to_owned()
            }
        );
        let (origin, name) = pod("web-7d9f8b6c5-x2kz9", "inspec");
        assert_eq!(
            InputIdentity::of(origin, name),
            InputIdentity::Pod {
                namespace: "shop",
                workload: "web",
                container: "inspec"
            }
        );
        let (origin, _) = file("..");
        assert_eq!(
            InputIdentity::of(origin, "/"),
            InputIdentity::File {
                path: "unnamed-input".to_owned()
            }
        );
    }

    #[test]
    fn replicas_and_redeploys() {
        let keys = keyed(
            [
                pod("web-7d9f8b6c5-x2kz9", "inspec"),
                pod("web-7d9f8b6c5-b6f4d", "inspec"),
            ]
            .into_iter(),
        );
        let redeployed = keyed([pod("web-5c4b8d7f9-q8wz2", "inspec")].into_iter());
        let first = keys[0].control("p", "C-1", 1);
        assert_eq!(first, redeployed[0].control("p", "C-1", 1));
        assert_ne!(first, keys[1].control("p", "C-1", 1), "replicas keep apart");
        let other = keyed([pod("web-7d9f8b6c5-x2kz9", "cinc")].into_iter());
        assert_ne!(first, other[0].control("p", "C-1", 1));
    }

    #[test]
    fn every_field_tells_findings_apart() {
        let keys = keyed([file("a.json"), file("b.json")].into_iter());
        let all = [
            keys[0].control("p", "C-1", 1),
            keys[0].control("p", "C-1", 2),
            keys[0].control("p", "C-2", 1),
            keys[0].control("q", "C-1", 1),
            keys[0].control("pC", "-1", 1),
            keys[1].control("p", "C-1", 1),
            keys[0].gate("failed-high-max"),
            keys[0].gate("failed-critical-max"),
            keys[1].gate("failed-high-max"),
            keys[0].unreadable(),
            keys[1].unreadable(),
            // A control whose id reads like a gate rule's code is still a control.
            keys[0].control("gate", "failed-high-max", 1),
        ];
        let unique: std::collections::BTreeSet<&Fingerprint> = all.iter().collect();
        assert_eq!(unique.len(), all.len(), "{all:?}");
        for f in &all {
            let (hex, ordinal) = f.as_str().split_once(':').unwrap();
            assert_eq!(hex.len(), 32);
            assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(ordinal.parse::<u32>().unwrap() >= 1);
        }
    }

    #[test]
    fn unreadable_inputs_count_among_themselves() {
        let missing = "scans/missing.json";
        let errors = [
            UnreadableInput {
                name: missing,
                origin: Origin::File { path: missing },
                message: "gone",
            },
            UnreadableInput {
                name: missing,
                origin: Origin::File { path: missing },
                message: "gone again",
            },
        ];
        let fingerprints = unreadable_fingerprints(&errors);
        assert_ne!(fingerprints[0], fingerprints[1]);
        // Not the message: the same input is the same finding whatever went wrong with it.
        let alone = unreadable_fingerprints(&errors[1..]);
        assert_eq!(alone[0], fingerprints[0]);
    }
}
