//! Accepted risk for scangate: InSpec waiver files (`--waivers`) and SAF CLI attestation
//! files (`--attestations`), validated strictly into the typed [`model`].
//!
//! Both formats are read as they are written for InSpec and saf, YAML or JSON, with a few
//! scangate keys (`approver`, `ticket`, `scope`). Where InSpec or saf silently misread a value
//! (an unparseable date that never expires, a `run` that becomes null, a misspelt key), the
//! loaders refuse the file and report every problem at once, each with its line and column.
//!
//! ```
//! use scangate_risk::{Code, WhenValue, waivers};
//!
//! let yaml = "\
//! SV-230221:
//!   justification: Approved by the ISSO until the host is rebuilt
//!   expiration_date: 2027-01-31
//!   run: false
//! ";
//! let file = waivers::load(yaml, "waivers.yml")?;
//! let waiver = &file.entries[0];
//! assert_eq!(waiver.control_id, "SV-230221");
//! assert_eq!(waiver.run, Some(false));
//! assert!(matches!(waiver.expiration_date.as_ref().unwrap().value, WhenValue::Day(_)));
//!
//! // Every problem at once, each on its own line, with a suggestion for a misspelt key.
//! let err = waivers::load("SV-1:\n  reason: x\n  expires: soon\n", "waivers.yml").unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "waivers.yml:1:1: SV-1.justification: missing; a waiver says why the risk is accepted\n\
//!      waivers.yml:2:3: SV-1.reason: unknown key; did you mean `SV-1.justification`?\n\
//!      waivers.yml:3:3: SV-1.expires: unknown key; did you mean `SV-1.expiration_date`?"
//! );
//! assert_eq!(err.problems()[0].code, Code::MissingKey);
//! # Ok::<(), scangate_risk::Error>(())
//! ```

pub mod apply;
pub mod attestations;
pub mod code;
mod date;
pub mod error;
pub mod model;
mod read;
pub mod schema;
pub mod waivers;

pub use apply::{AcceptedRisk, Clock, Decision, InputRisk, Kind, State, apply};
pub use code::Code;
pub use error::{Error, ErrorKind, Problem};
pub use model::{
    Attestation, Attestations, AttestedStatus, Frequency, Scope, Target, Unit, Waiver, Waivers,
    When, WhenValue,
};
