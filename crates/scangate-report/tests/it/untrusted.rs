//! The untrusted-text policy, checked in every output: the hostile fixture, with every
//! character class the policy names added to each of its strings, runs through the Markdown,
//! JUnit, SARIF, HTML, JSON and Code Quality reports, the terminal summary table, `check`'s output, saf's
//! Markdown summary and a user template of each kind. In each output this test looks for the
//! characters the policy removes, for the note of every cut it promises, and for the format's
//! own escaping, read back with a real parser (pulldown-cmark, quick-junit, serde_json,
//! html5gum). Waiver and attestation files are as hostile as scans: their text is checked in
//! every format too. The reports are also saved beside the golden ones, where `.ci/check-reports.sh`,
//! `.ci/check-sarif.sh` and `.ci/check-html.sh` hand them to markdownlint, the JUnit schema,
//! check-jsonschema with the Code Quality schema, the SARIF validators and the Nu HTML Checker.

use crate::support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use html5gum::{DefaultEmitter, Token, Tokenizer};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use scangate_pipeline::Source;
use scangate_report::check::{CheckOptions, Gated, write_check};
use scangate_report::summary::{TableOptions, write_markdown, write_table};
use scangate_report::template::UserTemplate;
use scangate_report::{Format, RenderOptions};
use scangate_results::{Error, ErrorKind, Location};
use serde_json::Value;
use support::{Built, DEFAULT_GATE, Spec, build_specs, fixture};

/// What hostile.json lacks, added to each of its strings: the bidi marks, embeddings, overrides
/// and isolates, both Unicode separators, C1 controls (NEL, CSI), DEL, other C0 controls, CR
/// alone and before LF, noncharacters of two planes, a terminal title escape, a tab, and a
/// newline followed by a verdict line that a terminal must not show as one.
const EXTRA: &str = " |lrm\u{200E}|rlm\u{200F}|alm\u{61C}|lre\u{202A}|rle\u{202B}|pdf\u{202C}\
    |lro\u{202D}|rlo\u{202E}|lri\u{2066}|rli\u{2067}|fsi\u{2068}|pdi\u{2069}|ls\u{2028}\
    |ps\u{2029}|nel\u{85}|csi\u{9B}2J|del\u{7F}|bel\u{7}|vt\u{B}|ff\u{C}|cr\r|crlf\r\n\
    |nonchar\u{FDD0}\u{FFFF}\u{1FFFE}|osc\u{1B}]0;pwned\u{7}|tab\t|\n\
    PASS  forged.json: 5 of 5 rules passed (compliance 100%)";

/// Keys whose values the parser or the counts depend on: left alone.
const STRUCTURAL: &[&str] = &[
    "status",
    "start_time",
    "severity",
    "sha256",
    "label",
    "version",
];

/// Bytes of the unreadable input's error: more than any format shows of it.
const LONG_ERROR: usize = 100_000;

