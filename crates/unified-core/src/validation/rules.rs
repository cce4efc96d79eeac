//! The rules, one function each, so that each is tested on its own.

use chrono::{DateTime, FixedOffset};

use super::Problems;
use crate::resource::{CustomFields, Text};

pub fn email(p: &mut Problems, field: &str, value: Option<&str>) {
    if let Some(value) = value
        && !super::is_valid_email(value)
    {
        p.push(field, "is not a valid email address");
    }
}

pub fn required_text(p: &mut Problems, field: &str, value: Option<&str>) {
    match value {
        None if p.is_partial() => {}
        None => p.push(field, "is required"),
        Some(v) if v.trim().is_empty() => p.push(field, "must not be empty"),
        Some(_) => {}
    }
}

pub fn currency(p: &mut Problems, field: &str, value: Option<&str>) {
    if let Some(value) = value
        && !super::is_iso_4217(value)
    {
        p.push(field, "is not an ISO 4217 currency code (three capital letters, such as USD or EUR)");
    }
}

pub fn date(p: &mut Problems, field: &str, value: Option<&str>) {
    if let Some(value) = value
        && crate::time::parse_date(value).is_none()
    {
        p.push(field, "must be a date in YYYY-MM-DD form");
    }
}

/// Returns the parsed time, so that the caller can compare start and end.
pub fn required_time(p: &mut Problems, field: &str, value: Option<&str>) -> Option<DateTime<FixedOffset>> {
    let Some(value) = value else {
        if !p.is_partial() {
            p.push(field, "is required");
        }
        return None;
    };
    let parsed = DateTime::parse_from_rfc3339(value).ok();
    if parsed.is_none() {
        p.push(field, "must be an RFC 3339 date-time, such as 2026-06-02T13:00:00Z");
    }
    parsed
}

pub fn percentage(p: &mut Problems, field: &str, value: Option<f64>) {
    if let Some(value) = value
        && !(0.0..=100.0).contains(&value)
    {
        p.push(field, "must be between 0 and 100");
    }
}

/// A record id: not blank, no control characters.
pub fn id(p: &mut Problems, field: &str, value: Option<&str>) {
    if let Some(value) = value {
        if value.trim().is_empty() {
            p.push(field, "must not be empty");
        } else if value.chars().any(char::is_control) {
            p.push(field, "must not contain control characters");
        }
    }
}

/// A count or amount that cannot be negative.
pub fn non_negative(p: &mut Problems, field: &str, value: Option<f64>) {
    match value {
        Some(v) if !v.is_finite() => p.push(field, "must be a finite number"),
        Some(v) if v < 0.0 => p.push(field, "must not be negative"),
        _ => {}
    }
}

/// A domain name such as `acme.com`: no scheme, path or spaces.
pub fn domain(p: &mut Problems, field: &str, value: Option<&str>) {
    let Some(value) = value else { return };
    let labels: Vec<&str> = value.split('.').collect();
    let valid = value.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if !valid {
        p.push(field, "must be a domain name such as acme.com (no scheme, path or spaces)");
    }
}

/// An absolute http(s) URL.
pub fn web_url(p: &mut Problems, field: &str, value: Option<&str>) {
    let Some(value) = value else { return };
    let ok = url::Url::parse(value).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !ok {
        p.push(field, "must be an http or https URL, such as https://acme.com");
    }
}

pub fn ids(p: &mut Problems, field: &str, values: Option<&[Text]>) {
    for (i, id) in values.into_iter().flatten().enumerate() {
        if id.trim().is_empty() {
            p.push(format!("{field}[{i}]"), "must not be empty");
        }
    }
}

/// The fields every resource shares: `ownerId`, `tags`, `customFields`.
pub fn shared(p: &mut Problems, owner_id: Option<&str>, tags: Option<&[Text]>, custom: Option<&CustomFields>) {
    if owner_id.is_some_and(|o| o.trim().is_empty()) {
        p.push("ownerId", "must not be empty");
    }
    for (i, tag) in tags.into_iter().flatten().enumerate() {
        if tag.trim().is_empty() {
            p.push(format!("tags[{i}]"), "must not be empty");
        }
    }
    for key in custom.into_iter().flat_map(|c| c.keys()) {
        if key.trim().is_empty() {
            p.push("customFields", "keys must not be empty");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::FieldError;

    fn run(rule: impl FnOnce(&mut Problems)) -> Vec<FieldError> {
        let mut p = Problems::default();
        rule(&mut p);
        p.into_result().err().unwrap_or_default()
    }

    #[test]
    fn email_rule() {
        assert!(run(|p| email(p, "email", Some("jane.doe@example.com"))).is_empty());
        assert!(run(|p| email(p, "email", None)).is_empty());
        let found = run(|p| email(p, "attendees[1].email", Some("jane@")));
        assert_eq!(found, [FieldError::new("attendees[1].email", "is not a valid email address")]);
    }

    #[test]
    fn required_text_rule() {
        assert_eq!(run(|p| required_text(p, "name", None))[0].message, "is required");
        assert_eq!(run(|p| required_text(p, "name", Some("  ")))[0].message, "must not be empty");
        assert!(run(|p| required_text(p, "name", Some("Deal"))).is_empty());
    }

    #[test]
    fn currency_rule() {
        assert!(run(|p| currency(p, "currency", Some("EUR"))).is_empty());
        assert_eq!(run(|p| currency(p, "currency", Some("eur"))).len(), 1);
        assert_eq!(run(|p| currency(p, "currency", Some("XYZ"))).len(), 1);
    }

    #[test]
    fn date_rule() {
        assert!(run(|p| date(p, "closeDate", Some("2026-07-31"))).is_empty());
        assert_eq!(run(|p| date(p, "closeDate", Some("2026-13-01")))[0].field, "closeDate");
    }

    #[test]
    fn time_rule() {
        let mut p = Problems::default();
        assert!(required_time(&mut p, "startTime", Some("2026-06-02T13:00:00+02:00")).is_some());
        assert!(p.is_empty());
        assert!(required_time(&mut p, "startTime", Some("2026-06-02 13:00")).is_none());
        assert!(required_time(&mut p, "endTime", None).is_none());
        let found = p.into_result().unwrap_err();
        assert_eq!(found[0].field, "startTime");
        assert_eq!(found[1], FieldError::new("endTime", "is required"));
    }

    #[test]
    fn percentage_rule() {
        assert!(run(|p| percentage(p, "probability", Some(0.0))).is_empty());
        assert!(run(|p| percentage(p, "probability", Some(100.0))).is_empty());
        assert_eq!(run(|p| percentage(p, "probability", Some(100.5))).len(), 1);
        assert_eq!(run(|p| percentage(p, "probability", Some(-1.0))).len(), 1);
    }

    #[test]
    fn ids_rule_names_the_index() {
        let ids_given = [Text::from("1"), Text::from(" ")];
        assert_eq!(run(|p| ids(p, "contactIds", Some(&ids_given)))[0].field, "contactIds[1]");
    }

    #[test]
    fn shared_rule() {
        let tags_given = [Text::from("vip"), Text::default()];
        let found = run(|p| shared(p, Some(""), Some(&tags_given), None));
        let fields: Vec<&str> = found.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["ownerId", "tags[1]"]);
    }
}
