//! scangate's renderers. Each takes a finished [`Report`] (inputs, their summaries and, when
//! gated, their verdicts, and the inputs that could not be read) and writes one format to any
//! `io::Write`. None evaluates anything, opens files, or knows about the command line.
//!
//! ```
//! use scangate_report::{Format, RenderOptions, Report, ReportInput, Origin, render};
//! use scangate_results::{Input, Summary, aggregate};
//!
//! let input = Input::from_bytes("scan.json", br#"{"platform": {"name": "l", "release": "1"},
//!   "profiles": [{"name": "p", "sha256": "0", "supports": [], "attributes": [], "groups": [],
//!     "controls": [{"id": "C-1", "impact": 0.9, "refs": [], "tags": {}, "source_location": {},
//!       "results": [{"status": "failed", "code_desc": "x", "message": "expected 1, got 2", "start_time": "t"}]}]}],
//!   "statistics": {}, "version": "5"}"#.to_vec());
//! let results = input.parse()?;
//! let summary = Summary::new(&results);
//! let threshold = scangate_threshold::load("failed.critical.max: 0", "gate.yml")?;
//! let verdict = scangate_threshold::evaluate(&summary, &threshold);
//! let inputs = [ReportInput { name: "scan.json", origin: Origin::File { path: "scan.json" },
//!                             results: &results, summary: &summary, verdict: Some(&verdict),
//!                             change: None, risk: None }];
//! let profiles = aggregate([("scan.json", &summary)]);
//! let report = Report { inputs: &inputs, errors: &[], profiles: &profiles, threshold: Some("gate.yml"),
//!                       baseline: None };
//!
//! let mut out = Vec::new();
//! render(Format::Json, &report, &mut out, &RenderOptions::default())?;
//! let json: serde_json::Value = serde_json::from_slice(&out)?;
//! assert_eq!(json["passed"], false);
//! assert_eq!(json["inputs"][0]["verdict"]["rules"][0]["code"], "failed-critical-max");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod accepted;
pub mod baseline;
pub mod check;
pub mod codequality;
pub mod context;
pub mod finding;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod markdown_table;
pub mod sarif;
pub mod summary;
pub mod template;
pub mod untrusted;
mod uri;

use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

pub use context::{Origin, Report, ReportContext, ReportInput, UnreadableInput, report_schema};

/// The report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Summary table, verdict and failed controls, for GitHub job summaries and PR comments.
    Markdown,
    /// JUnit XML for GitLab, Jenkins and other test tabs.
    Junit,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// One self-contained HTML page.
    Html,
    /// The complete report model.
    Json,
    /// GitLab Code Quality, for the merge-request widget.
    CodeQuality,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Markdown,
        Format::Junit,
        Format::Sarif,
        Format::Html,
        Format::Json,
        Format::CodeQuality,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
            Format::Html => "html",
            Format::Json => "json",
            Format::CodeQuality => "codequality",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let lower = s.to_ascii_lowercase();
        let alias = match lower.as_str() {
            "md" => "markdown",
            "xml" => "junit",
            other => other,
        };
        Format::ALL
            .into_iter()
            .find(|f| f.name() == alias)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown report format `{s}`; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// Limits of the places reports are read in.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// GitHub's job summary takes at most 1 MiB; the Markdown report stays below this.
    pub markdown_max_bytes: usize,
    /// GitHub code scanning takes at most 25,000 results per run.
    pub sarif_max_results: usize,
    /// A user's handlebars template for this format, instead of the built-in rendering.
    pub template: Option<template::UserTemplate>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            markdown_max_bytes: 1024 * 1024 - 4096,
            sarif_max_results: 25_000,
            template: None,
        }
    }
}

/// What a renderer wants the user to know (e.g. it truncated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub warnings: Vec<String>,
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Writing failed; the kind is the writer's (a closed pipe stays `BrokenPipe`).
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The JSON, SARIF or Code Quality model could not be serialised.
    #[error("cannot serialise the report: {0}")]
    Json(#[source] serde_json::Error),
    /// quick-junit could not serialise the JUnit report.
    #[error("cannot serialise the JUnit report: {0}")]
    Junit(#[from] quick_junit::SerializeError),
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
}

impl Error {
    /// serde_json reports a failed write as its own error: give it back as the `io::Error`
    /// it was, so the caller still sees its kind.
    fn from_json(e: serde_json::Error) -> Error {
        if e.is_io() {
            Error::Io(e.into())
        } else {
            Error::Json(e)
        }
    }
}

/// Renders `report` as `format` into `w`.
pub fn render(
    format: Format,
    report: &Report<'_>,
    w: &mut dyn Write,
    options: &RenderOptions,
) -> Result<Rendered, Error> {
    if let Some(user) = &options.template {
        return template::render_user(user, report, w);
    }
    match format {
        Format::Markdown => markdown::write(report, w, options),
        Format::Junit => junit::write(report, w),
        Format::Sarif => sarif::write(report, w, options),
        Format::Html => html::write(report, w),
        Format::Json => json::write(report, w),
        Format::CodeQuality => codequality::write(report, w),
    }
}
