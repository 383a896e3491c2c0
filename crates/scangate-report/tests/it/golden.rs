//! Golden Markdown, JUnit and JSON reports for the four golden fixtures, and the properties
//! every one of them must have; inputs that could not be read, in both formats. The files are also written to `target/golden/<format>/`,
//! where `.ci/check-reports.sh` hands them to real consumers (markdownlint, junitparser +
//! junit-10.xsd). The Markdown report of every other real fixture is written there too, so
//! that markdownlint sees what scanners really write.

use crate::support;

use std::path::PathBuf;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use scangate_report::{Format, RenderOptions};
use support::{DEFAULT_GATE, GOLDEN, build, render};

pub(crate) fn golden_dir(format: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/golden")
        .join(format);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stem(fixture: &str) -> String {
    fixture.trim_end_matches(".json").replace('/', "__")
}

#[test]
fn markdown_golden() {
    for fixture in GOLDEN {
        let built = build(&[fixture], Some(DEFAULT_GATE));
        let (out, rendered) = render(Format::Markdown, &built);
        assert!(
            rendered.warnings.is_empty(),
            "{fixture}: {:?}",
            rendered.warnings
        );
        let text = String::from_utf8(out).unwrap();
        std::fs::write(
            golden_dir("markdown").join(format!("{}.md", stem(fixture))),
            &text,
        )
        .unwrap();
        assert!(text.len() < 1024 * 1024, "{fixture}: over GitHub's limit");
        check_markdown_structure(fixture, &text);
        check_markdownlint_rules(fixture, &text);
        insta::assert_snapshot!(format!("markdown__{}", stem(fixture)), text);
    }
}

/// Real results (SAF CLI's test data at the top of `fixtures/results/`, and the files from other
/// repositories in `real/`) that scangate reads, other than the golden ones.
fn real_fixtures() -> Vec<String> {
    let dir = support::fixture("");
    let mut out = Vec::new();
    for sub in ["", "real/"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let rel = format!("{sub}{}", path.file_name().unwrap().to_string_lossy());
            let parses = scangate_results::Input::read(&path)
                .unwrap()
                .parse()
                .is_ok();
            // Profile JSON (no results) is the only kind of real fixture refused on purpose.
            assert!(parses || sub.is_empty(), "{rel} does not parse");
            if parses && !GOLDEN.contains(&rel.as_str()) {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

/// Nine of 38 real files once broke markdownlint: empty and space-padded table cells (MD060),
/// `(…)[…]` in check text (MD011), headings from names ending in a full stop (MD026) or a
/// newline (MD009). Each real fixture's report is written where CI lints the golden ones, and
/// checked here for those rules.
#[test]
fn markdown_of_every_real_fixture_keeps_markdownlint_s_rules() {
    let fixtures = real_fixtures();
    assert!(
        fixtures.iter().filter(|f| f.starts_with("real/")).count() >= 10,
        "{fixtures:?}"
    );
    for fixture in &fixtures {
        let built = build(&[fixture], Some(DEFAULT_GATE));
        let (out, _) = render(Format::Markdown, &built);
        let text = String::from_utf8(out).unwrap();
        std::fs::write(
            golden_dir("markdown").join(format!("{}.md", stem(fixture))),
            &text,
        )
        .unwrap();
        check_markdown_structure(fixture, &text);
        check_markdownlint_rules(fixture, &text);
    }
}

/// The markdownlint rules (with `.markdownlint-cli2.jsonc`) that untrusted text can break,
/// checked without Node: CI runs markdownlint itself on the same files.
fn check_markdownlint_rules(fixture: &str, text: &str) {
    let lines: Vec<&str> = text.lines().collect();
    let mut in_pre = false;
    let mut compact_table = false;
    for (n, line) in lines.iter().enumerate() {
        let at = format!("{fixture}, line {}", n + 1);
        assert!(
            !line.ends_with([' ', '\t']),
            "{at}: trailing whitespace (MD009): {line:?}"
        );
        // markdownlint reads `<pre>` and every other line as text: no `(text)[text]` anywhere.
        assert!(
            !line.contains(")["),
            "{at}: reversed link syntax (MD011): {line:?}"
        );
        if line.starts_with("<pre>") {
            in_pre = true;
        }
        if !in_pre && line.starts_with('#') {
            let heading = line.trim_start_matches('#').trim();
            let entity = heading.ends_with(';')
                && heading
                    .rfind('&')
                    .is_some_and(|i| heading[i..].starts_with("&#"));
            assert!(
                entity || !heading.ends_with(|c| ".,;:!。，；：！".contains(c)),
                "{at}: heading ends in punctuation (MD026): {line:?}"
            );
        }
        if line.contains("</pre>") {
            in_pre = false;
        }
        if !line.starts_with('|') {
            compact_table = false;
            continue;
        }
        if lines
            .get(n + 1)
            .is_some_and(|next| next.starts_with("| ---"))
        {
            compact_table = true;
        }
        if compact_table {
            // MD060, style "compact": one space on each side of every pipe between cells.
            let bytes = line.as_bytes();
            for (i, &b) in bytes.iter().enumerate() {
                if b != b'|' || (i > 0 && bytes[i - 1] == b'\\') {
                    continue;
                }
                let left_ok = i == 0 || (bytes[i - 1] == b' ' && i >= 2 && bytes[i - 2] != b' ');
                let right_ok = i + 1 == bytes.len()
                    || (bytes[i + 1] == b' ' && bytes.get(i + 2).is_some_and(|&c| c != b' '));
                assert!(
                    left_ok && right_ok,
                    "{at}: cell padding at column {} (MD060): {line:?}",
                    i + 1
                );
            }
        }
    }
}

/// Parses the Markdown as GitHub would and checks that untrusted text stayed text: tables
/// keep their column count, the only HTML is ours, no link or image was created.
fn check_markdown_structure(fixture: &str, text: &str) {
    let mut columns = Vec::new();
    let mut cells = 0usize;
    for event in Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Start(Tag::Table(align)) => columns.push(align.len()),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                assert_eq!(
                    Some(&cells),
                    columns.last(),
                    "{fixture}: a table row lost or gained cells"
                );
                cells = 0;
            }
            Event::Start(Tag::TableCell) => cells += 1,
            Event::Start(Tag::Link { dest_url, .. }) => {
                panic!("{fixture}: untrusted text became a link to {dest_url}")
            }
            Event::Start(Tag::Image { .. }) => panic!("{fixture}: untrusted text became an image"),
            Event::Html(html) | Event::InlineHtml(html) => {
                // Our own tags are the only markup; everything inside them was escaped, so
                // no other `<` can be left once they are removed.
                let rest = support::without_markdown_tags(&html);
                assert!(
                    !rest.contains('<'),
                    "{fixture}: raw HTML in the report: {html:?}"
                );
            }
            Event::Start(Tag::Heading { .. }) | Event::Text(_) => {}
            _ => {}
        }
    }
    assert!(!columns.is_empty(), "{fixture}: no tables");
}

#[test]
fn markdown_stays_under_the_size_limit_with_a_visible_note() {
    let built = build(&["rhel-8_hardened.json"], Some(DEFAULT_GATE));
    let options = RenderOptions {
        markdown_max_bytes: 40_000,
        ..RenderOptions::default()
    };
    let mut out = Vec::new();
    let rendered = built.with(|report| {
        scangate_report::render(Format::Markdown, report, &mut out, &options).unwrap()
    });
    let text = String::from_utf8(out).unwrap();
    assert!(text.len() <= 40_000, "{} bytes", text.len());
    assert!(
        text.contains("> [!WARNING]\n> Truncated: the details of"),
        "no visible note"
    );
    assert_eq!(rendered.warnings.len(), 1);
    // The verdict and the failed-control table survive truncation: only details are cut.
    assert!(text.contains("## ❌ Verdict: fixtures/results/rhel-8\\_hardened.json"));
    assert!(text.contains("| SV-244541 |"));
}

#[test]
fn markdown_without_a_threshold_is_a_summary() {
    let built = build(&["triple_overlay_profile_sample.json"], None);
    let (out, _) = render(Format::Markdown, &built);
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("# 📋 scangate: summary\n"));
    assert!(!text.contains("Verdict"));
}

