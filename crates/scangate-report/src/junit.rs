//! JUnit XML (being written).

use std::io::Write;

use crate::{Error, Rendered, Report};

/// Writes the JUnit report.
pub fn write(_report: &Report<'_>, _w: &mut dyn Write) -> Result<Rendered, Error> {
    Err(Error::Template {
        name: "junit".into(),
        message: "not built yet".into(),
    })
}
