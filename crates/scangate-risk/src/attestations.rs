//! SAF CLI attestation files (`--attestations`), as `saf attest create` writes them and
//! `saf attest apply` reads them: a YAML or JSON list of entries with `control_id`,
//! `explanation`, `frequency`, `status`, `updated` and `updated_by`, plus scangate's optional
//! `ticket` and `scope`.

use std::path::{Path, PathBuf};

use scangate_threshold::Pos;
use scangate_threshold::raw::{Node, Value};

use crate::code::Code;
use crate::error::Error;
use crate::model::{Attestation, Attestations, AttestedStatus, Frequency, When};
use crate::read::{Problems, field, join, parse, read_file};

/// saf's six keys, all required.
const REQUIRED: &[&str] = &[
    "control_id",
    "explanation",
    "frequency",
    "status",
    "updated",
    "updated_by",
];

const KEYS: &[&str] = &[
    "control_id",
    "explanation",
    "frequency",
    "status",
    "updated",
    "updated_by",
    "ticket",
    "scope",
];

/// Words people write for the attestation keys (saf's XLSX headers among them).
const ALIASES: &[(&str, &str)] = &[
    ("id", "control_id"),
    ("control", "control_id"),
    ("controlid", "control_id"),
    ("explain", "explanation"),
    ("justification", "explanation"),
    ("reason", "explanation"),
    ("updated_at", "updated"),
    ("date", "updated"),
    ("by", "updated_by"),
    ("author", "updated_by"),
    ("result", "status"),
    ("jira", "ticket"),
    ("issue", "ticket"),
    ("scopes", "scope"),
];

/// Loads an attestation file from its YAML or JSON text; `path` labels errors and the result.
pub fn load(text: &str, path: impl Into<PathBuf>) -> Result<Attestations, Error> {
    let path = path.into();
    let doc = parse(text, &path)?;
    let mut problems = Problems::default();
    let entries = check(&doc, &mut problems);
    problems.finish(path.clone(), Attestations { path, entries })
}

/// Reads and loads an attestation file.
pub fn load_file(path: impl AsRef<Path>) -> Result<Attestations, Error> {
    let path = path.as_ref();
    load(&read_file(path)?, path)
}

fn check(doc: &Node, problems: &mut Problems) -> Vec<Attestation> {
    let items = match &doc.value {
        Value::Seq(items) if items.is_empty() => {
            problems.push(
                doc.pos,
                "",
                Code::EmptyValue,
                "no attestations: the list is empty (saf refuses it as `Unknown input file`)",
            );
            return Vec::new();
        }
        Value::Seq(items) => items,
        Value::Map(_) => {
            problems.push(
                doc.pos,
                "",
                Code::NotAList,
                "this is a mapping, as in an InSpec waiver file: give waiver files with --waivers; an attestation file is a list of entries such as `- control_id: SV-230221`",
            );
            return Vec::new();
        }
        other => {
            problems.push(
                doc.pos,
                "",
                Code::NotAList,
                format!(
                    "expected a list of attestations such as `- control_id: SV-230221`, found {}",
                    other.describe()
                ),
            );
            return Vec::new();
        }
    };
    let mut attestations: Vec<Attestation> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("[{i}]");
        if let Some(a) = entry(item, &at, problems) {
            let same = attestations
                .iter()
                .find(|b| b.control_id.eq_ignore_ascii_case(&a.control_id) && b.scope == a.scope);
            if let Some(first) = same {
                problems.push(
                    item.pos,
                    &join(&at, "control_id"),
                    Code::DuplicateEntry,
                    format!(
                        "`{}` is attested twice for the same scope; the first is at {} (saf would append both and keep the last)",
                        a.control_id, first.pos
                    ),
                );
                continue;
            }
            attestations.push(a);
        }
    }
    attestations
}

fn entry(item: &Node, at: &str, problems: &mut Problems) -> Option<Attestation> {
    let Value::Map(fields) = &item.value else {
        problems.push(
            item.pos,
            at,
            Code::NotAMapping,
            format!(
                "expected an attestation: a mapping with {}, found {}",
                REQUIRED.join(", "),
                item.value.describe()
            ),
        );
        return None;
    };
    let before = problems.0.len();
    for (k, _) in fields {
        if !KEYS.contains(&k.name.as_str()) {
            problems.unknown_key(k, at, KEYS, ALIASES);
        }
    }
    let text = |name: &str, problems: &mut Problems| -> Option<(String, Pos)> {
        let key = join(at, name);
        match field(fields, name) {
            Some(node) => problems.string(node, &key).map(|s| (s, node.pos)),
            None => {
                problems.push(
                    item.pos,
                    &key,
                    Code::MissingKey,
                    format!(
                        "missing; saf's attestations have all of {}",
                        REQUIRED.join(", ")
                    ),
                );
                None
            }
        }
    };
    let control_id = text("control_id", problems);
    let explanation = text("explanation", problems);
    let frequency = text("frequency", problems).and_then(|(s, pos)| {
        Frequency::parse(&s)
            .map_err(|m| problems.push(pos, &join(at, "frequency"), Code::UnknownFrequency, m))
            .ok()
    });
    let status = text("status", problems).and_then(|(s, pos)| match s.as_str() {
        "passed" => Some(AttestedStatus::Passed),
        "failed" => Some(AttestedStatus::Failed),
        other => {
            let hint = match other.to_ascii_lowercase().as_str() {
                "passed" | "pass" => " (did you mean `passed`?)",
                "failed" | "fail" => " (did you mean `failed`?)",
                _ => "",
            };
            problems.push(
                pos,
                &join(at, "status"),
                Code::BadStatus,
                format!(
                    "`{other}` is not a status: expected `passed` or `failed`{hint}; to make this control 'not applicable', use a waiver (saf's advice)"
                ),
            );
            None
        }
    });
    let updated = text("updated", problems).and_then(|(s, pos)| {
        When::parse(&s)
            .map_err(|m| problems.push(pos, &join(at, "updated"), Code::BadDate, m))
            .ok()
    });
    let updated_by = text("updated_by", problems);
    let ticket = field(fields, "ticket").and_then(|n| problems.string(n, &join(at, "ticket")));
    let scope = field(fields, "scope")
        .map(|n| problems.scopes(n, &join(at, "scope")))
        .unwrap_or_default();
    if problems.0.len() > before {
        return None;
    }
    Some(Attestation {
        pos: item.pos,
        control_id: control_id?.0,
        explanation: explanation?.0,
        frequency: frequency?,
        status: status?,
        updated: updated?,
        updated_by: updated_by?.0,
        ticket,
        scope,
    })
}
