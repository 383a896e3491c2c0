//! InSpec waiver files (`--waivers`), as InSpec reads them: a YAML or JSON mapping keyed by
//! control id, each waiver with `justification`, optional `expiration_date` and `run`, plus
//! scangate's optional `approver`, `ticket` and `scope`.

use std::path::{Path, PathBuf};

use scangate_threshold::raw::{Node, Value};

use crate::code::Code;
use crate::error::Error;
use crate::model::{Waiver, Waivers, When};
use crate::read::{Problems, field, join, parse, read_file};

const KEYS: &[&str] = &[
    "justification",
    "expiration_date",
    "run",
    "approver",
    "ticket",
    "scope",
];

/// Words people write for the waiver keys.
const ALIASES: &[(&str, &str)] = &[
    ("expiry_date", "expiration_date"),
    ("expires", "expiration_date"),
    ("expiry", "expiration_date"),
    ("expiration", "expiration_date"),
    ("expires_on", "expiration_date"),
    ("expire", "expiration_date"),
    ("until", "expiration_date"),
    ("reason", "justification"),
    ("explanation", "justification"),
    ("comment", "justification"),
    ("description", "justification"),
    ("approved_by", "approver"),
    ("owner", "approver"),
    ("jira", "ticket"),
    ("issue", "ticket"),
    ("skip", "run"),
    ("scopes", "scope"),
];

/// `run` strings InSpec's `Converter.to_boolean` turns into a boolean, exactly (it compares
/// with `include?`). Anything else becomes null there, which skips the control.
const RUN_TRUE: &[&str] = &["true", "True", "TRUE", "yes", "y", "YES", "Y"];
const RUN_FALSE: &[&str] = &["false", "False", "FALSE", "no", "n", "NO", "N"];

/// Loads a waiver file from its YAML or JSON text; `path` labels errors and the result.
pub fn load(text: &str, path: impl Into<PathBuf>) -> Result<Waivers, Error> {
    let path = path.into();
    let doc = parse(text, &path)?;
    let mut problems = Problems::default();
    let entries = check(&doc, &mut problems);
    problems.finish(path.clone(), Waivers { path, entries })
}

/// Reads and loads a waiver file.
pub fn load_file(path: impl AsRef<Path>) -> Result<Waivers, Error> {
    let path = path.as_ref();
    load(&read_file(path)?, path)
}

fn check(doc: &Node, problems: &mut Problems) -> Vec<Waiver> {
    let entries = match &doc.value {
        Value::Map(entries) => entries,
        Value::Seq(_) => {
            problems.push(
                doc.pos,
                "",
                Code::NotAMapping,
                "this is a list, as in a SAF CLI attestation file: give attestation files with --attestations; a waiver file is a mapping keyed by control id, such as `SV-230221: {justification: ...}`",
            );
            return Vec::new();
        }
        other => {
            problems.push(
                doc.pos,
                "",
                Code::NotAMapping,
                format!(
                    "expected a mapping keyed by control id, such as `SV-230221: {{justification: ...}}`, found {}",
                    other.describe()
                ),
            );
            return Vec::new();
        }
    };
    let mut waivers = Vec::new();
    for (key, node) in entries {
        let id = &key.name;
        if id.trim().is_empty() {
            problems.push(
                key.pos,
                id,
                Code::EmptyValue,
                "the control id must not be empty",
            );
            continue;
        }
        let Value::Map(fields) = &node.value else {
            problems.push(
                node.pos,
                id,
                Code::NotAMapping,
                format!(
                    "expected a waiver: a mapping with `justification` and optionally `expiration_date`, `run`, `approver`, `ticket`, `scope`, found {}",
                    node.value.describe()
                ),
            );
            continue;
        };
        let before = problems.0.len();
        for (k, _) in fields {
            if !KEYS.contains(&k.name.as_str()) {
                problems.unknown_key(k, id, KEYS, ALIASES);
            }
        }
        let justification = match field(fields, "justification") {
            Some(node) => problems.string(node, &join(id, "justification")),
            None => {
                problems.push(
                    key.pos,
                    &join(id, "justification"),
                    Code::MissingKey,
                    "missing; a waiver says why the risk is accepted",
                );
                None
            }
        };
        let expiration_date = field(fields, "expiration_date")
            .and_then(|node| date(node, &join(id, "expiration_date"), problems));
        let run = field(fields, "run").and_then(|node| run(node, &join(id, "run"), problems));
        let approver =
            field(fields, "approver").and_then(|n| problems.string(n, &join(id, "approver")));
        let ticket = field(fields, "ticket").and_then(|n| problems.string(n, &join(id, "ticket")));
        let scope = field(fields, "scope")
            .map(|n| problems.scopes(n, &join(id, "scope")))
            .unwrap_or_default();
        if problems.0.len() > before {
            continue;
        }
        waivers.push(Waiver {
            pos: key.pos,
            control_id: id.clone(),
            justification: justification.unwrap_or_default(),
            run,
            expiration_date,
            approver,
            ticket,
            scope,
        });
    }
    waivers
}

fn date(node: &Node, key: &str, problems: &mut Problems) -> Option<When> {
    match &node.value {
        Value::Str(s) => When::parse(s)
            .map_err(|message| problems.push(node.pos, key, Code::BadDate, message))
            .ok(),
        other => {
            problems.push(
                node.pos,
                key,
                Code::WrongType,
                format!(
                    "expected a date such as `2026-11-20`, found {}; leave the key out for a waiver that never expires",
                    other.describe()
                ),
            );
            None
        }
    }
}

/// A YAML plain `yes`/`on`/`off`/`y`/... is already a boolean in the tree (YAML 1.1 booleans,
/// as Ruby's Psych reads them for InSpec); a string here was quoted, or is JSON, and InSpec
/// takes only its exact list.
fn run(node: &Node, key: &str, problems: &mut Problems) -> Option<bool> {
    match &node.value {
        Value::Bool(b) => return Some(*b),
        Value::Str(s) if RUN_TRUE.contains(&s.as_str()) => return Some(true),
        Value::Str(s) if RUN_FALSE.contains(&s.as_str()) => return Some(false),
        _ => {}
    }
    problems.push(
        node.pos,
        key,
        Code::BadRun,
        format!(
            "expected true or false (or one of InSpec's spellings: {}, {}), found {}; InSpec would make it null, which skips the control",
            RUN_TRUE.join("/"),
            RUN_FALSE.join("/"),
            node.value.describe()
        ),
    );
    None
}
