//! The self-contained HTML report: one file with inline CSS and JS, nothing fetched.
//!
//! The page is rendered with handlebars from templates embedded in the binary, in pieces so
//! that memory stays flat however many controls there are: the page head, then per input a
//! small frame (summary, severity × status matrix, verdict) and one `control` template
//! rendering per [`ControlView`], streamed straight to the writer, then the page foot. No
//! piece ever sees more than one control.
//!
//! Everything shown comes from the scanned system and may be hostile. It is only ever
//! written as HTML text or as a double-quoted attribute value, through [`escape`] (the
//! helpers, which write element text only, through its quote-keeping twin), which besides
//! the HTML metacharacters replaces control characters, noncharacters and bidi
//! embedding/override/isolate characters with U+FFFD; untrusted text sits in elements with
//! `dir="auto"` or in `<bdi>` so right-to-left text cannot reorder the page around it.
//! Nothing untrusted goes into `<script>` or `<style>`, whose contents are constants pinned
//! by hash in a Content-Security-Policy that forbids every fetch. Reference URLs become
//! links only when they are plain `http(s)` URLs. Long texts are cut at [`TEXT_LIMIT`] bytes
//! with a visible note, so a megabyte message cannot become a megabyte table cell.
//!
//! The output depends on nothing but the report: no timestamps, no random ids (anchors are
//! `i<input>-c<control index>`), so it can be golden-tested.

use std::io::{BufWriter, Write};
use std::sync::OnceLock;

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason,
};
use serde::Serialize;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::context::{
    BucketCounts, ControlView, CountsView, InputContext, OriginView, PlatformView, ProfileView,
};
use crate::{Error, Rendered, Report, ReportInput};

/// The stylesheet, inlined into every report.
pub const CSS: &str = include_str!("../templates/html/report.css");
/// The script (sorting, filtering), inlined into every report; the page works without it.
pub const JS: &str = include_str!("../templates/html/report.js");

const HEAD: &str = include_str!("../templates/html/head.hbs");
const INPUT: &str = include_str!("../templates/html/input.hbs");
const CONTROL: &str = include_str!("../templates/html/control.hbs");
const INPUT_END: &str = include_str!("../templates/html/input_end.hbs");
const FOOT: &str = include_str!("../templates/html/foot.hbs");

/// Longest text shown in full, in bytes; longer ones are cut with a note saying how much.
pub const TEXT_LIMIT: usize = 16 * 1024;
/// Length of the one-line message preview in a control's table row, in bytes.
const PREVIEW_LIMIT: usize = 240;
/// Results shown per control; the rest are counted, so one control cannot blow up the page.
pub const MAX_RESULTS: usize = 1000;
/// Control links shown per threshold rule.
const MAX_RULE_LINKS: usize = 200;
/// Buffer between handlebars' many small writes and the caller's writer.
const BUFFER: usize = 64 * 1024;

/// Writes the HTML report.
pub fn write(report: &Report<'_>, w: &mut dyn Write) -> Result<Rendered, Error> {
    let hb = registry()?;
    let mut out = BufWriter::with_capacity(BUFFER, w);

    let head = Head::new(report);
    render(hb, "head", &head, &mut out)?;
    for (n, input) in report.inputs.iter().enumerate() {
        let context = InputContext::new(input);
        let controls = context.controls;
        let frame = InputFrame::new(n, input, context, report.inputs.len() > 1);
        render(hb, "input", &frame, &mut out)?;
        // Templates are the costly part of this report: controls render on every core, in
        // batches, and are written in order.
        let (frame_anchor, multi_profile) = (frame.anchor.as_str(), frame.profiles.len() > 1);
        controls.render_batched(
            |mut control, buf| -> Result<(), Error> {
                let anchor = format!("{frame_anchor}-c{}", control.index);
                let hidden_results = control.results.len().saturating_sub(MAX_RESULTS);
                control.results.truncate(MAX_RESULTS);
                let show_waiver = control.waiver.as_ref().is_some_and(|w| {
                    w.skipped
                        || [w.justification, w.message, w.expiration_date]
                            .iter()
                            .any(|t| t.is_some_and(|t| !t.is_empty()))
                });
                let row = ControlRow {
                    anchor: &anchor,
                    multi_profile,
                    show_waiver,
                    hidden_results,
                    c: &control,
                };
                render(hb, "control", &row, buf)
            },
            |bytes| out.write_all(bytes).map_err(Error::Io),
        )?;
        render(hb, "input_end", &frame, &mut out)?;
    }
    render(
        hb,
        "foot",
        &Foot {
            js: JS,
            version: env!("CARGO_PKG_VERSION"),
        },
        &mut out,
    )?;
    out.flush()?;
    Ok(Rendered::default())
}

