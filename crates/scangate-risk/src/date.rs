//! Dates and frequencies as written in waiver and attestation files: parsed strictly (what
//! InSpec and saf would misread or silently ignore is refused here), and saf's calendar
//! arithmetic for when an attestation expires.

use std::fmt;

use jiff::civil::{Date, Time};
use jiff::tz::Offset;
use jiff::{Span, Timestamp, Zoned};

use crate::model::{Frequency, Unit, When, WhenValue};

const DATE_FORMS: &str = "expected a date `YYYY-MM-DD` such as `2026-11-20`, a local date and time such as `2026-11-20T10:00:00` (or with a space for `T`), or an instant with a zone such as `2026-11-20T10:00:00Z` or `2026-11-20T10:00:00+02:00`";

impl When {
    /// Reads `YYYY-MM-DD` (a day, midnight local time), `YYYY-MM-DDTHH:MM[:SS[.fff]]` or the
    /// same with a space (local time), or either with `Z` or `±HH:MM` (an instant). The error
    /// says what was expected, with examples.
    pub fn parse(text: &str) -> Result<When, String> {
        let value = parse_value(text.as_bytes())
            .map_err(|why| format!("`{text}` is not a date{why}: {DATE_FORMS}"))?;
        Ok(When {
            written: text.to_owned(),
            value,
        })
    }
}

/// `Err` carries an optional detail, e.g. `; there is no day 2026-02-30`.
fn parse_value(b: &[u8]) -> Result<WhenValue, String> {
    let date = parse_date(b)?;
    let rest = &b[10..];
    let Some((&sep, rest)) = rest.split_first() else {
        return Ok(WhenValue::Day(date));
    };
    if !matches!(sep, b'T' | b't' | b' ') {
        return Err(String::new());
    }
    let (time, rest) = parse_time(rest)?;
    let datetime = date.to_datetime(time);
    let offset = match rest {
        [] => return Ok(WhenValue::Local(datetime)),
        [b'Z' | b'z'] => Offset::UTC,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = two_digits(*h1, *h2).ok_or_else(String::new)?;
            let minutes = two_digits(*m1, *m2).ok_or_else(String::new)?;
            if hours > 23 || minutes > 59 {
                return Err("; the offset is out of range".to_owned());
            }
            let seconds = (i32::from(hours) * 60 + i32::from(minutes)) * 60;
            let seconds = if *sign == b'-' { -seconds } else { seconds };
            Offset::from_seconds(seconds).map_err(|_| String::new())?
        }
        _ => return Err(String::new()),
    };
    offset
        .to_timestamp(datetime)
        .map(WhenValue::Instant)
        .map_err(|_| "; it is out of range".to_owned())
}

fn two_digits(a: u8, b: u8) -> Option<i8> {
    (a.is_ascii_digit() && b.is_ascii_digit()).then(|| ((a - b'0') * 10 + (b - b'0')) as i8)
}

fn digits(b: &[u8]) -> Option<i32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, d| n * 10 + i32::from(d - b'0')))
}

fn parse_date(b: &[u8]) -> Result<Date, String> {
    let shape = b.len() >= 10 && b[4] == b'-' && b[7] == b'-';
    let (Some(year), Some(month), Some(day)) = (
        digits(b.get(..4).filter(|_| shape).unwrap_or_default()),
        digits(b.get(5..7).unwrap_or_default()),
        digits(b.get(8..10).unwrap_or_default()),
    ) else {
        return Err(String::new());
    };
    let (Ok(month), Ok(day)) = (i8::try_from(month), i8::try_from(day)) else {
        return Err(String::new());
    };
    Date::new(year as i16, month, day)
        .map_err(|_| format!("; there is no day {year:04}-{month:02}-{day:02} in the calendar"))
}

fn parse_time(b: &[u8]) -> Result<(Time, &[u8]), String> {
    let bad = || "; the time of day is not `HH:MM` or `HH:MM:SS`".to_owned();
    let [h1, h2, b':', m1, m2, rest @ ..] = b else {
        return Err(bad());
    };
    let hour = two_digits(*h1, *h2).ok_or_else(bad)?;
    let minute = two_digits(*m1, *m2).ok_or_else(bad)?;
    let (second, rest) = match rest {
        [b':', s1, s2, rest @ ..] => (two_digits(*s1, *s2).ok_or_else(bad)?, rest),
        _ => (0, rest),
    };
    let (nanos, rest) = match rest {
        [b'.', frac @ ..] if second_given(b) => {
            let n = frac.iter().take_while(|d| d.is_ascii_digit()).count();
            if n == 0 || n > 9 {
                return Err(bad());
            }
            let value = digits(&frac[..n]).ok_or_else(bad)?;
            (value * 10i32.pow(9 - n as u32), &frac[n..])
        }
        _ => (0, rest),
    };
    let time = Time::new(hour, minute, second, nanos)
        .map_err(|_| "; the time of day is out of range".to_owned())?;
    Ok((time, rest))
}

/// Fractions of a second only follow seconds (`HH:MM:SS.fff`).
fn second_given(time: &[u8]) -> bool {
    time.get(5) == Some(&b':')
}

