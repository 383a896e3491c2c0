//! Reading and parsing every input, in parallel, reporting every bad file at once.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use scangate_results::{Input, Results, Summary};

/// Every input that failed, one line each.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct InputErrors(pub Vec<scangate_results::Error>);

impl From<scangate_results::Error> for InputErrors {
    fn from(e: scangate_results::Error) -> Self {
        InputErrors(vec![e])
    }
}

/// Runs `f` on every item on up to one thread per core, keeping the items' order.
pub fn par_map<'t, T: Sync, R: Send>(items: &'t [T], f: impl Fn(&'t T) -> R + Sync) -> Vec<R> {
    let threads = thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    let done: Vec<Vec<(usize, R)>> = thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    for (i, r) in done.into_iter().flatten() {
        slots[i] = Some(r);
    }
    slots
        .into_iter()
        .map(|r| r.expect("every index is processed once"))
        .collect()
}

/// Reads every file; fails with all unreadable ones.
pub fn read_all(paths: &[PathBuf]) -> Result<Vec<Input>, InputErrors> {
    // A closure: the generic `Input::read` item is not higher-ranked over the borrow.
    #[allow(clippy::redundant_closure)]
    collect(par_map(paths, |p| Input::read(p)))
}

/// Parses every input; fails with all invalid ones.
pub fn parse_all(inputs: &[Input]) -> Result<Vec<Results<'_>>, InputErrors> {
    collect(par_map(inputs, Input::parse))
}

/// Resolves and counts every parsed input.
pub fn summarize_all<'r>(results: &'r [Results<'r>]) -> Vec<Summary<'r>> {
    par_map(results, Summary::new)
}

fn collect<T>(items: Vec<Result<T, scangate_results::Error>>) -> Result<Vec<T>, InputErrors> {
    let mut ok = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for item in items {
        match item {
            Ok(v) => ok.push(v),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(ok)
    } else {
        Err(InputErrors(errors))
    }
}
