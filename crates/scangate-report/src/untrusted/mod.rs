//! Text from the scanned system, made safe for every format: the policy of
//! [`scangate_untrusted`] (which characters are hostile, what line breaks become in each
//! [`Layout`], cutting at character boundaries; its documentation says which and why), and each
//! format's escaping built on it.
//!
//! # Formats
//!
//! Each format's escaping starts from the policy and adds what its syntax needs:
//!
//! - [`html`]: `&`, `<`, `>` (and the quotes in attribute values) as character references.
//! - [`markdown`]: inline text with every character that could become markup backslash-escaped;
//!   `<pre>` text HTML-escaped; CommonMark that renders as exactly its text.
//! - [`xml`]: the policy alone; quick-junit writes the markup escapes.
//! - [`sarif`]: the policy, `](` broken up so that no viewer makes a link of it, and the cut.
//! - [`codequality`]: SARIF's rules on one line ([`Layout::OneLine`]).
//! - [`terminal`]: the policy with [`Layout::Terminal`], and columns cut in characters.
//! - [`json`]: nothing is changed, since the JSON report is the complete data; every character
//!   the policy flags is written as a `\u` escape instead, so the file reads safely in a terminal
//!   or an editor and parses back to exactly what the scan said.
//!
//! Users' templates get the same escaping as the built-in reports: `{{x}}` is
//! [`markdown::inline`] in a Markdown template and [`html::escape_template`] in an HTML one.

pub use scangate_untrusted::{
    Class, Cut, Layout, REPLACEMENT, classify, cut, is_clean, prefix, sanitize, surely_plain,
    surely_plain_but_whitespace,
};

pub mod codequality;
pub mod html;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod terminal;
pub mod xml;
