//! `scangate check`: the CI gate. Each input is gated on its own (B10); the run fails if any
//! input fails. A failing gate is an outcome (exit 1), not an error.

use anyhow::Result;
use scangate_report::check::{CheckOptions, Gated, write_check};
use scangate_threshold::Verdict;

use crate::cli::{CheckArgs, ColorChoice};
use crate::exit::Outcome;
use crate::inputs;

pub fn run(args: CheckArgs, color: ColorChoice) -> Result<Outcome> {
    // The threshold first: a broken threshold is reported before any input is read.
    let (threshold, _threshold_name) = crate::threshold::resolve(&args.threshold)?;
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

    let options = CheckOptions {
        color: crate::term::stdout_color(color),
        width: crate::term::stdout_width(),
        quiet: args.quiet,
        ..CheckOptions::default()
    };
    crate::output::to_stdout(|out| write_check(out, &gated, options))?;
    Ok(if verdicts.iter().all(Verdict::passed) {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}