fn render<T: Serialize>(
    hb: &Handlebars<'static>,
    name: &str,
    data: &T,
    out: &mut dyn Write,
) -> Result<(), Error> {
    hb.render_to_write(name, data, out)
        .map_err(|e| match e.reason() {
            // The kind survives (a closed pipe stays BrokenPipe for the caller).
            RenderErrorReason::IOError(io) => {
                Error::Io(std::io::Error::new(io.kind(), e.to_string()))
            }
            _ => Error::Template {
                name: format!("html/{name}"),
                message: e.to_string(),
            },
        })
}

/// The templates, compiled once per process.
fn registry() -> Result<&'static Handlebars<'static>, Error> {
    static REGISTRY: OnceLock<Result<Handlebars<'static>, String>> = OnceLock::new();
    REGISTRY
        .get_or_init(build_registry)
        .as_ref()
        .map_err(|message| Error::Template {
            name: "html".into(),
            message: message.clone(),
        })
}

fn build_registry() -> Result<Handlebars<'static>, String> {
    let mut hb = Handlebars::new();
    // A typo in a template is an error in the tests, not a silently empty field.
    hb.set_strict_mode(true);
    hb.register_escape_fn(escape);
    for (name, source) in [
        ("head", HEAD),
        ("input", INPUT),
        ("control", CONTROL),
        ("input_end", INPUT_END),
        ("foot", FOOT),
    ] {
        hb.register_template_string(name, compact(source))
            .map_err(|e| format!("{name}: {e}"))?;
    }
    hb.register_helper("clip", Box::new(clip_helper));
    hb.register_helper("preview", Box::new(preview_helper));
    hb.register_helper("tagval", Box::new(tag_value_helper));
    hb.register_helper("lines", Box::new(lines_helper));
    hb.register_helper("seconds", Box::new(seconds_helper));
    hb.register_helper("web_url", Box::new(helpers::web_url));
    hb.register_helper("present", Box::new(helpers::present));
    Ok(hb)
}

/// Drops the templates' indentation and blank lines, which would be repeated for every
/// control. A line that starts with a handlebars tag is joined to the previous one, so a
/// condition that renders nothing leaves no empty line. The templates hold no literal
/// preformatted text, and where whitespace between elements matters they keep it on one
/// line, so this changes no rendering.
fn compact(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() && !line.starts_with("{{") {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Escaping

pub use crate::untrusted::html::escape;
use crate::untrusted::html::escape_text;
use crate::untrusted::prefix;

/// `n` with thousands separators: `1,048,576`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// `text` escaped as element text, cut at `limit` bytes with a visible note saying how many
/// bytes are not shown (counted in the original text, so the note does not depend on the
/// escaping).
pub fn clip(text: &str, limit: usize) -> String {
    clip_of(text, limit, text.len())
}

/// [`clip`] of a text of which `text` is the beginning and `total` the full length in bytes.
fn clip_of(text: &str, limit: usize, total: usize) -> String {
    let shown = prefix(text, limit);
    let mut out = escape_text(shown);
    if shown.len() < total {
        out.push_str("<span class=\"trunc\">… truncated: ");
        out.push_str(&grouped(total - shown.len()));
        out.push_str(" more bytes not shown</span>");
    }
    out
}

/// A one-line preview: whitespace runs (newlines included) collapsed, cut with an ellipsis.
fn preview(text: &str, limit: usize) -> String {
    let shown = prefix(text, limit);
    let mut flat = String::with_capacity(shown.len());
    for word in shown.split_whitespace() {
        if !flat.is_empty() {
            flat.push(' ');
        }
        flat.push_str(word);
    }
    let mut out = escape_text(&flat);
    if shown.len() < text.len() {
        out.push('…');
    }
    out
}

/// An `http` or `https` URL made only of characters that need no encoding: anything else
/// (`javascript:`, `data:`, spaces, quotes) is shown as text, never as a link.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    !rest.is_empty()
        && url.len() <= 2048
        && rest
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"\"'<>\\^`{|}".contains(&b))
}

