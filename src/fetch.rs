//! `scangate fetch` (issue 6): the CLI over `scangate-kube`.
//!
//! Turns the flags into the crate's options (checked by the crate before any connection,
//! exit 2, and worded with the flags), renders progress on stderr (live bars on a terminal, plain lines otherwise), prints the
//! final table on stdout, and maps the outcome: 0 every pod fetched, 3 any failed.

use crate::cli::FetchArgs;
use crate::exit::Outcome;

#[cfg(not(feature = "kube"))]
pub fn run(_args: FetchArgs, _color: crate::cli::ColorChoice) -> anyhow::Result<Outcome> {
    anyhow::bail!(
        "this scangate was built without the `kube` feature, so `scangate fetch` is not available"
    )
}

#[cfg(feature = "kube")]
pub use imp::run;

#[cfg(feature = "kube")]
mod imp {
    use std::collections::HashMap;
    use std::io::{IsTerminal, Write};
    use std::path::PathBuf;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use anyhow::Context;
    use comfy_table::{Cell, ContentArrangement, Table, presets};
    use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
    use scangate_kube::{
        Cluster, ErrorKind, Event, FetchOptions, InvalidOption, Logs, PathOption, PodRef,
        PodReport, Source, Stage, Targets,
    };

    use super::{FetchArgs, Outcome};
    use crate::check::Plan;
    use crate::exit::FetchFailed;
    use scangate_pipeline::{Batch, Source as GateSource};

