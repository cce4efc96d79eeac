//! Salesforce's datetime forms.

use chrono::{DateTime, Utc};

/// `2026-05-14T09:31:02.000+0000`: UTC, milliseconds, no colon.
pub const FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3f+0000";

pub fn sf_time(at: DateTime<Utc>) -> String {
    at.format(FORMAT).to_string()
}

/// A datetime as Salesforce reads it: ISO 8601 with `Z`, an offset with or without a colon.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    unified_core::time::Timestamp::parse(text).map(|t| t.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salesforce_time_form() {
        let at = parse_time("2026-05-14T11:31:02+02:00").unwrap();
        assert_eq!(sf_time(at), "2026-05-14T09:31:02.000+0000");
        assert_eq!(parse_time("2026-05-14T09:31:02.000+0000"), Some(at));
    }
}