// ---------------------------------------------------------------------------------------
// Helpers. Each writes escaped text itself: handlebars does not escape a helper's output.

fn param_str<'a>(h: &'a Helper<'_>, index: usize) -> Option<&'a str> {
    h.param(index).and_then(|p| p.value().as_str())
}

fn param_limit(h: &Helper<'_>, index: usize, default: usize) -> usize {
    h.param(index)
        .and_then(|p| p.value().as_u64())
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(default)
}

fn write_out(out: &mut dyn Output, text: &str) -> HelperResult {
    out.write(text)
        .map_err(|e| RenderError::from(RenderErrorReason::IOError(e)))
}

/// `{{clip text [limit]}}`: escaped, cut at `limit` (default [`TEXT_LIMIT`]) with a note.
fn clip_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    match param_str(h, 0) {
        Some(text) => write_out(out, &clip(text, param_limit(h, 1, TEXT_LIMIT))),
        None => Ok(()),
    }
}

/// `{{preview text}}`: one line for the controls table.
fn preview_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    match param_str(h, 0) {
        Some(text) => write_out(out, &preview(text, PREVIEW_LIMIT)),
        None => Ok(()),
    }
}

/// `{{tagval value}}`: a tag's JSON value for people: strings as they are, lists of plain
/// values joined by commas, anything else as compact JSON.
fn tag_value_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let Some(value) = h.param(0).map(|p| p.value()) else {
        return Ok(());
    };
    let scalar = |v: &Json| match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(_) | Json::Bool(_) => Some(v.to_string()),
        _ => None,
    };
    let text = match value {
        Json::Array(items) => items
            .iter()
            .map(scalar)
            .collect::<Option<Vec<String>>>()
            .map(|items| items.join(", ")),
        other => scalar(other),
    }
    .unwrap_or_else(|| value.to_string());
    write_out(out, &clip(&text, TEXT_LIMIT))
}

/// `{{lines list}}`: a backtrace, one frame per line, cut like any long text.
fn lines_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let Some(Json::Array(items)) = h.param(0).map(|p| p.value()) else {
        return Ok(());
    };
    let frames = items.iter().filter_map(Json::as_str);
    // Joined only as far as is shown; the note counts the whole backtrace.
    let total = frames
        .clone()
        .map(|f| f.len() + 1)
        .sum::<usize>()
        .saturating_sub(1);
    let mut text = String::new();
    for frame in frames {
        if text.len() > TEXT_LIMIT {
            break;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(frame);
    }
    write_out(out, &clip_of(&text, TEXT_LIMIT, total))
}

/// `{{seconds run_time}}`: `0.05 ms`, `1.20 s`.
fn seconds_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    match h.param(0).and_then(|p| p.value().as_f64()) {
        Some(t) if t.is_finite() && t < 1.0 => write_out(out, &format!("{:.2} ms", t * 1000.0)),
        Some(t) if t.is_finite() => write_out(out, &format!("{t:.2} s")),
        _ => Ok(()),
    }
}

/// Helpers that return values, for `{{#if (…)}}`.
mod helpers {
    use handlebars::handlebars_helper;

    handlebars_helper!(web_url: |v: Json| v.as_str().is_some_and(super::is_web_url));
    handlebars_helper!(present: |v: Json| !v.is_null());
}

// ---------------------------------------------------------------------------------------
// The small contexts of the page frame.

#[derive(Debug, Serialize)]
struct Head<'a> {
    csp: &'static str,
    css: &'static str,
    title: String,
    version: &'static str,
    threshold: Option<&'a str>,
    /// `pass`, `fail`, `none` (not gated) or `error` (an input could not be read).
    verdict: &'static str,
    /// Inputs that were read.
    inputs: usize,
    failed_inputs: usize,
    /// Inputs that could not be read, and all inputs.
    unreadable: usize,
    total_inputs: usize,
    errors: Vec<ErrorRow<'a>>,
    /// The overview of every input, shown when there are several.
    overview: Vec<OverviewRow<'a>>,
}

/// An input that could not be read.
#[derive(Debug, Serialize)]
struct ErrorRow<'a> {
    name: &'a str,
    message: &'a str,
}

