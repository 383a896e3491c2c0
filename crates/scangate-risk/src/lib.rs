//! Accepted risk for scangate: InSpec waiver files and SAF CLI attestation files.

pub mod model;

pub use model::{
    Attestation, Attestations, AttestedStatus, Frequency, Scope, Target, Unit, Waiver, Waivers,
    When, WhenValue,
};
pub mod apply;
mod tmp_advance;
pub use apply::{AcceptedRisk, Clock, Decision, InputRisk, Kind, State, apply};
pub use tmp_advance::{attestations, schema, waivers};
