//! `scangate waivers|attestations validate|schema`, and reading `--waivers`/`--attestations`
//! for the commands that apply them.

use std::fmt::Display;

use anyhow::{Result, anyhow};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use scangate_pipeline::Run;
use scangate_report::untrusted::terminal;
use scangate_risk::{AcceptedRisk, Clock, State};

use crate::cli::{RiskArgs, RiskFileCommand};
use crate::exit::Outcome;

/// Which file format a `waivers`/`attestations` subcommand is about.
#[derive(Debug, Clone, Copy)]
pub enum FileKind {
    Waivers,
    Attestations,
}

pub fn run(kind: FileKind, cmd: RiskFileCommand) -> Result<Outcome> {
    match cmd {
        RiskFileCommand::Schema => crate::output::print_json(&match kind {
            FileKind::Waivers => scangate_risk::schema::waivers_schema(),
            FileKind::Attestations => scangate_risk::schema::attestations_schema(),
        }),
        RiskFileCommand::Validate(args) => {
            let (entries, noun) = match kind {
                FileKind::Waivers => (
                    scangate_risk::waivers::load_file(&args.file)
                        .map_err(refused)?
                        .entries
                        .len(),
                    "waiver",
                ),
                FileKind::Attestations => (
                    scangate_risk::attestations::load_file(&args.file)
                        .map_err(refused)?
                        .entries
                        .len(),
                    "attestation",
                ),
            };
            let plural = if entries == 1 { "" } else { "s" };
            crate::output::to_stdout(|out| {
                writeln!(
                    out,
                    "{}: valid, {entries} {noun}{plural}",
                    args.file.display()
                )
            })?;
            Ok(Outcome::Pass)
        }
    }
}

/// A file's problems, one per line, each line through the text policy: they quote the
/// file, and a waiver file may come from a pull request.
fn refused(e: impl Display) -> anyhow::Error {
    let lines: Vec<String> = e.to_string().lines().map(terminal::line).collect();
    anyhow!("{}", lines.join("\n"))
}

/// Reads `--waivers` and `--attestations`, if given, and the clock to judge them by.
pub fn load(args: &RiskArgs) -> Result<Option<(AcceptedRisk, Clock)>> {
    if args.waivers.is_none() && args.attestations.is_none() {
        return Ok(None);
    }
    let clock = clock(args)?;
    let waivers = args
        .waivers
        .as_deref()
        .map(scangate_risk::waivers::load_file)
        .transpose()
        .map_err(refused)?;
    let attestations = args
        .attestations
        .as_deref()
        .map(scangate_risk::attestations::load_file)
        .transpose()
        .map_err(refused)?;
    Ok(Some((
        AcceptedRisk {
            waivers,
            attestations,
        },
        clock,
    )))
}

/// Now, or SOURCE_DATE_EPOCH (whole seconds since 1970, UTC) when set, so that a report can
/// be made again with the same dates; dates without a zone are local, as InSpec and saf
/// read them (TZ decides).
fn clock(args: &RiskArgs) -> Result<Clock> {
    let now = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) if !text.is_empty() => text
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| Timestamp::from_second(s).ok())
            .ok_or_else(|| {
                anyhow!(
                    "SOURCE_DATE_EPOCH: expected whole seconds since 1970-01-01 UTC, found {:?}",
                    terminal::line(&text)
                )
            })?,
        _ => Timestamp::now(),
    };
    Ok(Clock {
        now,
        tz: TimeZone::system(),
        warn_within: args.warn_expiring,
    })
}

/// Prints on stderr what a waiver or attestation did not do (expired, stale, unneeded, ...)
/// or will soon stop doing. With several inputs each line names its input.
pub fn print_warnings(run: &Run<'_>) {
    let many = run.inputs().len() > 1;
    for input in run.inputs() {
        let Some(risk) = input.risk else { continue };
        for decision in &risk.decisions {
            if let Some(message) = decision.warning() {
                let line = if many {
                    format!("{}: {message}", input.name)
                } else {
                    message
                };
                crate::warnings::line(&terminal::line(&line));
            }
        }
    }
}

/// `Accepted risk: 2 waived, 1 attested; 1 expired, 1 stale`, for `check`'s verdict.
pub fn tally(risk: &scangate_risk::InputRisk) -> String {
    use scangate_risk::Kind;
    let mut parts = vec![
        format!("{} waived", risk.count(Kind::Waiver, State::Applied)),
        format!("{} attested", risk.count(Kind::Attestation, State::Applied)),
    ];
    let not_applied: Vec<String> = [
        State::Expired,
        State::Stale,
        State::Unneeded,
        State::Counted,
        State::NotAttestable,
    ]
    .into_iter()
    .filter_map(|state| {
        let n = risk.decisions.iter().filter(|d| d.state == state).count();
        (n > 0).then(|| format!("{n} {}", state.as_str().replace('_', " ")))
    })
    .collect();
    if !not_applied.is_empty() {
        parts.push(format!("not applied: {}", not_applied.join(", ")));
    }
    parts.join(", ")
}
