//! Users' own handlebars templates (`--template markdown=my.hbs`), rendered against the
//! documented report context ([`crate::ReportContext`], schema: `scangate report schema`).
//!
//! Strict mode: a variable the context does not have is an error naming it, not an empty
//! string. `{{x}}` is escaped for the template's format (HTML, or Markdown inline text) after
//! the untrusted-text policy ([`crate::untrusted`]), as in the built-in reports; `{{{x}}}` is
//! written as is, for the template author who knows what they are doing.

use std::io::Write;

use handlebars::Handlebars;

use crate::{Error, Format, Rendered, Report, untrusted};

/// A user's template for one format.
#[derive(Debug, Clone)]
pub struct UserTemplate {
    /// `Format::Markdown` or `Format::Html`.
    pub format: Format,
    /// The file name, for messages.
    pub name: String,
    pub source: String,
}

/// The formats user templates can replace.
pub const TEMPLATE_FORMATS: [Format; 2] = [Format::Markdown, Format::Html];

fn registry(template: &UserTemplate) -> Result<Handlebars<'static>, Error> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.set_prevent_indent(true);
    match template.format {
        Format::Html => hb.register_escape_fn(untrusted::html::escape_template),
        Format::Markdown => hb.register_escape_fn(untrusted::markdown::inline),
        other => {
            return Err(Error::Template {
                name: template.name.clone(),
                message: format!("templates are for markdown and html reports, not {other}"),
            });
        }
    }
    hb.register_template_string("user", &template.source)
        .map_err(|e| Error::Template {
            name: template.name.clone(),
            message: e.to_string(),
        })?;
    Ok(hb)
}

/// Checks that a template compiles, before any input is read.
pub fn check(template: &UserTemplate) -> Result<(), Error> {
    registry(template).map(|_| ())
}

/// Renders the user's template against the whole report context.
pub fn render_user(
    template: &UserTemplate,
    report: &Report<'_>,
    w: &mut dyn Write,
) -> Result<Rendered, Error> {
    let hb = registry(template)?;
    // handlebars turns the context into a JSON value anyway. The JSON report leaves out an
    // empty `errors` list (reports of good runs stay as they were), but a template must be
    // able to `{{#each errors}}` in strict mode whether or not there are any.
    let mut context = serde_json::to_value(report.context()).map_err(|e| Error::Template {
        name: template.name.clone(),
        message: e.to_string(),
    })?;
    if let Some(root) = context.as_object_mut() {
        root.entry("errors")
            .or_insert_with(|| serde_json::json!([]));
    }
    let context = handlebars::Context::from(context);
    hb.render_with_context_to_write("user", &context, w).map_err(|e| {
        let at = match (e.line_no, e.column_no) {
            (Some(line), Some(column)) => format!(" at line {line}, column {column}"),
            _ => String::new(),
        };
        let message = match e.reason() {
            handlebars::RenderErrorReason::IOError(io) => {
                return Error::Io(std::io::Error::new(io.kind(), e.to_string()));
            }
            handlebars::RenderErrorReason::MissingVariable(Some(name)) => {
                format!("unknown variable `{name}`{at} (strict mode; `scangate report schema` describes the context)")
            }
            _ => e.to_string(),
        };
        Error::Template {
            name: template.name.clone(),
            message,
        }
    })?;
    Ok(Rendered::default())
}