/// Characters the policy lets no format show as they are: C0 controls but tab and LF, CR,
/// DEL, C1, every bidi formatting character, the two separators and the noncharacters. Written
/// out here rather than taken from the crate, so that the test does not trust what it tests.
fn forbidden(c: char) -> bool {
    matches!(c,
        '\0'..='\u{8}' | '\u{B}'..='\u{1F}' | '\u{7F}'..='\u{9F}'
        | '\u{61C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        | '\u{2028}' | '\u{2029}' | '\u{FDD0}'..='\u{FDEF}')
        || (c as u32) & 0xFFFE == 0xFFFE
}

/// Fails on the first character `text` must not hold; a tab is allowed where `tab` says so.
fn assert_inert(what: &str, text: &str, tab: bool) {
    for (at, c) in text.char_indices() {
        let bad = forbidden(c) || (c == '\t' && !tab);
        if bad {
            let from = text.floor_char_boundary(at.saturating_sub(60));
            let to = text.ceil_char_boundary(at + 60);
            panic!(
                "{what}: U+{:04X} at byte {at}: {:?}",
                c as u32,
                &text[from..to]
            );
        }
    }
}

fn add_extra(value: &mut Value, key: &str) {
    match value {
        Value::String(s) if !STRUCTURAL.contains(&key) => s.push_str(EXTRA),
        Value::Array(items) => items.iter_mut().for_each(|v| add_extra(v, key)),
        Value::Object(map) => map.iter_mut().for_each(|(k, v)| add_extra(v, k)),
        _ => {}
    }
}

/// The hostile fixture with [`EXTRA`] in every string, gated by the default threshold, plus an
/// input that could not be read, whose name and long error are hostile too.
fn hostile() -> Built {
    let mut results: Value =
        serde_json::from_slice(&std::fs::read(fixture("synthetic/hostile.json")).unwrap()).unwrap();
    add_extra(&mut results, "");
    let name = format!("scans/hostile{EXTRA}.json");
    let mut built = build_specs(
        vec![Spec::file(&name, serde_json::to_vec(&results).unwrap())],
        Some(DEFAULT_GATE),
    );
    let broken = format!("scans/broken <b>{EXTRA}.json");
    let error = Error {
        path: broken.clone().into(),
        kind: ErrorKind::Invalid {
            location: Location {
                line_column: Some((1, 2)),
                json_path: "$".to_owned(),
            },
            message: format!(
                "expected a string, found \"<script>alert(1)</script>{EXTRA}\" {}",
                "x".repeat(LONG_ERROR)
            ),
        },
    };
    built.push_error(Source::file(broken), error);
    built
}

fn render(format: Format, built: &Built, options: &RenderOptions) -> String {
    let mut out = Vec::new();
    built
        .with(|report| scangate_report::render(format, report, &mut out, options))
        .expect("renders");
    String::from_utf8(out).expect("UTF-8")
}

/// Writes `text` where the CI check of `format` reads the golden reports, as the golden tests
/// of that format do (tests/it/golden.rs, sarif.rs, html.rs).
fn save(format: &str, name: &str, text: &str) {
    let target = match format {
        "html" => PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .expect("the target directory")
            .to_owned(),
        "sarif" => std::env::var_os("CARGO_TARGET_DIR").map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
            PathBuf::from,
        ),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
    };
    let dir = target.join("golden").join(format);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn markdown_report() {
    let text = render(Format::Markdown, &hostile(), &RenderOptions::default());
    save("markdown", "untrusted.md", &text);
    assert_inert("markdown", &text, false);
    // Cuts: the megabyte message in its details, a table cell, the unreadable input's error.
    assert!(
        text.contains("\n… truncated ("),
        "no note after the cut message"
    );
    assert!(text.contains(" … |"), "no note after a cut table cell");
    assert!(text.len() < 200_000, "{} bytes", text.len());

    let columns = assert_markdown_shape(&text, |_| {});
    assert!(columns.len() >= 3, "{columns:?}");
}

/// Reads `md` as a Markdown renderer does and checks what hostile text must not have made:
/// a table row with a cell more or less, a link, an image, or HTML beyond the report's own
/// tags. `more` sees every event for checks of its own. Returns each table's column count.
fn assert_markdown_shape(md: &str, mut more: impl FnMut(&Event<'_>)) -> Vec<usize> {
    let mut columns = Vec::new();
    let mut cells = 0;
    let mut html = String::new();
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        more(&event);
        match event {
            Event::Start(Tag::Table(align)) => columns.push(align.len()),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                assert_eq!(Some(&cells), columns.last(), "a row lost or gained cells");
                cells = 0;
            }
            Event::Start(Tag::TableCell) => cells += 1,
            Event::Start(Tag::Link { dest_url, .. }) => panic!("a link to {dest_url}"),
            Event::Start(Tag::Image { dest_url, .. }) => panic!("an image of {dest_url}"),
            Event::Html(h) | Event::InlineHtml(h) => html.push_str(&h),
            _ => {}
        }
    }
    // The report's own tags are the only markup.
    let rest = support::without_markdown_tags(&html);
    assert!(!rest.contains('<'), "raw HTML: {rest:?}");
    columns
}

