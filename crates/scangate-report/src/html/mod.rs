//! The self-contained HTML report: one file with inline CSS and JS, nothing fetched.
//!
//! The page is rendered with handlebars from templates embedded in the binary, in pieces so
//! that memory stays flat however many controls there are: the page head, then per input a
//! small frame (summary, severity × status matrix, verdict) and one `control` template
//! rendering per [`ControlView`](crate::context::ControlView), streamed straight to the writer, then the page foot. No
//! piece ever sees more than one control.
//!
//! Everything shown comes from the scanned system and may be hostile. It is only ever
//! written as HTML text or as a double-quoted attribute value, through [`escape`] (the
//! helpers, which write element text only, through its quote-keeping twin): the policy of
//! [`crate::untrusted`] (control characters, noncharacters and every bidirectional formatting
//! character become U+FFFD, line breaks are LF) and then the HTML metacharacters. Untrusted
//! text sits in elements with `dir="auto"` or in `<bdi>` so right-to-left text cannot reorder
//! the page around it. Nothing untrusted goes into `<script>` or `<style>`, whose contents are
//! constants pinned by hash in a Content-Security-Policy that forbids every fetch. Reference
//! URLs become links only when they are plain `http(s)` URLs. Long texts are cut at
//! [`TEXT_LIMIT`] bytes with a visible note, so a megabyte message cannot become a megabyte
//! table cell.
//!
//! With `--waivers` or `--attestations`, each input has an "Accepted risk" panel (the waived
//! and attested controls, linked, with justification or explanation, who, ticket and end
//! date; then the entries not applied and why), and each control's summary and details show
//! the entries that matched it (state, reason, who, until when, where in the file). That text
//! comes from the files and is as untrusted as the scan's, escaped the same way.
//!
//! The output depends on nothing but the report: no timestamps, no random ids (anchors are
//! `i<input>-c<control index>`), so it can be golden-tested.
//!
//! The parts: `view` builds the small contexts the templates see, `render` compiles the
//! templates and holds the helpers they call, `escape` escapes and cuts text for the page,
//! and `csp` writes the Content-Security-Policy.

mod csp;
mod escape;
mod render;
mod view;

use std::io::{BufWriter, Write};

pub use self::csp::{csp, csp_hash};
pub use self::escape::{clip, is_web_url};
use self::render::{registry, render};
use self::view::{ControlRow, Foot, Head, InputFrame};
use crate::context::InputContext;
pub use crate::untrusted::html::escape;
use crate::{Error, Rendered, Report};

/// The stylesheet, inlined into every report.
pub const CSS: &str = include_str!("../../templates/html/report.css");
/// The script (sorting, filtering), inlined into every report; the page works without it.
pub const JS: &str = include_str!("../../templates/html/report.js");

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
    let keys = crate::finding::fingerprints_of(report.inputs);
    for ((n, input), keys) in report.inputs.iter().enumerate().zip(keys) {
        let context = InputContext::new(input, keys);
        let controls = context.controls.clone();
        let frame = InputFrame::new(n, input, context, report.inputs.len() > 1);
        render(hb, "input", &frame, &mut out)?;
        // Templates are the costly part of this report: controls render on every core, in
        // batches, and are written in order.
        let (frame_anchor, multi_profile) = (frame.anchor.as_str(), frame.profiles.len() > 1);
        controls.render_batched(
            |mut control, buf| -> Result<(), Error> {
                let anchor = format!("{frame_anchor}-c{}", control.index);
                let row = ControlRow::new(&anchor, multi_profile, &mut control);
                render(hb, "control", &row, buf)
            },
            |bytes| out.write_all(bytes).map_err(Error::Io),
        )?;
        render(hb, "input_end", &frame, &mut out)?;
    }
    render(hb, "foot", &Foot::new(), &mut out)?;
    out.flush()?;
    Ok(Rendered::default())
}
