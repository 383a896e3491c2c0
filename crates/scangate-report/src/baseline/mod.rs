//! Baselines: what failed before, so that a gate can judge change rather than totals.
//!
//! `--baseline FILE` takes three kinds of file ([`Baseline::load`] tells them apart): a
//! baseline file written by `scangate baseline create` ([`BaselineFile`]: one entry per
//! failing control, sorted, meant to be committed), scangate's JSON report of an earlier run,
//! or plain earlier results (InSpec/HDF JSON, as `-i` takes them).
//!
//! Every control of a run is then [`compare`](Baseline::compare)d by its finding identity
//! ([`crate::finding`]): the input's identity, the profile's name, the control id and its
//! ordinal. It is **new** (failing now, not failing in the baseline), **still failing**,
//! **fixed** (failing in the baseline, not now) or neither; a failing control of the baseline
//! that the input no longer has is **gone**. Failing means Failed or Profile Error
//! ([`Status::is_failing`](scangate_results::Status::is_failing)).
//!
//! Inputs are matched with the baseline's inputs by identity: a file by its path as the
//! reports write it, a pod by namespace, workload and container, so a redeployed pod keeps its
//! baseline. Plain results carry no identity of their own (their path is the earlier file's,
//! never the input's), so they are compared with every input. An input the baseline does not
//! have, or whose profiles it does not have, is compared with nothing: all its failures are
//! new, and the run says why ([`ChangeWarning`]). Matching never guesses beyond identity: a
//! wrong match could hide a new failure.
//!
//! ```
//! use scangate_report::baseline::{Baseline, State};
//! use scangate_report::finding::IdentityRecord;
//! use scangate_results::{Input, Summary};
//!
//! let scan = |status: &str| Input::from_bytes("scan.json", format!(r#"{{"platform": {{"name": "l", "release": "1"}},
//!   "profiles": [{{"name": "p", "sha256": "0", "supports": [], "attributes": [], "groups": [],
//!     "controls": [{{"id": "C-1", "impact": 0.7, "refs": [], "tags": {{}}, "source_location": {{}},
//!       "results": [{{"status": "{status}", "code_desc": "x", "start_time": "t"}}]}}]}}],
//!   "statistics": {{}}, "version": "5"}}"#).into_bytes());
//! let (before, now) = (scan("passed"), scan("failed"));
//! let baseline = Baseline::from_results("before.json", &before)?;
//! let results = now.parse()?;
//! let summary = Summary::new(&results);
//! let identity = IdentityRecord::File { path: "scan.json".into(), occurrence: 1 };
//! let change = baseline.compare(&identity, &summary);
//! assert_eq!(change.states[0], State::New);
//! assert_eq!(change.counts().new.total, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod change;
mod error;
mod file;
mod load;

pub use change::{ChangeCounts, ChangeWarning, GoneControl, InputChange, NewCounts, State};
pub use error::{Error, ErrorKind};
pub use file::{
    BASELINE_KIND, BASELINE_SCHEMA_VERSION, BaselineEntry, BaselineFile, BaselineInput,
    baseline_schema,
};
pub use load::{Baseline, BaselineControl, BaselineSet, Kind};
