//! `scangate`: the binary. Parsing, printing, exit codes; the work is in `crates/`.

mod check;
mod cli;
mod exit;
mod fetch;
mod inputs;
mod output;
mod reports;
mod sidecar;
mod summary;
mod term;
mod threshold;
mod warnings;
mod yaml;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Summary(args) => summary::run(args, cli.color),
        Command::Check(args) => check::run(args, cli.color),
        Command::Threshold(cmd) => threshold::run(cmd),
        Command::Report(cli::ReportCommand::Schema) => {
            output::print_json(&scangate_report::report_schema())
        }
        Command::Fetch(args) => fetch::run(*args, cli.color),
        Command::Sidecar(cmd) => sidecar::run(cmd),
    };
    exit::finish(result)
}