/// saf's names, exactly as it matches them (case-sensitive).
const NAMES: [(&str, Frequency); 9] = [
    ("annually", Frequency::Annually),
    ("semiannually", Frequency::Semiannually),
    ("quarterly", Frequency::Quarterly),
    ("monthly", Frequency::Monthly),
    ("every2weeks", Frequency::Every2Weeks),
    ("fortnightly", Frequency::Fortnightly),
    ("weekly", Frequency::Weekly),
    ("every3days", Frequency::Every3Days),
    ("daily", Frequency::Daily),
];

/// Words people write for saf's names.
const FREQUENCY_ALIASES: &[(&str, &str)] = &[
    ("yearly", "annually"),
    ("annual", "annually"),
    ("biannually", "semiannually"),
    ("semiannual", "semiannually"),
    ("halfyearly", "semiannually"),
    ("biweekly", "every2weeks"),
    ("quarter", "quarterly"),
    ("month", "monthly"),
    ("week", "weekly"),
    ("day", "daily"),
];

const FREQUENCY_FORMS: &str = "expected one of annually, semiannually, quarterly, monthly, every2weeks, fortnightly, weekly, every3days, daily, or a whole number and a unit d, w, m or y such as `90d`, `2w`, `6m`, `1y`";

impl Frequency {
    /// saf's names (case-sensitive, as saf matches them), or a whole number of days, weeks,
    /// months or years: `90d`, `2w`, `6m`, `1y`. saf also takes `1.5m` (rounded), `every 5
    /// days` or `2h` (never advances); those are refused, with the accepted forms and, for a
    /// near miss, a suggestion.
    pub fn parse(text: &str) -> Result<Frequency, String> {
        if let Some((_, f)) = NAMES.iter().find(|(name, _)| *name == text) {
            return Ok(*f);
        }
        if let Some(f) = parse_custom(text) {
            return f;
        }
        let hint = match suggest_frequency(text) {
            Some(s) => format!("; did you mean `{s}`?"),
            None if text.contains(['.', ',']) => {
                "; fractions are not accepted (saf rounds them): write a whole number such as `2m` or `45d`".to_owned()
            }
            None => String::new(),
        };
        Err(format!(
            "unknown frequency `{text}`: {FREQUENCY_FORMS}{hint}"
        ))
    }

    /// The whole number and unit of a step forward: named frequencies as saf's `add` calls.
    fn step(self) -> (u32, Unit) {
        match self {
            Frequency::Annually => (1, Unit::Years),
            Frequency::Semiannually => (6, Unit::Months),
            Frequency::Quarterly => (3, Unit::Months),
            Frequency::Monthly => (1, Unit::Months),
            Frequency::Every2Weeks | Frequency::Fortnightly => (2, Unit::Weeks),
            Frequency::Weekly => (1, Unit::Weeks),
            Frequency::Every3Days => (3, Unit::Days),
            Frequency::Daily => (1, Unit::Days),
            Frequency::Custom { count, unit } => (count, unit),
        }
    }

    /// When an attestation made at `start` expires: saf's moment.js `add`, i.e. calendar
    /// arithmetic in `start`'s zone. Months and years clamp to the end of the month
    /// (2026-01-31 monthly → 2026-02-28), weeks are 7 calendar days, days are calendar days
    /// (23 or 25 hours across a DST change). Counts beyond jiff's range saturate at the
    /// latest instant jiff knows, which never expires in practice.
    pub fn advance(&self, start: &Zoned) -> Zoned {
        let (count, unit) = self.step();
        let count = i64::from(count);
        let span = match unit {
            Unit::Days => Span::new().try_days(count),
            Unit::Weeks => Span::new().try_weeks(count),
            Unit::Months => Span::new().try_months(count),
            Unit::Years => Span::new().try_years(count),
        };
        span.and_then(|span| start.checked_add(span))
            .unwrap_or_else(|_| Timestamp::MAX.to_zoned(start.time_zone().clone()))
    }
}

