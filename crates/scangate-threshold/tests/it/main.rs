//! Threshold files: every error message, the schema, and properties of evaluation.
//!
//! One test binary for the crate (as ripgrep and quick-junit keep theirs): one link step,
//! and helpers shared without `#[allow(dead_code)]`.

mod errors;
mod props;
mod schema;