#[derive(Debug, Serialize)]
struct OverviewRow<'a> {
    anchor: String,
    name: &'a str,
    platform: Option<String>,
    compliance: u32,
    controls: usize,
    failed: u64,
    error: u64,
    /// `pass`, `fail` or `none`.
    verdict: &'static str,
    rules_failed: usize,
    rules: usize,
}

fn verdict_key(passed: Option<bool>) -> &'static str {
    match passed {
        Some(true) => "pass",
        Some(false) => "fail",
        None => "none",
    }
}

fn platform_text(p: &PlatformView<'_>) -> String {
    if p.release.is_empty() {
        p.name.to_owned()
    } else {
        format!("{} {}", p.name, p.release)
    }
}

impl<'a> Head<'a> {
    fn new(report: &Report<'a>) -> Self {
        let verdict = if report.errors.is_empty() {
            verdict_key(report.passed())
        } else {
            "error"
        };
        let failed_inputs = report
            .inputs
            .iter()
            .filter(|i| i.verdict.is_some_and(|v| !v.passed()))
            .count();
        let subject = match (report.inputs, report.errors) {
            ([one], []) => prefix(one.name, 200).to_owned(),
            ([], [one]) => prefix(one.name, 200).to_owned(),
            _ => format!("{} inputs", report.input_count()),
        };
        let title = match verdict {
            "pass" => format!("PASS · {subject} · scangate report"),
            "fail" => format!("FAIL · {subject} · scangate report"),
            "error" => format!("ERROR · {subject} · scangate report"),
            _ => format!("{subject} · scangate report"),
        };
        let overview = if report.inputs.len() > 1 {
            report
                .inputs
                .iter()
                .enumerate()
                .map(|(n, input)| OverviewRow {
                    anchor: format!("i{n}"),
                    name: input.name,
                    platform: input.results.platform.as_ref().map(|p| {
                        platform_text(&PlatformView {
                            name: &p.name,
                            release: &p.release,
                            target_id: None,
                        })
                    }),
                    compliance: input.summary.compliance(),
                    controls: input.summary.controls.len(),
                    failed: input.summary.counts.total(scangate_results::Status::Failed),
                    error: input
                        .summary
                        .counts
                        .total(scangate_results::Status::ProfileError),
                    verdict: verdict_key(input.verdict.map(|v| v.passed())),
                    rules_failed: input.verdict.map_or(0, |v| v.failures().count()),
                    rules: input.verdict.map_or(0, |v| v.outcomes.len()),
                })
                .collect()
        } else {
            Vec::new()
        };
        Head {
            csp: csp(),
            css: CSS,
            title,
            version: env!("CARGO_PKG_VERSION"),
            threshold: report.threshold,
            verdict,
            inputs: report.inputs.len(),
            failed_inputs,
            unreadable: report.errors.len(),
            total_inputs: report.input_count(),
            errors: report
                .errors
                .iter()
                .map(|e| ErrorRow {
                    name: e.name,
                    message: e.message,
                })
                .collect(),
            overview,
        }
    }
}

#[derive(Debug, Serialize)]
struct Foot {
    js: &'static str,
    version: &'static str,
}

/// One input's summary: everything above its controls table.
#[derive(Debug, Serialize)]
struct InputFrame<'a> {
    anchor: String,
    /// Several inputs: headings say which one.
    multi: bool,
    name: &'a str,
    file_name: &'a str,
    origin: OriginView<'a>,
    format: &'static str,
    platform: Option<PlatformView<'a>>,
    platform_text: Option<String>,
    compliance: u32,
    /// `stroke-dasharray` of the compliance ring (path length 100).
    ring: String,
    /// `pass`, `fail` or `none`: the compliance rule's outcome, when the gate has one.
    ring_state: &'static str,
    statuses: Vec<StatusCount>,
    severities: Vec<SeverityCount>,
    matrix: Vec<MatrixRow>,
    total: u64,
    controls: usize,
    profiles: Vec<ProfileView<'a>>,
    verdict: Option<VerdictFrame<'a>>,
}

#[derive(Debug, Serialize)]
struct StatusCount {
    key: &'static str,
    label: &'static str,
    count: u64,
}

#[derive(Debug, Serialize)]
struct SeverityCount {
    key: &'static str,
    label: &'static str,
    count: u64,
}

