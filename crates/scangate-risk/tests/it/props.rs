//! Properties of frequencies and dates: parse and display round trip, and saf's calendar
//! arithmetic (always forward; months and years land on the same day or the month's end).

use jiff::Zoned;
use jiff::civil::{DateTime, date};
use jiff::tz::TimeZone;
use proptest::prelude::*;
use scangate_risk::{Frequency, Unit, When};

fn unit() -> impl Strategy<Value = Unit> {
    prop::sample::select(vec![Unit::Days, Unit::Weeks, Unit::Months, Unit::Years])
}

fn frequency() -> impl Strategy<Value = Frequency> {
    prop_oneof![
        prop::sample::select(vec![
            Frequency::Annually,
            Frequency::Semiannually,
            Frequency::Quarterly,
            Frequency::Monthly,
            Frequency::Every2Weeks,
            Frequency::Fortnightly,
            Frequency::Weekly,
            Frequency::Every3Days,
            Frequency::Daily,
        ]),
        (1..=u32::MAX, unit()).prop_map(|(count, unit)| Frequency::Custom { count, unit }),
        (1..500u32, unit()).prop_map(|(count, unit)| Frequency::Custom { count, unit }),
    ]
}

/// A start between 1900 and 2199, at any time of day, in a zone with or without DST (Lord
/// Howe shifts by half an hour).
fn start() -> impl Strategy<Value = Zoned> {
    let zone = prop::sample::select(vec![
        "UTC",
        "America/New_York",
        "Europe/Berlin",
        "Australia/Lord_Howe",
        "Pacific/Kiritimati",
    ]);
    (1900..2200i16, 1..=12i8, 1..=31i8, 0..24i8, 0..60i8, zone).prop_map(
        |(y, m, d, h, min, zone)| {
            let day = d.min(date(y, m, 1).days_in_month());
            DateTime::new(y, m, day, h, min, 0, 0)
                .unwrap()
                .to_zoned(TimeZone::get(zone).unwrap())
                .unwrap()
        },
    )
}

/// The number of months a frequency advances by, if it counts in months or years.
fn months(f: Frequency) -> Option<i64> {
    match f {
        Frequency::Annually => Some(12),
        Frequency::Semiannually => Some(6),
        Frequency::Quarterly => Some(3),
        Frequency::Monthly => Some(1),
        Frequency::Custom {
            count,
            unit: Unit::Months,
        } => Some(count.into()),
        Frequency::Custom {
            count,
            unit: Unit::Years,
        } => Some(i64::from(count) * 12),
        _ => None,
    }
}

proptest! {
    #[test]
    fn frequency_display_parses_back(f in frequency()) {
        prop_assert_eq!(Frequency::parse(&f.to_string()), Ok(f));
    }

    #[test]
    fn advance_moves_forward(f in frequency(), start in start()) {
        prop_assert!(f.advance(&start) > start, "{} from {}", f, start);
    }

    #[test]
    fn months_and_years_keep_the_day_or_clamp_to_the_month_end(f in frequency(), start in start()) {
        let end = f.advance(&start);
        if let Some(n) = months(f).filter(|n| *n < 12 * 1000) {
            let day = end.date();
            prop_assert!(
                day.day() == start.day() || (day.day() == day.days_in_month() && start.day() > day.day()),
                "{} from {} gave {}", f, start, end
            );
            let month_index = |d: jiff::civil::Date| i64::from(d.year()) * 12 + i64::from(d.month());
            prop_assert_eq!(month_index(day) - month_index(start.date()), n);
        }
    }

    #[test]
    fn dates_display_parse_back(y in 1000..3000i16, m in 1..=12i8, d in 1..=28i8, h in 0..24i8, min in 0..60i8, s in 0..60i8, form in 0..5usize) {
        let text = match form {
            0 => format!("{y:04}-{m:02}-{d:02}"),
            1 => format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}"),
            2 => format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}.125"),
            3 => format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}Z"),
            _ => format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}-05:30"),
        };
        let when = When::parse(&text).unwrap();
        prop_assert_eq!(when.to_string(), text.clone());
        prop_assert_eq!(When::parse(&when.to_string()), Ok(when));
    }
}
