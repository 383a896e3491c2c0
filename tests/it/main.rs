//! scangate's integration tests: the real binary, its subcommands and exit codes, fetch against
//! the fake API server (and real kubectl), the Helm charts, and the compatibility contract.
//!
//! One test binary for the crate (as ripgrep and quick-junit keep theirs): one link step,
//! and helpers shared without `#[allow(dead_code)]`.

mod check_pairs;
mod cli_baseline;
mod cli_reports;
mod cli_risk;
mod cli_saf;
mod cli_sidecar;
mod cli_summary;
mod cli_threshold;
mod cli_unreadable_inputs;
mod common;
mod compat_doc;
#[cfg(feature = "kube")]
mod fetch_cli;
#[cfg(feature = "kube")]
mod fetch_kubectl;
#[cfg(feature = "kube")]
mod fetch_lib;
mod helm_charts;
mod summary_fixtures;