    /// Checks a copied results file before it is renamed into place: it must be InSpec
    /// results scangate can count, or nothing is kept.
    fn validate_results(bytes: &[u8]) -> Result<(), String> {
        let path = std::path::Path::new("results");
        let error = match scangate_results::parse(bytes, path) {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        // Read as `Input` reads it (compat:saf-input): what is not UTF-8 is U+FFFD, not an error.
        if std::str::from_utf8(bytes).is_ok() {
            return Err(error.kind.to_string());
        }
        let text = String::from_utf8_lossy(bytes);
        scangate_results::parse(text.as_bytes(), path)
            .map(|_| ())
            .map_err(|e| e.kind.to_string())
    }

    /// A pod whose results were fetched and validated in this run.
    #[derive(Debug, Clone)]
    pub struct FetchedPod {
        pub namespace: String,
        pub name: String,
        /// The validated results file on disk.
        pub results: PathBuf,
    }

    /// Gates what this run fetched: each pod's results on their own against `--threshold`,
    /// and `--report` as in `check`. Called with every successfully fetched pod, also when
    /// others failed (exit 3 then wins). Exit 1 when any pod fails the gate.
    fn gate_fetched(
        args: &FetchArgs,
        plan: Option<&Plan>,
        fetched: &[FetchedPod],
    ) -> anyhow::Result<Outcome> {
        let Some(plan) = plan else {
            return Ok(Outcome::Pass);
        };
        if fetched.is_empty() {
            return Ok(Outcome::Pass);
        }
        let sources = fetched
            .iter()
            .map(|f| GateSource::pod(&f.namespace, &f.name, &args.container, &f.results));
        crate::check::gate(Batch::read(sources), plan)
    }

    /// `-T`, `-I` or `--gate`, and `--report`, checked before anything is fetched (exit 2).
    fn gate_plan(args: &FetchArgs, color: crate::cli::ColorChoice) -> anyhow::Result<Option<Plan>> {
        let gated = args.gate || args.threshold.file.is_some() || args.threshold.inline.is_some();
        let has_risk = args.risk.waivers.is_some() || args.risk.attestations.is_some();
        if !gated && args.reports.is_empty() && args.baseline.baseline.is_none() && !has_risk {
            return Ok(None);
        }
        let baseline = crate::baseline::load(&args.baseline)?;
        let risk = crate::risk::load(&args.risk)?;
        let gate = if gated {
            let mut gate = crate::threshold::resolve(&args.threshold)?;
            crate::baseline::complete_gate(&mut gate, None, baseline.is_some())?;
            Some(gate)
        } else {
            None
        };
        Ok(Some(Plan {
            gate,
            baseline,
            risk,
            reports: crate::reports::parse(&args.reports, &[])?,
            quiet: false,
            color,
        }))
    }

    pub fn run(args: FetchArgs, color: crate::cli::ColorChoice) -> anyhow::Result<Outcome> {
        let plan = gate_plan(&args, color)?;
        let targets = match &args.pods.selector {
            Some(selector) => Targets::Selector(selector.clone()),
            None => Targets::Named(args.pods.pods.clone()),
        };
        let source = Source::Infer {
            kubeconfig: args.kubeconfig.clone(),
            context: args.context.clone(),
        };

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let progress = Progress::new();
        // Everything the flags can get wrong is checked before any connection (exit 2).
        let mut options = FetchOptions::new(
            args.namespace.as_deref().unwrap_or("default"),
            args.output_dir.clone(),
        );
        options.targets = targets;
        options.container = args.container.clone();
        options.results_path = args.path.clone();
        options.marker_path = args.marker.clone();
        options.also = args.also.clone();
        options.timeout = args.timeout.0;
        options.concurrency = args.concurrency;
        options.max_bytes = args.max_bytes.0;
        options.validator = Arc::new(validate_results);
        options.check().map_err(|err| match &err.kind {
            ErrorKind::Options(invalid) => anyhow::anyhow!(flag_message(invalid)),
            _ => fetch_error(err),
        })?;

        let reports = runtime.block_on(async {
            let cluster = Cluster::connect(&source).await.map_err(fetch_error)?;
            if args.namespace.is_none() {
                options.namespace = cluster.default_namespace().to_owned();
            }
            let on_event = |event: Event| progress.show(&event);
            let fetch = scangate_kube::fetch(&cluster, &options, &on_event);
            tokio::select! {
                reports = fetch => reports.map_err(fetch_error),
                // Dropping the fetch deletes every temporary file it had open.
                _ = tokio::signal::ctrl_c() => Err(anyhow::Error::new(FetchFailed::Interrupted)),
            }
        });
        progress.finish();
        let reports = reports?;

        print_table(&reports).context("cannot write the table to stdout")?;
        print_failures(&reports);

        let fetched: Vec<FetchedPod> = reports
            .iter()
            .filter_map(|r| {
                r.outcome.as_ref().ok().map(|f| FetchedPod {
                    namespace: r.pod.namespace.clone(),
                    name: r.pod.name.clone(),
                    results: f.results.clone(),
                })
            })
            .collect();
        let failed = reports.len() - fetched.len();
        let gate = gate_fetched(&args, plan.as_ref(), &fetched);
        if failed > 0 {
            if let Err(err) = &gate {
                #[allow(clippy::print_stderr)] // the gate's own error must not hide behind exit 3
                {
                    eprintln!("error: {err:#}");
                }
            }
            return Err(anyhow::Error::new(FetchFailed::Pods {
                failed,
                total: reports.len(),
                fetched: fetched.len(),
            }));
        }
        gate
    }

    /// Errors from the crate: bad options are usage errors (exit 2), the rest exit 3.
    fn fetch_error(err: scangate_kube::Error) -> anyhow::Error {
        match err.kind {
            ErrorKind::Options(_) => anyhow::anyhow!("{err}"),
            _ => anyhow::Error::new(FetchFailed::from(err)),
        }
    }

    /// The crate's verdict on the options, in the words of the flags that set them.
    fn flag_message(invalid: &InvalidOption) -> String {
        match invalid {
            InvalidOption::Namespace(ns) => {
                format!("invalid --namespace {ns:?}: not a valid Kubernetes namespace name")
            }
            InvalidOption::PodName(pod) => {
                format!("invalid pod name {pod:?}: not a valid Kubernetes name")
            }
            InvalidOption::Path { option, problem } => {
                let flag = match option {
                    PathOption::Results => "--path",
                    PathOption::Marker => "--marker",
                    PathOption::Also => "--also",
                };
                format!("invalid {flag}: {problem}")
            }
            InvalidOption::ZeroConcurrency => "invalid --concurrency: it must be at least 1".into(),
            other => other.to_string(),
        }
    }

    /// `812 B`, `12.3 KiB`, `1.5 MiB`.
    fn human_bytes(bytes: u64) -> String {
        const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
        if bytes < 1024 {
            return format!("{bytes} B");
        }
        let mut value = bytes as f64 / 1024.0;
        let mut unit = 0;
        while value >= 1024.0 && unit < UNITS.len() - 1 {
            value /= 1024.0;
            unit += 1;
        }
        format!("{value:.1} {}", UNITS[unit])
    }

    fn seconds(d: Duration) -> String {
        format!("{:.1}s", d.as_secs_f64())
    }

    fn stage_text(stage: &Stage) -> String {
        match stage {
            Stage::WaitingReady { phase: Some(phase) } => {
                format!("waiting for Ready (phase {phase})")
            }
            Stage::WaitingReady { phase: None } => "waiting for Ready".into(),
            Stage::WaitingMarker => "waiting for the marker".into(),
            Stage::Copying { file, bytes } => format!("copying {file} ({})", human_bytes(*bytes)),
            Stage::Validating => "checking the results".into(),
            Stage::Fetched { bytes } => format!("fetched {}", human_bytes(*bytes)),
            Stage::Failed { label, message } => format!("failed ({label}): {message}"),
            other => format!("{other:?}"),
        }
    }

    /// Live bars on a terminal; otherwise one line per change of stage, so CI logs stay short.
    struct Progress {
        bars: Option<(MultiProgress, Mutex<HashMap<PodRef, ProgressBar>>)>,
        last: Mutex<HashMap<PodRef, String>>,
    }

    impl Progress {
        fn new() -> Self {
            let bars = std::io::stderr().is_terminal().then(|| {
                (
                    MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
                    Mutex::new(HashMap::new()),
                )
            });
            Self {
                bars,
                last: Mutex::new(HashMap::new()),
            }
        }

        fn show(&self, event: &Event) {
            let text = stage_text(&event.stage);
            match &self.bars {
                Some((multi, bars)) => {
                    let Ok(mut bars) = bars.lock() else { return };
                    let bar = bars.entry(event.pod.clone()).or_insert_with(|| {
                        let bar = multi.add(ProgressBar::new_spinner());
                        let style = ProgressStyle::with_template(
                            "{spinner} {prefix:.bold} {msg} {elapsed:.dim}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_spinner());
                        bar.set_style(style);
                        bar.set_prefix(event.pod.to_string());
                        bar.enable_steady_tick(Duration::from_millis(120));
                        bar
                    });
                    match &event.stage {
                        Stage::Fetched { .. } | Stage::Failed { .. } => {
                            bar.finish_with_message(text)
                        }
                        _ => bar.set_message(text),
                    }
                }
                None => {
                    // Byte counts change constantly; a plain log gets the start of each file only,
                    // and failures without the message, which the end report repeats.
                    let key = match &event.stage {
                        Stage::Copying { file, .. } => format!("copying {file}"),
                        _ => text.clone(),
                    };
                    let Ok(mut last) = self.last.lock() else {
                        return;
                    };
                    if last.get(&event.pod) == Some(&key) {
                        return;
                    }
                    last.insert(event.pod.clone(), key);
                    let text = match &event.stage {
                        Stage::Copying { file, .. } => format!("copying {file}"),
                        Stage::Failed { label, .. } => format!("failed ({label})"),
                        _ => text,
                    };
                    // Standard error is unbuffered: one write per line, not one per fragment.
                    let line = format!("{}: {text}\n", event.pod);
                    let _ = std::io::stderr().lock().write_all(line.as_bytes());
                }
            }
        }

        fn finish(&self) {
            if let Some((multi, _)) = &self.bars {
                let _ = multi.clear();
            }
        }
    }

    fn print_table(reports: &[PodReport]) -> std::io::Result<()> {
        let mut table = Table::new();
        let tty = std::io::stdout().is_terminal();
        table.load_style(if tty {
            presets::UTF8_FULL_CONDENSED
        } else {
            presets::ASCII_FULL_CONDENSED
        });
        table.set_content_arrangement(if tty {
            ContentArrangement::Dynamic
        } else {
            ContentArrangement::Disabled
        });
        table.set_header(["POD", "STATE", "BYTES", "TIME", "ERROR"]);
        for report in reports {
            let time = seconds(report.elapsed);
            let row = match &report.outcome {
                Ok(fetched) => {
                    vec![
                        report.pod.to_string(),
                        "fetched".into(),
                        human_bytes(fetched.bytes),
                        time,
                        String::new(),
                    ]
                }
                Err(failure) => vec![
                    report.pod.to_string(),
                    failure.error.kind.label().to_owned(),
                    "-".into(),
                    time,
                    failure.error.message_without_pod(),
                ],
            };
            table.add_row(row.into_iter().map(Cell::new));
        }
        let mut out = std::io::stdout().lock();
        writeln!(out, "{table}")?;
        out.flush()
    }

    /// The phase, container state and last log lines of every failed pod, on stderr.
    fn print_failures(reports: &[PodReport]) {
        // Standard error is unbuffered; collect the report and write it in one go.
        let mut err = std::io::BufWriter::new(std::io::stderr().lock());
        for report in reports {
            let Err(failure) = &report.outcome else {
                continue;
            };
            let _ = writeln!(
                err,
                "{}: {}",
                report.pod,
                failure.error.message_without_pod()
            );
            let Some(diagnosis) = &failure.diagnosis else {
                continue;
            };
            let phase = diagnosis.phase.as_deref().unwrap_or("unknown");
            let _ = writeln!(err, "  phase: {phase}; container: {}", diagnosis.container);
            match &diagnosis.logs {
                Logs::Lines(lines) if lines.is_empty() => {
                    let _ = writeln!(err, "  no log lines");
                }
                Logs::Lines(lines) => {
                    let _ = writeln!(err, "  last log lines:");
                    for line in lines {
                        let _ = writeln!(err, "    {line}");
                    }
                }
                Logs::Forbidden => {
                    let _ = writeln!(
                        err,
                        "  logs not shown: the Role does not grant get on pods/log"
                    );
                }
                Logs::Unavailable(why) => {
                    let _ = writeln!(err, "  logs unavailable: {why}");
                }
            }
        }
        let _ = err.flush();
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn validator_accepts_only_results_scangate_can_count() {
            let good = std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/fixtures/results/minimal_hdf.json"
            ))
            .expect("fixture");
            assert!(validate_results(&good).is_ok());
            // Windows-1252 quotes in tag text, as in a real InSpec 2.2 scan (compat:saf-input).
            let cp1252 = std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/fixtures/results/real/rhel7ami_09042018.json"
            ))
            .expect("fixture");
            assert!(std::str::from_utf8(&cp1252).is_err());
            assert!(validate_results(&cp1252).is_ok());
            assert!(validate_results(b"<html>").is_err());
            assert!(validate_results(b"{\"truncated\": ").is_err());
            let not_results = validate_results(br#"{"profiles": []}"#).unwrap_err();
            assert_eq!(not_results, "at $: missing required field `platform`");
        }

        #[test]
        fn bytes_for_people() {
            assert_eq!(human_bytes(812), "812 B");
            assert_eq!(human_bytes(1536), "1.5 KiB");
            assert_eq!(human_bytes(100 * 1024 * 1024), "100.0 MiB");
        }
    }
}
