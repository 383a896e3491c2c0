//! File paths from the scan as repository-relative URI references, for every format that points
//! a code host at a file: SARIF's `artifactLocation.uri` (GitHub), Code Quality's
//! `location.path` (GitLab), and a file input's identity in [`crate::finding`].
//!
//! A code host resolves such a path against the repository root and needs it to be the same on
//! every run to recognise a finding it has seen before. Paths from the scan may be relative,
//! absolute on some other machine (`/Users/me/profiles/x/controls/a.rb`, `C:\…`, `file:///…`)
//! or hostile (`../../../etc/passwd <x>`). So a path is split into segments on `/` and `\`, `.`
//! and `..` are resolved without ever climbing above the start, absolute paths keep only their
//! machine-independent tail, and each segment is percent-encoded down to RFC 3986's unreserved
//! characters. The result is never absolute, never starts with `..` or `./`, and never has a
//! scheme (a `:` in it is encoded). Real profiles' paths (`controls/SV-230221.rb`) need no
//! encoding, so they are written as they are.

use std::fmt::Write as _;

use crate::Origin;
use crate::untrusted::sarif::clean;

/// What an input is called where no path can be made of its name.
const UNNAMED_INPUT: &str = "unnamed-input";

/// Bytes kept as they are in rule ids and URIs: RFC 3986's unreserved set. `~` is left out of
/// it for SARIF rule ids so that it can mark a shortened id unambiguously.
fn unreserved(b: u8, tilde: bool) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_') || (tilde && b == b'~')
}

/// Whether `b` is kept as it is by [`percent_encode`] without `~`.
pub(crate) fn is_unreserved(b: u8) -> bool {
    unreserved(b, false)
}

/// Percent-encodes every byte outside the unreserved set (`%` included, so the mapping is
/// injective and reversible).
pub(crate) fn percent_encode(s: &str, keep_tilde: bool, out: &mut String) {
    for &b in s.as_bytes() {
        if unreserved(b, keep_tilde) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// Splits `path` into resolved segments; true when the path was absolute.
fn segments(path: &str) -> (bool, Vec<&str>) {
    let mut rest = path;
    let mut absolute = false;
    if rest
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("file:"))
    {
        absolute = true;
        rest = &rest[5..];
        if let Some(after) = rest.strip_prefix("//") {
            // The authority (`localhost`, a host) says nothing about where the file is here.
            rest = after.find('/').map_or("", |i| &after[i..]);
        }
    }
    if rest.starts_with(['/', '\\']) {
        absolute = true;
    }
    let mut out: Vec<&str> = Vec::new();
    for (i, segment) in rest.split(['/', '\\']).enumerate() {
        match segment {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            drive
                if i == 0
                    && drive.len() == 2
                    && drive.as_bytes()[0].is_ascii_alphabetic()
                    && drive.as_bytes()[1] == b':' =>
            {
                absolute = true;
            }
            s => out.push(s),
        }
    }
    (absolute, out)
}

fn encode(segments: &[&str]) -> Option<String> {
    if segments.is_empty() {
        return None;
    }
    let mut out = String::new();
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        // Control characters would survive percent-encoding as %00 and trip consumers that
        // decode the URI into a file name; the policy replaces them first, as in all scan text.
        percent_encode(&clean(segment, usize::MAX), true, &mut out);
    }
    Some(out)
}

/// A control's `source_location.ref` (a file in its profile). Relative paths are kept (they may
/// be repository paths); absolute ones keep the profile directory onward
/// (`<profile>/controls/<file>.rb`), else only the file name.
pub(crate) fn source_uri(path: &str) -> Option<String> {
    let (absolute, segments) = segments(path);
    if !absolute {
        return encode(&segments);
    }
    let tail = match segments.iter().rposition(|s| *s == "controls") {
        Some(i) if i + 1 < segments.len() => &segments[i.saturating_sub(1)..],
        _ => &segments[segments.len().saturating_sub(1)..],
    };
    encode(tail)
}

/// An input file: relative paths are kept, absolute ones (a temporary copy, another machine's
/// workspace) keep only the file name.
pub(crate) fn input_uri(path: &str) -> Option<String> {
    let (absolute, segments) = segments(path);
    if absolute {
        encode(&segments[segments.len().saturating_sub(1)..])
    } else {
        encode(&segments)
    }
}