#[test]
fn junit_report() {
    let xml = render(Format::Junit, &hostile(), &RenderOptions::default());
    save("junit", "untrusted.xml", &xml);
    assert_inert("junit", &xml, true);
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("JUnit XML parses");
    let cases: Vec<&quick_junit::TestCase> = report
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .collect();
    // A testcase name is the first line of id, severity and title: the ids' U+2028 ends it.
    assert!(
        cases.iter().any(|c| c
            .name
            .as_str()
            .starts_with("H-3 🔥 |lrm\u{FFFD}|rlm\u{FFFD}|alm\u{FFFD}|lre\u{FFFD}")),
        "the bidi controls arrive replaced"
    );
    let mut cut_message = false;
    let mut cut_description = false;
    for case in &cases {
        assert_inert("junit testcase name", case.name.as_str(), true);
        if let quick_junit::TestCaseStatus::NonSuccess {
            message,
            description,
            ..
        } = &case.status
        {
            let message = message.as_ref().map_or("", |m| m.as_str());
            // 500 bytes of the scan's text, each character shown as one, and the ellipsis.
            assert!(message.chars().count() <= 501, "{}", message.len());
            assert!(!message.contains('\n'), "a message attribute is one line");
            cut_message |= message.ends_with('…');
            let description = description.as_ref().map_or("", |d| d.as_str());
            assert!(description.len() <= 70_000, "{}", description.len());
            cut_description |= description.contains("… (truncated)");
        }
    }
    assert!(cut_message && cut_description);
}

/// Every string of a JSON value.
fn strings<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k);
            strings(v, out)
        }),
        _ => {}
    }
}

/// Strictly parsed JSON, written on one line with nothing but plain characters in it.
fn json_of(what: &str, text: &str) -> Value {
    let line = text.strip_suffix('\n').expect("ends with a newline");
    assert_inert(what, line, false);
    assert!(!line.contains('\n'), "{what}: compact JSON is one line");
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{what}: {e}"))
}

#[test]
fn sarif_log() {
    let text = render(Format::Sarif, &hostile(), &RenderOptions::default());
    save("sarif", "untrusted.sarif", &text);
    let log = json_of("sarif", &text);
    let mut all = Vec::new();
    strings(&log, &mut all);
    for s in &all {
        assert_inert("sarif string", s, true);
        assert!(!s.contains("]("), "a link in {s:?}");
        assert!(!s.contains('\r'));
    }
    let run = &log["runs"][0];
    let messages: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"]["text"].as_str().unwrap())
        .collect();
    // A message's text has 4 KiB; the control's id (at most 255 bytes) and verb come first.
    assert!(messages.iter().all(|m| m.len() <= 4096 + 255 + 64));
    assert!(
        messages
            .iter()
            .any(|m| m.ends_with(" characters in all]") && m.contains("[truncated by scangate: "))
    );
    let notification = &run["invocations"][0]["toolExecutionNotifications"][0];
    let error = notification["message"]["text"].as_str().unwrap();
    assert!(error.starts_with("Input 'scans/broken <b>"), "{error}");
    assert!(error.ends_with(" characters in all]"), "{error}");
}

#[test]
fn codequality_report() {
    let text = render(Format::CodeQuality, &hostile(), &RenderOptions::default());
    save("codequality", "untrusted.json", &text);
    // One finding per line, and nothing on any line that the policy flags.
    assert_inert("codequality", &text, false);
    let report: Value = serde_json::from_str(&text).expect("strict JSON");
    let findings = report.as_array().unwrap();
    assert_eq!(text.lines().count(), findings.len() + 2);
    let mut all = Vec::new();
    strings(&report, &mut all);
    for s in &all {
        // GitLab shows a description as one line: no break of any kind survives.
        assert_inert("codequality string", s, false);
        assert!(!s.contains(['\n', '\r']), "a line break in {s:?}");
        assert!(!s.contains("]("), "a link in {s:?}");
    }
    for finding in findings {
        let description = finding["description"].as_str().unwrap();
        assert!(description.len() <= 1024, "{}", description.len());
        assert!(finding["check_name"].as_str().unwrap().len() <= 255);
    }
    // The megabyte message is not part of any description; the long error and the titles
    // with EXTRA are cut, and say so.
    assert!(text.len() < 20_000, "{} bytes", text.len());
    let cut = findings
        .iter()
        .filter(|f| {
            f["description"]
                .as_str()
                .unwrap()
                .ends_with(" characters in all]")
        })
        .count();
    assert!(cut >= 1, "no visible cut");
    let first = findings[0]["description"].as_str().unwrap();
    assert!(first.starts_with("Input 'scans/broken <b>"), "{first}");
    assert_eq!(findings[0]["severity"], "blocker");
}

