//! `scangate check`: the CI gate. Each input is gated on its own (compat:gate-per-input); the run fails if any
//! input fails. A failing gate is an outcome (exit 1), not an error; an input that cannot be
//! read is an error (exit 2) that leaves the others gated. `fetch --threshold`
//! runs the same pipeline on what it fetched.

use std::path::PathBuf;

use anyhow::Result;
use scangate_report::check::{CheckOptions, Gated, write_check};
use scangate_report::{Origin, Report, ReportInput, UnreadableInput};
use scangate_results::aggregate;
use scangate_threshold::{Threshold, Verdict};

use crate::cli::{CheckArgs, ColorChoice};
use crate::exit::Outcome;
use crate::{inputs, reports};

/// Where a gated input came from.
#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    #[cfg_attr(
        not(feature = "kube"),
        allow(dead_code, reason = "only fetch builds these")
    )]
    Pod {
        namespace: String,
        pod: String,
        container: String,
        path: PathBuf,
    },
}

impl Source {
    fn path(&self) -> &PathBuf {
        match self {
            Source::File(path) | Source::Pod { path, .. } => path,
        }
    }
}

/// What to do with the inputs: a threshold (or none: summarise only) and reports.
#[derive(Debug)]
pub struct Plan {
    pub threshold: Option<(Threshold, String)>,
    pub reports: Vec<reports::Request>,
    pub quiet: bool,
    pub color: ColorChoice,
}

pub fn run(args: CheckArgs, color: ColorChoice) -> Result<Outcome> {
    // Everything the user wrote is checked before any input is read.
    let threshold = crate::threshold::resolve(&args.threshold)?;
    let plan = Plan {
        threshold: Some(threshold),
        reports: reports::parse(&args.reports, &args.templates)?,
        quiet: args.quiet,
        color,
    };
    let sources: Vec<Source> = args.inputs.input.into_iter().map(Source::File).collect();
    gate(&sources, &plan)
}

/// Reads, counts and gates every source; prints the verdicts and writes the reports. A source
/// that cannot be read or is not valid results is an error on stderr, in the verdict output
/// and in every report, and makes the run exit 2; the others are gated all the same.
pub fn gate(sources: &[Source], plan: &Plan) -> Result<Outcome> {
    let paths: Vec<PathBuf> = sources.iter().map(|s| s.path().clone()).collect();
    let (files, unreadable) = inputs::read_all(&paths);
    let loaded = inputs::parse_all(&files, unreadable);
    inputs::print_errors(&loaded.errors);
    let summaries = inputs::summarize_all(&loaded.results);
    crate::warnings::print(&loaded.files, &summaries);
    let verdicts: Option<Vec<Verdict>> = plan.threshold.as_ref().map(|(threshold, _)| {
        summaries
            .iter()
            .map(|s| scangate_threshold::evaluate(s, threshold))
            .collect()
    });
    if let Some(verdicts) = &verdicts {
        crate::warnings::json_min_severity_rules(&loaded.files, &loaded.results, verdicts);
    }
    let all_names: Vec<String> = sources
        .iter()
        .map(|s| match s {
            Source::File(path) => path.display().to_string(),
            Source::Pod { namespace, pod, .. } => format!("{namespace}/{pod}"),
        })
        .collect();
    let all_paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let messages = inputs::messages(&loaded.errors);
    let errors = unreadable_inputs(sources, &all_names, &all_paths, &loaded.errors, &messages);
    let kept = |all: &[String]| -> Vec<String> {
        loaded.positions.iter().map(|&i| all[i].clone()).collect()
    };
    let (names, path_texts) = (kept(&all_names), kept(&all_paths));
    let kept_sources: Vec<Source> = loaded
        .positions
        .iter()
        .map(|&i| sources[i].clone())
        .collect();

    // With nothing readable there is no verdict to show: the error lines on stderr say it
    // all, as they always have for a single bad input. The reports still list the errors.
    if let Some(verdicts) = verdicts.as_ref().filter(|_| !loaded.files.is_empty()) {
        let gated: Vec<Gated<'_, '_>> = names
            .iter()
            .zip(&summaries)
            .zip(verdicts)
            .map(|((name, summary), verdict)| Gated {
                name,
                summary,
                verdict,
            })
            .collect();
        // A report on stdout is the data; the human-readable verdict then goes to stderr.
        let on_stderr = reports::uses_stdout(&plan.reports);
        let options = CheckOptions {
            color: if on_stderr {
                false
            } else {
                crate::term::stdout_color(plan.color)
            },
            width: crate::term::stdout_width(),
            quiet: plan.quiet,
            ..CheckOptions::default()
        };
        if on_stderr {
            crate::output::to_stderr(|out| write_check(out, &gated, &errors, options))?;
        } else {
            crate::output::to_stdout(|out| write_check(out, &gated, &errors, options))?;
        }
    }

    if !plan.reports.is_empty() {
        let base: Vec<String> = loaded.files.iter().map(|f| f.base_name()).collect();
        let profiles = aggregate(base.iter().map(String::as_str).zip(&summaries));
        let report_inputs = report_inputs(
            &kept_sources,
            &names,
            &path_texts,
            &loaded.results,
            &summaries,
            verdicts.as_deref(),
        );
        let report = Report {
            inputs: &report_inputs,
            errors: &errors,
            profiles: &profiles,
            threshold: plan.threshold.as_ref().map(|(_, name)| name.as_str()),
        };
        reports::write_all(&plan.reports, &report)?;
    }
    let passed = verdicts.iter().flatten().all(Verdict::passed);
    Ok(if !errors.is_empty() {
        Outcome::Unreadable
    } else if passed {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}

/// The reports' view of the inputs that could not be read: `sources`, `names` and `paths`
/// cover every input, `messages` are the errors' texts ([`inputs::messages`]).
pub fn unreadable_inputs<'a>(
    sources: &'a [Source],
    names: &'a [String],
    paths: &'a [String],
    errors: &[inputs::Unreadable],
    messages: &'a [String],
) -> Vec<UnreadableInput<'a>> {
    errors
        .iter()
        .zip(messages)
        .map(|(&(i, _), message)| UnreadableInput {
            name: &names[i],
            origin: origin(&sources[i], &paths[i]),
            message,
        })
        .collect()
}

/// Where a source came from, for the reports; `path` is its path as text.
fn origin<'a>(source: &'a Source, path: &'a str) -> Origin<'a> {
    match source {
        Source::File(_) => Origin::File { path },
        Source::Pod {
            namespace,
            pod,
            container,
            ..
        } => Origin::Pod {
            namespace,
            pod,
            container,
            path,
        },
    }
}

/// The renderers' view of the inputs: names, origins, parsed results, counts, verdicts.
pub fn report_inputs<'a>(
    sources: &'a [Source],
    names: &'a [String],
    paths: &'a [String],
    results: &'a [scangate_results::Results<'a>],
    summaries: &'a [scangate_results::Summary<'a>],
    verdicts: Option<&'a [Verdict]>,
) -> Vec<ReportInput<'a>> {
    (0..sources.len())
        .map(|i| ReportInput {
            name: &names[i],
            origin: origin(&sources[i], &paths[i]),
            results: &results[i],
            summary: &summaries[i],
            verdict: verdicts.map(|v| &v[i]),
        })
        .collect()
}