#[derive(Debug, Serialize)]
struct MatrixRow {
    /// A severity key, or empty for the totals row.
    key: &'static str,
    label: &'static str,
    cells: Vec<MatrixCell>,
    total: u64,
}

#[derive(Debug, Serialize)]
struct MatrixCell {
    status: &'static str,
    count: u64,
}

#[derive(Debug, Serialize)]
struct VerdictFrame<'a> {
    passed: bool,
    failed: usize,
    rules: Vec<RuleFrame<'a>>,
}

#[derive(Debug, Serialize)]
struct RuleFrame<'a> {
    code: &'a str,
    key: &'a str,
    limit: String,
    actual: String,
    passed: bool,
    message: &'a str,
    controls: Vec<ControlLink<'a>>,
    /// Controls behind the rule that are not linked (beyond [`MAX_RULE_LINKS`]).
    more: usize,
    count: usize,
    missing: &'a [String],
}

#[derive(Debug, Serialize)]
struct ControlLink<'a> {
    anchor: String,
    id: &'a str,
}

/// Statuses in saf's column order.
const STATUSES: [scangate_results::Status; 5] = [
    scangate_results::Status::Passed,
    scangate_results::Status::Failed,
    scangate_results::Status::NotReviewed,
    scangate_results::Status::NotApplicable,
    scangate_results::Status::ProfileError,
];

fn bucket(counts: &CountsView, status: scangate_results::Status) -> &BucketCounts {
    use scangate_results::Status;
    match status {
        Status::Passed => &counts.passed,
        Status::Failed => &counts.failed,
        Status::NotReviewed => &counts.skipped,
        Status::ProfileError => &counts.error,
        Status::NotApplicable => &counts.no_impact,
    }
}

fn severity_count(b: &BucketCounts, severity: scangate_results::Severity) -> u64 {
    use scangate_results::Severity;
    match severity {
        Severity::Critical => b.critical,
        Severity::High => b.high,
        Severity::Medium => b.medium,
        Severity::Low => b.low,
        Severity::None => b.none,
    }
}

impl<'a> InputFrame<'a> {
    fn new(n: usize, input: &ReportInput<'a>, context: InputContext<'a>, multi: bool) -> Self {
        let anchor = format!("i{n}");
        let counts = &context.counts;
        let statuses = STATUSES
            .iter()
            .map(|&s| StatusCount {
                key: s.key(),
                label: s.label(),
                count: bucket(counts, s).total,
            })
            .collect();
        let severities = scangate_results::Severity::ALL
            .iter()
            .map(|&sev| SeverityCount {
                key: sev.key(),
                label: sev.label(),
                count: STATUSES
                    .iter()
                    .map(|&s| severity_count(bucket(counts, s), sev))
                    .sum(),
            })
            .collect();
        let mut matrix: Vec<MatrixRow> = scangate_results::Severity::ALL
            .iter()
            .map(|&sev| {
                let cells: Vec<MatrixCell> = STATUSES
                    .iter()
                    .map(|&s| MatrixCell {
                        status: s.key(),
                        count: severity_count(bucket(counts, s), sev),
                    })
                    .collect();
                MatrixRow {
                    key: sev.key(),
                    label: sev.label(),
                    total: cells.iter().map(|c| c.count).sum(),
                    cells,
                }
            })
            .collect();
        let totals: Vec<MatrixCell> = STATUSES
            .iter()
            .map(|&s| MatrixCell {
                status: s.key(),
                count: bucket(counts, s).total,
            })
            .collect();
        let total = totals.iter().map(|c| c.count).sum();
        matrix.push(MatrixRow {
            key: "",
            label: "Total",
            cells: totals,
            total,
        });

        let verdict = context.verdict.map(|v| {
            let outcomes = input.verdict.map_or(&[][..], |v| &v.outcomes[..]);
            VerdictFrame {
                passed: v.passed,
                failed: v.failed,
                rules: v
                    .rules
                    .into_iter()
                    .zip(outcomes)
                    .map(|(rule, outcome)| RuleFrame {
                        count: rule.controls.len(),
                        more: rule.controls.len().saturating_sub(MAX_RULE_LINKS),
                        controls: rule
                            .controls
                            .iter()
                            .zip(&outcome.controls)
                            .take(MAX_RULE_LINKS)
                            .map(|(&id, index)| ControlLink {
                                anchor: format!("{anchor}-c{index}"),
                                id,
                            })
                            .collect(),
                        code: rule.code,
                        key: rule.key,
                        limit: rule.limit,
                        actual: rule.actual,
                        passed: rule.passed,
                        message: rule.message,
                        missing: rule.missing,
                    })
                    .collect(),
            }
        });
        let ring_state = verdict
            .as_ref()
            .and_then(|v| v.rules.iter().find(|r| r.code.starts_with("compliance-")))
            .map_or("none", |r| if r.passed { "pass" } else { "fail" });
        let compliance = context.compliance.min(100);
        InputFrame {
            multi,
            name: context.name,
            file_name: context.file_name,
            origin: context.origin,
            format: context.format,
            platform_text: context.platform.as_ref().map(platform_text),
            platform: context.platform,
            compliance,
            ring: format!("{compliance} 100"),
            ring_state,
            statuses,
            severities,
            matrix,
            total,
            controls: input.summary.controls.len(),
            profiles: context.profiles,
            verdict,
            anchor,
        }
    }
}

