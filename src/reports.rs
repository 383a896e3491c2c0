//! `--report FORMAT=PATH` and `--template FORMAT=FILE`: which reports to write, and writing
//! them, each whole or not at all.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use scangate_report::template::UserTemplate;

use crate::cli::{ReportArg, TemplateArg};
use scangate_report::{Format, RenderOptions, Report};

/// One report to write.
#[derive(Debug, Clone)]
pub struct Request {
    pub format: Format,
    /// `-` is stdout.
    pub path: PathBuf,
    pub template: Option<UserTemplate>,
}

/// Turns `--report` and `--template` values (checked by clap) into requests; reads and
/// compiles templates now, so a broken template is reported before any input is read.
pub fn parse(reports: &[ReportArg], templates: &[TemplateArg]) -> Result<Vec<Request>> {
    let mut requests: Vec<Request> = reports
        .iter()
        .map(|r| Request {
            format: r.format,
            path: r.path.clone(),
            template: None,
        })
        .collect();
    for t in templates {
        let (format, file) = (t.format, t.file.display());
        let source = std::fs::read_to_string(&t.file)
            .with_context(|| format!("--template {format}={file}: cannot read {file}"))?;
        let template = UserTemplate {
            format,
            name: file.to_string(),
            source,
        };
        scangate_report::template::check(&template)?;
        let mut matched = false;
        for request in requests.iter_mut().filter(|r| r.format == format) {
            request.template = Some(template.clone());
            matched = true;
        }
        if !matched {
            bail!("--template {format}={file}: no --report {format}=PATH to render it into");
        }
    }
    let to_stdout = requests
        .iter()
        .filter(|r| r.path.as_os_str() == "-")
        .count();
    if to_stdout > 1 {
        bail!("--report: only one report can go to stdout (`-`)");
    }
    Ok(requests)
}

/// Whether a report claims stdout (the human-readable output then goes to stderr).
pub fn uses_stdout(requests: &[Request]) -> bool {
    requests.iter().any(|r| r.path.as_os_str() == "-")
}

/// Writes every requested report, as many at once as there are cores (more would not be
/// faster, and would hold more renderers' buffers at the same time), the costliest first;
/// then reports the first failure in request order. Warnings (truncation) go to stderr.
pub fn write_all(requests: &[Request], report: &Report<'_>) -> Result<()> {
    let mut order: Vec<usize> = (0..requests.len()).collect();
    order.sort_by_key(|&i| cost_rank(requests[i].format));
    // par_bridge hands the reports out in this order as workers free up: the long ones start
    // first, which plain splitting of the list would not guarantee.
    let mut done: Vec<(usize, Result<Vec<String>>)> = order
        .iter()
        .par_bridge()
        .map(|&i| (i, write_one(&requests[i], report)))
        .collect();
    done.sort_by_key(|(i, _)| *i);
    let mut first_error = None;
    for (i, outcome) in done {
        match outcome {
            Ok(warnings) => {
                for warning in warnings {
                    crate::warnings::line(&format!("{}: {warning}", display(&requests[i].path)));
                }
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Rough cost of a format on a big scan, most expensive first, so the long ones start early.
fn cost_rank(format: Format) -> u8 {
    match format {
        Format::Html => 0,
        Format::Json => 1,
        Format::Junit => 2,
        Format::Sarif => 3,
        Format::Markdown => 4,
        // Only the failing controls, each parsed once for a title and a location.
        Format::CodeQuality => 5,
    }
}

/// Renders one report into its file (or stdout); returns the renderer's warnings.
fn write_one(request: &Request, report: &Report<'_>) -> Result<Vec<String>> {
    let options = RenderOptions {
        template: request.template.clone(),
        ..RenderOptions::default()
    };
    if let Some(parent) = request.path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| {
            format!(
                "--report {}: cannot create {}",
                request.format,
                parent.display()
            )
        })?;
    }
    let mut warnings = Vec::new();
    crate::output::write_atomically(&request.path, |w| {
        scangate_report::render(request.format, report, w, &options)
            .map(|rendered| warnings = rendered.warnings)
    })?;
    Ok(warnings)
}

fn display(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "stdout".to_owned()
    } else {
        path.display().to_string()
    }
}
