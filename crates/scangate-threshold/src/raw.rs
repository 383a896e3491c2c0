//! A document as written: a tree of YAML nodes, each with its line and column, before any
//! meaning is given to it. Validation walks this tree and reports every problem. Public so
//! that other file formats (waivers, attestations) are read the same way.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// 1-based position in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A YAML value with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in document order; keys keep their own positions.
    Map(Vec<(Key, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub pos: Pos,
    pub name: String,
}

impl Value {
    /// "a string", "an integer", ... for messages.
    pub fn describe(&self) -> String {
        match self {
            Value::Null => "null".to_owned(),
            Value::Bool(b) => format!("the boolean {b}"),
            Value::Int(i) => format!("the integer {i}"),
            Value::Float(f) => format!("the number {f}"),
            Value::Str(s) => format!("the string {s:?}"),
            Value::Seq(_) => "a list".to_owned(),
            Value::Map(_) => "a mapping".to_owned(),
        }
    }
}

fn pos_of<T>(spanned: &Spanned<T>) -> Pos {
    Pos {
        line: spanned.referenced.line(),
        column: spanned.referenced.column(),
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(d)?;
        Ok(Node {
            pos: pos_of(&spanned),
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(d)?;
        let pos = pos_of(&spanned);
        let name = match spanned.value {
            Value::Str(s) => s,
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => "null".to_owned(),
            Value::Seq(_) | Value::Map(_) => {
                return Err(de::Error::custom(
                    "a mapping key must be a plain word, not a collection",
                ));
            }
        };
        Ok(Key { pos, name })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
                Value::deserialize(d)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
                Ok(Value::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
                Ok(Value::Int(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
                Ok(Value::Int(v.into()))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
                Ok(Value::Int(v))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
                Ok(Value::Int(i128::try_from(v).unwrap_or(i128::MAX)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
                Ok(Value::Float(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
                Ok(Value::Str(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
                Ok(Value::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Node>()? {
                    items.push(item);
                }
                Ok(Value::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Key>()? {
                    let value = map.next_value::<Node>()?;
                    entries.push((key, value));
                }
                Ok(Value::Map(entries))
            }
        }
        d.deserialize_any(V)
    }
}

/// The allowed key closest to `word` (already lower-cased), if it is close enough to be a
/// likely typo. The one "did you mean" rule of every file scangate validates.
pub fn closest(word: &str, allowed: &[&'static str]) -> Option<&'static str> {
    let mut best: Option<(f64, &'static str)> = None;
    for &candidate in allowed {
        let mut score = strsim::jaro_winkler(word, candidate);
        // Jaro's match window is zero for three-letter words, so it misses `mni` for `min`;
        // one edit (a swap counts as one) is a typo at any length.
        if strsim::damerau_levenshtein(word, candidate) == 1 {
            score = score.max(0.9);
        }
        if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Parses YAML (JSON is YAML too) into a node tree. Duplicate keys are an error.
pub fn parse(text: &str) -> Result<Option<Node>, serde_saphyr::Error> {
    let options =
        serde_saphyr::options! { duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error };
    serde_saphyr::from_str_with_options::<Option<Node>>(text, options)
}

/// A parse error as a position (where the library knows it) and a one-line message for
/// someone fixing the file: `not valid YAML or JSON: ...`, without the library's own
/// " at line L column C" suffix (callers print the position up front) or its advice to
/// programmers.
pub fn syntax_message(e: &serde_saphyr::Error) -> (Option<Pos>, String) {
    let options = serde_saphyr::render_options! { snippets: serde_saphyr::SnippetMode::Off };
    let rendered = e.render_with_options(options);
    let pos = e.location().map(|l| Pos {
        line: l.line(),
        column: l.column(),
    });
    let message = match rendered.rfind(" at line ") {
        Some(i) if pos.is_some() => rendered[..i].to_owned(),
        _ => rendered,
    };
    let message = message.lines().next().unwrap_or_default().trim();
    let message = message
        .split(", set DuplicateKeyPolicy")
        .next()
        .unwrap_or(message);
    (pos, format!("not valid YAML or JSON: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_scalars() {
        let node = parse("compliance:\n  min: 80\nfailed.total.max: \"5\"\nx: [1, 2.5, ~, true]\n")
            .unwrap()
            .unwrap();
        let Value::Map(entries) = node.value else {
            panic!("not a map")
        };
        assert_eq!(entries[0].0.name, "compliance");
        assert_eq!(entries[0].0.pos, Pos { line: 1, column: 1 });
        let Value::Map(inner) = &entries[0].1.value else {
            panic!()
        };
        assert_eq!(inner[0].1.value, Value::Int(80));
        assert_eq!(inner[0].1.pos, Pos { line: 2, column: 8 });
        assert_eq!(entries[1].1.value, Value::Str("5".into()));
        let Value::Seq(items) = &entries[2].1.value else {
            panic!()
        };
        assert_eq!(items[1].value, Value::Float(2.5));
        assert_eq!(items[2].value, Value::Null);
        assert_eq!(items[3].value, Value::Bool(true));
    }

    #[test]
    fn empty_and_duplicates() {
        assert_eq!(parse("").unwrap(), None);
        assert!(parse("a: 1\na: 2\n").is_err());
    }
}
