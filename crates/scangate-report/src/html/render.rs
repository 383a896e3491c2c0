//! Rendering: the page's templates, compiled once into a handlebars registry whose escape
//! function is the untrusted-text policy's, and the helpers the templates call.

use std::io::Write;
use std::sync::OnceLock;

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason,
};
use serde::Serialize;
use serde_json::Value as Json;

use super::escape::{clip, clip_of, is_web_url, preview};
use super::{PREVIEW_LIMIT, TEXT_LIMIT};
use crate::Error;
use crate::untrusted::html::escape;

const HEAD: &str = include_str!("../../templates/html/head.hbs");
const INPUT: &str = include_str!("../../templates/html/input.hbs");
const CONTROL: &str = include_str!("../../templates/html/control.hbs");
const INPUT_END: &str = include_str!("../../templates/html/input_end.hbs");
const FOOT: &str = include_str!("../../templates/html/foot.hbs");

/// Renders template `name` with `data` into `out`.
pub(super) fn render<T: Serialize>(
    hb: &Handlebars<'static>,
    name: &str,
    data: &T,
    out: &mut dyn Write,
) -> Result<(), Error> {
    hb.render_to_write(name, data, out)
        .map_err(|e| match e.reason() {
            // The kind survives (a closed pipe stays BrokenPipe for the caller).
            RenderErrorReason::IOError(io) => {
                Error::Io(std::io::Error::new(io.kind(), e.to_string()))
            }
            _ => Error::Template {
                name: format!("html/{name}"),
                message: e.to_string(),
            },
        })
}

/// The templates, compiled once per process.
pub(super) fn registry() -> Result<&'static Handlebars<'static>, Error> {
    static REGISTRY: OnceLock<Result<Handlebars<'static>, String>> = OnceLock::new();
    REGISTRY
        .get_or_init(build_registry)
        .as_ref()
        .map_err(|message| Error::Template {
            name: "html".into(),
            message: message.clone(),
        })
}

fn build_registry() -> Result<Handlebars<'static>, String> {
    let mut hb = Handlebars::new();
    // A typo in a template is an error in the tests, not a silently empty field.
    hb.set_strict_mode(true);
    hb.register_escape_fn(escape);
    for (name, source) in [
        ("head", HEAD),
        ("input", INPUT),
        ("control", CONTROL),
        ("input_end", INPUT_END),
        ("foot", FOOT),
    ] {
        hb.register_template_string(name, compact(source))
            .map_err(|e| format!("{name}: {e}"))?;
    }
    hb.register_helper("clip", Box::new(TextHelper(clip_text)));
    hb.register_helper("preview", Box::new(TextHelper(preview_text)));
    hb.register_helper("tagval", Box::new(TextHelper(tag_value_text)));
    hb.register_helper("lines", Box::new(TextHelper(lines_text)));
    hb.register_helper("seconds", Box::new(TextHelper(seconds_text)));
    hb.register_helper("web_url", Box::new(helpers::web_url));
    hb.register_helper("present", Box::new(helpers::present));
    Ok(hb)
}

