//! `scangate check`'s terminal output: a verdict table per input, the controls behind each
//! failed rule, one line per input (`ERROR` for one that could not be read) plus an aggregate
//! line.

use std::io::{self, Write};

use comfy_table::{Attribute, Cell, Color};
use scangate_results::Summary;
use scangate_threshold::Verdict;

use crate::UnreadableInput;
use crate::baseline::{InputChange, State};
use crate::summary::terminal_table;
use crate::untrusted::terminal;

/// One gated input.
#[derive(Debug, Clone, Copy)]
pub struct Gated<'a, 'r> {
    /// How the input is named to the user (its path).
    pub name: &'a str,
    pub summary: &'a Summary<'r>,
    pub verdict: &'a Verdict,
    /// Its change against the baseline, when there is one.
    pub change: Option<&'a InputChange>,
}

/// Options for the verdict output.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    pub color: bool,
    pub width: Option<u16>,
    /// Only the verdict lines.
    pub quiet: bool,
    /// At most this many offending controls are listed per failed rule.
    pub max_controls: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            color: false,
            width: None,
            quiet: false,
            max_controls: 25,
        }
    }
}

fn paint(text: &str, color: Color, on: bool) -> Cell {
    let cell = Cell::new(text);
    if on {
        cell.fg(color).add_attribute(Attribute::Bold)
    } else {
        cell
    }
}

/// The one-line verdict for an input: `PASS  scan.json: 5 rules passed (compliance 80%)`.
pub fn verdict_line(gated: &Gated<'_, '_>) -> String {
    let total = gated.verdict.outcomes.len();
    let failed = gated.verdict.failures().count();
    let name = terminal::line(gated.name);
    let compliance = gated.summary.compliance();
    let change = gated.change.map_or(String::new(), |c| {
        let counts = c.counts();
        format!("; {} new, {} fixed", counts.new.total, counts.fixed)
    });
    if failed == 0 {
        format!("PASS  {name}: {total} of {total} rules passed (compliance {compliance}%{change})")
    } else {
        format!("FAIL  {name}: {failed} of {total} rules failed (compliance {compliance}%{change})")
    }
}

/// The line for an input that could not be read: `ERROR scan.json: cannot read file: …`.
pub fn error_line(error: &UnreadableInput<'_>) -> String {
    format!(
        "ERROR {}: {}",
        terminal::line(error.name),
        terminal::line(error.message)
    )
}

/// Writes the verdict of every input, then a line per input that could not be read, then,
/// with several inputs or any unreadable one, the aggregate line.
pub fn write_check(
    w: &mut dyn Write,
    inputs: &[Gated<'_, '_>],
    unreadable: &[UnreadableInput<'_>],
    opts: CheckOptions,
) -> io::Result<()> {
    for (i, gated) in inputs.iter().enumerate() {
        if !opts.quiet {
            if i > 0 {
                writeln!(w)?;
            }
            write_details(w, gated, opts)?;
        }
        writeln!(w, "{}", verdict_line(gated))?;
    }
    if !unreadable.is_empty() && !opts.quiet && !inputs.is_empty() {
        writeln!(w)?;
    }
    for error in unreadable {
        writeln!(w, "{}", error_line(error))?;
    }
    if !unreadable.is_empty() {
        writeln!(w, "{}", unreadable_total(inputs, unreadable.len()))?;
    } else if inputs.len() > 1 {
        let failed = inputs.iter().filter(|g| !g.verdict.passed()).count();
        if failed == 0 {
            writeln!(w, "PASS  all {} inputs passed the gate", inputs.len())?;
        } else {
            writeln!(
                w,
                "FAIL  {failed} of {} inputs failed the gate",
                inputs.len()
            )?;
        }
    }
    Ok(())
}

fn write_details(w: &mut dyn Write, gated: &Gated<'_, '_>, opts: CheckOptions) -> io::Result<()> {
    let profiles: Vec<String> = gated
        .summary
        .profiles
        .iter()
        .map(|p| terminal::line(&p.profile.name))
        .collect();
    writeln!(
        w,
        "{}  [{}]",
        terminal::line(gated.name),
        profiles.join(", ")
    )?;
    let mut table = terminal_table(opts.color, opts.width);
    table.set_header(["Rule", "Limit", "Actual", "Result"]);
    for outcome in &gated.verdict.outcomes {
        let result = if outcome.passed {
            paint("pass", Color::Green, opts.color)
        } else {
            paint("FAIL", Color::Red, opts.color)
        };
        table.add_row(vec![
            Cell::new(&outcome.key),
            Cell::new(outcome.limit.to_string()),
            Cell::new(outcome.actual.to_string()),
            result,
        ]);
    }
    if gated.verdict.outcomes.is_empty() {
        writeln!(w, "(the threshold sets no rules)")?;
    } else {
        writeln!(w, "{table}")?;
    }
    if let Some(change) = gated.change {
        write_change(w, gated.summary, change, opts)?;
    }
    for outcome in gated.verdict.failures() {
        writeln!(
            w,
            "\n{}: {}",
            outcome.code,
            terminal::line(&outcome.message)
        )?;
        let shown: Vec<_> = outcome
            .controls
            .iter()
            .take(opts.max_controls)
            .map(|&i| &gated.summary.controls[i])
            .collect();
        let id_width = shown
            .iter()
            .map(|c| c.control.id.chars().count())
            .max()
            .unwrap_or(0)
            .min(40);
        for c in shown {
            let title = c.control.title.as_deref().unwrap_or("");
            writeln!(
                w,
                "  {:<id_width$}  {:<8} {:<14} {}",
                terminal::line(&c.control.id),
                c.severity.key(),
                c.status.label(),
                terminal::cell(title, 90)
            )?;
        }
        if outcome.controls.len() > opts.max_controls {
            writeln!(
                w,
                "  … and {} more (write a report with --report for all of them)",
                outcome.controls.len() - opts.max_controls
            )?;
        }
    }
    Ok(())
}

/// The change against the baseline: its counts, then the new failures (they are what a
/// reviewer acts on).
fn write_change(
    w: &mut dyn Write,
    summary: &Summary<'_>,
    change: &InputChange,
    opts: CheckOptions,
) -> io::Result<()> {
    writeln!(w, "\nAgainst the baseline: {}", change.counts())?;
    let new = change.indices(State::New);
    for &i in new.iter().take(opts.max_controls) {
        let c = &summary.controls[i];
        writeln!(
            w,
            "  new  {}  {:<8} {:<14} {}",
            terminal::line(&c.control.id),
            c.severity.key(),
            c.status.label(),
            terminal::cell(c.control.title.as_deref().unwrap_or(""), 90)
        )?;
    }
    if new.len() > opts.max_controls {
        writeln!(
            w,
            "  … and {} more new (write a report with --report for all of them)",
            new.len() - opts.max_controls
        )?;
    }
    Ok(())
}

/// The last line of a run in which some inputs could not be read: how many, and how the
/// others did.
fn unreadable_total(gated: &[Gated<'_, '_>], unreadable: usize) -> String {
    let total = gated.len() + unreadable;
    let inputs = if total == 1 { "input" } else { "inputs" };
    let failed = gated.iter().filter(|g| !g.verdict.passed()).count();
    let others = match (gated.len(), failed) {
        (0, _) => String::new(),
        (1, 0) => "; the other input passed the gate".to_owned(),
        (1, _) => "; the other input failed the gate".to_owned(),
        (n, 0) => format!("; the other {n} passed the gate"),
        (n, f) => format!("; {f} of the other {n} failed the gate"),
    };
    format!("ERROR {unreadable} of {total} {inputs} could not be read{others}")
}
