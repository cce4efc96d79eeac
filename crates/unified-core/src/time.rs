//! Timestamps in the contract's one format: RFC 3339, UTC, milliseconds (`2025-01-15T10:00:00.000Z`).

use std::fmt;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant, always written as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    /// Parses RFC 3339 with any offset, and the `+0000` offset form (no colon) that Salesforce sends.
    pub fn parse(text: &str) -> Option<Self> {
        if let Some(t) = parse_utc_fast(text.as_bytes()) {
            return Some(t);
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Some(Self(t.with_timezone(&Utc)));
        }
        DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z").ok().map(|t| Self(t.with_timezone(&Utc)))
    }

    /// Milliseconds since the Unix epoch (HubSpot's other timestamp form).
    pub fn from_millis(ms: i64) -> Option<Self> {
        DateTime::from_timestamp_millis(ms).map(Self)
    }

    pub fn millis(&self) -> i64 {
        self.0.timestamp_millis()
    }
}

impl Timestamp {
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` into a stack buffer: records carry two of these, and chrono's
    /// general formatter allocates. Years outside 0..=9999 (never seen from a CRM) take chrono's path.
    fn write_fixed(&self, buf: &mut [u8; 24]) -> Option<()> {
        let secs = self.0.timestamp();
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        let year = u32::try_from(year).ok().filter(|y| *y <= 9999)?;
        let of_day = secs.rem_euclid(86_400) as u32;
        let millis = (self.0.timestamp_subsec_nanos() / 1_000_000).min(999);
        let mut put = |at: usize, value: u32, width: usize| {
            let mut v = value;
            for i in (0..width).rev() {
                buf[at + i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        };
        put(0, year, 4);
        put(5, month, 2);
        put(8, day, 2);
        put(11, of_day / 3600, 2);
        put(14, of_day / 60 % 60, 2);
        put(17, of_day % 60, 2);
        put(20, millis, 3);
        for (at, sep) in [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (19, b'.'), (23, b'Z')] {
            buf[at] = sep;
        }
        Some(())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 24];
        match self.write_fixed(&mut buf) {
            Some(()) => f.write_str(std::str::from_utf8(&buf).map_err(|_| fmt::Error)?),
            None => f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true)),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 24];
        match self.write_fixed(&mut buf) {
            Some(()) => s.serialize_str(std::str::from_utf8(&buf).map_err(serde::ser::Error::custom)?),
            None => s.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&text).ok_or_else(|| serde::de::Error::custom("expected an RFC 3339 timestamp"))
    }
}

impl JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date-time" })
    }
}

/// The common case, `YYYY-MM-DDTHH:MM:SS[.fff]Z`, without chrono's general parser (a record's two
/// timestamps are a visible share of a mapping's cost). Anything else returns `None` and takes the
/// general path.
fn parse_utc_fast(b: &[u8]) -> Option<Timestamp> {
    if !(b.len() == 20 || b.len() == 24) || b[b.len() - 1] != b'Z' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators.iter().any(|(at, sep)| b[*at] != *sep) {
        return None;
    }
    let millis = if b.len() == 24 {
        if b[19] != b'.' {
            return None;
        }
        num(20..23)?
    } else {
        0
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    DateTime::from_timestamp(secs, millis * 1_000_000).map(Timestamp)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// A calendar date in `YYYY-MM-DD` form, exactly ten characters.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    if text.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_utc_with_milliseconds() {
        let t = Timestamp::parse("2026-05-14T11:31:02+02:00").unwrap();
        assert_eq!(t.to_string(), "2026-05-14T09:31:02.000Z");
    }

    #[test]
    fn reads_salesforce_offset_without_colon() {
        let t = Timestamp::parse("2026-05-14T09:31:02.000+0000").unwrap();
        assert_eq!(t.to_string(), "2026-05-14T09:31:02.000Z");
    }

    #[test]
    fn truncates_sub_millisecond_precision() {
        let t = Timestamp::parse("2024-05-14T16:27:13.954123Z").unwrap();
        assert_eq!(t.to_string(), "2024-05-14T16:27:13.954Z");
    }

    #[test]
    fn fixed_format_matches_chrono_and_handles_odd_years() {
        for text in ["2024-05-14T16:27:13.954Z", "0999-01-02T03:04:05.006Z", "9999-12-31T23:59:59.999Z"] {
            let t = Timestamp::parse(text).unwrap();
            assert_eq!(t.to_string(), t.0.to_rfc3339_opts(SecondsFormat::Millis, true));
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{text}\""));
        }
        let far = Timestamp(DateTime::from_timestamp(400_000_000_000, 0).unwrap());
        assert!(far.to_string().starts_with("+14645"), "{far}");
    }

    #[test]
    fn fast_path_agrees_with_chrono_everywhere() {
        // Every day of four years around a leap year, at an odd time of day, both forms.
        let start = DateTime::parse_from_rfc3339("2023-01-01T07:08:09.123Z").unwrap().with_timezone(&Utc);
        for day in 0..(4 * 366) {
            let t = start + chrono::Duration::days(day);
            let text = t.to_rfc3339_opts(SecondsFormat::Millis, true);
            assert_eq!(parse_utc_fast(text.as_bytes()), Some(Timestamp(t)), "{text}");
            assert_eq!(Timestamp(t).to_string(), text);
            let whole = t.to_rfc3339_opts(SecondsFormat::Secs, true);
            assert_eq!(parse_utc_fast(whole.as_bytes()).unwrap().to_string(), format!("{}.000Z", &whole[..19]));
        }
    }

    #[test]
    fn fast_path_refuses_what_it_does_not_know() {
        for text in [
            "2024-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00+01:00",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00.1234Z",
        ] {
            assert_eq!(parse_utc_fast(text.as_bytes()), None, "{text}");
        }
        assert!(parse_utc_fast(b"2024-02-29T23:59:59.999Z").is_some());
        // The general path still takes what the fast one refuses.
        assert_eq!(Timestamp::parse("2024-01-01T01:00:00+01:00").unwrap().to_string(), "2024-01-01T00:00:00.000Z");
    }

    #[test]
    fn rejects_non_timestamps() {
        assert!(Timestamp::parse("2026-05-14").is_none());
        assert!(Timestamp::parse("yesterday").is_none());
    }

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2026-07-31").is_some());
        assert!(parse_date("2026-7-31").is_none());
        assert!(parse_date("2026-02-30").is_none());
        assert!(parse_date("2026-07-31T00:00:00Z").is_none());
    }
}
