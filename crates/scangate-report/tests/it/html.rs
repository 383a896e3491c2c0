//! The HTML report: golden snapshots of the four golden fixtures, the hostile fixture's
//! guarantees, and the rendered pages written to `target/golden/html/` for
//! `.ci/check-html.sh`, which validates them with the Nu HTML Checker.

use crate::support;

use std::collections::HashSet;
use std::path::PathBuf;

use scangate_pipeline::Source;
use scangate_report::Format;
use scangate_report::html::{CSS, JS, csp, csp_hash};
use support::{Built, DEFAULT_GATE, build, build_sources, render};

fn html(built: &Built) -> String {
    let (out, rendered) = render(Format::Html, built);
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
    String::from_utf8(out).expect("the report is UTF-8")
}

/// Where `.ci/check-html.sh` finds the pages: `<target>/golden/html/`.
pub(crate) fn golden_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .join("golden/html");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn save(name: &str, page: &str) {
    std::fs::write(golden_dir().join(format!("{name}.html")), page).unwrap();
}

fn stem(file: &str) -> &str {
    let base = file.rsplit('/').next().unwrap();
    base.strip_suffix(".json").unwrap_or(base)
}

/// The snapshot leaves out the stylesheet and script (constants, reviewed as files), so a
/// change of style does not rewrite four snapshots; the saved pages keep them.
fn snapshot_text(page: &str) -> String {
    page.replacen(CSS, "/* templates/html/report.css */", 1)
        .replacen(JS, "/* templates/html/report.js */", 1)
        .replacen(csp(), "[csp]", 1)
}

/// rhel-8's 375 controls carry about a megabyte of descriptions, which would make a 1.5 MB
/// snapshot. Its snapshot keeps the page frame and every control's row, and stands each
/// control's details in by their length and digest: a change still shows, per control, and
/// the saved page has the text. The other fixtures' snapshots show every details branch.
fn digest_details(page: &str) -> String {
    const OPEN: &str = "<div class=\"body\">";
    const END: &str = "\n</details>\n</td>\n</tr>";
    let mut out = String::with_capacity(page.len() / 4);
    let mut rest = page;
    while let Some(start) = rest.find(OPEN) {
        let body = &rest[start..];
        let len = body
            .find(END)
            .expect("a control row ends after its details");
        out.push_str(&rest[..start]);
        out.push_str(&format!(
            "<div class=\"body\">[{len} bytes, {}]</div>",
            csp_hash(&body[..len])
        ));
        rest = &body[len..];
    }
    out.push_str(rest);
    out
}

#[test]
fn golden_pages() {
    for file in support::GOLDEN {
        let page = html(&build(&[file], Some(DEFAULT_GATE)));
        save(stem(file), &page);
        assert!(
            page.len() < 1_600_000,
            "{file}: {} bytes is more than expected",
            page.len()
        );
        let mut snapshot = snapshot_text(&page);
        if *file == "rhel-8_hardened.json" {
            snapshot = digest_details(&snapshot);
        }
        assert!(
            snapshot.len() < 300_000,
            "{file}: snapshot of {} bytes",
            snapshot.len()
        );
        insta::assert_snapshot!(stem(file), snapshot);
    }
}

#[test]
fn more_pages_for_the_validator() {
    let all: Vec<&str> = support::GOLDEN.to_vec();
    save("multi", &html(&build(&all, Some(DEFAULT_GATE))));
    save(
        "ungated",
        &html(&build(&["triple_overlay_profile_sample.json"], None)),
    );
    save(
        "ungated_edge_cases",
        &html(&build(&["synthetic/edge_cases.json"], None)),
    );
    // The hostile fixture as fetched from a pod whose namespace and name are hostile too.
    let pod = build_sources(
        vec![(
            Source::pod(
                "ns <x>",
                "pod\u{202e}-1",
                "scanner",
                "scan-results/ns/pod-1.json",
            )
            .named("fixtures/results/synthetic/hostile.json"),
            std::fs::read(support::fixture("synthetic/hostile.json")).unwrap(),
        )],
        Some(DEFAULT_GATE),
    );
    let page = html(&pod);
    assert!(
        page.contains("ns &lt;x&gt;/pod\u{FFFD}-1"),
        "pod origin shown"
    );
    save("pod", &page);
    let empty = build(&[], None);
    save("no_inputs", &html(&empty));
    let unreadable = support::with_unreadable(&[], Some(DEFAULT_GATE));
    let page = html(&unreadable);
    assert!(page.contains("No input could be read."));
    save("all_unreadable", &page);
}

