//! `scangate summary`: counts and compliance per profile, in saf's formats or a table.

use std::io::Write;

use anyhow::Result;
use scangate_report::summary::{TableOptions, write_markdown, write_table};
use scangate_results::{ProfileAggregate, aggregate};

use crate::cli::{ColorChoice, SummaryArgs, SummaryFormat};
use crate::exit::Outcome;
use crate::inputs;
use crate::output::{to_stdout, write_atomically};

pub fn run(args: SummaryArgs, color: ColorChoice) -> Result<Outcome> {
    let requests = crate::reports::parse(&args.reports, &args.templates)?;
    let inputs = inputs::read_all(&args.inputs.input)?;
    let results = inputs::parse_all(&inputs)?;
    let summaries = inputs::summarize_all(&results);
    crate::warnings::print(&inputs, &summaries);
    let names: Vec<String> = inputs.iter().map(|i| i.base_name()).collect();
    let profiles = aggregate(names.iter().map(String::as_str).zip(&summaries));

    let to_file = args.output.is_some();
    let render = |w: &mut dyn Write| {
        render(
            w,
            &profiles,
            &args,
            if to_file {
                false
            } else {
                crate::term::stdout_color(color)
            },
        )
    };
    match &args.output {
        Some(path) => write_atomically(path, render)?,
        None => to_stdout(render)?,
    }
    if !requests.is_empty() {
        let paths: Vec<String> = inputs
            .iter()
            .map(|i| i.path().display().to_string())
            .collect();
        let sources: Vec<crate::check::Source> = inputs
            .iter()
            .map(|i| crate::check::Source::File(i.path().to_owned()))
            .collect();
        let report_inputs =
            crate::check::report_inputs(&sources, &paths, &paths, &results, &summaries, None);
        let report = scangate_report::Report {
            inputs: &report_inputs,
            errors: &[],
            profiles: &profiles,
            threshold: None,
        };
        crate::reports::write_all(&requests, &report)?;
    }
    Ok(Outcome::Pass)
}

fn render(
    w: &mut dyn Write,
    profiles: &[ProfileAggregate],
    args: &SummaryArgs,
    color: bool,
) -> std::io::Result<()> {
    match args.format {
        SummaryFormat::Table => write_table(
            w,
            profiles,
            TableOptions {
                color,
                width: crate::term::stdout_width(),
            },
        ),
        SummaryFormat::Json => {
            serde_json::to_writer(&mut *w, profiles)?;
            writeln!(w)
        }
        SummaryFormat::Yaml => {
            let yaml = crate::yaml::to_string(&profiles)?;
            w.write_all(yaml.as_bytes())
        }
        SummaryFormat::Markdown => write_markdown(w, profiles, !args.no_title),
    }
}