/// One control row's context.
#[derive(Debug, Serialize)]
struct ControlRow<'a, 'c> {
    anchor: &'c str,
    /// The input counts several profiles: each control says which it belongs to.
    multi_profile: bool,
    /// The waiver has something to say (InSpec writes empty ones).
    show_waiver: bool,
    /// Results beyond [`MAX_RESULTS`], not shown.
    hidden_results: usize,
    c: &'c ControlView<'a>,
}

// ---------------------------------------------------------------------------------------
// Content-Security-Policy

/// The page's policy: no fetch of any kind; only scangate's own style and script run,
/// pinned by their SHA-256, so injected markup could not run or load anything either.
pub fn csp() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        format!(
            "default-src 'none'; style-src '{}'; script-src '{}'; \
             base-uri 'none'; form-action 'none'",
            csp_hash(CSS),
            csp_hash(JS)
        )
    })
}

/// `sha256-<base64>` of an inline element's exact text, as CSP hash sources are written.
pub fn csp_hash(text: &str) -> String {
    format!("sha256-{}", base64(&Sha256::digest(text.as_bytes())))
}

/// Standard base64 with padding (a 32-byte digest needs no crate for it).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_on_a_character_boundary_with_a_note() {
        assert_eq!(clip("short", 10), "short");
        let text = "é".repeat(10); // 20 bytes
        let out = clip(&text, 5);
        assert!(out.starts_with("éé<span class=\"trunc\">"), "{out}");
        assert!(out.contains("16 more bytes"), "{out}");
        assert_eq!(grouped(1_048_576), "1,048,576");
        assert_eq!(grouped(999), "999");
        assert_eq!(preview("a\n  b <c>", 100), "a b &lt;c&gt;");
        assert_eq!(preview("abcdef", 3), "abc…");
    }

    #[test]
    fn only_plain_web_urls_are_links() {
        assert!(is_web_url("https://example.com/a?b=c&d#e"));
        assert!(is_web_url("HTTP://example.com"));
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,x",
            "https://",
            "https://a b",
            "https://a\"onmouseover=x",
            "//example.com",
            "https://ex\u{202E}ample.com",
            "",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }

    #[test]
    fn csp_hashes_are_standard_base64_sha256() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        // printf 'abc' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            csp_hash("abc"),
            "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
        assert_eq!(
            csp_hash(""),
            "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn templates_compile_and_quote_every_attribute() {
        registry().expect("templates compile");
        for source in [HEAD, INPUT, CONTROL, INPUT_END, FOOT] {
            // handlebars ends a comment at the first closing mustache inside it.
            for comment in source.split("{{!--").skip(1) {
                let body = &comment[..comment.find("--").unwrap_or(comment.len())];
                assert!(!body.contains("}}"), "mustache in a template comment");
            }
            // An unquoted attribute would let a space in a value start a new attribute.
            assert!(
                !source.contains("={{"),
                "unquoted attribute value in a template"
            );
            // The helpers leave quotes unescaped: they must never write inside a tag.
            for helper in ["{{clip", "{{preview", "{{tagval", "{{lines", "{{seconds"] {
                for (at, _) in source.match_indices(helper) {
                    let before = &source[..at];
                    let open = before.rfind('<');
                    let close = before.rfind('>');
                    assert!(open <= close, "{helper} inside a tag: {}", &source[at..]);
                }
            }
        }
    }
}
