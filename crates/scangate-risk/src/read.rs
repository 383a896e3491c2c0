//! What both loaders share: reading the file into the positioned tree, collecting problems,
//! and the fields both formats have (strings, `scope`, unknown keys).

use std::path::{Path, PathBuf};

use scangate_threshold::Pos;
use scangate_threshold::raw::{self, Key, Node, Value};

use crate::code::Code;
use crate::error::{Error, ErrorKind, Problem};
use crate::model::Scope;

/// The document's tree, or why there is none.
pub(crate) fn parse(text: &str, path: &Path) -> Result<Node, Error> {
    // Editors on Windows write a BOM; YAML would read it as part of the first key.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match raw::parse(text) {
        Ok(Some(node)) => Ok(node),
        Ok(None) => Err(Error {
            path: path.to_owned(),
            kind: ErrorKind::Empty,
        }),
        Err(e) => {
            let (pos, message) = raw::syntax_message(&e);
            Err(Error {
                path: path.to_owned(),
                kind: ErrorKind::Syntax { pos, message },
            })
        }
    }
}

pub(crate) fn read_file(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error {
        path: path.to_owned(),
        kind: ErrorKind::Io(e),
    })
}

#[derive(Default)]
pub(crate) struct Problems(pub(crate) Vec<Problem>);

impl Problems {
    pub(crate) fn push(&mut self, pos: Pos, key: &str, code: Code, message: impl Into<String>) {
        self.0.push(Problem {
            pos,
            key: key.to_owned(),
            code,
            message: message.into(),
        });
    }

    pub(crate) fn finish<T>(self, path: PathBuf, value: T) -> Result<T, Error> {
        let mut problems = self.0;
        if problems.is_empty() {
            return Ok(value);
        }
        // Stable: problems at one place keep the order they were found in.
        problems.sort_by_key(|p| p.pos);
        Err(Error {
            path,
            kind: ErrorKind::Invalid { problems },
        })
    }

    pub(crate) fn unknown_key(
        &mut self,
        key: &Key,
        path: &str,
        allowed: &[&'static str],
        aliases: &[(&str, &'static str)],
    ) {
        let message = match suggest(&key.name, allowed, aliases) {
            Some(s) => format!("unknown key; did you mean `{}`?", join(path, s)),
            None => format!("unknown key; expected one of {}", allowed.join(", ")),
        };
        self.push(key.pos, &join(path, &key.name), Code::UnknownKey, message);
    }

    /// A non-empty string, or a problem.
    pub(crate) fn string(&mut self, node: &Node, key: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) if s.trim().is_empty() => {
                self.push(node.pos, key, Code::EmptyValue, "must not be empty");
                None
            }
            Value::Str(s) => Some(s.clone()),
            other => {
                let hint = match other {
                    Value::Bool(_) | Value::Int(_) | Value::Float(_) => {
                        "; quote it to make it text"
                    }
                    _ => "",
                };
                self.push(
                    node.pos,
                    key,
                    Code::WrongType,
                    format!("expected a string, found {}{hint}", other.describe()),
                );
                None
            }
        }
    }

    /// `scope`: one mapping or a non-empty list of them.
    pub(crate) fn scopes(&mut self, node: &Node, key: &str) -> Vec<Scope> {
        match &node.value {
            Value::Map(_) => self.scope(node, key).into_iter().collect(),
            Value::Seq(items) if items.is_empty() => {
                self.push(
                    node.pos,
                    key,
                    Code::BadScope,
                    "an empty list of scopes matches nothing; leave `scope` out to apply everywhere",
                );
                Vec::new()
            }
            Value::Seq(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| self.scope(item, &format!("{key}[{i}]")))
                .collect(),
            other => {
                self.push(
                    node.pos,
                    key,
                    Code::NotAMapping,
                    format!(
                        "expected a mapping such as `{{input: results/web.json}}` or `{{namespace: shop, workload: web}}`, or a list of them, found {}",
                        other.describe()
                    ),
                );
                Vec::new()
            }
        }
    }

    fn scope(&mut self, node: &Node, key: &str) -> Option<Scope> {
        let Value::Map(entries) = &node.value else {
            self.push(
                node.pos,
                key,
                Code::NotAMapping,
                format!(
                    "expected a mapping with `input`, or `namespace`, `workload`, `container`, found {}",
                    node.value.describe()
                ),
            );
            return None;
        };
        let mut scope = Scope::default();
        let before = self.0.len();
        for (k, value) in entries {
            let path = join(key, &k.name);
            let slot = match k.name.as_str() {
                "input" => &mut scope.input,
                "namespace" => &mut scope.namespace,
                "workload" => &mut scope.workload,
                "container" => &mut scope.container,
                _ => {
                    self.unknown_key(k, key, SCOPE_KEYS, SCOPE_ALIASES);
                    continue;
                }
            };
            *slot = self.string(value, &path);
        }
        if self.0.len() > before {
            return None;
        }
        let pod =
            scope.namespace.is_some() || scope.workload.is_some() || scope.container.is_some();
        if scope.input.is_none() && !pod {
            self.push(
                node.pos,
                key,
                Code::BadScope,
                "names nothing: give `input` (a results file) or any of `namespace`, `workload`, `container` (a pod)",
            );
            return None;
        }
        if scope.input.is_some() && pod {
            self.push(
                node.pos,
                key,
                Code::BadScope,
                "names both a results file (`input`) and a pod (`namespace`, `workload`, `container`); an input is one or the other: write two scopes",
            );
            return None;
        }
        Some(scope)
    }
}

const SCOPE_KEYS: &[&str] = &["input", "namespace", "workload", "container"];
const SCOPE_ALIASES: &[(&str, &str)] = &[
    ("file", "input"),
    ("path", "input"),
    ("results", "input"),
    ("ns", "namespace"),
    ("pod", "workload"),
    ("deployment", "workload"),
    ("app", "workload"),
];

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The closest allowed key, if it is close enough to be a likely typo.
fn suggest(
    word: &str,
    allowed: &[&'static str],
    aliases: &[(&str, &'static str)],
) -> Option<&'static str> {
    let lower = word.to_ascii_lowercase().replace('-', "_");
    if let Some(&exact) = allowed.iter().find(|a| **a == lower) {
        return Some(exact);
    }
    if let Some((_, to)) = aliases.iter().find(|(from, _)| *from == lower) {
        return Some(to);
    }
    raw::closest(&lower, allowed)
}

/// The entries of a mapping node, by name; `None` for a name used twice is impossible
/// (the parser refuses duplicate keys).
pub(crate) fn field<'a>(entries: &'a [(Key, Node)], name: &str) -> Option<&'a Node> {
    entries.iter().find(|(k, _)| k.name == name).map(|(_, v)| v)
}
