//! The JSON Schema of threshold files, generated from these types with schemars.
//!
//! The types describe the nested form; the flattened dotted keys (`failed.critical.max`) that
//! the loader also accepts are added as `patternProperties` built from the same key lists.
//! The schema cannot express `min <= max`; `scangate threshold validate` checks that too.

use scangate_results::{Severity, Status};
use schemars::{JsonSchema, schema_for};
use serde_json::{Value, json};

/// A compliance limit in percent.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[schemars(deny_unknown_fields)]
struct ComplianceLimits {
    /// Fail when compliance is below this.
    #[schemars(range(min = 0, max = 100))]
    min: Option<f64>,
    /// Fail when compliance is above this.
    #[schemars(range(min = 0, max = 100))]
    max: Option<f64>,
}

/// Limits on the controls of one status and severity.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[schemars(deny_unknown_fields)]
struct BucketLimits {
    /// At least this many controls.
    min: Option<u64>,
    /// At most this many controls.
    max: Option<u64>,
    /// Exactly these control ids, no more, no fewer.
    controls: Option<Vec<String>>,
}

/// `total`: a number (exactly that many, saf's scalar form) or limits.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[serde(untagged)]
enum TotalLimits {
    Exactly(u64),
    Limits(BucketLimits),
}

/// Limits on the controls of one status.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[schemars(deny_unknown_fields)]
struct StatusLimits {
    /// Every control of this status, whatever its severity.
    total: Option<TotalLimits>,
    critical: Option<BucketLimits>,
    high: Option<BucketLimits>,
    medium: Option<BucketLimits>,
    low: Option<BucketLimits>,
    /// Controls whose severity is none (impact below 0.1, or a `none` tag).
    none: Option<BucketLimits>,
}

/// A ceiling on new failures.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[schemars(deny_unknown_fields)]
struct NewLimit {
    /// At most this many new failures.
    max: u64,
}

/// Ceilings on new failures: controls failing now that did not fail in the baseline
/// (`check --baseline`). scangate only; saf has no baselines.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[schemars(deny_unknown_fields)]
struct NewLimits {
    total: Option<NewLimit>,
    critical: Option<NewLimit>,
    high: Option<NewLimit>,
    medium: Option<NewLimit>,
    low: Option<NewLimit>,
    none: Option<NewLimit>,
}

/// A ceiling on controls decided by accepted risk, counted over every severity.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[schemars(deny_unknown_fields)]
struct AcceptedLimits {
    /// At most this many controls (`total.max`).
    total: Option<NewLimit>,
}

/// A scangate (and SAF CLI) threshold file.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[schemars(deny_unknown_fields, title = "scangate threshold")]
struct ThresholdFile {
    /// Compliance: passed / (passed + failed + not reviewed + profile error), in percent.
    compliance: Option<ComplianceLimits>,
    /// Controls whose tests passed.
    passed: Option<StatusLimits>,
    /// Controls with a failed test.
    failed: Option<StatusLimits>,
    /// Not Reviewed: controls whose tests were all skipped.
    skipped: Option<StatusLimits>,
    /// Profile Error: a test raised, or no usable results.
    error: Option<StatusLimits>,
    /// Not Applicable: impact 0, or waived.
    no_impact: Option<StatusLimits>,
    /// New failures against a baseline (needs `--baseline`).
    new: Option<NewLimits>,
    /// Controls a current `run: false` waiver made Not Applicable (`--waivers`). scangate only.
    waived: Option<AcceptedLimits>,
    /// Controls whose status a current attestation decided (`--attestations`). scangate only.
    attested: Option<AcceptedLimits>,
}

/// The schema as a JSON value.
pub fn threshold_schema() -> Value {
    // The key patterns come from the same enums the validator parses with.
    let statuses = Status::ALL.map(Status::key).join("|");
    let buckets = std::iter::once("total")
        .chain(Severity::ALL.map(Severity::key))
        .collect::<Vec<_>>()
        .join("|");
    let (statuses, buckets) = (statuses.as_str(), buckets.as_str());
    let mut schema = schema_for!(ThresholdFile).to_value();
    forbid_null(&mut schema);
    let count = json!({"type": "integer", "minimum": 0});
    let percent = json!({"type": "number", "minimum": 0, "maximum": 100});
    let ids = json!({"type": "array", "items": {"type": "string"}});
    let root_patterns = json!({
        "^compliance\\.(min|max)$": percent,
        format!("^({statuses})\\.total$"): count,
        format!("^({statuses})\\.({buckets})\\.(min|max)$"): count,
        format!("^({statuses})\\.({buckets})\\.controls$"): ids,
        format!("^({statuses})\\.({buckets})$"): {"$ref": "#/$defs/BucketLimits"},
        format!("^new\\.({buckets})\\.max$"): count,
        format!("^new\\.({buckets})$"): {"$ref": "#/$defs/NewLimit"},
        "^(waived|attested)\\.total\\.max$": count,
        "^(waived|attested)\\.total$": {"$ref": "#/$defs/NewLimit"},
    });
    let status_patterns = json!({
        format!("^({buckets})\\.(min|max)$"): count,
        format!("^({buckets})\\.controls$"): ids,
    });
    schema["patternProperties"] = root_patterns;
    schema["minProperties"] = json!(1);
    if let Some(status) = schema.pointer_mut("/$defs/StatusLimits") {
        status["patternProperties"] = status_patterns;
    }
    if let Some(new) = schema.pointer_mut("/$defs/NewLimits") {
        new["patternProperties"] = json!({format!("^({buckets})\\.max$"): count});
    }
    if let Some(accepted) = schema.pointer_mut("/$defs/AcceptedLimits") {
        accepted["patternProperties"] = json!({"^total\\.max$": count});
    }
    schema["$id"] = json!("https://scangate.dev/schemas/threshold.json");
    schema
}

/// `Option` fields come out as `["integer", "null"]`; here absent and null differ (a key left
/// out sets no limit, `null` is an error), so null is removed from every type list.
fn forbid_null(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".to_owned(), only);
                }
            }
            if let Some(Value::Array(any_of)) = map.get_mut("anyOf") {
                any_of.retain(|s| s.get("type") != Some(&Value::from("null")));
            }
            map.values_mut().for_each(forbid_null);
        }
        Value::Array(items) => items.iter_mut().for_each(forbid_null),
        _ => {}
    }
}
