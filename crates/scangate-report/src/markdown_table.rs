//! GitHub Markdown tables padded exactly as saf's `markdown-table-ts` pads them, so that
//! scangate's summary Markdown is byte-identical to saf's.

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
}

/// Width as JavaScript's `String.length` counts it (UTF-16 code units).
fn js_len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn pad_end(out: &mut String, s: &str, width: usize) {
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(js_len(s))));
}

/// Renders `head` and `body` with every column padded to its widest cell (at least 3).
/// No trailing newline, like `getMarkdownTable`.
pub fn render(head: &[String], body: &[Vec<String>], align: &[Align]) -> String {
    let columns = head.len().max(body.iter().map(Vec::len).max().unwrap_or(0));
    let mut widths = vec![3usize; columns];
    for row in std::iter::once(head).chain(body.iter().map(Vec::as_slice)) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(js_len(cell));
        }
    }
    let row = |out: &mut String, cells: &[String]| {
        out.push('|');
        for (i, &width) in widths.iter().enumerate() {
            let cell = cells.get(i).map(String::as_str).unwrap_or("");
            out.push(' ');
            match align.get(i).copied().unwrap_or(Align::Left) {
                Align::Left => pad_end(out, cell, width),
                Align::Center => {
                    // padStart((width + len) / 2).padEnd(width), with JS's truncating lengths.
                    let len = js_len(cell);
                    let left = ((width + len) / 2).saturating_sub(len);
                    out.extend(std::iter::repeat_n(' ', left));
                    pad_end(out, cell, width - left);
                }
            }
            out.push_str(" |");
        }
    };
    let mut out = String::new();
    row(&mut out, head);
    out.push('\n');
    out.push('|');
    for (i, &width) in widths.iter().enumerate() {
        let center = align.get(i) == Some(&Align::Center);
        out.push_str(" :");
        out.extend(std::iter::repeat_n('-', width.saturating_sub(2).max(1)));
        out.push_str(if center { ": |" } else { "- |" });
    }
    out.push('\n');
    for cells in body {
        row(&mut out, cells);
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out
}
