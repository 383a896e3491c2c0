//! XML (the JUnit report): the policy with [`Layout::Lines`]. It is a superset of what XML 1.0
//! forbids (C0 controls other than tab, LF and CR, U+FFFE, U+FFFF), so every character it
//! leaves is one XML can carry; quick-junit writes `&`, `<`, `>` and the quotes as references.

use super::{Layout, sanitize};

/// `text` as XML character data or an attribute value, before quick-junit escapes it.
pub fn text(text: &str) -> String {
    sanitize(text, Layout::Lines).into_owned()
}
