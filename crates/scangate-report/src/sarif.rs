//! SARIF 2.1.0 (being written).

use std::io::Write;

use crate::{Error, RenderOptions, Rendered, Report};

/// Writes the SARIF log.
pub fn write(
    _report: &Report<'_>,
    _w: &mut dyn Write,
    _options: &RenderOptions,
) -> Result<Rendered, Error> {
    Err(Error::Template {
        name: "sarif".into(),
        message: "the SARIF report is not built yet".into(),
    })
}
