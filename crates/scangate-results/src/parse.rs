//! Bytes to [`Results`]: format detection, schema checks and error messages.
//!
//! The fast path is one `serde_json` pass into the borrowed model. Only when it fails is the
//! file parsed a second time with `serde_path_to_error`, to name the JSON path of the problem:
//! correct files never pay for path tracking.

use std::path::Path;

use rayon::prelude::*;
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::de::{Groups, ObjectList, RESULT_STATUS_WORDS, Supports};
use crate::error::{Error, ErrorKind, Location};
use serde_json::value::RawValue;

use crate::model::{Control, ControlHead, Format, Platform, Profile, Results, TestResult};
use crate::text::Text;

/// InSpec's default impact, used for json-min reports, which carry none.
pub const JSON_MIN_IMPACT: f64 = 0.5;

/// The top level of any results file; which keys are present decides the format.
#[derive(Deserialize)]
struct TopLevel<'a> {
    #[serde(borrow, default)]
    platform: Option<Platform<'a>>,
    #[serde(borrow, default)]
    profiles: Option<Vec<Profile<'a>>>,
    #[serde(default)]
    statistics: Option<Statistics>,
    #[serde(borrow, default)]
    version: Option<Text<'a>>,
    /// json-min's flat list of tests, or a profile JSON's controls.
    #[serde(borrow, default)]
    controls: Option<Vec<MinEntry<'a>>>,
    /// Present in profile JSON (`inspec json`), absent from results.
    #[serde(default)]
    name: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct Statistics {
    #[serde(default, rename = "duration")]
    _duration: Option<f64>,
    #[serde(default, rename = "controls")]
    _controls: Option<StatisticHash>,
}

#[derive(Deserialize)]
struct StatisticHash {
    #[serde(default, rename = "passed")]
    _passed: Option<StatisticBlock>,
    #[serde(default, rename = "failed")]
    _failed: Option<StatisticBlock>,
    #[serde(default, rename = "skipped")]
    _skipped: Option<StatisticBlock>,
}

#[derive(Deserialize)]
struct StatisticBlock {
    #[serde(rename = "total")]
    _total: f64,
}

/// One json-min entry (one test), every field optional until the format is known.
#[derive(Deserialize)]
struct MinEntry<'a> {
    #[serde(borrow, default)]
    id: Option<Text<'a>>,
    #[serde(borrow, default)]
    profile_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    profile_sha256: Option<Text<'a>>,
    #[serde(borrow, default)]
    status: Option<Text<'a>>,
    #[serde(borrow, default)]
    code_desc: Option<Text<'a>>,
    #[serde(borrow, default)]
    message: Option<Text<'a>>,
    #[serde(borrow, default)]
    skip_message: Option<Text<'a>>,
    #[serde(borrow, default)]
    exception: Option<Text<'a>>,
    #[serde(borrow, default)]
    resource: Option<Text<'a>>,
    #[serde(borrow, default)]
    backtrace: Option<Vec<Text<'a>>>,
}

/// Parses a results file already in memory. `path` only names the file in errors.
///
/// A UTF-8 byte-order mark is skipped. The returned model borrows from `bytes`, which must be
/// UTF-8 (anything else is an error here): [`crate::Input::parse`] reads what is not as U+FFFD.
pub fn parse<'a>(bytes: &'a [u8], path: &Path) -> Result<Results<'a>, Error> {
    let fail = |kind| Error {
        path: path.to_owned(),
        kind,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        None => return Err(fail(ErrorKind::Empty)),
        Some(b'{') => {}
        Some(&other) => {
            // Let the JSON parser describe garbage; name the JSON type of valid non-objects.
            let found = match other {
                b'[' => "an array",
                b'"' => "a string",
                b't' | b'f' => "a boolean",
                b'n' => "null",
                b'-' | b'0'..=b'9' => "a number",
                _ => return Err(syntax_error(path, bytes, &invalid_json(bytes))),
            };
            if serde_json::from_slice::<IgnoredAny>(bytes).is_err() {
                return Err(syntax_error(path, bytes, &invalid_json(bytes)));
            }
            return Err(fail(ErrorKind::NotResults {
                found: found.to_owned(),
            }));
        }
    }
    // One check of the whole buffer, after which serde reads it as `str` and checks no string
    // again (its slice reader validates each one it borrows).
    let text = std::str::from_utf8(bytes).map_err(|e| not_utf8(path, bytes, e.valid_up_to()))?;
    let top: TopLevel<'a> = match serde_json::from_str(text) {
        Ok(top) => top,
        Err(err) => return Err(syntax_error(path, bytes, &err)),
    };
    let mut results = build(top).map_err(fail)?;
    if results.format == Format::Exec {
        heads(&mut results.profiles, bytes, path)?;
    }
    Ok(results)
}

