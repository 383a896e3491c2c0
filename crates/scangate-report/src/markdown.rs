//! The Markdown report, for GitHub job summaries and pull-request comments: saf's summary
//! table, the verdict of every input, and the failed controls with their details. With
//! `--waivers` or `--attestations`, each input also has an "Accepted risk" section: the
//! controls waived and attested, with the justification or explanation, who accepted them and
//! until when, then the entries that were not applied and why; a failing control's row says
//! when a waiver or attestation touched it.
//!
//! Everything from the scan goes through [`crate::untrusted`]: escaped as inline text (it cannot
//! open a table cell, a link, a heading or HTML) or, inside `<details>`, HTML-escaped in
//! `<pre>`, and cut with a note saying how many bytes are not shown. The whole report stays
//! under `RenderOptions::markdown_max_bytes` (GitHub takes 1 MiB per step summary): when it
//! would not, the failed-control details stop with a visible note.

use std::fmt::Write as _;
use std::io::Write;

use crate::accepted;
use crate::baseline::State;
use crate::context::{ControlView, ReportInput, explaining_message};
use crate::summary::markdown_table;
use crate::untrusted::markdown as escape;
use crate::untrusted::{Cut, cut};
use crate::{Error, RenderOptions, Rendered, Report};

/// Untrusted text as a heading's text: inline-escaped and trimmed (a trailing space is
/// markdownlint's MD009), never empty, and not ending in punctuation, which MD026 takes for a
/// sentence written as a heading (profile names such as `tests from controls.test.` do). The
/// last character is then written as a character reference, which GitHub shows the same.
fn heading_text(text: &str) -> String {
    let mut out = escape::inline(text).trim().to_owned();
    if out.is_empty() {
        return "(no name)".to_owned();
    }
    // markdownlint's list (`allPunctuationNoQuestion`); `:` and `!` arrive escaped.
    if let Some(last) = out.chars().last()
        && ".,;:!。，；：！".contains(last)
    {
        out.truncate(out.len() - last.len_utf8());
        if out.ends_with('\\') {
            out.pop();
        }
        out.push_str(&format!("&#{};", u32::from(last)));
    }
    out
}

/// One row of a table in markdownlint's compact style. Each cell is trimmed and an empty one is
/// a single space: `|  |` and a cell's trailing space are misplaced pipes to MD060 (scanners
/// leave titles and messages empty, or end them with spaces).
fn table_row(cells: &[&str]) -> String {
    let mut row = String::from("|");
    for cell in cells {
        let cell = cell.trim();
        if !cell.is_empty() {
            row.push(' ');
            row.push_str(cell);
        }
        row.push_str(" |");
    }
    row.push('\n');
    row
}

/// The first line of a message, shortened for a table cell.
fn cell_message(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let short = cut(line.trim(), 160);
    let more = if short.is_cut() || text.trim().lines().count() > 1 {
        " …"
    } else {
        ""
    };
    format!("{}{more}", escape::inline(short.shown))
}

/// Per-message budget inside `<details>`, so one huge message cannot crowd out the rest.
const DETAIL_MESSAGE_BYTES: usize = 4096;

fn heading_status(report: &Report<'_>) -> String {
    if !report.errors.is_empty() {
        return format!(
            "⛔ scangate: {} of {} input{} could not be read",
            report.errors.len(),
            report.input_count(),
            if report.input_count() == 1 { "" } else { "s" }
        );
    }
    match report.passed() {
        Some(true) => "✅ scangate: gate passed",
        Some(false) => "❌ scangate: gate failed",
        None => "📋 scangate: summary",
    }
    .to_owned()
}

/// Bytes of an error message shown: parser messages are one line, but they quote the file.
const ERROR_MESSAGE_BYTES: usize = 2048;

/// The inputs that could not be read, each with its error. Written before everything else
/// the budget could cut: a reader must see that the verdicts below do not cover every input.
fn errors_section(report: &Report<'_>) -> String {
    let mut out = String::new();
    if report.errors.is_empty() {
        return out;
    }
    writeln!(
        out,
        "## ⛔ Inputs that could not be read ({})\n\n| Input | Error |\n| --- | --- |",
        report.errors.len()
    )
    .ok();
    for error in report.errors {
        let message = cut(error.message, ERROR_MESSAGE_BYTES);
        writeln!(
            out,
            "| {} | {}{} |",
            escape::inline(error.name),
            escape::inline(message.shown),
            if message.is_cut() { " …" } else { "" }
        )
        .ok();
    }
    out.push('\n');
    out
}

