//! Multi-document YAML: splitting a stream into documents (so untouched ones can be passed through
//! byte for byte), parsing with serde-saphyr, and writing documents back.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::YamlError;

/// One document of a YAML stream, as it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDocument {
    /// 1-based position among the non-empty documents, for messages.
    pub index: usize,
    /// 1-based line of the stream where the document's content starts.
    pub line: usize,
    pub text: String,
}

/// Splits a YAML stream at its document markers. A line that starts with `---` or `...` followed by
/// white space or the end of the line is a marker: YAML forbids such a line inside any node, block
/// scalars included, so no content is split by mistake. Content after `--- ` on the marker line
/// belongs to the new document. Documents holding only blank lines, comments or directives are left out.
pub fn split_documents(input: &str) -> Vec<RawDocument> {
    let mut docs = Vec::new();
    let mut current = String::new();
    let mut start_line = 1;
    let mut flush = |text: &mut String, line: usize| {
        if !is_empty_document(text) {
            docs.push(RawDocument {
                index: docs.len() + 1,
                line,
                text: std::mem::take(text),
            });
        } else {
            text.clear();
        }
    };
    for (n, line) in input.split_inclusive('\n').enumerate() {
        let line_no = n + 1;
        if let Some(rest) = marker_rest(line, "---") {
            flush(&mut current, start_line);
            start_line = line_no;
            let rest = rest.trim_start_matches([' ', '\t']);
            if !rest.trim().is_empty() {
                current.push_str(rest);
            } else {
                start_line = line_no + 1;
            }
        } else if marker_rest(line, "...").is_some() {
            flush(&mut current, start_line);
            start_line = line_no + 1;
        } else {
            current.push_str(line);
        }
    }
    flush(&mut current, start_line);
    docs
}

/// `Some(rest of line)` when `line` is the marker `m`, followed by white space or the line end.
fn marker_rest<'a>(line: &'a str, m: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(m)?;
    match rest.chars().next() {
        None | Some(' ' | '\t' | '\n' | '\r') => Some(rest),
        Some(_) => None,
    }
}

fn is_empty_document(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t.starts_with('%')
    })
}

/// Parses one document into `T`.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    Ok(serde_saphyr::from_str::<T>(text)?)
}

impl RawDocument {
    /// Parses the document; line numbers in errors are those of the whole stream.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, YamlError> {
        let padded = format!("{}{}", "\n".repeat(self.line.saturating_sub(1)), self.text);
        parse(&padded)
    }
}

/// Writes one document (no `---`), ending with a newline.
pub fn to_yaml<T: Serialize>(value: &T) -> Result<String, YamlError> {
    let mut out = serde_saphyr::to_string(value)?;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// Joins documents into one stream, `---` between them.
pub fn join_documents(docs: &[String]) -> String {
    let mut out = String::new();
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(d);
        if !d.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// Collapses a possibly multi-line message (serde-saphyr may add a source snippet) into its first
/// meaningful line.
pub fn one_line(msg: &str) -> String {
    let line = msg
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("unknown error");
    line.strip_prefix("error: ").unwrap_or(line).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(input: &str) -> Vec<(usize, String)> {
        split_documents(input)
            .into_iter()
            .map(|d| (d.line, d.text))
            .collect()
    }

    #[test]
    fn splits_at_markers_only() {
        let input = "a: 1\n---\nb: |\n  ---not a marker\n  x\n--- \n# only a comment\n---\nc: 3\n...\n---\n";
        assert_eq!(
            texts(input),
            vec![
                (1, "a: 1\n".into()),
                (3, "b: |\n  ---not a marker\n  x\n".into()),
                (9, "c: 3\n".into())
            ]
        );
    }

    #[test]
    fn content_on_the_marker_line_belongs_to_the_new_document() {
        assert_eq!(texts("--- {a: 1}\n---\n"), vec![(1, "{a: 1}\n".into())]);
        assert_eq!(texts("---a: 1\n"), vec![(1, "---a: 1\n".into())]);
    }

    #[test]
    fn directives_and_leading_marker() {
        assert_eq!(
            texts("%YAML 1.2\n---\nkind: Pod\n"),
            vec![(3, "kind: Pod\n".into())]
        );
        assert_eq!(
            texts("\r\n---\r\nkind: Pod\r\n"),
            vec![(3, "kind: Pod\r\n".into())]
        );
        assert!(texts("").is_empty());
    }

    #[test]
    fn join_puts_markers_between() {
        assert_eq!(
            join_documents(&["a: 1\n".into(), "b: 2".into()]),
            "a: 1\n---\nb: 2\n"
        );
    }
}
