//! [`Batch`] owns the inputs; [`Batch::run`] derives everything else from them and lends it
//! to a closure.

use std::sync::OnceLock;

use rayon::prelude::*;
use scangate_report::baseline::{Baseline, ChangeWarning, InputChange};
use scangate_report::check::Gated;
use scangate_report::finding::{self, IdentityRecord};
use scangate_report::{Report, ReportInput, UnreadableInput};
use scangate_results::{Error, Input, ProfileAggregate, Results, Summary, aggregate};
use scangate_risk::{AcceptedRisk, Clock, InputRisk, Target};
use scangate_threshold::{Facts, Threshold, Verdict};

use crate::Source;

/// A threshold and the name messages and reports give it.
#[derive(Debug)]
pub struct Gate {
    pub threshold: Threshold,
    /// A path, `inline`, or the built-in threshold's name.
    pub name: String,
}

/// What a run concluded. A failing gate is an outcome, not an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing was gated, or every input passed.
    Pass,
    /// The gate ran and some input failed it.
    Fail,
    /// Some inputs could not be read or are not valid results. The others were gated or
    /// summarised all the same (compat:errors-fail); the run must not pass.
    Unreadable,
}

/// The inputs of one run, read and owned. Every stage after it borrows from it, so it is the
/// one place the chain Input → Results → Summary → Verdict → Report is held together.
#[derive(Debug, Default)]
pub struct Batch {
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    source: Source,
    input: Result<Input, Error>,
}

impl Batch {
    /// An empty batch, for inputs that are not files ([`Batch::push_bytes`]).
    pub fn new() -> Batch {
        Batch::default()
    }

    /// Reads every source's file, in parallel. A file that cannot be read stays in the batch
    /// as its error: it is reported in its place, never skipped.
    pub fn read(sources: impl IntoIterator<Item = Source>) -> Batch {
        let sources: Vec<Source> = sources.into_iter().collect();
        let entries = sources
            .into_par_iter()
            .map(|source| {
                let input = Input::read(source.path());
                Entry { source, input }
            })
            .collect();
        Batch { entries }
    }

    /// Adds an input whose bytes are already in memory (named by `source`'s path).
    pub fn push_bytes(&mut self, source: Source, bytes: Vec<u8>) {
        let input = Ok(Input::from_bytes(source.path().to_owned(), bytes));
        self.entries.push(Entry { source, input });
    }

