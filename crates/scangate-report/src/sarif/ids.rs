//! Stable identifiers: rule ids from control ids, result fingerprints, and the hash behind both;
//! and the friendly names of gate rules.

use std::borrow::Cow;
use std::fmt::Write as _;

/// GitHub rejects a log whose rule ids are longer than this ("sarif identifier exceeds maximum
/// length of 255 characters").
pub(crate) const MAX_RULE_ID: usize = 255;

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

/// Bytes kept as they are in rule ids and URIs: RFC 3986's unreserved set. `~` is left out of
/// it for rule ids so that it can mark a shortened id unambiguously.
fn unreserved(b: u8, tilde: bool) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_') || (tilde && b == b'~')
}

/// Percent-encodes every byte outside the unreserved set (`%` included, so the mapping is
/// injective and reversible).
pub(crate) fn percent_encode(s: &str, keep_tilde: bool, out: &mut String) {
    for &b in s.as_bytes() {
        if unreserved(b, keep_tilde) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// Whether `id` is a threshold rule code, which owns the bare code as its rule id.
fn is_rule_code(id: &str) -> bool {
    id.parse::<scangate_threshold::RuleCode>().is_ok()
}

/// The SARIF rule id of a control: its id as is when that is a plain identifier (`SV-230221`,
/// `V-71931`, `xccdf_org.ssgproject.content_rule_x`, `1.1.1.1`), else percent-encoded, so
/// that it has no spaces, slashes or markup and distinct control ids keep distinct rule ids.
/// Ids that would read as a threshold rule code get their first byte encoded (`%66ailed-…`),
/// ids longer than GitHub's limit are shortened to a prefix, `~` and a hash of the whole id.
pub(crate) fn control_rule_id(id: &str) -> Cow<'_, str> {
    if id.is_empty() {
        // Encoding never yields a bare `~`, so this cannot collide with a real id.
        return Cow::Borrowed("~");
    }
    let plain = id.len() <= MAX_RULE_ID && id.bytes().all(|b| unreserved(b, false));
    if plain && !is_rule_code(id) {
        return Cow::Borrowed(id);
    }
    let mut out = String::with_capacity(id.len() + 16);
    if is_rule_code(id) {
        let _ = write!(out, "%{:02X}", id.as_bytes()[0]);
        out.push_str(&id[1..]);
    } else {
        percent_encode(id, false, &mut out);
    }
    if out.len() > MAX_RULE_ID {
        let hash = Fnv128::new().field("scangate-rule-id").field(id).hex();
        let mut cut = MAX_RULE_ID - 1 - hash.len();
        // Never split a `%XX` escape.
        if let Some(pct) = out[..cut].rfind('%')
            && pct + 3 > cut
        {
            cut = pct;
        }
        out.truncate(cut);
        out.push('~');
        out.push_str(&hash);
    }
    Cow::Owned(out)
}

/// The workload a pod belongs to, for fingerprints that survive redeployment: Kubernetes names
/// pods of a Deployment `<name>-<template hash>-<5 random>` and those of a DaemonSet or Job
/// `<name>-<5 random>`, both from the alphabet below (no vowels, no 0/1/3). Anything else,
/// including StatefulSet pods (`db-0`), is kept whole.
pub(crate) fn workload_name(pod: &str) -> &str {
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

/// `failed-high-max` → `FailedHighMax`: SARIF's recommended form of a rule's friendly name.
pub(crate) fn pascal_case(code: &str) -> String {
    code.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case_of_rule_codes() {
        assert_eq!(pascal_case("failed-high-max"), "FailedHighMax");
        assert_eq!(pascal_case("no-impact-total-max"), "NoImpactTotalMax");
    }

    #[test]
    fn plain_ids_are_kept() {
        for id in [
            "SV-230221",
            "V-71931",
            "xccdf_org.ssgproject.content_rule_x",
            "1.1.1.1",
            "C40-dup-id",
        ] {
            assert_eq!(control_rule_id(id), id);
        }
    }

    #[test]
    fn other_ids_are_encoded_injectively() {
        assert_eq!(control_rule_id("H-1 | `id`"), "H-1%20%7C%20%60id%60");
        assert_eq!(control_rule_id("a/b"), "a%2Fb");
        assert_eq!(control_rule_id("a%2Fb"), "a%252Fb");
        assert_eq!(control_rule_id("~"), "%7E");
        assert_eq!(control_rule_id(""), "~");
        assert_eq!(control_rule_id("H-3 🔥"), "H-3%20%F0%9F%94%A5");
    }

    #[test]
    fn ids_shaped_like_threshold_codes_are_set_apart() {
        assert_eq!(
            control_rule_id("failed-critical-max"),
            "%66ailed-critical-max"
        );
        assert_eq!(control_rule_id("compliance-min"), "%63ompliance-min");
        assert_eq!(control_rule_id("failed-Critical"), "failed-Critical");
    }

    #[test]
    fn long_ids_are_shortened_within_githubs_limit_and_stay_distinct() {
        let a = format!("{}a", "x".repeat(400));
        let b = format!("{}b", "x".repeat(400));
        let (ra, rb) = (control_rule_id(&a), control_rule_id(&b));
        assert!(ra.len() <= MAX_RULE_ID && rb.len() <= MAX_RULE_ID);
        assert_ne!(ra, rb);
        let spaced = " ".repeat(300);
        let r = control_rule_id(&spaced);
        assert!(r.len() <= MAX_RULE_ID);
        let (prefix, hash) = r.rsplit_once('~').unwrap();
        assert_eq!(hash.len(), 32);
        assert!(
            prefix.len() % 3 == 0 && prefix.chars().all(|c| "%20".contains(c)),
            "{prefix}"
        );
    }

    #[test]
    fn every_slice_of_a_nasty_id_gets_a_valid_distinct_rule_id() {
        let nasty = format!("failed-high-max ~%🔥/\u{0}{}", "é".repeat(150));
        let mut seen = std::collections::HashMap::new();
        for end in (0..=nasty.len()).filter(|&i| nasty.is_char_boundary(i)) {
            for start in (0..end).filter(|&i| nasty.is_char_boundary(i)) {
                let id = &nasty[start..end];
                let rule = control_rule_id(id).into_owned();
                assert!(!rule.is_empty() && rule.len() <= MAX_RULE_ID, "{rule}");
                assert!(
                    rule.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._%~".contains(&b))
                );
                if let Some(other) = seen.insert(rule.clone(), id) {
                    assert_eq!(other, id, "{rule}");
                }
            }
        }
    }

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
    }
}
