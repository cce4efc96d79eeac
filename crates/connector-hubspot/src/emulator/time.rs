//! HubSpot's timestamp forms.

use chrono::{DateTime, Utc};

/// `2026-05-14T09:31:02.487Z`: HubSpot's `createdAt`/`updatedAt` form (always milliseconds).
pub const FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3fZ";

pub fn iso(at: DateTime<Utc>) -> String {
    at.format(FORMAT).to_string()
}

/// How HubSpot echoes a datetime property (Java's `Instant`): `2026-07-31T00:00:00Z`, the fraction only
/// when there is one.
pub fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_forms() {
        let at = DateTime::parse_from_rfc3339("2026-05-14T09:31:02.487Z").unwrap().with_timezone(&Utc);
        assert_eq!(iso(at), "2026-05-14T09:31:02.487Z");
        assert_eq!(instant(at), "2026-05-14T09:31:02.487Z");
        let midnight = DateTime::parse_from_rfc3339("2026-07-31T00:00:00.000Z").unwrap().with_timezone(&Utc);
        assert_eq!(iso(midnight), "2026-07-31T00:00:00.000Z");
        assert_eq!(instant(midnight), "2026-07-31T00:00:00Z");
    }
}
