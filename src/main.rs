//! `scangate`: the binary. Parsing, printing, exit codes; the work is in `crates/`.

// The doc comments of `cli.rs` are clap's help text (`DIR/<namespace>/<pod>`), not rustdoc:
// they are written for a terminal.
#![allow(rustdoc::invalid_html_tags)]

mod baseline;
mod check;
mod cli;
mod exit;
mod fetch;
mod inputs;
mod output;
mod reports;
mod risk;
mod saf;
mod sidecar;
mod summary;
mod term;
mod threshold;
mod warnings;
mod yaml;

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

use crate::cli::{Cli, Command};
use crate::exit::Outcome;

fn main() -> ExitCode {
    // A symlink named `saf` takes saf's command lines, with saf's name in help and errors.
    let result = if saf::invoked_as_saf() {
        saf::main()
    } else {
        run(Cli::parse())
    };
    exit::finish(result)
}

/// Runs a parsed command line; `saf` comes back here with the native one it translated to.
fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Summary(args) => summary::run(args, cli.color),
        Command::Check(args) => check::run(args, cli.color),
        Command::Threshold(cmd) => threshold::run(cmd),
        Command::Baseline(cmd) => baseline::run(cmd),
        Command::Waivers(cmd) => risk::run(risk::FileKind::Waivers, cmd),
        Command::Attestations(cmd) => risk::run(risk::FileKind::Attestations, cmd),
        Command::Report(cli::ReportCommand::Schema) => {
            output::print_json(&scangate_report::report_schema())
        }
        Command::Fetch(args) => fetch::run(*args, cli.color),
        Command::Sidecar(cmd) => sidecar::run(cmd),
        Command::Saf(cmd) => saf::run(cmd, cli.color),
    }
}