/// Writes the Markdown report.
pub fn write(
    report: &Report<'_>,
    w: &mut dyn Write,
    options: &RenderOptions,
) -> Result<Rendered, Error> {
    let mut out = String::new();
    let mut rendered = Rendered::default();
    writeln!(out, "# {}\n", heading_status(report)).ok();
    let failed_inputs = report
        .inputs
        .iter()
        .filter(|i| i.verdict.is_some_and(|v| !v.passed()))
        .count();
    if let Some(threshold) = report.threshold {
        let unreadable = if report.errors.is_empty() {
            String::new()
        } else {
            format!(", {} could not be read", report.errors.len())
        };
        writeln!(
            out,
            "Threshold {} · {} input{}, {failed_inputs} failed the gate{unreadable}\n",
            escape::inline(threshold),
            report.input_count(),
            if report.input_count() == 1 { "" } else { "s" }
        )
        .ok();
    }
    out.push_str(&errors_section(report));

    writeln!(out, "## Summary\n").ok();
    if report.profiles.is_empty() && !report.errors.is_empty() {
        writeln!(out, "Nothing to summarise: no input could be read.\n").ok();
    }
    for profile in report.profiles {
        writeln!(
            out,
            "### {}\n\n{}\n",
            heading_text(&profile.profile_name),
            markdown_table(profile)
        )
        .ok();
    }

    // Verdicts are what a reader needs first and are small: they are always written. The
    // failed-control tables come next, then the details; both stop where the budget ends.
    let budget = options.markdown_max_bytes.saturating_sub(1024);
    let verdicts: Vec<String> = report.inputs.iter().map(verdict_section).collect();
    let reserved: usize = verdicts.iter().map(String::len).sum();
    let mut unlisted = 0usize;
    if let Some(baseline) = report.baseline {
        // Change first: with a baseline, what is new is what the reader acts on.
        let start = out.len();
        unlisted += change_section(&mut out, report, baseline, budget.saturating_sub(reserved));
        // The summary tables were written before it; move the change above them.
        let section = out.split_off(start);
        let at = out.find("## Summary\n").unwrap_or(out.len());
        out.insert_str(at, &section);
    }
    let mut details: Vec<(usize, Vec<usize>)> = Vec::new();
    for (n, (input, verdict)) in report.inputs.iter().zip(&verdicts).enumerate() {
        out.push_str(verdict);
        let rest: usize = verdicts[n + 1..].iter().map(String::len).sum();
        let failing = failing_controls(input);
        unlisted += failed_table(&mut out, input, &failing, budget.saturating_sub(rest));
        unlisted += risk_section(&mut out, input, budget.saturating_sub(rest));
        details.push((n, failing));
    }
    debug_assert!(reserved <= out.len());

    let mut omitted = 0usize;
    for (n, failing) in &details {
        let input = &report.inputs[*n];
        if failing.is_empty() {
            continue;
        }
        let heading = format!("## Details: {}\n\n", heading_text(input.name));
        if out.len() + heading.len() > budget {
            omitted += failing.len();
            continue;
        }
        out.push_str(&heading);
        let failed_rules = crate::context::failing_rules(input.summary, input.verdict);
        for (k, &i) in failing.iter().enumerate() {
            // Out of room: what is left is counted, not parsed.
            if out.len() + 256 > budget {
                omitted += failing.len() - k;
                break;
            }
            let full = input.summary.controls[i].control.full();
            let view = ControlView::new(i, input.summary, &full, &failed_rules[i]);
            let block = details_block(&view, &risk_lines(input, i));
            if out.len() + block.len() > budget {
                omitted += 1;
                continue;
            }
            out.push_str(&block);
        }
    }
    if unlisted > 0 {
        rendered.warnings.push(format!(
            "markdown report truncated: {unlisted} failed controls not listed, to stay under {} bytes",
            options.markdown_max_bytes
        ));
    }
    if omitted > 0 {
        let note = format!(
            "> [!WARNING]\n> Truncated: the details of {omitted} failed control{} are not shown, to stay within \
             GitHub's 1 MiB step-summary limit. The HTML and JSON reports have all of them.\n",
            if omitted == 1 { "" } else { "s" }
        );
        out.push_str(&note);
        rendered.warnings.push(format!(
            "markdown report truncated: details of {omitted} failed controls left out to stay under {} bytes",
            options.markdown_max_bytes
        ));
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    w.write_all(out.as_bytes())?;
    Ok(rendered)
}

/// The controls of one [`State`] (or gone) of every input, as table rows.
fn change_rows(report: &Report<'_>, state: State) -> Vec<String> {
    let many = report.inputs.len() > 1;
    let mut rows = Vec::new();
    for input in report.inputs {
        let Some(change) = input.change else {
            continue;
        };
        let name = escape::inline(input.name);
        for i in change.indices(state) {
            let c = &input.summary.controls[i];
            let title = escape::inline(c.control.title.as_deref().unwrap_or(""));
            let status = status_cell(input, i);
            let message = if state == State::Fixed {
                status.clone()
            } else {
                let full = c.control.full();
                explaining_message(c.status, &full)
                    .map(cell_message)
                    .unwrap_or_default()
            };
            let id = escape::inline(&c.control.id);
            let mut cells: Vec<&str> = Vec::with_capacity(6);
            if many {
                cells.push(&name);
            }
            cells.extend([id.as_str(), c.severity.key(), &title]);
            if state != State::Fixed {
                cells.push(&status);
            }
            cells.push(&message);
            rows.push(table_row(&cells));
        }
    }
    rows
}

/// The change against the baseline: new failures, fixed controls, then the still-failing
/// ones collapsed and the gone ones. Stops at `limit` bytes of output; returns how many rows
/// did not fit.
fn change_section(
    out: &mut String,
    report: &Report<'_>,
    baseline: &crate::baseline::Baseline,
    limit: usize,
) -> usize {
    let counts = report.change_counts().unwrap_or_default();
    writeln!(
        out,
        "## Change against the baseline\n\nBaseline {} ({}) · {} new · {} still failing · {} fixed · {} gone\n",
        escape::inline(&baseline.path.display().to_string()),
        baseline.kind.describe(),
        counts.new.total,
        counts.still_failing,
        counts.fixed,
        counts.gone
    )
    .ok();
    let input_column = if report.inputs.len() > 1 {
        "Input | "
    } else {
        ""
    };
    let input_rule = if report.inputs.len() > 1 {
        "--- | "
    } else {
        ""
    };
    let mut left = 0;
    let sections = [
        (State::New, "### New failures", "Status | Message"),
        (State::Fixed, "### Fixed", "Status now"),
        (State::StillFailing, "Still failing", "Status | Message"),
    ];
    for (state, heading, tail) in sections {
        let rows = change_rows(report, state);
        let collapsed = state == State::StillFailing;
        if collapsed {
            if rows.is_empty() {
                continue;
            }
            writeln!(
                out,
                "<details>\n<summary>{heading} ({})</summary>\n",
                rows.len()
            )
            .ok();
        } else {
            writeln!(out, "{heading} ({})\n", rows.len()).ok();
            if rows.is_empty() {
                writeln!(out, "None.\n").ok();
                continue;
            }
        }
        let rule = vec!["---"; tail.split('|').count()].join(" | ");
        writeln!(
            out,
            "| {input_column}Control | Severity | Title | {tail} |\n| {input_rule}--- | --- | --- | {rule} |"
        )
        .ok();
        for (k, row) in rows.iter().enumerate() {
            if out.len() + row.len() + 400 > limit {
                let rest = rows.len() - k;
                writeln!(
                    out,
                    "\n> [!WARNING]\n> Truncated: {rest} more row{} not listed, to stay within GitHub's \
                     1 MiB step-summary limit. The HTML and JSON reports list all of them.",
                    if rest == 1 { "" } else { "s" }
                )
                .ok();
                left += rest;
                break;
            }
            out.push_str(row);
        }
        out.push('\n');
        if collapsed {
            out.push_str("</details>\n\n");
        }
    }
    let gone: Vec<(&str, &crate::baseline::GoneControl)> = report
        .inputs
        .iter()
        .filter_map(|i| i.change.map(|c| (i.name, c)))
        .flat_map(|(name, c)| c.gone.iter().map(move |g| (name, g)))
        .collect();
    if !gone.is_empty() {
        writeln!(
            out,
            "<details>\n<summary>Gone: failing in the baseline, not in these results ({})</summary>\n",
            gone.len()
        )
        .ok();
        writeln!(
            out,
            "| {input_column}Control | Severity | Title | Profile |\n| {input_rule}--- | --- | --- | --- |"
        )
        .ok();
        for (k, (name, g)) in gone.iter().enumerate() {
            let name = escape::inline(name);
            let id = escape::inline(&g.control.control_id);
            let title = escape::inline(g.control.title.as_deref().unwrap_or(""));
            let profile = escape::inline(&g.control.profile);
            let mut cells: Vec<&str> = Vec::new();
            if report.inputs.len() > 1 {
                cells.push(&name);
            }
            cells.extend([id.as_str(), g.control.severity.key(), &title, &profile]);
            let row = table_row(&cells);
            if out.len() + row.len() + 400 > limit {
                left += gone.len() - k;
                writeln!(out, "\n… {} more not listed", gone.len() - k).ok();
                break;
            }
            out.push_str(&row);
        }
        out.push_str("\n</details>\n\n");
    }
    left
}

/// One input's heading and verdict table.
fn verdict_section(input: &ReportInput<'_>) -> String {
    let mut out = String::new();
    let summary = input.summary;
    let name = heading_text(input.name);
    match input.verdict {
        Some(verdict) => {
            let mark = if verdict.passed() { "✅" } else { "❌" };
            writeln!(out, "## {mark} Verdict: {name}\n").ok();
            writeln!(
                out,
                "Compliance {}% · {} of {} rules failed\n",
                summary.compliance(),
                verdict.failures().count(),
                verdict.outcomes.len()
            )
            .ok();
            if !verdict.outcomes.is_empty() {
                out.push_str("| Rule | Limit | Actual | Result |\n| --- | --- | --- | --- |\n");
                for rule in &verdict.outcomes {
                    let result = if rule.passed { "✅ pass" } else { "❌ fail" };
                    out.push_str(&table_row(&[
                        &format!("`{}`", rule.key),
                        &escape::inline(&rule.limit.to_string()),
                        &escape::inline(&rule.actual.to_string()),
                        result,
                    ]));
                }
                out.push('\n');
            }
        }
        None => {
            writeln!(out, "## {name}\n").ok();
            writeln!(out, "Compliance {}%\n", summary.compliance()).ok();
        }
    }
    out
}

/// Indices of the input's Failed and Profile Error controls.
fn failing_controls(input: &ReportInput<'_>) -> Vec<usize> {
    input
        .summary
        .controls
        .iter()
        .enumerate()
        .filter(|(_, c)| c.status.is_failing())
        .map(|(i, _)| i)
        .collect()
}

/// The failed-controls table, as many rows as fit before `limit` bytes of output; returns
/// how many rows did not fit (and says so in the report).
fn failed_table(
    out: &mut String,
    input: &ReportInput<'_>,
    failing: &[usize],
    limit: usize,
) -> usize {
    let summary = input.summary;
    if failing.is_empty() {
        out.push_str("No failed controls.\n\n");
        return 0;
    }
    writeln!(out, "### Failed controls ({})\n", failing.len()).ok();
    out.push_str(
        "| Control | Severity | Status | Title | Message |\n| --- | --- | --- | --- | --- |\n",
    );
    for (k, &i) in failing.iter().enumerate() {
        let c = &summary.controls[i];
        let title = c.control.title.as_deref().unwrap_or("");
        let full = c.control.full();
        // An attested failure has no failing test: the attestation is its reason.
        let message = match accepted::applied(input, i) {
            Some(d) => cell_text(&d.reason, 160),
            None => explaining_message(c.status, &full)
                .map(cell_message)
                .unwrap_or_default(),
        };
        let row = table_row(&[
            &escape::inline(&c.control.id),
            c.severity.key(),
            &status_cell(input, i),
            &escape::inline(title),
            &message,
        ]);
        if out.len() + row.len() + 400 > limit {
            let left = failing.len() - k;
            writeln!(
                out,
                "\n> [!WARNING]\n> Truncated: {left} more failed control{} not listed, to stay within GitHub's \
                 1 MiB step-summary limit. The HTML, JSON and JUnit reports list all of them.",
                if left == 1 { "" } else { "s" }
            )
            .ok();
            out.push('\n');
            return left;
        }
        out.push_str(&row);
    }
    out.push('\n');
    0
}

/// A control's status for a table cell, with the note accepted risk gives it: `Failed
/// (attested failed)`, `Not Applicable (waived)`, `Failed (waiver expired)`.
fn status_cell(input: &ReportInput<'_>, i: usize) -> String {
    let label = input.summary.controls[i].status.label();
    match accepted::row_note(input, i) {
        Some(note) => format!("{label} ({note})"),
        None => label.to_owned(),
    }
}

/// Bytes of a justification or explanation shown in a table cell.
const REASON_BYTES: usize = 512;

/// Untrusted text on one line for a table cell, cut at `max` bytes with ` …`.
fn cell_text(text: &str, max: usize) -> String {
    let shown = cut(text.trim(), max);
    let more = if shown.is_cut() { " …" } else { "" };
    format!("{}{more}", escape::inline(shown.shown))
}

/// `2026-12-20`, `2026-12-20 ⚠️ expiring soon`, `never`.
fn expires_cell(d: &scangate_risk::Decision) -> String {
    match d.expires_text() {
        None => "never".to_owned(),
        Some(day) if d.expiring_soon => format!("{} ⚠️ expiring soon", escape::inline(&day)),
        Some(day) => escape::inline(&day),
    }
}

/// The lines a failing control's details give the waivers and attestations that matched it.
fn risk_lines(input: &ReportInput<'_>, i: usize) -> Vec<String> {
    accepted::on_control(input, i)
        .map(|d| {
            format!(
                "{} ({}): {} — {}",
                accepted::kind_label(d.kind),
                escape::inline(&accepted::outcome(d)),
                cell_text(&d.reason, REASON_BYTES),
                escape::inline(&accepted::attribution(d))
            )
        })
        .collect()
}

/// One input's "Accepted risk": the waived controls, the attested ones, then the entries not
/// applied with what became of them. Written only when the run had waivers or attestations;
/// stops at `limit` bytes of output and returns how many rows did not fit.
fn risk_section(out: &mut String, input: &ReportInput<'_>, limit: usize) -> usize {
    use scangate_risk::{Kind, State};
    let Some(risk) = input.risk else {
        return 0;
    };
    let view = crate::context::RiskView::new(risk);
    writeln!(
        out,
        "### Accepted risk: {}\n\n{} waived · {} attested · {} expired · {} stale · {} unneeded · {} entr{}\n",
        heading_text(input.name),
        view.waived,
        view.attested,
        view.expired,
        view.stale,
        view.unneeded,
        risk.decisions.len(),
        if risk.decisions.len() == 1 { "y" } else { "ies" }
    )
    .ok();
    if risk.decisions.is_empty() {
        out.push_str("No waiver or attestation applies to this input.\n\n");
        return 0;
    }
    let controls = accepted::decision_controls(input);
    let title_of = |k: usize| {
        controls[k]
            .and_then(|i| input.summary.controls[i].control.title.as_deref())
            .unwrap_or("")
    };
    let applied = |kind: Kind| {
        risk.decisions
            .iter()
            .enumerate()
            .filter(move |(_, d)| d.kind == kind && d.state == State::Applied)
            .collect::<Vec<_>>()
    };
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let waived = applied(Kind::Waiver);
    if !waived.is_empty() {
        rows.push((
            format!(
                "Waived controls ({}):\n\n| Control | Title | Justification | Approver | Ticket | Expires |\n\
                 | --- | --- | --- | --- | --- | --- |\n",
                waived.len()
            ),
            waived
                .iter()
                .map(|&(k, d)| {
                    table_row(&[
                        &escape::inline(&d.control_id),
                        &cell_text(title_of(k), 160),
                        &cell_text(&d.reason, REASON_BYTES),
                        &cell_text(d.by.as_deref().unwrap_or(""), 160),
                        &cell_text(d.ticket.as_deref().unwrap_or(""), 160),
                        &expires_cell(d),
                    ])
                })
                .collect(),
        ));
    }
    let attested = applied(Kind::Attestation);
    if !attested.is_empty() {
        rows.push((
            format!(
                "Attested controls ({}):\n\n| Control | Status | Explanation | Updated by | Ticket | Expires |\n\
                 | --- | --- | --- | --- | --- | --- |\n",
                attested.len()
            ),
            attested
                .iter()
                .map(|&(_, d)| {
                    table_row(&[
                        &escape::inline(&d.control_id),
                        d.attested.map_or("", |s| s.as_str()),
                        &cell_text(&d.reason, REASON_BYTES),
                        &cell_text(d.by.as_deref().unwrap_or(""), 160),
                        &cell_text(d.ticket.as_deref().unwrap_or(""), 160),
                        &expires_cell(d),
                    ])
                })
                .collect(),
        ));
    }
    let others: Vec<String> = risk
        .decisions
        .iter()
        .filter(|d| d.state != State::Applied)
        .map(|d| {
            format!(
                "- {} {} ({}): {}\n",
                accepted::kind_label(d.kind),
                escape::inline(&d.control_id),
                escape::inline(&d.place()),
                escape::inline(&accepted::outcome(d))
            )
        })
        .collect();
    if !others.is_empty() {
        rows.push((format!("Not applied ({}):\n\n", others.len()), others));
    }
    let mut left = 0;
    for (head, lines) in rows {
        if left > 0 {
            left += lines.len();
            continue;
        }
        out.push_str(&head);
        for (k, line) in lines.iter().enumerate() {
            if out.len() + line.len() + 400 > limit {
                left += lines.len() - k;
                break;
            }
            out.push_str(line);
        }
        out.push('\n');
    }
    if left > 0 {
        writeln!(
            out,
            "> [!WARNING]\n> Truncated: {left} more waiver or attestation entr{} not listed, to stay within \
             GitHub's 1 MiB step-summary limit. The HTML and JSON reports list all of them.\n",
            if left == 1 { "y" } else { "ies" }
        )
        .ok();
    }
    left
}

/// The note after a cut description or fix text, empty when nothing was cut.
fn bytes_more(cut: Cut<'_>) -> String {
    if cut.is_cut() {
        format!(" … ({} bytes more)", cut.omitted)
    } else {
        String::new()
    }
}

/// A failed control's `<details>`: what accepted risk said of it (`risk`, Markdown lines
/// already escaped), description, and every failing or erroring test.
fn details_block(view: &ControlView<'_>, risk: &[String]) -> String {
    let mut block = String::new();
    let title = view.title.unwrap_or("");
    writeln!(
        block,
        "<details>\n<summary>{} — {} ({}, {})</summary>\n",
        escape::pre(view.id),
        escape::pre(title),
        view.severity,
        view.status_label
    )
    .ok();
    if !view.failed_rules.is_empty() {
        writeln!(
            block,
            "Fails rule{}: {}\n",
            if view.failed_rules.len() == 1 {
                ""
            } else {
                "s"
            },
            view.failed_rules
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
        .ok();
    }
    for line in risk {
        writeln!(block, "{line}\n").ok();
    }
    let mut text = String::new();
    if let Some(desc) = view.desc {
        let desc = cut(desc, DETAIL_MESSAGE_BYTES);
        writeln!(text, "{}{}\n", desc.shown, bytes_more(desc)).ok();
    }
    for result in view
        .results
        .iter()
        .filter(|r| r.status == "failed" || r.status == "error")
    {
        writeln!(
            text,
            "{} — {}",
            result.status.to_uppercase(),
            result.code_desc
        )
        .ok();
        for part in [result.message, result.exception].into_iter().flatten() {
            let part = cut(part, DETAIL_MESSAGE_BYTES);
            write!(text, "{}", part.shown).ok();
            if part.is_cut() {
                write!(text, "\n… truncated ({} bytes more)", part.omitted).ok();
            }
            text.push('\n');
        }
        text.push('\n');
    }
    if let Some(fix) = view.fix {
        let fix = cut(fix, DETAIL_MESSAGE_BYTES);
        writeln!(text, "Fix: {}{}", fix.shown, bytes_more(fix)).ok();
    }
    writeln!(
        block,
        "<pre>{}</pre>\n</details>\n",
        escape::pre(text.trim_end())
    )
    .ok();
    block
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_end_neither_in_punctuation_nor_in_space() {
        assert_eq!(
            heading_text("tests from controls.test."),
            "tests from controls.test&#46;"
        );
        assert_eq!(heading_text("Ready!"), "Ready&#33;");
        assert_eq!(heading_text("key:"), "key&#58;");
        assert_eq!(heading_text("policy\npatch: {}\n"), "policy patch\\: {}");
        assert_eq!(heading_text(" \n"), "(no name)");
        assert_eq!(heading_text("What?"), "What?");
        assert_eq!(heading_text("plain-name"), "plain-name");
    }

    #[test]
    fn table_cells_are_trimmed_and_an_empty_one_is_one_space() {
        assert_eq!(
            table_row(&["V-1", "high", "", " Ensure x  "]),
            "| V-1 | high | | Ensure x |\n"
        );
    }
}
