//! `scangate baseline`, and reading `--baseline` for the commands that compare with one.

use anyhow::{Result, bail};
use scangate_pipeline::{Batch, Gate, Run, Source};
use scangate_report::baseline::{Baseline, BaselineFile, baseline_schema};
use scangate_report::untrusted::terminal;
use scangate_results::Severity;
use scangate_threshold::Bucket;

use crate::cli::{BaselineArgs, BaselineCommand, BaselineCreateArgs, NewSeverity};
use crate::exit::Outcome;

pub fn run(cmd: BaselineCommand) -> Result<Outcome> {
    match cmd {
        BaselineCommand::Create(args) => create(args),
        BaselineCommand::Schema => crate::output::print_json(&baseline_schema()),
    }
}

/// Writes the baseline of the inputs. Every input must be readable: a baseline that silently
/// lacks one would make all of that input's failures new later, or worse, hide its absence.
fn create(args: BaselineCreateArgs) -> Result<Outcome> {
    let batch = Batch::read(args.inputs.input.into_iter().map(Source::file));
    batch.run(None, |run| {
        crate::inputs::print_errors(run);
        crate::warnings::print(run);
        if !run.errors().is_empty() {
            return Ok(Outcome::Unreadable);
        }
        let file = BaselineFile::new(run.inputs());
        let text = file.to_json();
        match &args.output {
            Some(path) => {
                crate::output::write_atomically(path, |w| w.write_all(text.as_bytes()))?;
                let (entries, inputs) = (file.entries.len(), run.inputs().len());
                crate::output::to_stderr(|w| {
                    writeln!(
                        w,
                        "wrote {}: {entries} failing control{} of {inputs} input{}",
                        path.display(),
                        if entries == 1 { "" } else { "s" },
                        if inputs == 1 { "" } else { "s" },
                    )
                })?;
            }
            None => crate::output::to_stdout(|w| w.write_all(text.as_bytes()))?,
        }
        Ok(Outcome::Pass)
    })
}

/// Reads `--baseline`, if given. Its error can quote the file (a found value, a key), and the
/// file may come from a pod or a pull request: it reaches the terminal through the text policy.
pub fn load(args: &BaselineArgs) -> Result<Option<Baseline>> {
    let Some(path) = &args.baseline else {
        return Ok(None);
    };
    match Baseline::load(path) {
        Ok(baseline) => Ok(Some(baseline)),
        Err(e) => Err(anyhow::anyhow!("{}", terminal::line(&e.to_string()))),
    }
}

/// Adds `--fail-on-new`'s rules to the gate, and refuses a gate on change without a
/// baseline: its rules would have nothing to count (compat:gate-on-change).
pub fn complete_gate(
    gate: &mut Gate,
    fail_on_new: Option<NewSeverity>,
    has_baseline: bool,
) -> Result<()> {
    if let Some(severity) = fail_on_new {
        let buckets: &[Bucket] = match severity {
            NewSeverity::Any => &[Bucket::Total],
            NewSeverity::Critical => &[Bucket::Severity(Severity::Critical)],
            NewSeverity::High => &[
                Bucket::Severity(Severity::Critical),
                Bucket::Severity(Severity::High),
            ],
            NewSeverity::Medium => &[
                Bucket::Severity(Severity::Critical),
                Bucket::Severity(Severity::High),
                Bucket::Severity(Severity::Medium),
            ],
            NewSeverity::Low => &[
                Bucket::Severity(Severity::Critical),
                Bucket::Severity(Severity::High),
                Bucket::Severity(Severity::Medium),
                Bucket::Severity(Severity::Low),
            ],
        };
        for &bucket in buckets {
            gate.threshold.tighten_new_max(bucket, 0);
        }
    }
    if !has_baseline && gate.threshold.needs_baseline() {
        let mut buckets: Vec<Bucket> = gate.threshold.new_max.iter().map(|(b, _)| *b).collect();
        buckets.sort();
        let keys: Vec<String> = buckets
            .iter()
            .map(|bucket| format!("new.{}.max", bucket.key()))
            .collect();
        bail!(
            "{}: {} {} new failures, which needs something to compare with: add --baseline FILE (a baseline file, a JSON report or earlier results)",
            gate.name,
            keys.join(" and "),
            if keys.len() == 1 { "counts" } else { "count" }
        );
    }
    Ok(())
}

/// Prints what the comparison with the baseline could not do, on stderr. The warnings name
/// inputs and profiles, which are the scan's (or the baseline's) to choose.
pub fn print_warnings(run: &Run<'_>) {
    for warning in run.change_warnings() {
        crate::warnings::line(&terminal::line(&warning.to_string()));
    }
    let unmatched = run.unmatched_baseline_inputs();
    if let Some(baseline) = run.baseline()
        && !unmatched.is_empty()
    {
        let names: Vec<String> = unmatched.iter().take(3).map(|i| i.to_string()).collect();
        let more = unmatched.len().saturating_sub(3);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        crate::warnings::line(&terminal::line(&format!(
            "{}: no input of this run is {}{more}: its failing controls were not compared",
            baseline.path.display(),
            names.join(", "),
        )));
    }
}
