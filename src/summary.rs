//! `scangate summary`: counts and compliance per profile, in saf's formats or a table.

use std::io::Write;

use anyhow::Result;
use scangate_report::summary::{TableOptions, write_markdown, write_table};
use scangate_results::{ProfileAggregate, aggregate};

use crate::check::Source;
use crate::cli::{ColorChoice, SummaryArgs, SummaryFormat};
use crate::exit::Outcome;
use crate::inputs;
use crate::output::{to_stdout, write_atomically};

/// Summarises every input that can be read. As in `check`, an input that cannot be read is
/// an error on stderr and in the reports and makes the run exit 2, without hiding the others'
/// summary; when none can be read, nothing is summarised.
pub fn run(args: SummaryArgs, color: ColorChoice) -> Result<Outcome> {
    let requests = crate::reports::parse(&args.reports, &args.templates)?;
    let paths = &args.inputs.input;
    let (files, unreadable) = inputs::read_all(paths);
    let loaded = inputs::parse_all(&files, unreadable);
    inputs::print_errors(&loaded.errors);
    let summaries = inputs::summarize_all(&loaded.results);
    crate::warnings::print(&loaded.files, &summaries);
    let names: Vec<String> = loaded.files.iter().map(|i| i.base_name()).collect();
    let profiles = aggregate(names.iter().map(String::as_str).zip(&summaries));

    if !loaded.files.is_empty() {
        // The file first: with --tee, what is printed has also been saved.
        if let Some(path) = &args.output {
            write_atomically(path, |w| render(w, &profiles, &args, false))?;
        }
        if args.output.is_none() || args.tee {
            let color = crate::term::stdout_color(color);
            to_stdout(|w| render(w, &profiles, &args, color))?;
        }
    }
    if !requests.is_empty() {
        let all_paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let sources: Vec<Source> = paths.iter().cloned().map(Source::File).collect();
        let messages = inputs::messages(&loaded.errors);
        let errors = crate::check::unreadable_inputs(
            &sources,
            &all_paths,
            &all_paths,
            &loaded.errors,
            &messages,
        );
        let kept_paths: Vec<String> = loaded
            .positions
            .iter()
            .map(|&i| all_paths[i].clone())
            .collect();
        let kept_sources: Vec<Source> = loaded
            .positions
            .iter()
            .map(|&i| sources[i].clone())
            .collect();
        let report_inputs = crate::check::report_inputs(
            &kept_sources,
            &kept_paths,
            &kept_paths,
            &loaded.results,
            &summaries,
            None,
        );
        let report = scangate_report::Report {
            inputs: &report_inputs,
            errors: &errors,
            profiles: &profiles,
            threshold: None,
        };
        crate::reports::write_all(&requests, &report)?;
    }
    Ok(if loaded.errors.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Unreadable
    })
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
            if args.pretty {
                serde_json::to_writer_pretty(&mut *w, profiles)?;
            } else {
                serde_json::to_writer(&mut *w, profiles)?;
            }
            writeln!(w)
        }
        SummaryFormat::Yaml => {
            let yaml = crate::yaml::to_string(&profiles)?;
            w.write_all(yaml.as_bytes())
        }
        SummaryFormat::Markdown => write_markdown(w, profiles, !args.no_title),
    }
}
