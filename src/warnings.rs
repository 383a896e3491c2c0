//! Non-fatal findings about inputs, on stderr.

use std::io::Write;

use scangate_results::{Format, Input, Results, Severity, Summary};
use scangate_threshold::Verdict;

/// Prints each summary's warnings as `warning: FILE: at PLACE: message`.
pub fn print(inputs: &[&Input], summaries: &[Summary<'_>]) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for (input, summary) in inputs.iter().zip(summaries) {
        for w in &summary.warnings {
            // A failed write to stderr has nowhere better to go.
            let _ = writeln!(
                err,
                "warning: {}: at {}: {}",
                input.path().display(),
                w.location,
                w.message
            );
        }
    }
}

/// Prints one warning line on stderr.
pub fn line(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "warning: {message}");
}

/// json-min carries no impact, so every control of it counts as medium (compat:more-inputs):
/// a rule on one severity then gates numbers the scan never gave (a real scan's 0 failed
/// medium controls can read as 98). Warns once per json-min input, naming those rules; rules
/// on totals and compliance are sound and not named.
pub fn json_min_severity_rules(files: &[&Input], results: &[Results<'_>], verdicts: &[Verdict]) {
    for ((file, results), verdict) in files.iter().zip(results).zip(verdicts) {
        if results.format != Format::JsonMin {
            continue;
        }
        let codes: Vec<&str> = verdict
            .outcomes
            .iter()
            .filter(|o| is_severity_rule(&o.key))
            .map(|o| o.code.as_str())
            .collect();
        if codes.is_empty() {
            continue;
        }
        line(&format!(
            "{}: json-min results carry no impact, so every control counts as medium and these \
             severity rules gate made-up numbers: {} (write the results with --reporter json)",
            scangate_report::untrusted::terminal::line(&file.path().display().to_string()),
            codes.join(", ")
        ));
    }
}

/// `<status>.<severity>.*`: a rule on one severity's bucket.
fn is_severity_rule(key: &str) -> bool {
    let mut parts = key.split('.');
    match (parts.next(), parts.next()) {
        (Some(status), Some(bucket)) => {
            status != "compliance" && Severity::from_key(bucket).is_some()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn severity_rules_are_those_on_one_severity() {
        for key in [
            "failed.critical.max",
            "passed.high.min",
            "skipped.medium.controls",
            "no_impact.none.max",
            "error.low.min",
        ] {
            assert!(super::is_severity_rule(key), "{key}");
        }
        for key in [
            "compliance.min",
            "failed.total.max",
            "failed.total",
            "passed.total.controls",
        ] {
            assert!(!super::is_severity_rule(key), "{key}");
        }
    }
}
