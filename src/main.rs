//! `scangate`: the binary. Parsing, printing, exit codes; the work is in `crates/`.

mod check;
mod cli;
mod exit;
mod fetch;
mod inputs;
mod output;
mod sidecar;
mod summary;
mod term;
mod threshold;
mod warnings;
mod yaml;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::exit::Outcome;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Summary(args) => summary::run(args, cli.color),
        Command::Check(args) => check::run(args, cli.color),
        Command::Threshold(cmd) => threshold::run(cmd),
        Command::Fetch(args) => fetch::run(*args),
        Command::Sidecar(cmd) => sidecar::run(cmd),
        _ => Err(anyhow::anyhow!("this subcommand is not built yet")),
    };
    exit::finish(result)
}

#[allow(dead_code)]
fn _outcome_is_used(o: Outcome) -> Outcome {
    o
}