#[test]
fn json_report_keeps_the_data_and_escapes_what_the_policy_flags() {
    let report = hostile();
    let text = render(Format::Json, &report, &RenderOptions::default());
    let value = json_of("json", &text);
    // Nothing is lost: the data parses back to what the scan said.
    let title = value["inputs"][0]["controls"][2]["title"].as_str().unwrap();
    assert_eq!(
        title,
        format!("\u{202E}evil.exe\u{202C} right-to-left{EXTRA}")
    );
    report.with(|report| assert_eq!(value["errors"][0]["message"], report.errors[0].message));
    assert!(text.contains("\\u202e") && text.contains("\\u2028") && text.contains("\\u0085"));
}

/// Start tags of `html` (name and attributes), its text, and the tokenizer's parse errors.
#[derive(Default)]
struct Tokens {
    tags: Vec<(String, Vec<(String, String)>)>,
    text: String,
    errors: Vec<String>,
}

fn tokenize(html: &str) -> Tokens {
    let string = |b: &[u8]| String::from_utf8(b.to_vec()).expect("UTF-8");
    let mut emitter = DefaultEmitter::default();
    // <script> and <style> hold raw text, as in a browser.
    emitter.naively_switch_states(true);
    let mut tokens = Tokens::default();
    for token in Tokenizer::new_with_emitter(html, emitter) {
        match token.expect("reading a string cannot fail") {
            Token::StartTag(tag) => tokens.tags.push((
                string(&tag.name),
                tag.attributes
                    .iter()
                    .map(|(k, v)| (string(k), string(v)))
                    .collect(),
            )),
            Token::String(s) => tokens.text.push_str(&string(&s)),
            Token::Error(e) => tokens.errors.push(format!("{e:?}")),
            _ => {}
        }
    }
    tokens
}

/// The start tags of the built-in templates: the only elements the report may contain.
fn template_tags() -> BTreeSet<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates/html");
    let mut tags = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "hbs") {
            let source = std::fs::read_to_string(&path).unwrap();
            tags.extend(tokenize(&source).tags.into_iter().map(|(name, _)| name));
        }
    }
    assert!(tags.contains("table") && tags.contains("bdi"), "{tags:?}");
    tags
}

/// What every HTML output must be: no character the policy removes, no tokenizer error (the
/// HTML standard's include control characters and noncharacters in the input), only `allowed`
/// elements, no event handler, and only fragment or http(s) links.
fn assert_html(what: &str, page: &str, allowed: &BTreeSet<String>) -> Tokens {
    assert_inert(what, page, true);
    let tokens = tokenize(page);
    assert!(tokens.errors.is_empty(), "{what}: {:?}", tokens.errors);
    for (name, attributes) in &tokens.tags {
        assert!(allowed.contains(name), "{what}: injected <{name}>");
        for (attribute, value) in attributes {
            assert!(
                !attribute.starts_with("on"),
                "{what}: {attribute}={value:?}"
            );
            if attribute == "href" {
                assert!(
                    value.starts_with('#')
                        || value.starts_with("https://")
                        || value.starts_with("http://"),
                    "{what}: href {value:?}"
                );
            }
        }
    }
    tokens
}

#[test]
fn html_report() {
    let page = render(Format::Html, &hostile(), &RenderOptions::default());
    save("html", "untrusted.html", &page);
    let tokens = assert_html("html", &page, &template_tags());
    let count = |tag: &str| tokens.tags.iter().filter(|(n, _)| n == tag).count();
    assert_eq!((count("script"), count("style")), (1, 1));
    // The hostile markup is there, as text.
    for shown in [
        "<script>alert('x')</script>",
        "<b>bold</b>",
        "scans/broken <b>",
        "\u{FFFD}evil.exe\u{FFFD} right-to-left",
    ] {
        assert!(tokens.text.contains(shown), "{shown:?} is not text");
    }
    // Cuts: the megabyte message, and the unreadable input's error.
    assert!(tokens.text.matches("more bytes not shown").count() >= 2);
    assert!(page.len() < 400_000, "{} bytes", page.len());
}