#[test]
fn unreadable_inputs_are_listed_first_as_inert_text() {
    let all: Vec<&str> = support::GOLDEN[..2].to_vec();
    let page = html(&support::with_unreadable(&all, Some(DEFAULT_GATE)));
    save("unreadable", &page);
    assert!(page.contains("<title>ERROR · 4 inputs · scangate report</title>"));
    assert!(page.contains("<header class=\"top v-error\">"));
    assert!(page.contains("<span class=\"big-verdict error\">ERROR</span>"));
    assert!(page.contains("2 of 4 inputs could not be read, 2 failed the gate"));
    let section = page
        .find("<h2 id=\"errors-h\">Inputs that could not be read")
        .expect("the section");
    assert!(
        section < page.find("<h2 id=\"overview-h\">").unwrap(),
        "near the top"
    );
    assert!(page.contains(
        "<td><bdi class=\"mono\">scans/missing.json</bdi></td>\n<td class=\"errmsg\"><bdi>cannot read file: No such file or directory (os error 2)</bdi></td>"
    ));
    assert!(page.contains("<bdi class=\"mono\">scans/ns &lt;x&gt;/pod|1\u{FFFD}nosj.json</bdi>"));
    assert!(page.contains("tags.&lt;script&gt;alert(1)&lt;/script&gt;: expected a string"));
    assert!(page.contains("\u{FFFD}[31mred\u{FFFD} \u{FFFD}evil &amp;amp; {{x}}"));
    assert!(!page.to_ascii_lowercase().contains("<script>alert"));
    assert_eq!(page.matches("<script").count(), 1);
    for (i, c) in page.char_indices() {
        let bad = (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        assert!(!bad, "U+{:04X} at byte {i}", c as u32);
    }
    // The inputs that were read are all there.
    assert_eq!(page.matches("<section class=\"input\"").count(), 2);
}

#[test]
fn hostile_content_is_inert() {
    let page = html(&build(&["synthetic/hostile.json"], Some(DEFAULT_GATE)));

    // One script, scangate's own, and one style.
    assert_eq!(page.matches("<script").count(), 1);
    assert!(page.contains(&format!("<script>{JS}</script>")));
    assert_eq!(page.matches("<style").count(), 1);
    assert!(!page.to_ascii_lowercase().contains("<script>alert"));
    assert!(page.contains("&lt;script&gt;alert('x')&lt;/script&gt;"));
    assert!(!page.contains("<b>bold</b>") && page.contains("&lt;b&gt;bold&lt;/b&gt;"));

    // Links only to fragments of the page or to plain http(s) URLs.
    for href in page.split("href=\"").skip(1) {
        let value = &href[..href.find('"').unwrap()];
        assert!(
            value.starts_with('#') || value.starts_with("https://") || value.starts_with("http://"),
            "href {value:?}"
        );
    }
    assert!(!page.to_ascii_lowercase().contains("href=\"javascript"));
    assert!(page.contains("<code class=\"url\">javascript:alert(1)</code>"));

    // Nothing that drives a terminal, breaks a parser or reorders text.
    for (i, c) in page.char_indices() {
        let bad = (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            || (c as u32) & 0xFFFE == 0xFFFE
            || ('\u{FDD0}'..='\u{FDEF}').contains(&c);
        assert!(!bad, "U+{:04X} at byte {i}", c as u32);
    }
    assert!(page.contains("\u{FFFD}evil.exe\u{FFFD} right-to-left"));
    // Right-to-left text and emoji are kept, isolated.
    assert!(page.contains("שלום") && page.contains("مرحبا") && page.contains("🔥💣"));
    // Template syntax in the data is text, not template.
    assert!(page.contains("{{handlebars}}"));

    // The megabyte message is cut, with a note.
    assert!(page.len() < 300_000, "{} bytes", page.len());
    assert!(page.contains("more bytes not shown</span>"));
    assert!(page.contains("../../../etc/passwd &lt;x&gt;"));
}

#[test]
fn inline_style_and_script_are_pinned_by_the_csp() {
    let page = html(&build(&["synthetic/edge_cases.json"], Some(DEFAULT_GATE)));
    let policy = format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        csp()
    );
    assert!(page.contains(&policy));
    assert!(csp().starts_with("default-src 'none'; "));
    assert!(csp().contains(&format!("style-src '{}'", csp_hash(CSS))));
    assert!(csp().contains(&format!("script-src '{}'", csp_hash(JS))));
    assert!(page.contains(&format!("<style>{CSS}</style>")));
    assert!(page.contains(&format!("<script>{JS}</script>")));
    assert_eq!(page.matches(CSS).count(), 1);
    assert_eq!(page.matches(JS).count(), 1);
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"));
    // Hashes cover exact text; the constants cannot end their element or fetch anything.
    for (name, text) in [("css", CSS), ("js", JS)] {
        let lower = text.to_ascii_lowercase();
        for bad in [
            "</style", "</script", "url(", "@import", "http:", "https:", "<!--",
        ] {
            assert!(!lower.contains(bad), "{name} contains {bad}");
        }
    }
    // No inline style attributes or handlers: the CSP would block them anyway.
    assert!(!page.contains(" style=\""));
    assert!(!page.contains(" onclick="));
}

#[test]
fn several_inputs_one_page() {
    let all: Vec<&str> = support::GOLDEN.to_vec();
    let page = html(&build(&all, Some(DEFAULT_GATE)));
    assert_eq!(page.matches("<section class=\"input\"").count(), 4);
    assert!(page.contains("<h2 id=\"overview-h\">Inputs</h2>"));
    assert!(page.contains("4 of 4 inputs failed") || page.contains("of 4 inputs failed"));
    let mut ids = HashSet::new();
    for rest in page.split(" id=\"").skip(1) {
        let id = &rest[..rest.find('"').unwrap()];
        assert!(ids.insert(id.to_owned()), "duplicate id {id}");
    }
    // Every fragment link has its target.
    for rest in page.split("href=\"#").skip(1) {
        let id = &rest[..rest.find('"').unwrap()];
        assert!(ids.contains(id), "dangling link #{id}");
    }
}

#[test]
fn ungated_reports_have_no_verdict() {
    let page = html(&build(&["triple_overlay_profile_sample.json"], None));
    assert!(page.contains("Not gated"));
    assert!(!page.contains("class=\"card verdict-card"));
    assert!(!page.contains("Gate rules"));
}

#[test]
fn rendering_is_deterministic() {
    let a = html(&build(&["rhel-8_hardened.json"], Some(DEFAULT_GATE)));
    let b = html(&build(&["rhel-8_hardened.json"], Some(DEFAULT_GATE)));
    assert!(a == b);
}

/// The element text of an HTML fragment, read as a browser tokenizes it (tags dropped,
/// character references decoded), one line per block-ish tag so the snapshot reads.
fn fragment_text(fragment: &str) -> String {
    use html5gum::{Token, Tokenizer};
    let mut out = String::new();
    for token in Tokenizer::new(fragment) {
        match token.expect("reading a string cannot fail") {
            Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).into_owned();
                if ["tr", "li", "h3", "h4", "div", "p"].contains(&name.as_str()) {
                    out.push('\n');
                } else if ["td", "th"].contains(&name.as_str()) {
                    out.push_str(" | ");
                }
                if let Some(href) = tag.attributes.get(b"href".as_slice()) {
                    out.push_str(&format!("[{}]", String::from_utf8_lossy(href)));
                }
            }
            Token::String(s) => out.push_str(&String::from_utf8_lossy(&s)),
            Token::Error(e) => panic!("{e:?}"),
            _ => {}
        }
    }
    out.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn accepted_risk_panel_and_control_cards() {
    let page = html(&crate::risk::built());
    save("accepted_risk", &page);
    let start = page
        .find("<section class=\"panel risk\"")
        .expect("the panel");
    let end = start + page[start..].find("</section>").unwrap();
    let panel = &page[start..end];
    insta::assert_snapshot!("html_accepted_risk_panel", fragment_text(panel));
    // Every link of the panel leads to a control row of the page.
    for href in panel.split("href=\"#").skip(1) {
        let id = &href[..href.find('"').unwrap()];
        assert!(
            page.contains(&format!("<tr class=\"ctl\" id=\"{id}\"")),
            "{id}"
        );
    }
    // Each control's card shows the entries that matched it: six entries, one stale.
    assert_eq!(page.matches("<div class=\"note risk ").count(), 5);
    let row = |id: &str| {
        let at = page
            .find(&format!("<bdi>{id}</bdi></a></td>"))
            .unwrap_or_else(|| panic!("{id}"));
        let from = page[..at].rfind("<tr class=\"ctl\"").unwrap();
        &page[from..from + page[from..].find("</tr>").unwrap()]
    };
    let waived = fragment_text(row("SV-230222"));
    assert!(waived.contains("waived"), "{waived}");
    assert!(
        waived.contains("Waiver · applied · expires soon"),
        "{waived}"
    );
    assert!(waived.contains("Approved by Sam Lee, AO · ticket RISK-42 · expires 2026-12-20"));
    let attested = fragment_text(row("SV-230328"));
    assert!(attested.contains("attested passed"), "{attested}");
    assert!(
        attested.contains("Updated by Dana Ortiz, ISSO · ticket SEC-1182 · expires 2027-11-20")
    );
    let expired = fragment_text(row("SV-230223"));
    assert!(expired.contains("Waiver · expired"), "{expired}");
    assert!(expired.contains("expired 2026-01-01"), "{expired}");
}
