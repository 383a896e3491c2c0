//! The `json` report: the report model, complete, with its `schema_version`.

use std::io::Write;

use crate::{Error, Rendered, Report, untrusted};

/// Writes the report model as JSON (streamed: nothing is copied first). The scan's text is
/// not changed, but written so that it is inert to read ([`untrusted::json`]).
pub fn write(report: &Report<'_>, w: &mut dyn Write) -> Result<Rendered, Error> {
    untrusted::json::to_writer(&mut *w, &report.context()).map_err(Error::from_json)?;
    writeln!(w)?;
    Ok(Rendered::default())
}
