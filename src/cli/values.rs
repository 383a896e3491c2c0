//! Values of `fetch`'s flags that clap parses into numbers: a flag that cannot be read is a
//! usage error before anything runs, and the defaults shown in `--help` are the library's
//! values written back in the same syntax.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A duration as `90s`, `10m`, `1h30m` or `250ms`; a bare number is refused (seconds or
/// minutes?). Written back to the millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationArg(pub Duration);

impl FromStr for DurationArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("empty duration (use e.g. 90s, 10m, 1h)".into());
        }
        let mut total = Duration::ZERO;
        let mut rest = text;
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if digits == 0 {
                return Err("not a duration (use e.g. 90s, 10m, 1h)".into());
            }
            let number: u64 = rest[..digits]
                .parse()
                .map_err(|_| "number too large".to_owned())?;
            rest = &rest[digits..];
            let unit_len = rest
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(rest.len());
            let unit = &rest[..unit_len];
            rest = &rest[unit_len..];
            let part = match unit {
                "ms" => Duration::from_millis(number),
                "s" => Duration::from_secs(number),
                "m" => Duration::from_secs(number.saturating_mul(60)),
                "h" => Duration::from_secs(number.saturating_mul(3600)),
                "" => return Err("no unit (use e.g. 90s, 10m, 1h)".into()),
                other => return Err(format!("unknown unit {other:?} (use ms, s, m or h)")),
            };
            total = total.saturating_add(part);
        }
        if total.is_zero() {
            return Err("the duration must be more than zero".into());
        }
        Ok(Self(total))
    }
}

impl fmt::Display for DurationArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms == 0 {
            return f.write_str("0s");
        }
        let parts = [
            (ms / 3_600_000, "h"),
            (ms / 60_000 % 60, "m"),
            (ms / 1000 % 60, "s"),
            (ms % 1000, "ms"),
        ];
        for (count, unit) in parts {
            if count > 0 {
                write!(f, "{count}{unit}")?;
            }
        }
        Ok(())
    }
}

/// A byte count as `512MiB`, `10MB` or `4096`: units B, kB/KB, MB, GB (powers of 1000) and
/// KiB, MiB, GiB (powers of 1024), case-insensitive. Written back in the largest binary unit
/// that divides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl FromStr for ByteSize {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let digits = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        if digits == 0 {
            return Err("not a size (use e.g. 512MiB, 10MB, 4096)".into());
        }
        let number: u64 = text[..digits]
            .parse()
            .map_err(|_| "number too large".to_owned())?;
        let multiplier: u64 = match text[digits..].trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "kb" | "k" => 1000,
            "mb" | "m" => 1000 * 1000,
            "gb" | "g" => 1000 * 1000 * 1000,
            "kib" | "ki" => 1 << 10,
            "mib" | "mi" => 1 << 20,
            "gib" | "gi" => 1 << 30,
            other => {
                return Err(format!(
                    "unknown unit {other:?} (use B, KB, MB, GB, KiB, MiB or GiB)"
                ));
            }
        };
        let bytes = number
            .checked_mul(multiplier)
            .ok_or_else(|| "too large".to_owned())?;
        if bytes == 0 {
            return Err("the size must be more than zero".into());
        }
        Ok(Self(bytes))
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0;
        for (unit, size) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
            if bytes > 0 && bytes.is_multiple_of(size) {
                return write!(f, "{}{unit}", bytes / size);
            }
        }
        write!(f, "{bytes}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn duration(text: &str) -> Result<Duration, String> {
        text.parse::<DurationArg>().map(|d| d.0)
    }

    fn size(text: &str) -> Result<u64, String> {
        text.parse::<ByteSize>().map(|s| s.0)
    }

    #[test]
    fn durations() {
        assert_eq!(duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(duration("250ms"), Ok(Duration::from_millis(250)));
        for bad in ["", "10", "s", "10x", "-5s", "0s", "1.5s"] {
            assert!(duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(size("512MiB"), Ok(512 << 20));
        assert_eq!(size("10MB"), Ok(10_000_000));
        assert_eq!(size("4096"), Ok(4096));
        assert_eq!(size("1kib"), Ok(1024));
        for bad in [
            "",
            "MiB",
            "10XB",
            "0",
            "99999999999999999999",
            "18446744073709551615GiB",
        ] {
            assert!(size(bad).is_err(), "{bad:?}");
        }
    }

    /// clap parses the default it shows: what is written must read back as the same value.
    #[test]
    fn written_values_read_back() {
        for ms in [
            1, 250, 1000, 1500, 90_000, 600_000, 5_400_000, 5_415_250, 86_400_000,
        ] {
            let value = DurationArg(Duration::from_millis(ms));
            assert_eq!(value.to_string().parse(), Ok(value), "{value}");
        }
        for bytes in [
            1,
            1000,
            1024,
            4096,
            1536,
            10_000_000,
            512 << 20,
            3 << 30,
            u64::MAX,
        ] {
            let value = ByteSize(bytes);
            assert_eq!(value.to_string().parse(), Ok(value), "{value}");
        }
        assert_eq!(DurationArg(Duration::from_secs(600)).to_string(), "10m");
        assert_eq!(
            DurationArg(Duration::from_millis(5_415_250)).to_string(),
            "1h30m15s250ms"
        );
        assert_eq!(ByteSize(512 << 20).to_string(), "512MiB");
        assert_eq!(ByteSize(1536).to_string(), "1536");
    }
}
