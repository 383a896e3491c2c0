//! The self-contained HTML report (being written).

use std::io::Write;

use crate::{Error, Rendered, Report};

/// Writes the HTML report.
pub fn write(_report: &Report<'_>, _w: &mut dyn Write) -> Result<Rendered, Error> {
    Err(Error::Template {
        name: "html".into(),
        message: "the HTML report is not built yet".into(),
    })
}