#[test]
fn terminal_outputs() {
    let built = hostile();
    let text = built.with(|report| {
        let input = &report.inputs[0];
        let gated = [Gated {
            change: None,
            name: input.name,
            summary: input.summary,
            verdict: input.verdict.unwrap(),
        }];
        let mut out = Vec::new();
        write_check(&mut out, &gated, report.errors, CheckOptions::default()).unwrap();
        write_table(&mut out, report.profiles, TableOptions::default()).unwrap();
        String::from_utf8(out).unwrap()
    });
    assert_inert("terminal", &text, false);
    // One verdict line per input and the total: nothing from the scan starts a line of its own.
    let verdicts: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("PASS") || l.starts_with("FAIL") || l.starts_with("ERROR"))
        .map(|l| &l[..5])
        .collect();
    assert_eq!(verdicts, ["FAIL ", "ERROR", "ERROR"], "{text}");
    assert!(!text.contains("\nPASS  forged"));
    // The controls behind a failed rule: every title is longer than its column, and cut.
    let listed: Vec<&str> = text.lines().filter(|l| l.starts_with("  H-")).collect();
    assert!(!listed.is_empty(), "{text}");
    for line in listed {
        assert!(line.ends_with('…'), "{line}");
    }
}

#[test]
fn saf_markdown_summary() {
    let mut out = Vec::new();
    hostile().with(|report| write_markdown(&mut out, report.profiles, true).unwrap());
    let text = String::from_utf8(out).unwrap();
    assert_inert("summary markdown", &text, false);
    assert!(text.starts_with("# hostile \\<profile\\> \\| \\`x\\` \\|lrm\u{FFFD}"));
    assert_eq!(text.lines().filter(|l| l.starts_with('#')).count(), 1);
}

fn template(format: Format, source: &str) -> String {
    let options = RenderOptions {
        template: Some(UserTemplate {
            format,
            name: "user.hbs".into(),
            source: source.into(),
        }),
        ..RenderOptions::default()
    };
    render(format, &hostile(), &options)
}

/// Every kind of text the context offers: names, titles, ids, messages, code, errors.
const FIELDS: &str = "{{#each inputs}}{{name}}|{{platform.name}}|{{#each profiles}}{{name}}|\
    {{title}}|{{/each}}{{#each controls}}{{id}}|{{title}}|{{desc}}|{{message}}|{{fix}}|\
    {{#each nist}}{{this}}|{{/each}}{{#each results}}{{code_desc}}|{{message}}|{{exception}}|\
    {{/each}}{{/each}}{{/each}}{{#each errors}}{{name}}|{{message}}|{{/each}}";

#[test]
fn user_markdown_template() {
    let text = template(Format::Markdown, &format!("# Report\n\n{FIELDS}\n"));
    assert_inert("markdown template", &text, false);
    // One line of fields: no value can start a line, let alone a heading or a table.
    assert_eq!(text.lines().count(), 3, "{}", &text[..text.len().min(2000)]);
    assert!(text.contains("\\<script\\>alert('x')\\</script\\>"));
}

#[test]
fn user_html_template() {
    let source = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>{{{{threshold}}}}</title></head><body>\
         <p title=\"{FIELDS}\">{FIELDS}</p></body></html>"
    );
    let page = template(Format::Html, &source);
    let allowed = ["html", "head", "title", "body", "p"]
        .map(String::from)
        .into();
    let tokens = assert_html("html template", &page, &allowed);
    assert_eq!(tokens.tags.len(), 5, "{:?}", tokens.tags);
    assert!(tokens.text.contains("<script>alert('x')</script>"));
    let (_, attributes) = &tokens.tags[4];
    assert!(attributes[0].1.contains("<b>bold</b>"), "quotes hold");
}