    /// Adds an input that could not be obtained, with why.
    pub fn push_error(&mut self, source: Source, error: Error) {
        self.entries.push(Entry {
            source,
            input: Err(error),
        });
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Parses and counts every input (in parallel), gates each against `gate` on its own
    /// (compat:gate-per-input), and hands the whole run to `f`.
    pub fn run<R>(&self, gate: Option<&Gate>, f: impl FnOnce(&Run<'_>) -> R) -> R {
        self.run_against(gate, None, f)
    }

    /// [`Batch::run`], comparing every input with `baseline` first: each control's change
    /// goes to the reports, and the gate's `new.*` rules count the new failures.
    pub fn run_against<R>(
        &self,
        gate: Option<&Gate>,
        baseline: Option<&Baseline>,
        f: impl FnOnce(&Run<'_>) -> R,
    ) -> R {
        self.run_with(
            gate,
            &Context {
                baseline,
                risk: None,
            },
            f,
        )
    }

    /// [`Batch::run`] with everything a run can be judged against: a baseline, and waivers
    /// and attestations, applied to each input before it is counted.
    pub fn run_with<R>(
        &self,
        gate: Option<&Gate>,
        context: &Context<'_>,
        f: impl FnOnce(&Run<'_>) -> R,
    ) -> R {
        let baseline = context.baseline;
        let parsed: Vec<(usize, &Input, Result<Results<'_>, Error>)> = self
            .entries
            .par_iter()
            .enumerate()
            .filter_map(|(i, entry)| entry.input.as_ref().ok().map(|input| (i, input)))
            .map(|(i, input)| (i, input, input.parse()))
            .collect();

        let mut readable = Vec::with_capacity(parsed.len());
        let mut files = Vec::with_capacity(parsed.len());
        let mut results = Vec::with_capacity(parsed.len());
        let mut parse_errors = Vec::new();
        for (i, input, outcome) in parsed {
            match outcome {
                Ok(r) => {
                    readable.push(i);
                    files.push(input);
                    results.push(r);
                }
                Err(e) => parse_errors.push((i, e)),
            }
        }
        let identities: Vec<IdentityRecord> = finding::keyed(readable.iter().map(|&i| {
            let source = &self.entries[i].source;
            (source.report_origin(), source.name())
        }))
        .iter()
        .map(|keys| keys.record().clone())
        .collect();
        // Accepted risk changes statuses, so it comes before anything is counted.
        let risks: Option<Vec<InputRisk>> = context.risk.map(|(risk, clock)| {
            results
                .par_iter_mut()
                .zip(&identities)
                .map(|(results, identity)| {
                    scangate_risk::apply(results, &target(identity), risk, clock)
                })
                .collect()
        });
        let results = results;
        let summaries: Vec<Summary<'_>> = results.par_iter().map(Summary::new).collect();
        let decided: Option<Vec<(Vec<usize>, Vec<usize>)>> = risks.as_ref().map(|risks| {
            risks
                .iter()
                .zip(&summaries)
                .map(|(risk, summary)| risk.decided(summary))
                .collect()
        });
        let changes: Option<Vec<InputChange>> = baseline.map(|baseline| {
            identities
                .par_iter()
                .zip(&summaries)
                .map(|(identity, summary)| baseline.compare(identity, summary))
                .collect()
        });
        let verdicts: Option<Vec<Verdict>> = gate.map(|gate| {
            summaries
                .iter()
                .enumerate()
                .map(|(k, s)| {
                    let new = changes.as_ref().map(|c| c[k].new_failures());
                    let (waived, attested) = decided
                        .as_ref()
                        .map(|d| (d[k].0.as_slice(), d[k].1.as_slice()))
                        .unwrap_or_default();
                    let facts = Facts {
                        new_failures: new.as_deref(),
                        waived,
                        attested,
                    };
                    scangate_threshold::evaluate_with(s, &gate.threshold, &facts)
                })
                .collect()
        });

        // Command-line order: the errors of reading and of parsing, merged.
        let mut errors: Vec<(usize, &Error)> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, entry)| entry.input.as_ref().err().map(|e| (i, e)))
            .chain(parse_errors.iter().map(|(i, e)| (*i, e)))
            .collect();
        errors.sort_by_key(|&(i, _)| i);
        // The reports name the input apart, so their message is the error without its path.
        let messages: Vec<String> = errors.iter().map(|(_, e)| e.kind.to_string()).collect();
        let unreadable: Vec<UnreadableInput<'_>> = errors
            .iter()
            .zip(&messages)
            .map(|(&(i, _), message)| {
                let source = &self.entries[i].source;
                UnreadableInput {
                    name: source.name(),
                    origin: source.report_origin(),
                    message,
                }
            })
            .collect();
        let inputs: Vec<ReportInput<'_>> = readable
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                let source = &self.entries[i].source;
                ReportInput {
                    name: source.name(),
                    origin: source.report_origin(),
                    results: &results[k],
                    summary: &summaries[k],
                    verdict: verdicts.as_ref().map(|v| &v[k]),
                    change: changes.as_ref().map(|c| &c[k]),
                    risk: risks.as_ref().map(|r| &r[k]),
                }
            })
            .collect();
        let errors: Vec<&Error> = errors.into_iter().map(|(_, e)| e).collect();

        let unmatched: Vec<&IdentityRecord> = baseline
            .map(|b| b.unmatched(&identities.iter().collect::<Vec<_>>()))
            .unwrap_or_default();
        f(&Run {
            gate,
            baseline,
            changes: changes.as_deref(),
            unmatched: &unmatched,
            files: &files,
            summaries: &summaries,
            verdicts: verdicts.as_deref(),
            inputs: &inputs,
            errors: &errors,
            unreadable: &unreadable,
            profiles: OnceLock::new(),
        })
    }
}

/// What a run is judged against besides its threshold.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// An earlier run to compare with: each control new, still failing or fixed.
    pub baseline: Option<&'a Baseline>,
    /// Waivers and attestations, and the clock their dates are judged by.
    pub risk: Option<(&'a AcceptedRisk, &'a Clock)>,
}

/// What a scope can name of an input: its path, or its pod.
fn target(identity: &IdentityRecord) -> Target<'_> {
    match identity {
        IdentityRecord::File { path, .. } => Target::File { path },
        IdentityRecord::Pod {
            namespace,
            workload,
            container,
            ..
        } => Target::Pod {
            namespace,
            workload,
            container,
        },
    }
}

