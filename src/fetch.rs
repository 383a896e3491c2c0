//! `scangate fetch` (issue 6): not built yet.

use crate::cli::FetchArgs;
use crate::exit::Outcome;

pub fn run(_args: FetchArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`scangate fetch` is not built yet")
}