/// Drops the templates' indentation and blank lines, which would be repeated for every
/// control. A line that starts with a handlebars tag is joined to the previous one, so a
/// condition that renders nothing leaves no empty line. The templates hold no literal
/// preformatted text, and where whitespace between elements matters they keep it on one
/// line, so this changes no rendering.
fn compact(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() && !line.starts_with("{{") {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

// Helpers. Each computes the escaped text it writes: handlebars does not escape a helper's
// output, so the text functions below return it already escaped (or nothing, to write nothing).

/// A helper whose text depends on its parameters alone.
struct TextHelper(fn(&Helper<'_>) -> Option<String>);

impl HelperDef for TextHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        match (self.0)(h) {
            Some(text) => out
                .write(&text)
                .map_err(|e| RenderError::from(RenderErrorReason::IOError(e))),
            None => Ok(()),
        }
    }
}

fn param_str<'a>(h: &'a Helper<'_>, index: usize) -> Option<&'a str> {
    h.param(index).and_then(|p| p.value().as_str())
}

fn param_limit(h: &Helper<'_>, index: usize, default: usize) -> usize {
    h.param(index)
        .and_then(|p| p.value().as_u64())
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(default)
}

/// `{{clip text [limit]}}`: escaped, cut at `limit` (default [`TEXT_LIMIT`]) with a note.
fn clip_text(h: &Helper<'_>) -> Option<String> {
    param_str(h, 0).map(|text| clip(text, param_limit(h, 1, TEXT_LIMIT)))
}

/// `{{preview text}}`: one line for the controls table.
fn preview_text(h: &Helper<'_>) -> Option<String> {
    param_str(h, 0).map(|text| preview(text, PREVIEW_LIMIT))
}

/// `{{tagval value}}`: a tag's JSON value for people: strings as they are, lists of plain
/// values joined by commas, anything else as compact JSON.
fn tag_value_text(h: &Helper<'_>) -> Option<String> {
    let value = h.param(0)?.value();
    let scalar = |v: &Json| match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(_) | Json::Bool(_) => Some(v.to_string()),
        _ => None,
    };
    let text = match value {
        Json::Array(items) => items
            .iter()
            .map(scalar)
            .collect::<Option<Vec<String>>>()
            .map(|items| items.join(", ")),
        other => scalar(other),
    }
    .unwrap_or_else(|| value.to_string());
    Some(clip(&text, TEXT_LIMIT))
}

/// `{{lines list}}`: a backtrace, one frame per line, cut like any long text.
fn lines_text(h: &Helper<'_>) -> Option<String> {
    let Json::Array(items) = h.param(0)?.value() else {
        return None;
    };
    let frames = items.iter().filter_map(Json::as_str);
    // Joined only as far as is shown; the note counts the whole backtrace.
    let total = frames
        .clone()
        .map(|f| f.len() + 1)
        .sum::<usize>()
        .saturating_sub(1);
    let mut text = String::new();
    for frame in frames {
        if text.len() > TEXT_LIMIT {
            break;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(frame);
    }
    Some(clip_of(&text, TEXT_LIMIT, total))
}

/// `{{seconds run_time}}`: `0.05 ms`, `1.20 s`.
fn seconds_text(h: &Helper<'_>) -> Option<String> {
    match h.param(0)?.value().as_f64()? {
        t if t.is_finite() && t < 1.0 => Some(format!("{:.2} ms", t * 1000.0)),
        t if t.is_finite() => Some(format!("{t:.2} s")),
        _ => None,
    }
}

/// Helpers that return values, for `{{#if (…)}}`.
mod helpers {
    use handlebars::handlebars_helper;

    handlebars_helper!(web_url: |v: Json| v.as_str().is_some_and(super::is_web_url));
    handlebars_helper!(present: |v: Json| !v.is_null());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_compile_and_quote_every_attribute() {
        registry().expect("templates compile");
        for source in [HEAD, INPUT, CONTROL, INPUT_END, FOOT] {
            // handlebars ends a comment at the first closing mustache inside it.
            for comment in source.split("{{!--").skip(1) {
                let body = &comment[..comment.find("--").unwrap_or(comment.len())];
                assert!(!body.contains("}}"), "mustache in a template comment");
            }
            // An unquoted attribute would let a space in a value start a new attribute.
            assert!(
                !source.contains("={{"),
                "unquoted attribute value in a template"
            );
            // The helpers leave quotes unescaped: they must never write inside a tag.
            for helper in ["{{clip", "{{preview", "{{tagval", "{{lines", "{{seconds"] {
                for (at, _) in source.match_indices(helper) {
                    let before = &source[..at];
                    let open = before.rfind('<');
                    let close = before.rfind('>');
                    assert!(open <= close, "{helper} inside a tag: {}", &source[at..]);
                }
            }
        }
    }
}
