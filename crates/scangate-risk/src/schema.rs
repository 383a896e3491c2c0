//! JSON Schemas (2020-12) of waiver and attestation files, for editors and CI linters.
//!
//! Built by hand rather than derived: the files' shapes are unions that Rust types would
//! only approximate (`scope` is a mapping or a list; `run` is a boolean or one of InSpec's
//! strings; a scope names a file or a pod, not both). What a schema cannot say, the loaders
//! check too: impossible dates such as `2026-02-30`, a zero or too large frequency count, and
//! duplicate attestations.

use serde_json::{Value, json};

/// `YYYY-MM-DD`, optionally a time, optionally a zone (see `When::parse`).
const DATE_PATTERN: &str = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$";

fn non_empty(description: &str) -> Value {
    json!({"type": "string", "pattern": "\\S", "description": description})
}

fn scope_defs() -> Value {
    json!({
        "Scope": {
            "title": "scope",
            "description": "Which inputs the entry applies to: a results file (`input`) or a fetched pod (`namespace`, `workload`, `container`); every key given must match.",
            "type": "object",
            "properties": {
                "input": non_empty("A results file's path as the reports write it (repository-relative, `/`-separated)."),
                "namespace": non_empty("A fetched pod's namespace."),
                "workload": non_empty("A fetched pod's workload: its name without generated suffixes."),
                "container": non_empty("The scanner container of a fetched pod."),
            },
            "additionalProperties": false,
            "minProperties": 1,
            "if": {"required": ["input"]},
            "then": {"maxProperties": 1},
        },
        "Scopes": {
            "description": "One scope, or a list of scopes of which any may match. Absent: every input.",
            "oneOf": [
                {"$ref": "#/$defs/Scope"},
                {"type": "array", "items": {"$ref": "#/$defs/Scope"}, "minItems": 1},
            ],
        },
    })
}

/// The schema of InSpec waiver files as scangate reads them (`--waivers`).
pub fn waivers_schema() -> Value {
    let mut defs = scope_defs();
    defs["Waiver"] = json!({
        "title": "waiver",
        "description": "InSpec's waiver of one control, plus scangate's `approver`, `ticket` and `scope`.",
        "type": "object",
        "required": ["justification"],
        "properties": {
            "justification": non_empty("Why the risk is accepted."),
            "expiration_date": {
                "type": "string",
                "pattern": DATE_PATTERN,
                "description": "When the waiver stops applying: `YYYY-MM-DD` is midnight at the start of that day, local time (that day is already expired). Absent: never expires.",
            },
            "run": {
                "description": "false: the control counts as not applicable (InSpec skips it). true or absent: the control counts from its results.",
                "oneOf": [
                    {"type": "boolean"},
                    {"enum": ["true", "True", "TRUE", "yes", "y", "YES", "Y", "false", "False", "FALSE", "no", "n", "NO", "N"]},
                ],
            },
            "approver": non_empty("Who accepted the risk (scangate)."),
            "ticket": non_empty("Where the decision is tracked (scangate)."),
            "scope": {"$ref": "#/$defs/Scopes"},
        },
        "additionalProperties": false,
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://scangate.dev/schemas/waivers.json",
        "title": "scangate waivers",
        "description": "An InSpec waiver file: a mapping keyed by control id.",
        "type": "object",
        "propertyNames": {"pattern": "\\S"},
        "additionalProperties": {"$ref": "#/$defs/Waiver"},
        "$defs": defs,
    })
}

/// The schema of SAF CLI attestation files as scangate reads them (`--attestations`).
pub fn attestations_schema() -> Value {
    let mut defs = scope_defs();
    defs["Attestation"] = json!({
        "title": "attestation",
        "description": "A control checked by hand, as `saf attest create` writes it, plus scangate's `ticket` and `scope`.",
        "type": "object",
        "required": ["control_id", "explanation", "frequency", "status", "updated", "updated_by"],
        "properties": {
            "control_id": non_empty("The control's id, matched ignoring case (as saf does)."),
            "explanation": non_empty("What was checked and found."),
            "frequency": {
                "description": "How long the attestation holds from `updated`: one of saf's names, or a whole number of days, weeks, months or years.",
                "anyOf": [
                    {"enum": ["annually", "semiannually", "quarterly", "monthly", "every2weeks", "fortnightly", "weekly", "every3days", "daily"]},
                    {"type": "string", "pattern": "^[0-9]*[1-9][0-9]*[dwmy]$"},
                ],
            },
            "status": {
                "description": "What the check found. Not applicable needs a waiver instead.",
                "enum": ["passed", "failed"],
            },
            "updated": {
                "type": "string",
                "pattern": DATE_PATTERN,
                "description": "When the control was checked: `YYYY-MM-DD` (local midnight), a local date and time, or an instant with `Z` or an offset.",
            },
            "updated_by": non_empty("Who checked it."),
            "ticket": non_empty("Where the check is tracked (scangate)."),
            "scope": {"$ref": "#/$defs/Scopes"},
        },
        "additionalProperties": false,
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://scangate.dev/schemas/attestations.json",
        "title": "scangate attestations",
        "description": "A SAF CLI attestation file: a list of attestations.",
        "type": "array",
        "minItems": 1,
        "items": {"$ref": "#/$defs/Attestation"},
        "$defs": defs,
    })
}
