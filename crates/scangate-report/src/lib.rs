//! scangate's renderers. Each takes finished data (a summary, or later a verdict) and writes
//! to any `io::Write`; none evaluates anything, opens files, or knows about the CLI.

pub mod check;
pub mod markdown_table;
pub mod summary;
