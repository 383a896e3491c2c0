//! `scangate check`: the CI gate. Each input is gated on its own (B10); the run fails if any
//! input fails. A failing gate is an outcome (exit 1), not an error.

use anyhow::Result;
use scangate_report::Report;
use scangate_report::check::{CheckOptions, Gated, write_check};
use scangate_results::aggregate;
use scangate_threshold::Verdict;

use crate::cli::{CheckArgs, ColorChoice};
use crate::exit::Outcome;
use crate::{inputs, reports};

pub fn run(args: CheckArgs, color: ColorChoice) -> Result<Outcome> {
    // Everything the user wrote is checked before any input is read.
    let (threshold, threshold_name) = crate::threshold::resolve(&args.threshold)?;
    let requests = reports::parse(&args.reports, &args.templates)?;

    let files = inputs::read_all(&args.inputs.input)?;
    let results = inputs::parse_all(&files)?;
    let summaries = inputs::summarize_all(&results);
    crate::warnings::print(&files, &summaries);
    let verdicts: Vec<Verdict> = summaries
        .iter()
        .map(|s| scangate_threshold::evaluate(s, &threshold))
        .collect();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.path().display().to_string())
        .collect();

    let gated: Vec<Gated<'_, '_>> = names
        .iter()
        .zip(&summaries)
        .zip(&verdicts)
        .map(|((name, summary), verdict)| Gated {
            name,
            summary,
            verdict,
        })
        .collect();
    // A report on stdout is the data; the human-readable verdict then goes to stderr.
    let on_stderr = reports::uses_stdout(&requests);
    let options = CheckOptions {
        color: if on_stderr {
            false
        } else {
            crate::term::stdout_color(color)
        },
        width: crate::term::stdout_width(),
        quiet: args.quiet,
        ..CheckOptions::default()
    };
    if on_stderr {
        crate::output::to_stderr(|out| write_check(out, &gated, options))?;
    } else {
        crate::output::to_stdout(|out| write_check(out, &gated, options))?;
    }

    if !requests.is_empty() {
        let base: Vec<String> = files.iter().map(|f| f.base_name()).collect();
        let profiles = aggregate(base.iter().map(String::as_str).zip(&summaries));
        let report_inputs = reports::file_inputs(&names, &results, &summaries, Some(&verdicts));
        let report = Report {
            inputs: &report_inputs,
            profiles: &profiles,
            threshold: Some(&threshold_name),
        };
        reports::write_all(&requests, &report)?;
    }
    Ok(if verdicts.iter().all(Verdict::passed) {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}
