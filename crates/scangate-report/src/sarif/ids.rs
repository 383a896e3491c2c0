//! SARIF rule ids from control ids, and the friendly names of gate rules. Result fingerprints
//! are not SARIF's own: they are [`crate::finding`]'s, shared by every report.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::finding::Fnv128;
use crate::uri::{is_unreserved, percent_encode};

/// GitHub rejects a log whose rule ids are longer than this ("sarif identifier exceeds maximum
/// length of 255 characters").
pub(crate) const MAX_RULE_ID: usize = 255;

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
    let plain = id.len() <= MAX_RULE_ID && id.bytes().all(is_unreserved);
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
}
