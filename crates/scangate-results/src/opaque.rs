//! JSON kept verbatim and handed on to every report: tag values scangate does not interpret.
//!
//! serde_json skips a value it only captures (`RawValue`) without decoding it, so the capture
//! accepts what no later reader does: a lone UTF-16 surrogate escape (`"\ud800"`), a number
//! beyond `f64` (`1e400`), nesting of any depth. The JSON report copies the text as it is and
//! the HTML report (handlebars) parses it again, so such a value would break a report after
//! the gate had passed. [`OpaqueJson`] is checked once, when the file is read, and a value
//! that fails is an input error naming its JSON path: whatever parses renders in every format.

use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// Deepest nesting of arrays and objects allowed in an opaque value. Reports put it about ten
/// levels down (the JSON report: `inputs[].controls[].tags[].value`); 32 keeps the whole
/// report within the depth limits of common strict parsers (serde_json 128, .NET's
/// System.Text.Json 64) with room to spare, and real tags nest two or three levels at most.
pub const MAX_OPAQUE_DEPTH: usize = 32;

/// A JSON value kept verbatim, known to be valid for any strict JSON reader: every string
/// (and key) decodes to Unicode, every number fits an `f64`, nesting is at most
/// [`MAX_OPAQUE_DEPTH`]. The only way to get one is to deserialize it, which checks that.
#[derive(Clone, Copy)]
pub struct OpaqueJson<'a>(&'a RawValue);

impl<'a> OpaqueJson<'a> {
    /// The JSON text, as it stands in the input.
    pub fn get(&self) -> &'a str {
        self.0.get()
    }

    /// The same as a `RawValue`, e.g. to embed in `serde_json` output.
    pub fn raw(&self) -> &'a RawValue {
        self.0
    }
}

impl fmt::Debug for OpaqueJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.get())
    }
}

impl Serialize for OpaqueJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for OpaqueJson<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?;
        check(raw.get()).map_err(de::Error::custom)?;
        Ok(OpaqueJson(raw))
    }
}

/// Why `text` (valid JSON syntax) is not renderable, phrased like every other parse error.
fn check(text: &str) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_str(text);
    Checked { depth: 0 }
        .deserialize(&mut de)
        .map_err(|e| crate::parse::describe(&e, text.as_bytes()))
}

/// Decodes every string and number of a value, counting its depth, and keeps nothing.
#[derive(Clone, Copy)]
struct Checked {
    /// How many arrays and objects enclose the value being visited.
    depth: usize,
}

impl Checked {
    fn inner<E: de::Error>(self) -> Result<Checked, E> {
        if self.depth >= MAX_OPAQUE_DEPTH {
            return Err(E::custom(format_args!(
                "nested more than {MAX_OPAQUE_DEPTH} levels deep; tag values may nest at most \
                 {MAX_OPAQUE_DEPTH} levels, so that every report stays readable by JSON parsers"
            )));
        }
        Ok(Checked {
            depth: self.depth + 1,
        })
    }
}

impl<'de> DeserializeSeed<'de> for Checked {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        // deserialize_any makes serde_json decode strings (rejecting lone surrogates) and
        // numbers (rejecting those beyond f64), which skipping does not.
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Checked {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let inner = self.inner()?;
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let inner = self.inner()?;
        while map.next_key_seed(inner)?.is_some() {
            map.next_value_seed(inner)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }

    fn parse(text: &str) -> Result<OpaqueJson<'_>, String> {
        serde_json::from_str::<OpaqueJson<'_>>(text).map_err(|e| {
            let full = e.to_string();
            full[..full.rfind(" at line ").unwrap_or(full.len())].to_owned()
        })
    }

    #[test]
    fn ordinary_values_are_kept_verbatim() {
        for text in [
            r#""CAT II""#,
            r#"["AC-1", "AC-2 a"]"#,
            r#"{"a": [1, -2.5e10, true, null], "b": {"c": "\ud83d\ude00 \u00e9"}}"#,
            "123456789012345678901234567890",
            "1e-400",
        ] {
            assert_eq!(parse(text).unwrap().get(), text);
        }
        parse(&nested(MAX_OPAQUE_DEPTH)).unwrap();
    }

    #[test]
    fn what_a_strict_reader_rejects_is_rejected() {
        for (text, message) in [
            (r#""\ud800""#, "`\\ud800` is a lone UTF-16 surrogate escape"),
            (
                r#""x\uDC00y""#,
                "`\\uDC00` is a lone UTF-16 surrogate escape",
            ),
            (
                r#"["ok", {"\ud800\u0041": 1}]"#,
                "`\\ud800` is a lone UTF-16 surrogate escape",
            ),
            ("1e400", "number out of range"),
            ("[-1e400]", "number out of range"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.starts_with(message), "{text}: {err}");
        }
        let err = parse(&nested(MAX_OPAQUE_DEPTH + 1)).unwrap_err();
        assert!(err.starts_with("nested more than 32 levels deep"), "{err}");
        let deep_object = format!("{}1{}", r#"{"k":"#.repeat(40), "}".repeat(40));
        assert!(parse(&deep_object).is_err());
    }

    #[test]
    fn depth_far_beyond_the_limit_costs_no_recursion() {
        assert!(parse(&nested(1_000_000)).is_err());
    }
}
