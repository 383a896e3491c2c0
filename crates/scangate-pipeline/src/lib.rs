//! scangate's pipeline, owned in one place: inputs → results → summaries → verdicts → the
//! report model.
//!
//! Each stage borrows from the one before (a [`Summary`](scangate_results::Summary) borrows
//! its [`Results`](scangate_results::Results), which borrow the input's bytes), so something
//! must own the chain. [`Batch`] owns the inputs; [`Batch::run`] parses, counts and gates
//! them and lends the finished [`Run`] to a closure, which prints the verdict, writes the
//! reports and picks the exit code. `check`, `summary`, `fetch --threshold`, the report tests
//! and the benchmarks all go through it.
//!
//! ```
//! use scangate_pipeline::{Batch, Gate, Outcome, Source};
//!
//! let threshold = scangate_threshold::load_inline("{compliance.min: 80}").unwrap();
//! let gate = Gate { threshold, name: "inline".into() };
//! let batch = Batch::read([
//!     Source::file("../../fixtures/results/red_hat_good.json"),
//!     Source::file("no/such/file.json"),
//! ]);
//! batch.run(Some(&gate), |run| {
//!     assert_eq!(run.inputs().len(), 1);
//!     assert_eq!(run.unreadable()[0].name, "no/such/file.json");
//!     // One unreadable input keeps the run from passing, whatever the gate says of the rest.
//!     assert_eq!(run.outcome(), Outcome::Unreadable);
//!     assert_eq!(run.report().threshold, Some("inline"));
//! });
//! ```

mod batch;
mod source;

pub use batch::{Batch, Context, Gate, Outcome, Run};
pub use source::{Origin, Source};