/// One run over a [`Batch`]: every readable input parsed, counted and (when a gate was
/// given) gated, and every other input's error, in command-line order.
#[derive(Debug)]
pub struct Run<'r> {
    gate: Option<&'r Gate>,
    baseline: Option<&'r Baseline>,
    changes: Option<&'r [InputChange]>,
    /// The baseline's inputs no input of the run was compared with.
    unmatched: &'r [&'r IdentityRecord],
    files: &'r [&'r Input],
    summaries: &'r [Summary<'r>],
    verdicts: Option<&'r [Verdict]>,
    inputs: &'r [ReportInput<'r>],
    errors: &'r [&'r Error],
    unreadable: &'r [UnreadableInput<'r>],
    /// Only reports and `summary` need saf's per-profile-name table: built on first use.
    profiles: OnceLock<Vec<ProfileAggregate>>,
}

impl<'r> Run<'r> {
    /// The readable inputs, in command-line order.
    pub fn inputs(&self) -> &'r [ReportInput<'r>] {
        self.inputs
    }

    /// The readable inputs' files, in the order of [`Run::inputs`].
    pub fn files(&self) -> &'r [&'r Input] {
        self.files
    }

    /// The readable inputs' counts, in the order of [`Run::inputs`].
    pub fn summaries(&self) -> &'r [Summary<'r>] {
        self.summaries
    }

    /// The baseline the run was compared with.
    pub fn baseline(&self) -> Option<&'r Baseline> {
        self.baseline
    }

    /// Each input's change against the baseline, in the order of [`Run::inputs`]; `None`
    /// without a baseline.
    pub fn changes(&self) -> Option<&'r [InputChange]> {
        self.changes
    }

    /// What the comparison with the baseline could not do: inputs the baseline does not
    /// have, profiles it does not have.
    pub fn change_warnings(&self) -> impl Iterator<Item = &'r ChangeWarning> {
        self.changes.into_iter().flatten().flat_map(|c| &c.warnings)
    }

    /// The baseline's inputs that no input of this run matched: their findings were not
    /// compared (neither fixed nor gone).
    pub fn unmatched_baseline_inputs(&self) -> &'r [&'r IdentityRecord] {
        self.unmatched
    }

    /// The verdicts, in the order of [`Run::inputs`]; `None` when nothing was gated.
    pub fn verdicts(&self) -> Option<&'r [Verdict]> {
        self.verdicts
    }

    /// Why each other input could not be used, in command-line order.
    pub fn errors(&self) -> &'r [&'r Error] {
        self.errors
    }

    /// True when no input could be read.
    pub fn nothing_readable(&self) -> bool {
        self.inputs.is_empty()
    }

    /// saf's summary across all inputs, one entry per profile name.
    pub fn profiles(&self) -> &[ProfileAggregate] {
        self.profiles.get_or_init(|| {
            let names: Vec<String> = self.files.iter().map(|f| f.base_name()).collect();
            aggregate(names.iter().map(String::as_str).zip(self.summaries))
        })
    }

    /// The terminal verdict's view: each gated input with its name; `None` when ungated.
    pub fn gated(&self) -> Option<Vec<Gated<'_, 'r>>> {
        let verdicts = self.verdicts?;
        Some(
            self.inputs
                .iter()
                .zip(verdicts)
                .map(|(input, verdict)| Gated {
                    name: input.name,
                    summary: input.summary,
                    verdict,
                    change: input.change,
                })
                .collect(),
        )
    }

    /// The inputs that could not be read, as every report lists them.
    pub fn unreadable(&self) -> &'r [UnreadableInput<'r>] {
        self.unreadable
    }

    /// The report model every format renders.
    pub fn report(&self) -> Report<'_> {
        Report {
            inputs: self.inputs,
            errors: self.unreadable,
            profiles: self.profiles(),
            threshold: self.gate.map(|g| g.name.as_str()),
            baseline: self.baseline,
        }
    }

    /// Unreadable inputs first: one broken file must fail the run even when the rest passed.
    pub fn outcome(&self) -> Outcome {
        if !self.errors.is_empty() {
            Outcome::Unreadable
        } else if self.verdicts.into_iter().flatten().all(Verdict::passed) {
            Outcome::Pass
        } else {
            Outcome::Fail
        }
    }
}
