//! JSON (the JSON report, the SARIF log, the Code Quality report): the data is the scan's,
//! unchanged, since consumers of the complete report need it as it was (SARIF and Code Quality
//! clean their text before it gets here). Every character the policy does not
//! leave [`Plain`](super::Class::Plain) is written as a `\u` escape instead (serde_json escapes
//! only C0 controls), so the file can be read in a terminal, an editor or a diff without being
//! reordered or driving anything, and parses back to exactly what the scan said.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

use super::{Class, classify};

/// serde_json's compact output (the trait's defaults), with the policy's characters escaped
/// in strings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Escaping;

/// Writes `text` with every character `flagged` says as a `\u` escape.
fn write_escaped<W: ?Sized + Write>(
    writer: &mut W,
    text: &str,
    flagged: impl Fn(char) -> bool,
) -> io::Result<()> {
    let mut kept = 0;
    for (at, c) in text.char_indices() {
        if !flagged(c) {
            continue;
        }
        writer.write_all(&text.as_bytes()[kept..at])?;
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            // Lower-case hex, as serde_json writes its own escapes.
            write!(writer, "\\u{unit:04x}")?;
        }
        kept = at + c.len_utf8();
    }
    writer.write_all(&text.as_bytes()[kept..])
}

impl Formatter for Escaping {
    fn write_string_fragment<W>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()>
    where
        W: ?Sized + Write,
    {
        // serde_json escapes tab, LF and CR itself; it never hands them over here.
        if super::surely_plain(fragment) {
            return writer.write_all(fragment.as_bytes());
        }
        write_escaped(writer, fragment, |c| classify(c) != Class::Plain)
    }

    /// Raw JSON from the scan (tag values are passed through as the scan wrote them). Outside
    /// its strings valid JSON has no character but ASCII and the whitespace tab, LF and CR,
    /// and inside them no raw control, so escaping what the policy flags, whitespace aside,
    /// only ever rewrites a character inside a string as its escape.
    fn write_raw_fragment<W>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()>
    where
        W: ?Sized + Write,
    {
        if super::surely_plain_but_whitespace(fragment) {
            return writer.write_all(fragment.as_bytes());
        }
        write_escaped(writer, fragment, |c| {
            !matches!(c, '\t' | '\n' | '\r') && classify(c) != Class::Plain
        })
    }
}

/// Writes `value` as compact JSON with [`Escaping`].
pub fn to_writer<T: Serialize + ?Sized>(
    writer: &mut dyn Write,
    value: &T,
) -> serde_json::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(writer, Escaping);
    value.serialize(&mut serializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(value: &serde_json::Value) -> String {
        let mut out = Vec::new();
        to_writer(&mut out, value).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn flagged_characters_are_escaped_and_parse_back_unchanged() {
        let text = "a\u{202e}b\u{200f}c\u{2028}d\u{85}e\u{7f}f\u{fffe}g\u{1fffe}h\u{1b}i\"שלום🔥";
        let value = serde_json::json!({ "k\u{202e}": text });
        let out = json(&value);
        assert_eq!(
            out,
            "{\"k\\u202e\":\"a\\u202eb\\u200fc\\u2028d\\u0085e\\u007ff\\ufffeg\\ud83f\\udffeh\\u001bi\\\"שלום🔥\"}"
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&out).unwrap(),
            value
        );
        for c in out.chars() {
            assert_eq!(classify(c), Class::Plain, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn raw_json_from_the_scan_is_escaped_inside_its_strings_only() {
        let raw = serde_json::value::RawValue::from_string(
            "{\"a\u{202e}\": [1,\n\t\"b\u{2028}\u{85}\"]}".to_owned(),
        )
        .unwrap();
        let mut out = Vec::new();
        to_writer(&mut out, &raw).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out, "{\"a\\u202e\": [1,\n\t\"b\\u2028\\u0085\"]}");
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({"a\u{202e}": [1, "b\u{2028}\u{85}"]})
        );
    }

    #[test]
    fn plain_json_is_serde_json_s_own() {
        let value = serde_json::json!({"a": [1, 2.5, null, true], "b": "x\ny\t\"é"});
        assert_eq!(json(&value), serde_json::to_string(&value).unwrap());
    }
}
