//! `scangate threshold generate|validate|schema`, and where `check` gets its threshold.

use std::path::Path;

use anyhow::Result;
use scangate_pipeline::Gate;
use scangate_results::Input;
use scangate_threshold::GenerateOptions;

use crate::cli::{GenerateArgs, ThresholdCommand, ThresholdSource, ValidateArgs};
use crate::exit::Outcome;
use crate::output::{to_stdout, write_atomically};

/// The gate used when neither `-T` nor `-I` is given: thresholds/default.yml, built in.
pub const DEFAULT_THRESHOLD: &str = include_str!("../thresholds/default.yml");
/// How the built-in threshold is named in messages.
pub const DEFAULT_NAME: &str = "thresholds/default.yml (built in)";

/// The threshold and the name to show for it.
pub fn resolve(source: &ThresholdSource) -> Result<Gate> {
    let (threshold, name) = match (&source.file, &source.inline) {
        (Some(path), _) => (
            scangate_threshold::load_file(path)?,
            path.display().to_string(),
        ),
        (None, Some(text)) => (
            scangate_threshold::load_inline(text)?,
            scangate_threshold::INLINE_NAME.to_owned(),
        ),
        (None, None) => (
            scangate_threshold::load(DEFAULT_THRESHOLD, DEFAULT_NAME)?,
            DEFAULT_NAME.to_owned(),
        ),
    };
    Ok(Gate { threshold, name })
}

pub fn run(cmd: ThresholdCommand) -> Result<Outcome> {
    match cmd {
        ThresholdCommand::Generate(args) => generate(&args),
        ThresholdCommand::Validate(args) => validate(&args),
        ThresholdCommand::Schema => {
            let schema = scangate_threshold::schema::threshold_schema();
            crate::output::print_json(&schema)
        }
    }
}

fn generate(args: &GenerateArgs) -> Result<Outcome> {
    let input = Input::read(&args.input)?;
    let results = input.parse()?;
    let summary = scangate_results::Summary::new(&results);
    crate::warnings::print_for(&[&input], std::slice::from_ref(&summary));
    let generated = scangate_threshold::generate(
        &summary,
        GenerateOptions {
            exact: args.exact,
            control_ids: args.control_ids,
            margin: u32::from(args.margin),
        },
    );
    let yaml = crate::yaml::to_string(&generated)?;
    let target = args.output.as_deref().unwrap_or(Path::new("-"));
    write_atomically(target, |w| w.write_all(yaml.as_bytes()))?;
    Ok(Outcome::Pass)
}

fn validate(args: &ValidateArgs) -> Result<Outcome> {
    let threshold = scangate_threshold::load_file(&args.file)?;
    let rules = threshold.rule_count();
    let plural = if rules == 1 { "" } else { "s" };
    to_stdout(|out| {
        writeln!(
            out,
            "{}: valid threshold, {rules} rule{plural}",
            args.file.display()
        )
    })?;
    Ok(Outcome::Pass)
}
