//! Pure mapping between unified resources and HubSpot objects: no I/O, no clock, no randomness.
//!
//! One file per resource; this module holds what they share: lifecycle stages, custom properties,
//! timestamps and the property names HubSpot manages itself.

pub mod contact;
pub mod deal;
pub mod fields;
pub mod lead;
pub mod meeting;
pub mod owner;

use std::borrow::Cow;

use unified_core::FieldError;
use unified_core::connector::Settings;
use unified_core::resource::{CustomFields, LifecycleStage, Text};
use unified_core::time::Timestamp;

use crate::wire::{JsonStr, Properties, PropertyValues};

/// The connection setting that names the property where `source` is written (HubSpot has no
/// writable free-text source; most portals add a custom `lead_source`).
pub const SOURCE_SETTING: &str = "sourceProperty";

/// The `lifecyclestage` internal values map 1:1 onto the unified enum.
pub fn lifecycle_to_hubspot(stage: LifecycleStage) -> &'static str {
    stage.as_str()
}

/// A custom (numeric) or unknown stage has no unified equivalent: `other` (the native value stays
/// visible in `remoteData`).
pub fn lifecycle_from_hubspot(value: &str) -> LifecycleStage {
    LifecycleStage::from_unified(value).unwrap_or(LifecycleStage::Other)
}

/// Writes `customFields` as properties by their internal names. Every HubSpot value is a string:
/// numbers and booleans are written as text, arrays as a `;`-joined multi-checkbox value.
pub fn custom_properties<'a>(
    props: &mut Properties<'a>,
    custom: Option<&'a CustomFields>,
    problems: &mut Vec<FieldError>,
) {
    for (name, value) in custom.into_iter().flatten() {
        let field = || format!("customFields.{name}");
        if props.contains(name) {
            problems.push(FieldError::new(field(), "is a property that a unified field already sets"));
            continue;
        }
        match property_text(value) {
            Some(text) => props.0.push((Cow::Borrowed(name.as_str()), text)),
            None => problems.push(FieldError::new(
                field(),
                "must be a string, number, boolean, null or a list of those (HubSpot stores text)",
            )),
        }
    }
}

fn property_text(value: &serde_json::Value) -> Option<Cow<'_, str>> {
    use serde_json::Value;
    Some(match value {
        Value::String(s) => Cow::Borrowed(s.as_str()),
        Value::Null => Cow::Borrowed(""),
        Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        Value::Number(n) => Cow::Owned(n.to_string()),
        Value::Array(items) => {
            let parts: Option<Vec<Cow<'_, str>>> = items
                .iter()
                .map(|item| if item.is_array() || item.is_object() { None } else { property_text(item) })
                .collect();
            Cow::Owned(parts?.join(";"))
        }
        Value::Object(_) => return None,
    })
}

/// The `source` property, when the connection names one.
pub fn source_property(settings: &Settings) -> Option<&str> {
    settings.get(SOURCE_SETTING).map(String::as_str).filter(|s| !s.is_empty())
}

/// Properties HubSpot sets itself: never custom fields of a record.
pub fn is_system_property(name: &str) -> bool {
    name.starts_with("hs_") || matches!(name, "createdate" | "lastmodifieddate")
}

/// The record's `customFields`: the properties the caller wrote through `customFields` (HubSpot-defined
/// ones such as `hs_lead_type` included), and any other property that is neither mapped nor HubSpot's own.
pub fn custom_fields_from(
    values: &PropertyValues<'_>,
    mapped: &[&str],
    source: Option<&str>,
    requested: Option<&CustomFields>,
) -> Option<CustomFields> {
    let custom: CustomFields = values
        .0
        .iter()
        .filter(|(name, _)| {
            let name = name.as_str();
            requested.is_some_and(|r| r.contains_key(name))
                || (!mapped.contains(&name) && !is_system_property(name) && Some(name) != source)
        })
        .map(|(name, value)| {
            let value =
                value.as_ref().map_or(serde_json::Value::Null, |v| serde_json::Value::String(v.as_str().into()));
            (name.as_str().to_owned(), value)
        })
        .collect();
    (!custom.is_empty()).then_some(custom)
}

pub fn timestamp(text: Option<&JsonStr<'_>>) -> Option<Timestamp> {
    let text = text?.as_str();
    Timestamp::parse(text).or_else(|| text.parse().ok().and_then(Timestamp::from_millis))
}

/// A property as an owned string; HubSpot reports an unset property as `null` or `""`.
pub fn owned(values: &PropertyValues<'_>, name: &str) -> Option<Text> {
    values.get(name).filter(|v| !v.is_empty()).map(Text::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_round_trips_and_unknown_is_other() {
        for stage in LifecycleStage::ALL {
            assert_eq!(lifecycle_from_hubspot(lifecycle_to_hubspot(stage)), stage);
        }
        assert_eq!(lifecycle_from_hubspot("1049584722"), LifecycleStage::Other);
    }

    #[test]
    fn custom_values_become_text() {
        let custom: CustomFields = serde_json::from_str(
            r#"{"score": 85, "vip": true, "colors": ["red", "blue"], "note": "x", "cleared": null}"#,
        )
        .unwrap();
        let mut props = Properties::default();
        let mut problems = Vec::new();
        custom_properties(&mut props, Some(&custom), &mut problems);
        assert!(problems.is_empty());
        assert_eq!(props.get("score"), Some("85"));
        assert_eq!(props.get("vip"), Some("true"));
        assert_eq!(props.get("colors"), Some("red;blue"));
        assert_eq!(props.get("cleared"), Some(""));
    }

    #[test]
    fn custom_objects_and_collisions_are_field_errors() {
        let custom: CustomFields = serde_json::from_str(r#"{"email": "x", "nested": {"a": 1}}"#).unwrap();
        let mut props = Properties::default();
        props.set("email", "a@b.co");
        let mut problems = Vec::new();
        custom_properties(&mut props, Some(&custom), &mut problems);
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["customFields.email", "customFields.nested"]);
    }
}
