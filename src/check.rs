//! `scangate check`: the CI gate. Each input is gated on its own (compat:gate-per-input); the run fails if any
//! input fails. A failing gate is an outcome (exit 1), not an error; an input that cannot be
//! read is an error (exit 2) that leaves the others gated. `fetch --threshold`
//! runs the same pipeline on what it fetched.

use anyhow::Result;
use scangate_pipeline::{Batch, Context, Gate, Run, Source};
use scangate_report::check::{CheckOptions, write_check};

use crate::cli::{CheckArgs, ColorChoice};
use crate::exit::Outcome;
use crate::{inputs, reports};

/// What to do with the inputs: a threshold (or none: summarise only) and reports.
#[derive(Debug)]
pub struct Plan {
    pub gate: Option<Gate>,
    pub baseline: Option<scangate_report::baseline::Baseline>,
    /// Waivers and attestations, and the clock their dates are judged by.
    pub risk: Option<(scangate_risk::AcceptedRisk, scangate_risk::Clock)>,
    pub reports: Vec<reports::Request>,
    pub quiet: bool,
    pub color: ColorChoice,
}

pub fn run(args: CheckArgs, color: ColorChoice) -> Result<Outcome> {
    // Everything the user wrote is checked before any input is read, but the baseline, the
    // waivers and the attestations: they are read beside the inputs, on another core, so that
    // they cost no wall time. A bad one still stops the run before anything is gated.
    let mut threshold = crate::threshold::resolve(&args.threshold)?;
    let reports = reports::parse(&args.reports.reports, &args.reports.templates)?;
    crate::baseline::complete_gate(
        &mut threshold,
        args.fail_on_new,
        args.baseline.baseline.is_some(),
    )?;
    let inputs = args.inputs.input;
    let ((baseline, risk), batch) = rayon::join(
        || {
            (
                crate::baseline::load(&args.baseline),
                crate::risk::load(&args.risk),
            )
        },
        || Batch::read(inputs.into_iter().map(Source::file)),
    );
    let baseline = baseline?;
    let risk = risk?;
    let plan = Plan {
        gate: Some(threshold),
        baseline,
        risk,
        reports,
        quiet: args.quiet,
        color,
    };
    gate(batch, &plan)
}

/// Reads, counts and gates every input; prints the verdicts and writes the reports. An input
/// that cannot be read or is not valid results is an error on stderr, in the verdict output
/// and in every report, and makes the run exit 2; the others are gated all the same.
pub fn gate(batch: Batch, plan: &Plan) -> Result<Outcome> {
    let context = Context {
        baseline: plan.baseline.as_ref(),
        risk: plan.risk.as_ref().map(|(risk, clock)| (risk, clock)),
    };
    batch.run_with(plan.gate.as_ref(), &context, |run| {
        inputs::print_errors(run);
        crate::warnings::print(run);
        crate::baseline::print_warnings(run);
        crate::risk::print_warnings(run);
        crate::warnings::json_min_severity_rules(run);
        // With nothing readable there is no verdict to show: the error lines on stderr say
        // it all, as they always have for a single bad input. The reports still list them.
        if !run.nothing_readable() {
            print_verdicts(run, plan)?;
        }
        if !plan.reports.is_empty() {
            reports::write_all(&plan.reports, &run.report())?;
        }
        Ok(run.outcome())
    })
}

fn print_verdicts(run: &Run<'_>, plan: &Plan) -> Result<()> {
    let Some(gated) = run.gated() else {
        return Ok(());
    };
    // A report on stdout is the data; the human-readable verdict then goes to stderr.
    let on_stderr = reports::uses_stdout(&plan.reports);
    let options = CheckOptions {
        color: !on_stderr && crate::term::stdout_color(plan.color),
        width: crate::term::stdout_width(),
        quiet: plan.quiet,
        ..CheckOptions::default()
    };
    let errors = run.unreadable();
    let write = |out: &mut dyn std::io::Write| -> std::io::Result<()> {
        write_check(out, &gated, errors, options)?;
        if !plan.quiet {
            write_risk(out, run)?;
        }
        Ok(())
    };
    if on_stderr {
        crate::output::to_stderr(|out| write(out))?;
    } else {
        crate::output::to_stdout(|out| write(out))?;
    }
    Ok(())
}

/// What waivers and attestations decided, one line per input (after the verdicts, whose
/// counts already include it).
fn write_risk(out: &mut dyn std::io::Write, run: &Run<'_>) -> std::io::Result<()> {
    let many = run.inputs().len() > 1;
    for input in run.inputs() {
        let Some(risk) = input.risk else { continue };
        let tally = crate::risk::tally(risk);
        if many {
            let name = scangate_report::untrusted::terminal::line(input.name);
            writeln!(out, "\nAccepted risk in {name}: {tally}")?;
        } else {
            writeln!(out, "\nAccepted risk: {tally}")?;
        }
    }
    Ok(())
}
