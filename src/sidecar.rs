//! `scangate sidecar inject|rbac` (issue 9): not built yet.

use crate::cli::SidecarCommand;
use crate::exit::Outcome;

pub fn run(_cmd: SidecarCommand) -> anyhow::Result<Outcome> {
    anyhow::bail!("`scangate sidecar` is not built yet")
}