/// `Some` when the text is a number and a unit letter: `Ok` for a whole, positive count.
fn parse_custom(text: &str) -> Option<Result<Frequency, String>> {
    let (number, unit) = text.split_at_checked(text.len().checked_sub(1)?)?;
    let unit = match unit {
        "d" => Unit::Days,
        "w" => Unit::Weeks,
        "m" => Unit::Months,
        "y" => Unit::Years,
        _ => return None,
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let count = match number.parse::<u32>() {
        Ok(0) => {
            return Some(Err(format!(
                "frequency `{text}` is zero: the attestation would expire as it is made; {FREQUENCY_FORMS}"
            )));
        }
        Ok(count) => count,
        Err(_) => {
            return Some(Err(format!(
                "frequency `{text}` is too large: at most {} of a unit",
                u32::MAX
            )));
        }
    };
    Some(Ok(Frequency::Custom { count, unit }))
}

fn suggest_frequency(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let squeezed: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    // `5D`, `2 w`: the custom form with a capital unit or a space, which saf refuses or reads
    // loosely.
    if let Some(Ok(f)) = parse_custom(&squeezed) {
        return Some(f.to_string());
    }
    // `every 5 days`, `10 days`: saf reads the first number and the letter after it.
    let start = lower.find(|c: char| c.is_ascii_digit());
    if let Some(start) = start {
        let rest = &lower[start..];
        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(digits_end);
        if !after.starts_with(['.', ',']) {
            let letter = after.trim_start().chars().next().unwrap_or(' ');
            if let Some(Ok(f)) = parse_custom(&format!("{number}{letter}")) {
                return Some(f.to_string());
            }
        }
    }
    let compact: String = squeezed
        .chars()
        .filter(|c| !matches!(c, '-' | '_'))
        .collect();
    if let Some((_, to)) = FREQUENCY_ALIASES.iter().find(|(from, _)| *from == compact) {
        return Some((*to).to_owned());
    }
    let mut best: Option<(f64, &str)> = None;
    for (name, _) in NAMES {
        let mut score = strsim::jaro_winkler(&compact, name);
        if strsim::damerau_levenshtein(&compact, name) <= 1 {
            score = score.max(0.9);
        }
        if score >= 0.85 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, name));
        }
    }
    best.map(|(_, name)| name.to_owned())
}

impl fmt::Display for Frequency {
    /// The canonical spelling: saf's name, or `90d`, `2w`, `6m`, `1y`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Frequency::Custom { count, unit } = self {
            return write!(f, "{count}{}", unit.letter());
        }
        let name = NAMES
            .iter()
            .find(|(_, n)| n == self)
            .map_or("", |(name, _)| name);
        f.write_str(name)
    }
}

impl Unit {
    /// `d`, `w`, `m` or `y`, as in `90d`.
    pub const fn letter(self) -> char {
        match self {
            Unit::Days => 'd',
            Unit::Weeks => 'w',
            Unit::Months => 'm',
            Unit::Years => 'y',
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    #[test]
    fn dates() {
        let day = When::parse("2026-11-20").unwrap();
        assert_eq!(day.value, WhenValue::Day(jiff::civil::date(2026, 11, 20)));
        for local in [
            "2026-11-20T10:00",
            "2026-11-20 10:00:00",
            "2026-11-20t10:00:00.5",
        ] {
            assert!(
                matches!(When::parse(local).unwrap().value, WhenValue::Local(_)),
                "{local}"
            );
        }
        let z = When::parse("2026-11-20T10:00:00Z").unwrap();
        let plus = When::parse("2026-11-20T12:00:00+02:00").unwrap();
        assert_eq!(z.value, plus.value);
        for bad in [
            "",
            "not a date",
            "2026-13-45",
            "11/20/2026",
            "2026-02-30",
            "2026-11-20T25:00",
            "2026-11-20T10:00Zx",
            "2026-11-20T10:00.5",
            " 2026-11-20",
            "2026-11-2é",
            "20261120",
        ] {
            let err = When::parse(bad).unwrap_err();
            assert!(err.contains("2026-11-20T10:00:00Z"), "{bad}: {err}");
        }
    }

    #[test]
    fn frequencies() {
        assert_eq!(Frequency::parse("monthly"), Ok(Frequency::Monthly));
        assert_eq!(
            Frequency::parse("90d"),
            Ok(Frequency::Custom {
                count: 90,
                unit: Unit::Days
            })
        );
        let suggests = |text: &str, s: &str| {
            let err = Frequency::parse(text).unwrap_err();
            assert!(
                err.ends_with(&format!("did you mean `{s}`?")),
                "{text}: {err}"
            );
        };
        suggests("Monthly", "monthly");
        suggests("anually", "annually");
        suggests("5D", "5d");
        suggests("biweekly", "every2weeks");
        suggests("every 5 days", "5d");
        suggests("10 W", "10w");
        for bad in ["1.5m", "every 5 days", "2h", "0d", "d5", "4294967296d", ""] {
            assert!(Frequency::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn month_ends_clamp() {
        let at = |y, m, d| jiff::civil::date(y, m, d).to_zoned(TimeZone::UTC).unwrap();
        assert_eq!(
            Frequency::Monthly.advance(&at(2026, 1, 31)),
            at(2026, 2, 28)
        );
        assert_eq!(
            Frequency::Annually.advance(&at(2024, 2, 29)),
            at(2025, 2, 28)
        );
        assert_eq!(
            Frequency::Semiannually.advance(&at(2026, 8, 31)),
            at(2027, 2, 28)
        );
        assert_eq!(
            Frequency::Quarterly.advance(&at(2026, 11, 30)),
            at(2027, 2, 28)
        );
        let huge = Frequency::Custom {
            count: 999_999_999,
            unit: Unit::Years,
        };
        assert_eq!(huge.advance(&at(2026, 1, 1)).timestamp(), Timestamp::MAX);
    }

    #[test]
    fn days_are_calendar_days_across_dst() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let start = jiff::civil::date(2026, 3, 28).to_zoned(tz).unwrap();
        let next = Frequency::Daily.advance(&start);
        assert_eq!(next.date(), jiff::civil::date(2026, 3, 29));
        assert_eq!(next.time(), Time::midnight());
    }
}