/// The second pass: every control's JSON (captured by the first pass as a raw slice) parsed
/// into the full model, validated, reduced to its head, and dropped. Big files spread the
/// controls over all cores; the result is the same in any order.
fn heads<'a>(profiles: &mut [Profile<'a>], input: &'a [u8], path: &Path) -> Result<(), Error> {
    struct Parsed<'a> {
        head: ControlHead<'a>,
        has_results_key: bool,
    }
    let jobs: Vec<(usize, usize, &'a RawValue)> = profiles
        .iter()
        .enumerate()
        .flat_map(|(p, profile)| {
            profile
                .raw_controls
                .iter()
                .enumerate()
                .map(move |(c, raw)| (p, c, *raw))
        })
        .collect();
    let parse_one =
        |&(_, _, raw): &(usize, usize, &'a RawValue)| -> Result<Parsed<'a>, serde_json::Error> {
            let control: Control<'a> = serde_json::from_str(raw.get())?;
            let has_results_key = control.results.is_some();
            Ok(Parsed {
                head: ControlHead::from_json(control, raw),
                has_results_key,
            })
        };
    let bytes: usize = jobs.iter().map(|(_, _, raw)| raw.get().len()).sum();
    let parsed: Vec<Result<Parsed<'a>, serde_json::Error>> = if bytes >= PARALLEL_BYTES {
        // rayon's work stealing evens out the controls' sizes: an overlay's thousands of
        // empty controls come first in the file, its baseline's full ones after.
        jobs.par_iter().map(parse_one).collect()
    } else {
        jobs.iter().map(parse_one).collect()
    };
    let mut missing_results = None;
    let mut all_missing = !jobs.is_empty();
    for profile in profiles.iter_mut() {
        profile.controls.reserve_exact(profile.raw_controls.len());
        profile.raw_controls = Vec::new();
    }
    for (job, result) in jobs.iter().zip(parsed) {
        let (p, c, raw) = *job;
        match result {
            Ok(parsed) => {
                if parsed.has_results_key {
                    all_missing = false;
                } else {
                    missing_results.get_or_insert((p, c));
                }
                profiles[p].controls.push(parsed.head);
            }
            Err(err) => return Err(control_error(path, input, raw, p, c, &err)),
        }
    }
    let fail = |kind| Error {
        path: path.to_owned(),
        kind,
    };
    match missing_results {
        None => Ok(()),
        Some(_) if all_missing => Err(fail(ErrorKind::ProfileNotResults)),
        Some((p, c)) => Err(fail(at(
            &format!("profiles[{p}].controls[{c}]"),
            "missing required field `results`",
        ))),
    }
}

/// Below this many bytes of controls, threads cost more than they save.
const PARALLEL_BYTES: usize = 4 << 20;

/// An error inside one control's JSON, placed in the whole file: line and column from the
/// slice's offset, the JSON path prefixed with where the control sits.
fn control_error(
    path: &Path,
    input: &[u8],
    raw: &RawValue,
    p: usize,
    c: usize,
    err: &serde_json::Error,
) -> Error {
    let slice = raw.get();
    let offset = (slice.as_ptr() as usize)
        .saturating_sub(input.as_ptr() as usize)
        .min(input.len());
    let before = &input[..offset];
    let base_line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let base_column = offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    let line_column = (err.line() > 0).then(|| {
        if err.line() == 1 {
            (base_line, base_column + err.column() - 1)
        } else {
            (base_line + err.line() - 1, err.column())
        }
    });
    let inner = error_path::<Control<'_>>(slice.as_bytes()).unwrap_or_else(|| ".".to_owned());
    let json_path = if inner == "." {
        format!("profiles[{p}].controls[{c}]")
    } else {
        format!("profiles[{p}].controls[{c}].{inner}")
    };
    serde_error(path, line_column, json_path, err, slice.as_bytes())
}

