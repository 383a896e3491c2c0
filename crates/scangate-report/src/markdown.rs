//! The Markdown report (being written).

use std::io::Write;

use crate::{Error, RenderOptions, Rendered, Report};

/// Escapes untrusted text for inline Markdown.
pub fn escape_inline(text: &str) -> String {
    crate::summary::escape_markdown_inline(text)
}

/// Writes the Markdown report.
pub fn write(
    _report: &Report<'_>,
    _w: &mut dyn Write,
    _options: &RenderOptions,
) -> Result<Rendered, Error> {
    Err(Error::Template {
        name: "markdown".into(),
        message: "not built yet".into(),
    })
}
