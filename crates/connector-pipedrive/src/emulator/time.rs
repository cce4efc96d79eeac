//! Pipedrive's timestamp forms.

use chrono::{DateTime, Utc};

/// `2026-05-14T09:31:02Z`: v2's timestamps (whole seconds).
pub const V2: &str = "%Y-%m-%dT%H:%M:%SZ";

pub fn v2_time(at: DateTime<Utc>) -> String {
    at.format(V2).to_string()
}

/// `2026-05-14T09:35:11.204Z`: a lead's timestamps.
pub fn lead_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_forms() {
        let at = DateTime::parse_from_rfc3339("2026-05-14T09:31:02.487Z").unwrap().with_timezone(&Utc);
        assert_eq!(v2_time(at), "2026-05-14T09:31:02Z");
        assert_eq!(lead_time(at), "2026-05-14T09:31:02.487Z");
    }
}