/// The error for a file that stops being UTF-8 at `offset`.
fn not_utf8(path: &Path, bytes: &[u8], offset: usize) -> Error {
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    Error {
        path: path.to_owned(),
        kind: ErrorKind::Invalid {
            location: Location {
                line_column: Some((line, column)),
                json_path: "$".to_owned(),
            },
            message: format!("not UTF-8: byte 0x{:02x} at offset {offset}", bytes[offset]),
        },
    }
}

fn invalid_json(bytes: &[u8]) -> serde_json::Error {
    match serde_json::from_slice::<IgnoredAny>(bytes) {
        Err(e) => e,
        Ok(_) => serde_json::from_str::<IgnoredAny>("").expect_err("empty input is never JSON"),
    }
}

fn at(json_path: &str, message: impl Into<String>) -> ErrorKind {
    ErrorKind::Invalid {
        location: Location {
            line_column: None,
            json_path: json_path.to_owned(),
        },
        message: message.into(),
    }
}

fn build(top: TopLevel<'_>) -> Result<Results<'_>, ErrorKind> {
    let TopLevel {
        platform,
        profiles,
        statistics,
        version,
        controls,
        name,
    } = top;
    match (profiles, controls) {
        (Some(profiles), _) => {
            let platform = platform.ok_or_else(|| at("$", "missing required field `platform`"))?;
            statistics.ok_or_else(|| at("$", "missing required field `statistics`"))?;
            let version = version.ok_or_else(|| at("$", "missing required field `version`"))?;
            if profiles.is_empty() {
                return Err(ErrorKind::NoProfiles);
            }
            Ok(Results {
                format: Format::Exec,
                platform: Some(platform),
                profiles,
                version,
                warnings: Vec::new(),
            })
        }
        (None, Some(_)) if name.is_some() => Err(ErrorKind::ProfileNotResults),
        (None, Some(entries)) => {
            statistics.ok_or_else(|| at("$", "missing required field `statistics`"))?;
            let version = version.ok_or_else(|| at("$", "missing required field `version`"))?;
            Ok(Results {
                format: Format::JsonMin,
                platform: None,
                profiles: from_json_min(entries)?,
                version,
                warnings: Vec::new(),
            })
        }
        (None, None) => Err(ErrorKind::NotResults {
            found: "an object with neither".to_owned(),
        }),
    }
}

/// json-min lists tests; group them into controls per profile, keeping first-seen order.
fn from_json_min<'a>(entries: Vec<MinEntry<'a>>) -> Result<Vec<Profile<'a>>, ErrorKind> {
    use std::collections::HashMap;

    let mut profiles: Vec<Profile<'a>> = Vec::new();
    let mut built: Vec<Vec<Control<'a>>> = Vec::new();
    let mut profile_index: HashMap<Text<'a>, usize> = HashMap::new();
    let mut control_index: HashMap<(usize, Text<'a>), usize> = HashMap::new();
    for (i, entry) in entries.into_iter().enumerate() {
        let required = |field: Option<Text<'a>>, name: &str| {
            field.ok_or_else(|| {
                at(
                    &format!("controls[{i}]"),
                    format!("missing required field `{name}`"),
                )
            })
        };
        let id = required(entry.id, "id")?;
        let sha256 = required(entry.profile_sha256, "profile_sha256")?;
        let code_desc = required(entry.code_desc, "code_desc")?;
        let status_word = required(entry.status, "status")?;
        let status = RESULT_STATUS_WORDS
            .iter()
            .find(|(w, _)| *w == status_word.as_str())
            .map(|(_, s)| *s)
            .ok_or_else(|| {
                at(
                    &format!("controls[{i}].status"),
                    format!(
                        "expected one of passed, failed, skipped, error (case-sensitive), found {:?}",
                        status_word.as_str()
                    ),
                )
            })?;
        let profile_name = entry
            .profile_id
            .unwrap_or_else(|| Text::borrowed("json-min"));
        let p = *profile_index
            .entry(profile_name.clone())
            .or_insert_with(|| {
                profiles.push(Profile {
                    name: profile_name,
                    version: None,
                    title: None,
                    maintainer: None,
                    summary: None,
                    license: None,
                    copyright: None,
                    sha256,
                    parent_profile: None,
                    depends: Vec::new(),
                    status: None,
                    status_message: None,
                    skip_message: None,
                    controls: Vec::new(),
                    raw_controls: Vec::new(),
                    _attributes: ObjectList,
                    _groups: Groups,
                    _supports: Supports,
                });
                built.push(Vec::new());
                profiles.len() - 1
            });
        let controls = &mut built[p];
        let c = *control_index.entry((p, id.clone())).or_insert_with(|| {
            controls.push(Control::stub(id, None, JSON_MIN_IMPACT));
            controls.len() - 1
        });
        if let Some(results) = controls[c].results.as_mut() {
            results.push(TestResult {
                status: Some(status),
                code_desc,
                message: entry.message,
                skip_message: entry.skip_message,
                exception: entry.exception,
                backtrace: entry.backtrace,
                run_time: None,
                start_time: Text::default(),
                resource: entry.resource,
            });
        }
    }
    for (profile, controls) in profiles.iter_mut().zip(built) {
        profile.controls = controls.into_iter().map(ControlHead::from_built).collect();
    }
    Ok(profiles)
}