/// Where an input is, as a repository-relative path: its local path, else its name, else
/// `unnamed-input` (a path of nothing but `..` and `/`).
pub(crate) fn input_path(origin: Origin<'_>, name: &str) -> String {
    input_uri(crate::context::origin_path(origin))
        .or_else(|| input_uri(name))
        .unwrap_or_else(|| UNNAMED_INPUT.to_owned())
}

/// Where a control's finding is: its `source_location` (file and line, line 1 when it has
/// none) if it names a file, else line 1 of the input.
pub(crate) fn control_location(
    source_file: Option<&str>,
    source_line: Option<u64>,
    input_path: &str,
) -> (String, u64) {
    match source_file.and_then(source_uri) {
        Some(path) => (path, source_line.unwrap_or(1).max(1)),
        None => (input_path.to_owned(), 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_kept_and_normalised() {
        assert_eq!(source_uri("controls/x.rb").unwrap(), "controls/x.rb");
        assert_eq!(
            source_uri("./p/./controls//x.rb").unwrap(),
            "p/controls/x.rb"
        );
        assert_eq!(source_uri("p\\controls\\x.rb").unwrap(), "p/controls/x.rb");
        assert_eq!(input_uri("results/scan.json").unwrap(), "results/scan.json");
    }

    #[test]
    fn dot_dot_never_climbs_above_the_start() {
        assert_eq!(
            source_uri("../../../etc/passwd <x>").unwrap(),
            "etc/passwd%20%3Cx%3E"
        );
        assert_eq!(source_uri("a/../../b").unwrap(), "b");
        assert_eq!(source_uri("../.."), None);
        assert_eq!(source_uri(""), None);
        assert_eq!(source_uri("/"), None);
    }

    #[test]
    fn absolute_paths_keep_the_profile_directory() {
        assert_eq!(
            source_uri("/Users/me/github/rhel8-baseline/controls/SV-230221.rb").unwrap(),
            "rhel8-baseline/controls/SV-230221.rb"
        );
        assert_eq!(
            source_uri("C:\\p\\controls\\a.rb").unwrap(),
            "p/controls/a.rb"
        );
        assert_eq!(
            source_uri("file:///opt/p/controls/a.rb").unwrap(),
            "p/controls/a.rb"
        );
        assert_eq!(
            source_uri("FILE://host/opt/p/controls/a.rb").unwrap(),
            "p/controls/a.rb"
        );
        assert_eq!(source_uri("/controls/a.rb").unwrap(), "controls/a.rb");
        assert_eq!(source_uri("/opt/inline.rb").unwrap(), "inline.rb");
        assert_eq!(source_uri("/opt/controls").unwrap(), "controls");
        assert_eq!(input_uri("/tmp/scangate-x/pod.json").unwrap(), "pod.json");
    }

    #[test]
    fn no_path_makes_it_panic_or_escape() {
        let nasty = "fi€le:///C:\\..\\x/../../€/./\u{0}/%2e%2e/🔥:?#[]@!$&'()*+,;= \u{202e}";
        for end in (0..=nasty.len()).filter(|&i| nasty.is_char_boundary(i)) {
            for start in (0..end).filter(|&i| nasty.is_char_boundary(i)) {
                for uri in [
                    source_uri(&nasty[start..end]),
                    input_uri(&nasty[start..end]),
                ]
                .into_iter()
                .flatten()
                {
                    assert!(!uri.is_empty() && !uri.starts_with('/'), "{uri}");
                    assert!(
                        uri.split('/')
                            .all(|s| !s.is_empty() && s != "." && s != "..")
                    );
                    assert!(
                        uri.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-._~%/".contains(&b))
                    );
                }
            }
        }
    }

    #[test]
    fn schemes_and_hostile_bytes_are_encoded() {
        assert_eq!(
            source_uri("https://example.com/x.rb").unwrap(),
            "https%3A/example.com/x.rb"
        );
        assert_eq!(
            source_uri("javascript:alert(1)").unwrap(),
            "javascript%3Aalert%281%29"
        );
        assert_eq!(
            source_uri("a\u{0}b?c#d%e").unwrap(),
            "a%EF%BF%BDb%3Fc%23d%25e"
        );
        assert_eq!(source_uri("C:x.rb").unwrap(), "C%3Ax.rb");
    }
}
