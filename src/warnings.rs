//! Non-fatal findings about inputs, on stderr.

use std::io::Write;

use scangate_pipeline::Run;
use scangate_results::{Format, Input, Summary};
use scangate_threshold::{Bucket, RuleCode};

/// Prints each readable input's warnings as `warning: FILE: at PLACE: message`.
pub fn print(run: &Run<'_>) {
    print_for(run.files(), run.summaries());
}

/// [`print()`] for inputs counted outside a [`Run`] (`threshold generate`).
pub fn print_for(inputs: &[&Input], summaries: &[Summary<'_>]) {
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
pub fn json_min_severity_rules(run: &Run<'_>) {
    let Some(verdicts) = run.verdicts() else {
        return;
    };
    for ((file, input), verdict) in run.files().iter().zip(run.inputs()).zip(verdicts) {
        if input.results.format != Format::JsonMin {
            continue;
        }
        let codes: Vec<&str> = verdict
            .outcomes
            .iter()
            .filter(|o| is_severity_rule(&o.code))
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

/// A rule on one severity's bucket (`failed-critical-max`, `passed-high-controls`).
fn is_severity_rule(code: &RuleCode) -> bool {
    matches!(code.bucket(), Some(Bucket::Severity(_)))
}

#[cfg(test)]
mod tests {
    use scangate_threshold::RuleCode;

    #[test]
    fn severity_rules_are_those_on_one_severity() {
        let code = |text: &str| text.parse::<RuleCode>().unwrap();
        for text in [
            "failed-critical-max",
            "passed-high-min",
            "skipped-medium-controls",
            "no-impact-none-max",
            "error-low-min",
        ] {
            assert!(super::is_severity_rule(&code(text)), "{text}");
        }
        for text in [
            "compliance-min",
            "failed-total-max",
            "failed-total-exact",
            "passed-total-controls",
        ] {
            assert!(!super::is_severity_rule(&code(text)), "{text}");
        }
    }
}
