//! `scangate summary`: counts and compliance per profile, in saf's formats or a table.

use std::io::Write;

use anyhow::Result;
use scangate_pipeline::{Batch, Source};
use scangate_report::summary::{TableOptions, write_markdown, write_table};
use scangate_results::ProfileAggregate;

use crate::cli::{ColorChoice, SummaryArgs, SummaryFormat};
use crate::exit::Outcome;
use crate::inputs;
use crate::output::{to_stdout, write_atomically};

/// Summarises every input that can be read. As in `check`, an input that cannot be read is
/// an error on stderr and in the reports and makes the run exit 2, without hiding the others'
/// summary; when none can be read, nothing is summarised.
pub fn run(args: SummaryArgs, color: ColorChoice) -> Result<Outcome> {
    let requests = crate::reports::parse(&args.reports.reports, &args.reports.templates)?;
    // The baseline, waivers and attestations are read beside the inputs (see `check`).
    let ((baseline, risk), batch) = rayon::join(
        || {
            (
                crate::baseline::load(&args.baseline),
                crate::risk::load(&args.risk),
            )
        },
        || Batch::read(args.inputs.input.iter().cloned().map(Source::file)),
    );
    let baseline = baseline?;
    let risk = risk?;
    let context = scangate_pipeline::Context {
        baseline: baseline.as_ref(),
        risk: risk.as_ref().map(|(risk, clock)| (risk, clock)),
    };
    batch.run_with(None, &context, |run| {
        inputs::print_errors(run);
        crate::warnings::print(run);
        crate::baseline::print_warnings(run);
        crate::risk::print_warnings(run);
        if !run.nothing_readable() {
            let profiles = run.profiles();
            // The file first: with --tee, what is printed has also been saved.
            if let Some(path) = &args.output {
                write_atomically(path, |w| render(w, profiles, &args, false))?;
            }
            if args.output.is_none() || args.tee {
                let color = crate::term::stdout_color(color);
                to_stdout(|w| render(w, profiles, &args, color))?;
            }
            print_change(run);
        }
        if !requests.is_empty() {
            crate::reports::write_all(&requests, &run.report())?;
        }
        Ok(run.outcome())
    })
}

/// The change against the baseline, per input, on stderr: stdout keeps saf's formats
/// exactly.
fn print_change(run: &scangate_pipeline::Run<'_>) {
    let Some(changes) = run.changes() else {
        return;
    };
    let mut err = std::io::stderr().lock();
    for (input, change) in run.inputs().iter().zip(changes) {
        let _ = writeln!(
            err,
            "{}: against the baseline: {}",
            scangate_report::untrusted::terminal::line(input.name),
            change.counts()
        );
    }
}

fn render(
    w: &mut dyn Write,
    profiles: &[ProfileAggregate],
    args: &SummaryArgs,
    color: bool,
) -> std::io::Result<()> {
    match args.format {
        SummaryFormat::Table => write_table(
            w,
            profiles,
            TableOptions {
                color,
                width: crate::term::stdout_width(),
            },
        ),
        SummaryFormat::Json => {
            if args.pretty {
                serde_json::to_writer_pretty(&mut *w, profiles)?;
            } else {
                serde_json::to_writer(&mut *w, profiles)?;
            }
            writeln!(w)
        }
        SummaryFormat::Yaml => {
            let yaml = crate::yaml::to_string(&profiles)?;
            w.write_all(yaml.as_bytes())
        }
        SummaryFormat::Markdown => write_markdown(w, profiles, !args.no_title),
    }
}