/// Turns a serde error into one line: place, then "expected X, found Y".
fn syntax_error(path: &Path, bytes: &[u8], err: &serde_json::Error) -> Error {
    let line_column = (err.line() > 0).then(|| (err.line(), err.column()));
    // Second, slower pass that tracks where the deserializer was; only on the error path.
    let mut json_path = error_path::<TopLevel<'_>>(bytes);
    // The first pass keeps controls as raw text, so its path ends at the control; for an
    // error inside one, a pass through the typed controls names the field.
    let in_control = json_path
        .as_deref()
        .is_some_and(|p| p.ends_with(']') && p.contains(".controls["));
    if in_control
        && let Some(deeper) = error_path::<TypedControls<'_>>(bytes)
        && deeper.starts_with(json_path.as_deref().unwrap_or_default())
    {
        json_path = Some(deeper);
    }
    let json_path = match json_path.as_deref() {
        None | Some(".") => "$".to_owned(),
        Some(p) => p.to_owned(),
    };
    serde_error(path, line_column, json_path, err, bytes)
}

/// The error for `err` at a place already worked out; `bytes` is what `err` came from.
fn serde_error(
    path: &Path,
    line_column: Option<(usize, usize)>,
    json_path: String,
    err: &serde_json::Error,
    bytes: &[u8],
) -> Error {
    Error {
        path: path.to_owned(),
        kind: ErrorKind::Invalid {
            location: Location {
                line_column,
                json_path,
            },
            message: describe(err, bytes),
        },
    }
}

/// Where in the document deserializing `bytes` as `T` fails, if it does.
fn error_path<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Option<String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize::<_, T>(&mut de)
        .err()
        .map(|e| {
            let path = e.path().to_string();
            // `?` stands for a key that was never read (the error came while reading it).
            match path.strip_suffix(".?") {
                Some(parent) => parent.to_owned(),
                None => path,
            }
        })
}

/// The document with its controls fully typed: only for locating errors inside a control.
// Never read: deserializing is the point.
#[allow(dead_code)]
#[derive(Deserialize)]
struct TypedControls<'a> {
    #[serde(borrow, default)]
    profiles: Option<Vec<TypedProfile<'a>>>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct TypedProfile<'a> {
    #[serde(borrow, default)]
    controls: Option<Vec<Control<'a>>>,
}

/// The byte offset of a 1-based line and column (serde_json counts columns in bytes).
fn offset_of(bytes: &[u8], line: usize, column: usize) -> Option<usize> {
    let line_start = if line <= 1 {
        0
    } else {
        bytes
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n')
            .nth(line - 2)
            .map(|(i, _)| i + 1)?
    };
    Some(line_start + column.checked_sub(1)?)
}

