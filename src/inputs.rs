//! Reading and parsing every input, in parallel, keeping the good ones and every bad one's
//! error.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use scangate_results::{Input, Results, Summary};

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

/// An input that could not be used: its position among all inputs, and why.
pub type Unreadable = (usize, scangate_results::Error);

/// Every input read and parsed, split into the usable ones and the others. One broken file
/// among many must not hide the verdicts on the rest (compat:errors-fail): the caller
/// reports each error and still fails the run.
#[derive(Debug)]
pub struct Loaded<'f> {
    /// Positions among all inputs of the usable ones, in order.
    pub positions: Vec<usize>,
    pub files: Vec<&'f Input>,
    pub results: Vec<Results<'f>>,
    /// The unusable inputs, in order.
    pub errors: Vec<Unreadable>,
}

/// Reads every file, in parallel: the readable ones with their positions, and the errors of
/// the others.
pub fn read_all(paths: &[PathBuf]) -> (Vec<(usize, Input)>, Vec<Unreadable>) {
    // A closure: the generic `Input::read` item is not higher-ranked over the borrow.
    #[allow(clippy::redundant_closure)]
    split(par_map(paths, |p| Input::read(p)).into_iter().enumerate())
}

/// Parses every file that was read, in parallel, and adds the invalid ones to `errors`.
pub fn parse_all(files: &[(usize, Input)], mut errors: Vec<Unreadable>) -> Loaded<'_> {
    let parsed = par_map(files, |(i, input)| (*i, input, input.parse()));
    let mut loaded = Loaded {
        positions: Vec::with_capacity(files.len()),
        files: Vec::with_capacity(files.len()),
        results: Vec::with_capacity(files.len()),
        errors: Vec::new(),
    };
    for (i, input, result) in parsed {
        match result {
            Ok(results) => {
                loaded.positions.push(i);
                loaded.files.push(input);
                loaded.results.push(results);
            }
            Err(e) => errors.push((i, e)),
        }
    }
    errors.sort_by_key(|(i, _)| *i);
    loaded.errors = errors;
    loaded
}

/// Resolves and counts every parsed input.
pub fn summarize_all<'r>(results: &'r [Results<'r>]) -> Vec<Summary<'r>> {
    par_map(results, Summary::new)
}

/// What is wrong with each unusable input, without its path (reports name the input apart).
pub fn messages(errors: &[Unreadable]) -> Vec<String> {
    errors.iter().map(|(_, e)| e.kind.to_string()).collect()
}

/// Prints `error: FILE: PLACE: message` on stderr for each unusable input: the lines a run
/// with a single bad input has always printed, made safe for a terminal (they quote the file).
pub fn print_errors(errors: &[Unreadable]) {
    use std::io::Write;
    if errors.is_empty() {
        return;
    }
    let mut text = String::new();
    for (_, e) in errors {
        text.push_str("error: ");
        text.push_str(&scangate_report::untrusted::terminal::line(&e.to_string()));
        text.push('\n');
    }
    // A failed write to stderr has nowhere better to go.
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

fn split<T>(
    items: impl Iterator<Item = (usize, Result<T, scangate_results::Error>)>,
) -> (Vec<(usize, T)>, Vec<Unreadable>) {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in items {
        match item {
            Ok(v) => ok.push((i, v)),
            Err(e) => errors.push((i, e)),
        }
    }
    (ok, errors)
}
