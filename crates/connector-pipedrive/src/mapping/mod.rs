//! Pure mapping between unified resources and Pipedrive records: no I/O, no clock, no randomness.
//!
//! One file per resource; this module holds what they share: the connection settings, ids, timestamps,
//! lifecycle stages and the owner. Custom fields (names ⇄ 40-character keys, values per API version)
//! live in [`custom`]; the lead labels that carry statuses and tags in [`labels`].

pub mod contact;
pub mod custom;
pub mod deal;
pub mod fields;
pub mod labels;
pub mod lead;
pub mod meeting;
pub mod owner;

use unified_core::FieldError;
use unified_core::resource::{LifecycleStage, Text};
use unified_core::time::Timestamp;

/// The connection setting that names the person custom field holding `lifecycleStage` (Pipedrive has
/// no lifecycle stage of its own). An `enum` field is written by option label, a text field as text.
pub const LIFECYCLE_SETTING: &str = "lifecycleField";
/// The connection setting that names the custom field holding `source` (person fields for a contact,
/// deal fields for a deal or a lead: Pipedrive has no free-text source).
pub const SOURCE_SETTING: &str = "sourceField";
/// The connection setting that maps lead statuses to lead labels: `qualified=Hot;unqualified=Cold`
/// (label names or ids).
pub const STATUS_SETTING: &str = "leadStatusLabels";
/// The connection setting that names the activity type of a meeting (default `meeting`).
pub const MEETING_TYPE_SETTING: &str = "meetingType";

/// A Pipedrive id from a unified string field: records, users, stages and pipelines have integer ids.
pub fn numeric_id(field: &str, value: Option<&str>, problems: &mut Vec<FieldError>) -> Option<u64> {
    let value = value?;
    match value.trim().parse::<u64>() {
        Ok(id) if id > 0 => Some(id),
        _ => {
            problems
                .push(FieldError::new(field, format!("must be a Pipedrive id (a positive integer), not `{value}`")));
            None
        }
    }
}

/// `Some(text)` for a non-blank string.
pub fn text(value: Option<&str>) -> Option<Text> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(Text::from)
}

/// An id as the unified record carries it.
pub fn id_text(id: Option<u64>) -> Option<Text> {
    id.map(|id| Text::from(id.to_string()))
}

/// Both of Pipedrive's timestamp forms: RFC 3339 (v2, leads) and `2026-05-14 09:31:02` (v1, UTC).
pub fn timestamp(text: Option<&str>) -> Option<Timestamp> {
    let text = text?.trim();
    Timestamp::parse(text).or_else(|| {
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok().map(|t| Timestamp(t.and_utc()))
    })
}

/// `Marketing Qualified Lead`, `marketing-qualified lead` → `marketingqualifiedlead`: how an option
/// label is compared with a unified value.
pub fn normalize(label: &str) -> String {
    label.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// A stored lifecycle value (an option label or text) as the unified enum; an unknown one is `other`.
pub fn lifecycle_from_label(label: &str) -> LifecycleStage {
    LifecycleStage::from_unified(&normalize(label)).unwrap_or(LifecycleStage::Other)
}

/// `First Last`, either part alone, or `None`.
pub fn full_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = [first, last].into_iter().flatten().map(str::trim).filter(|p| !p.is_empty()).collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_positive_integers() {
        let mut problems = Vec::new();
        assert_eq!(numeric_id("ownerId", Some("13374021"), &mut problems), Some(13374021));
        assert_eq!(numeric_id("ownerId", None, &mut problems), None);
        assert!(problems.is_empty());
        assert_eq!(numeric_id("stage", Some("qualifiedtobuy"), &mut problems), None);
        assert_eq!(numeric_id("dealId", Some("0"), &mut problems), None);
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["stage", "dealId"]);
    }

    #[test]
    fn both_timestamp_forms() {
        assert_eq!(timestamp(Some("2026-05-14T09:31:02Z")).unwrap().to_string(), "2026-05-14T09:31:02.000Z");
        assert_eq!(timestamp(Some("2026-05-14T09:35:11.204Z")).unwrap().to_string(), "2026-05-14T09:35:11.204Z");
        assert_eq!(timestamp(Some("2024-03-11 08:12:40")).unwrap().to_string(), "2024-03-11T08:12:40.000Z");
        assert_eq!(timestamp(Some("soon")), None);
        assert_eq!(timestamp(None), None);
    }

    #[test]
    fn lifecycle_labels() {
        for stage in LifecycleStage::ALL {
            assert_eq!(lifecycle_from_label(stage.as_str()), stage);
        }
        assert_eq!(lifecycle_from_label("Marketing Qualified Lead"), LifecycleStage::Marketingqualifiedlead);
        assert_eq!(lifecycle_from_label("Churned"), LifecycleStage::Other);
    }

    #[test]
    fn names() {
        assert_eq!(full_name(Some("Aiko"), Some("Tanaka")).as_deref(), Some("Aiko Tanaka"));
        assert_eq!(full_name(None, Some("Tanaka")).as_deref(), Some("Tanaka"));
        assert_eq!(full_name(Some(" "), None), None);
    }
}
