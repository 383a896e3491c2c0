//! `scangate summary`'s outputs: the terminal table and saf's Markdown table.

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};
use scangate_results::{Counts, ProfileAggregate, Severity, Status};

use crate::markdown_table::{self, Align};
use crate::untrusted::{markdown, terminal};

/// saf's columns: its status order, each with its Markdown title and emoji.
const COLUMNS: [(Status, &str); 5] = {
    let order = Status::SAF_ORDER;
    let mut columns = [(Status::Passed, ""); 5];
    let mut i = 0;
    while i < order.len() {
        columns[i] = (order[i], saf_title(order[i]));
        i += 1;
    }
    columns
};

const fn saf_title(status: Status) -> &'static str {
    match status {
        Status::Passed => "Passed<br>:white_check_mark:",
        Status::Failed => "Failed<br>:x:",
        Status::NotReviewed => "Not Reviewed<br>:leftwards_arrow_with_hook:",
        Status::NotApplicable => "Not Applicable<br>:heavy_minus_sign:",
        Status::ProfileError => "Error<br>:warning:",
    }
}

/// saf's rows: Total, then the severities it shows (it has no `none` row).
const ROWS: [Option<Severity>; 5] = [
    None,
    Some(Severity::Critical),
    Some(Severity::High),
    Some(Severity::Medium),
    Some(Severity::Low),
];

fn cell(counts: &Counts, status: Status, severity: Option<Severity>) -> u64 {
    match severity {
        None => counts.total(status),
        Some(s) => counts.get(status, s),
    }
}

/// A number as JavaScript's `toString` writes it.
fn js_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 9e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// saf's Markdown table for one profile, byte for byte (no trailing newline).
pub fn markdown_table(profile: &ProfileAggregate) -> String {
    let mut head = vec![format!(
        "Compliance: {}<br>:test_tube:",
        js_number(profile.compliance)
    )];
    head.extend(COLUMNS.iter().map(|(_, title)| (*title).to_owned()));
    let body: Vec<Vec<String>> = ROWS
        .iter()
        .map(|&severity| {
            let mut row = vec![severity.map_or("Total", Severity::label).to_owned()];
            row.extend(
                COLUMNS
                    .iter()
                    .map(|&(status, _)| cell(&profile.counts, status, severity).to_string()),
            );
            row
        })
        .collect();
    let mut align = vec![Align::Left];
    align.extend([Align::Center; 5]);
    markdown_table::render(&head, &body, &align)
}

/// `saf summary --format markdown`: one table per profile, joined by a blank line, with
/// `# <profile>` titles unless `title` is false. Ends with a newline.
pub fn write_markdown(
    w: &mut dyn Write,
    profiles: &[ProfileAggregate],
    title: bool,
) -> io::Result<()> {
    let tables: Vec<String> = profiles
        .iter()
        .map(|p| {
            let table = markdown_table(p);
            if title {
                format!("# {}\n\n{table}", markdown::inline(&p.profile_name))
            } else {
                table
            }
        })
        .collect();
    writeln!(w, "{}", tables.join("\n\n"))
}

/// Options for the terminal table.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    /// ANSI colours (the CLI decides: a terminal, and NO_COLOR unset).
    pub color: bool,
    /// Wrap to this many columns (None: no limit).
    pub width: Option<u16>,
}

fn status_color(status: Status) -> Color {
    match status {
        Status::Passed => Color::Green,
        Status::Failed => Color::Red,
        Status::NotReviewed => Color::Yellow,
        Status::NotApplicable => Color::Grey,
        Status::ProfileError => Color::Magenta,
    }
}

/// One terminal table per profile: rows Total and each severity (with scangate's `None`
/// row), columns the statuses, and the compliance in the heading line.
pub fn write_table(
    w: &mut dyn Write,
    profiles: &[ProfileAggregate],
    opts: TableOptions,
) -> io::Result<()> {
    for (i, profile) in profiles.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        let files = profile.result_sets.join(", ");
        writeln!(
            w,
            "{}  compliance {}%  ({})",
            terminal::line(&profile.profile_name),
            js_number(profile.compliance),
            terminal::line(&files)
        )?;
        let mut table = terminal_table(opts.color, opts.width);
        let mut header = vec![Cell::new("")];
        header.extend(COLUMNS.iter().map(|&(status, _)| {
            let c = Cell::new(status.label()).add_attribute(Attribute::Bold);
            if opts.color {
                c.fg(status_color(status))
            } else {
                c
            }
        }));
        table.set_header(header);
        let rows = std::iter::once(None).chain(Severity::ALL.into_iter().map(Some));
        for severity in rows {
            let mut row = vec![Cell::new(severity.map_or("Total", Severity::label))];
            for &(status, _) in &COLUMNS {
                let n = cell(&profile.counts, status, severity);
                let mut c = Cell::new(n).set_alignment(CellAlignment::Right);
                if opts.color && n > 0 && severity.is_some() {
                    c = c.fg(status_color(status));
                }
                if severity.is_none() {
                    c = c.add_attribute(Attribute::Bold);
                }
                row.push(c);
            }
            table.add_row(row);
        }
        writeln!(w, "{table}")?;
    }
    Ok(())
}

/// A table in scangate's terminal style; ANSI styling only when `color`.
pub fn terminal_table(color: bool, width: Option<u16>) -> Table {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(width) = width {
        table.set_width(width);
    }
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table
}