/// Waiver and attestation files are as hostile as scans: markup, Markdown, a table border,
/// `</script>`, control characters and bidi overrides in a justification, an approver, a
/// ticket and a control id, shown in every format as text.
fn hostile_risk() -> Built {
    use crate::support::risk::{accepted, attestation, clock, day, waiver};
    use scangate_risk::AttestedStatus;
    let evil = format!(
        "</script><script>alert(1)</script> <img src=x onerror=alert(2)> | **bold** \
         [link](javascript:alert(3)) `code` # heading ]]> &amp; {{{{x}}}}{EXTRA}"
    );
    let mut waived = waiver("SV-230222", &format!("Accepted: {evil}"));
    waived.approver = Some(format!("approver {evil}"));
    waived.ticket = Some(format!("ticket {evil}"));
    waived.expiration_date = Some(day("2026-12-20"));
    let stale = waiver(&format!("SV-<b>{evil}"), &format!("stale {evil}"));
    // Attested failed: a failing control whose reason is the hostile explanation.
    let attested = attestation(
        "SV-230328",
        &format!("Explained: {evil}"),
        AttestedStatus::Failed,
        "2026-11-20",
        &format!("updater {evil}"),
    );
    let fixture_bytes = std::fs::read(fixture(crate::risk::FIXTURE)).unwrap();
    let mut built = build_specs(
        vec![Spec::file("scans/risk.json", fixture_bytes)],
        Some(DEFAULT_GATE),
    );
    built.risk = Some((
        accepted(vec![waived, stale], vec![attested]),
        clock("2026-12-04T12:00:00Z"),
    ));
    built
}

#[test]
fn accepted_risk_text_is_inert_in_every_format() {
    let built = hostile_risk();
    let options = RenderOptions::default();

    let md = render(Format::Markdown, &built, &options);
    save("markdown", "untrusted_risk.md", &md);
    assert_inert("markdown", &md, false);
    assert!(md.contains("### Accepted risk"), "{md}");
    assert_markdown_shape(&md, |event| match event {
        Event::Start(Tag::Strong) => panic!("bold text from a waiver"),
        // The report's own code spans are rule keys: none may come from a waiver.
        Event::Code(code) => assert!(!code.contains("alert"), "code from a waiver: {code}"),
        _ => {}
    });

    let xml = render(Format::Junit, &built, &options);
    save("junit", "untrusted_risk.xml", &xml);
    assert_inert("junit", &xml, true);
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("JUnit XML parses");
    let case = |id: &str| {
        report
            .test_suites
            .iter()
            .flat_map(|s| &s.test_cases)
            .find(|c| c.name.as_str().starts_with(id))
            .unwrap()
            .clone()
    };
    match &case("SV-230222").status {
        quick_junit::TestCaseStatus::Skipped { message, .. } => {
            let message = message.as_ref().unwrap().as_str();
            assert!(
                message.starts_with("Waived: Accepted: </script><script>"),
                "{message}"
            );
            assert!(!message.contains('\n'));
        }
        other => panic!("{other:?}"),
    }
    let out = case("SV-230328").system_out.unwrap();
    assert!(out.as_str().contains("Explained: </script>"), "{out:?}");

    let sarif = render(Format::Sarif, &built, &options);
    save("sarif", "untrusted_risk.sarif", &sarif);
    let log = json_of("sarif", &sarif);
    crate::risk::assert_valid_sarif(&log);
    let mut texts = Vec::new();
    strings(&log, &mut texts);
    assert!(texts.iter().all(|t| !t.contains("](")), "an embedded link");
    let waived = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "SV-230222")
        .expect("the waived failure");
    let justification = waived["suppressions"][0]["justification"].as_str().unwrap();
    assert!(
        justification.starts_with("Accepted: </script>"),
        "{justification}"
    );
    assert!(justification.contains("approver approver </script>"));

    // Not `json_of`: the fixture's tag values are kept as written, over several lines.
    let json = render(Format::Json, &built, &options);
    assert_inert("json", &json, false);
    let value: Value = serde_json::from_str(&json).unwrap();
    let reason = value["inputs"][0]["risk"]["entries"][0]["reason"].as_str();
    assert!(reason.unwrap().starts_with("Accepted: </script><script>"));
    let entries = value["inputs"][0]["risk"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);

    let page = render(Format::Html, &built, &options);
    save("html", "untrusted_risk.html", &page);
    let tokens = assert_html("html", &page, &template_tags());
    let count = |tag: &str| tokens.tags.iter().filter(|(n, _)| n == tag).count();
    assert_eq!((count("script"), count("style"), count("img")), (1, 1, 0));
    for shown in [
        "Accepted: </script><script>alert(1)</script> <img src=x onerror=alert(2)>",
        "Explained: </script>",
        "approver </script>",
        "SV-<b></script>",
    ] {
        assert!(tokens.text.contains(shown), "{shown:?} is not text");
    }
}
