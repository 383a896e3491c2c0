//! File paths from the scan as relative URI references GitHub can ingest.
//!
//! GitHub resolves a relative `artifactLocation.uri` against the repository root and needs it
//! to be the same on every run to keep an alert's identity. Paths from the scan may be
//! relative, absolute on some other machine (`/Users/me/profiles/x/controls/a.rb`, `C:\…`,
//! `file:///…`) or hostile (`../../../etc/passwd <x>`). So a path is split into segments on
//! `/` and `\`, `.` and `..` are resolved without ever climbing above the start, absolute paths
//! keep only their machine-independent tail, and each segment is percent-encoded down to RFC
//! 3986's unreserved characters. The result is never absolute, never starts with `..`, and
//! never has a scheme (a `:` in it is encoded).

use super::ids::percent_encode;
use crate::untrusted::sarif::clean;

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
