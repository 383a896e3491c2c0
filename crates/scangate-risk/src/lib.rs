//! Accepted risk for scangate: InSpec waiver files and SAF CLI attestation files.

pub mod code;
mod date;
pub mod error;
pub mod model;

pub use code::Code;
pub use error::{Error, ErrorKind, Problem};
pub use model::{
    Attestation, Attestations, AttestedStatus, Frequency, Scope, Target, Unit, Waiver, Waivers,
    When, WhenValue,
};
