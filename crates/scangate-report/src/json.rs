//! The `json` report: the report model, complete, with its `schema_version`.

use std::io::Write;

use crate::{Error, Rendered, Report};

/// Writes the report model as JSON (streamed: nothing is copied first).
pub fn write(report: &Report<'_>, w: &mut dyn Write) -> Result<Rendered, Error> {
    serde_json::to_writer(&mut *w, &report.context()).map_err(|e| Error::Io(e.into()))?;
    writeln!(w)?;
    Ok(Rendered::default())
}
