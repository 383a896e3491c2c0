//! The renderers' tests: golden reports of real fixtures, each format read back by a strict
//! consumer, and the untrusted-text policy in every format.
//!
//! One test binary for the crate (as ripgrep and quick-junit keep theirs): one link step,
//! and helpers shared without `#[allow(dead_code)]`.

mod change;
mod codequality;
mod golden;
mod html;
mod json;
mod risk;
mod sarif;
mod support;
mod untrusted;
