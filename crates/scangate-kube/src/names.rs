//! Names that become local paths, and text that reaches a terminal.
//!
//! Pod names come from the API server (a selector can return anything a compromised
//! controller created), so only strict Kubernetes names are turned into directories: those
//! can never be absolute, contain `/`, `..` or NUL.

use scangate_untrusted::{Layout, sanitize};

/// A DNS-1123 subdomain (what pod names are): at most 253 characters of `[a-z0-9.-]`, each
/// dot-separated part starting and ending with a letter or digit.
pub fn is_valid_pod_name(name: &str) -> bool {
    name.len() <= 253 && !name.is_empty() && name.split('.').all(is_label_like)
}

/// A DNS-1123 label (what namespaces are): at most 63 characters of `[a-z0-9-]`,
/// starting and ending with a letter or digit.
pub fn is_valid_namespace(name: &str) -> bool {
    name.len() <= 63 && is_label_like(name)
}

fn is_label_like(part: &str) -> bool {
    let bytes = part.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        }
        _ => false,
    }
}

/// The local file name for a path inside the container: its last component.
///
/// The user chooses these paths, not the pod, but they still must not be able to name
/// `.`/`..` or be empty, and the command must not be able to take them for an option.
pub fn local_file_name(remote: &str) -> Result<&str, String> {
    if !remote.starts_with('/') {
        return Err(format!(
            "{remote:?} is not an absolute path inside the container"
        ));
    }
    if remote.contains('\0') {
        return Err(format!("{remote:?} contains a NUL byte"));
    }
    match remote.rsplit('/').next() {
        Some(name) if !name.is_empty() && name != "." && name != ".." => Ok(name),
        _ => Err(format!("{remote:?} does not end in a file name")),
    }
}

/// Makes text from the API server or the pod safe to print on a line of its own: the untrusted-
/// text policy with [`Layout::Terminal`] (controls, bidirectional formatting and line breaks
/// become U+FFFD), cut at `max` characters with `…`.
pub fn clean_text(text: &str, max: usize) -> String {
    let clean = sanitize(text, Layout::Terminal);
    match clean.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &clean[..at]),
        None => clean.into_owned(),
    }
}

/// A name as the user should see it when it is not a valid name: quoted and escaped.
pub(crate) fn quoted(name: &str) -> String {
    format!("{:?}", clean_text(name, 80))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_names() {
        for ok in ["scan-0", "a", "web-7d9c.x1", "0abc"] {
            assert!(is_valid_pod_name(ok), "{ok}");
        }
        for bad in [
            "", ".", "..", "../etc", "/abs", "a/b", "a..b", "A", "a\0b", "-a", "a-", ".a", "a_b",
        ] {
            assert!(!is_valid_pod_name(bad), "{bad:?}");
        }
        assert!(!is_valid_pod_name(&"a".repeat(254)));
        assert!(is_valid_namespace("scans"));
        assert!(!is_valid_namespace("a.b"));
    }

    #[test]
    fn file_names() {
        assert_eq!(
            local_file_name("/results/scan-results.json"),
            Ok("scan-results.json")
        );
        assert!(local_file_name("results/x").is_err());
        assert!(local_file_name("/results/").is_err());
        assert!(local_file_name("/results/..").is_err());
        assert!(local_file_name("/").is_err());
        assert!(local_file_name("-n").is_err());
    }

    #[test]
    fn cleaning() {
        assert_eq!(
            clean_text("ok\x1b[31mred\r\n", 100),
            "ok\u{fffd}[31mred\u{fffd}"
        );
        // Bidirectional overrides and line separators, which `char::is_control` lets through.
        assert_eq!(
            clean_text("a\u{202e}b\u{2028}c\u{200f}", 100),
            "a\u{fffd}b\u{fffd}c\u{fffd}"
        );
        assert_eq!(clean_text("abcdef", 3), "abc…");
        assert_eq!(quoted("evil\u{1b}[31m\n"), "\"evil\u{fffd}[31m\u{fffd}\"");
    }
}