#[test]
fn junit_golden() {
    for fixture in GOLDEN {
        let built = build(&[fixture], Some(DEFAULT_GATE));
        let (out, _) = render(Format::Junit, &built);
        let xml = String::from_utf8(out).unwrap();
        std::fs::write(
            golden_dir("junit").join(format!("{}.xml", stem(fixture))),
            &xml,
        )
        .unwrap();
        let parsed = quick_junit::Report::deserialize_from_str(&xml)
            .unwrap_or_else(|e| panic!("{fixture}: {e}"));
        let (controls, rules, codes) = built.with(|report| {
            let input = &report.inputs[0];
            let verdict = input.verdict.unwrap();
            let codes: Vec<String> = verdict.failures().map(|o| o.code.to_string()).collect();
            (input.summary.controls.len(), verdict.outcomes.len(), codes)
        });
        // A testcase per control, plus one per rule in the threshold suite.
        assert_eq!(parsed.tests, controls + rules, "{fixture}");
        let threshold = parsed
            .test_suites
            .iter()
            .find(|s| s.name.as_str() == "scangate-threshold")
            .unwrap();
        let failure_types: Vec<String> = threshold
            .test_cases
            .iter()
            .filter_map(|c| match &c.status {
                quick_junit::TestCaseStatus::NonSuccess { ty, .. } => {
                    ty.as_ref().map(|t| t.as_str().to_owned())
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            failure_types, codes,
            "{fixture}: JUnit failure types are the rule codes"
        );
        assert!(
            !xml.contains('\u{FFFE}')
                && !xml
                    .chars()
                    .any(|c| (c as u32) < 0x20 && !"\t\n\r".contains(c))
        );
        insta::assert_snapshot!(format!("junit__{}", stem(fixture)), xml);
    }
}

#[test]
fn json_golden() {
    for fixture in GOLDEN {
        let built = build(&[fixture], Some(DEFAULT_GATE));
        let (out, _) = render(Format::Json, &built);
        std::fs::write(
            golden_dir("json").join(format!("{}.json", stem(fixture))),
            &out,
        )
        .unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        // The long texts are checked by the schema test; the snapshot keeps the structure and
        // every number, id, status and rule readable.
        insta::with_settings!({sort_maps => false}, {
            insta::assert_json_snapshot!(format!("json__{}", stem(fixture)), value, {
                ".inputs[].controls[].desc" => "[text]",
                ".inputs[].controls[].check" => "[text]",
                ".inputs[].controls[].fix" => "[text]",
                ".inputs[].controls[].descriptions" => "[descriptions]",
                ".inputs[].controls[].results[].message" => "[text]",
                ".inputs[].controls[].results[].code_desc" => "[text]",
                ".inputs[].controls[].results[].backtrace" => "[backtrace]",
                ".inputs[].controls[].message" => "[text]",
                ".inputs[].controls[].tags" => "[tags]",
            });
        });
    }
}

#[test]
fn markdown_cuts_the_failed_table_too_when_it_alone_is_too_long() {
    let built = build(&["rhel-8_hardened.json"], Some(DEFAULT_GATE));
    let options = RenderOptions {
        markdown_max_bytes: 12_000,
        ..RenderOptions::default()
    };
    let mut out = Vec::new();
    let rendered = built.with(|report| {
        scangate_report::render(Format::Markdown, report, &mut out, &options).unwrap()
    });
    let text = String::from_utf8(out).unwrap();
    assert!(text.len() <= 12_000, "{} bytes", text.len());
    assert!(text.contains("more failed controls not listed"), "{text}");
    assert!(
        text.contains("| `failed.high.max` |"),
        "the verdict is always there"
    );
    assert_eq!(rendered.warnings.len(), 2, "{:?}", rendered.warnings);
    check_markdown_structure("rhel-8 (cut)", &text);
}

/// Inputs that could not be read come first in the Markdown report, each with its error as
/// inert text; the page is saved beside the golden ones for the linters.
#[test]
fn markdown_lists_unreadable_inputs_first_as_text() {
    use scangate_report::untrusted::markdown::inline as escape_inline;
    use support::{HOSTILE_MESSAGE, HOSTILE_NAME, MISSING_MESSAGE, with_unreadable};

    let built = with_unreadable(&["triple_overlay_profile_sample.json"], Some(DEFAULT_GATE));
    let (out, rendered) = render(Format::Markdown, &built);
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
    let text = String::from_utf8(out).unwrap();
    std::fs::write(golden_dir("markdown").join("unreadable.md"), &text).unwrap();
    assert!(
        text.starts_with("# ⛔ scangate: 2 of 3 inputs could not be read\n\n"),
        "{text}"
    );
    assert!(text.contains(", 2 could not be read\n"), "{text}");
    let section = text
        .find("## ⛔ Inputs that could not be read (2)\n")
        .expect("the section");
    assert!(section < text.find("## Summary").unwrap(), "near the top");
    for (name, message) in [
        ("scans/missing.json", MISSING_MESSAGE),
        (HOSTILE_NAME, HOSTILE_MESSAGE),
    ] {
        let row = format!("| {} | {} |\n", escape_inline(name), escape_inline(message));
        assert!(text.contains(&row), "no row {row:?} in {text}");
    }
    assert!(!text.contains("<script>") && text.contains("\\<script\\>alert(1)"));
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'));
    check_markdown_structure("unreadable", &text);
    // The verdict of the input that was read is still there.
    assert!(text.contains("Verdict: fixtures/results/triple\\_overlay\\_profile\\_sample.json"));
}

#[test]
fn junit_has_an_error_testcase_per_unreadable_input() {
    use support::{HOSTILE_MESSAGE, HOSTILE_NAME, MISSING_MESSAGE, with_unreadable};

    let built = with_unreadable(&["triple_overlay_profile_sample.json"], Some(DEFAULT_GATE));
    let (out, _) = render(Format::Junit, &built);
    let xml = String::from_utf8(out).unwrap();
    std::fs::write(golden_dir("junit").join("unreadable.xml"), &xml).unwrap();
    assert!(!xml.contains("<script>") && xml.contains("&lt;script&gt;"));
    assert!(
        !xml.chars()
            .any(|c| (c as u32) < 0x20 && !"\t\n\r".contains(c))
    );
    let parsed = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    let suite = parsed
        .test_suites
        .iter()
        .find(|s| s.name.as_str() == "scangate-inputs")
        .expect("a suite for the unreadable inputs");
    let cases: Vec<(String, String, String, String)> = suite
        .test_cases
        .iter()
        .map(|c| match &c.status {
            quick_junit::TestCaseStatus::NonSuccess {
                kind: quick_junit::NonSuccessKind::Error,
                message,
                ty,
                description,
                ..
            } => (
                c.name.as_str().to_owned(),
                ty.as_ref().unwrap().as_str().to_owned(),
                message.as_ref().unwrap().as_str().to_owned(),
                description.as_ref().unwrap().as_str().to_owned(),
            ),
            other => panic!("{}: not an <error>: {other:?}", c.name.as_str()),
        })
        .collect();
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[0].0, "scans/missing.json");
    assert_eq!(cases[0].1, "unreadable-input");
    assert_eq!(cases[0].2, MISSING_MESSAGE);
    // What the untrusted-text policy flags is replaced visibly; everything else arrives as it was.
    assert_eq!(cases[1].0, HOSTILE_NAME.replace('\u{202e}', "\u{FFFD}"));
    let carried = HOSTILE_MESSAGE.replace(['\u{1b}', '\u{7}', '\u{202e}'], "\u{FFFD}");
    assert_eq!(cases[1].2, carried);
    assert_eq!(cases[1].3, carried);
    // Every control and rule of the input that was read is still a testcase.
    let cases_of_read_input = built.with(|report| {
        let input = &report.inputs[0];
        input.summary.controls.len() + input.verdict.unwrap().outcomes.len()
    });
    assert_eq!(parsed.tests, cases_of_read_input + 2);
}