/// The surrogate escape (`\ud800`) that serde_json stopped at or just after: the last one
/// in the few bytes up to the error, as the user wrote it.
fn surrogate_before(bytes: &[u8], line: usize, column: usize) -> Option<&str> {
    let end = (offset_of(bytes, line, column)? + 1).min(bytes.len());
    let window = &bytes[end.saturating_sub(16)..end];
    window.windows(6).rev().find_map(|w| {
        let hex = std::str::from_utf8(w.strip_prefix(b"\\u")?).ok()?;
        let unit = u16::from_str_radix(hex, 16).ok()?;
        (0xD800..=0xDFFF)
            .contains(&unit)
            .then(|| std::str::from_utf8(w).ok())
            .flatten()
    })
}

/// What stands where a syntax error points, for the "found" half of the message: the
/// character, or its byte value when it is not printable.
fn found_at(bytes: &[u8], line: usize, column: usize) -> Option<String> {
    let at = offset_of(bytes, line, column)?;
    let rest = bytes.get(at..)?;
    let head = &rest[..rest.len().min(4)];
    let ch = match std::str::from_utf8(head) {
        Ok(s) => s.chars().next(),
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()])
            .ok()
            .and_then(|s| s.chars().next()),
    };
    // The file may be hostile: only plain characters are echoed, never controls, bidi
    // overrides or other invisible ones.
    Some(match ch {
        Some(c) if c != '`' && (c.is_ascii_graphic() || c.is_alphanumeric()) => format!("`{c}`"),
        Some(c) if !c.is_ascii() => format!("character U+{:04X}", u32::from(c)),
        _ => format!("byte 0x{:02x}", rest.first()?),
    })
}

/// serde's wording, rephrased as "expected X, found Y" in JSON's vocabulary.
pub(crate) fn describe(err: &serde_json::Error, bytes: &[u8]) -> String {
    let full = err.to_string();
    let msg = match full.rfind(" at line ") {
        Some(i) => &full[..i],
        None => &full,
    };
    if let Some((found, expected)) = msg
        .strip_prefix("invalid type: ")
        .or_else(|| msg.strip_prefix("invalid value: "))
        .and_then(|rest| rest.split_once(", expected "))
    {
        return format!(
            "expected {}, found {}",
            json_word(expected),
            found_word(found)
        );
    }
    if let Some(field) = msg.strip_prefix("missing field ") {
        return format!("missing required field {field}");
    }
    if msg == "recursion limit exceeded" {
        return "nested more than 128 levels deep".to_owned();
    }
    // serde_json's names for a surrogate escape without its other half.
    if msg == "unexpected end of hex escape" || msg == "lone leading surrogate in hex escape" {
        let escape = surrogate_before(bytes, err.line(), err.column())
            .map_or_else(|| "a `\\u` escape".to_owned(), |e| format!("`{e}`"));
        return format!(
            "{escape} is a lone UTF-16 surrogate escape, not valid Unicode \
             (surrogates come in pairs: \\uD800-\\uDBFF, then \\uDC00-\\uDFFF)"
        );
    }
    if msg == "number out of range" {
        return "number out of range (beyond what a 64-bit float holds)".to_owned();
    }
    if msg.starts_with("EOF while parsing") {
        return format!("unexpected end of file ({})", msg.to_lowercase());
    }
    if err.is_syntax() && msg.starts_with("expected ") {
        let expected = match msg {
            "expected value" => "expected a JSON value",
            // A bare word that is not `null`, `true` or `false`.
            "expected ident" => "expected `null`, `true` or `false`",
            m => m,
        };
        if let Some(found) = found_at(bytes, err.line(), err.column()) {
            return format!("{expected}, found {found}");
        }
        return expected.to_owned();
    }
    msg.to_owned()
}

fn json_word(expected: &str) -> &str {
    match expected {
        "f64" | "f32" | "i64" | "u64" | "a number" => "a number",
        "a sequence" | "an array" => "an array",
        "a map" | "an object" => "an object",
        "a boolean" | "bool" => "a boolean",
        e if e.starts_with("struct ") => "an object",
        e => e,
    }
}

fn found_word(found: &str) -> String {
    match found {
        "sequence" => "an array".to_owned(),
        "map" => "an object".to_owned(),
        "unit value" | "null" => "null".to_owned(),
        f if f.starts_with("integer ") || f.starts_with("floating point ") => {
            format!("the number {}", f.rsplit(' ').next().unwrap_or(f))
        }
        f if f.starts_with("boolean ") => format!("the boolean {}", &f["boolean ".len()..]),
        f => f.to_owned(),
    }
}
