//! Pure mapping between unified resources and HubSpot objects: no I/O, no clock, no randomness.
//!
//! One file per resource; this module holds what they share: lifecycle stages, custom properties,
//! timestamps and the property names HubSpot manages itself.

pub mod company;
pub mod contact;
pub mod deal;
pub mod fields;
pub mod lead;
pub mod links;
pub mod meeting;
pub mod owner;

use std::borrow::Cow;

use unified_core::FieldError;
use unified_core::connector::Settings;
use unified_core::resource::{Address, CustomFields, LifecycleStage, Patch, Text};
use unified_core::time::Timestamp;

use crate::wire::{JsonStr, PatchObject, Properties, PropertyValues};

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

/// The portal's own (custom) properties of one object type, from the properties API: what a record's
/// `customFields` may carry. HubSpot's properties, computed ones (`num_notes`, `days_to_close`, ...)
/// included, never are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomProperties {
    names: Vec<String>,
}

impl CustomProperties {
    pub fn new(mut names: Vec<String>) -> Self {
        names.sort_unstable();
        names.dedup();
        Self { names }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.names.binary_search_by(|n| n.as_str().cmp(name)).is_ok()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }
}

/// What a read mapping needs beside the record: the connection's settings (where `source` lives) and the
/// portal's custom properties of the record's object type.
#[derive(Debug, Clone, Copy)]
pub struct ReadContext<'a> {
    pub settings: &'a Settings,
    pub custom: &'a CustomProperties,
}

impl<'a> ReadContext<'a> {
    pub fn source(&self) -> Option<&'a str> {
        source_property(self.settings)
    }

    /// The properties a read asks for: the mapped ones, the source property and every custom property.
    pub fn properties(&self, mapped: &'a [&'a str]) -> Vec<&'a str> {
        let mut properties: Vec<&str> = mapped.to_vec();
        properties.extend(self.source());
        properties.extend(self.custom.names().filter(|n| Some(*n) != self.source() && !mapped.contains(n)));
        properties
    }

    /// The record's `customFields`: the portal's custom properties that have a value (the source
    /// property aside, which is the record's `source`).
    pub fn custom_fields(&self, values: &PropertyValues<'_>) -> Option<CustomFields> {
        let source = self.source();
        let custom: CustomFields = values
            .0
            .iter()
            .filter(|(name, value)| {
                self.custom.contains(name.as_str())
                    && Some(name.as_str()) != source
                    && value.as_ref().is_some_and(|v| !v.as_str().is_empty())
            })
            .map(|(name, value)| {
                let text = value.as_ref().map(|v| v.as_str().to_owned()).unwrap_or_default();
                (name.as_str().to_owned(), serde_json::Value::String(text))
            })
            .collect();
        (!custom.is_empty()).then_some(custom)
    }

    /// The record's `source`, read from the property the connection names.
    pub fn source_value(&self, values: &PropertyValues<'_>) -> Option<Text> {
        self.source().and_then(|s| owned(values, s))
    }
}

/// An update of one property: left out when absent, `""` (HubSpot's way of clearing) when cleared.
pub fn patch_text<'a>(props: &mut Properties<'a>, name: &'a str, change: &'a Patch<Text>) {
    match change {
        Patch::Absent => {}
        Patch::Clear => props.set(name, ""),
        Patch::Set(value) => props.set(name, value.as_str()),
    }
}

/// The address parts of an update: the parts given are set; `address: null` clears all five.
pub fn patch_address<'a>(props: &mut Properties<'a>, change: &'a Patch<Address>) {
    type Part<'a> = (&'a str, fn(&'a Address) -> Option<&'a str>);
    let parts: [Part<'a>; 5] = [
        ("address", |a| a.street.as_deref()),
        ("city", |a| a.city.as_deref()),
        ("state", |a| a.state.as_deref()),
        ("zip", |a| a.postal_code.as_deref()),
        ("country", |a| a.country.as_deref()),
    ];
    match change {
        Patch::Absent => {}
        Patch::Clear => parts.iter().for_each(|(name, _)| props.set(name, "")),
        Patch::Set(address) => {
            for (name, part) in parts {
                props.set_opt(name, part(address));
            }
        }
    }
}

/// The custom properties of an update: each key set, `null` clearing it.
pub fn patch_custom<'a>(props: &mut Properties<'a>, change: &'a Patch<CustomFields>, problems: &mut Vec<FieldError>) {
    if let Patch::Set(custom) = change {
        custom_properties(props, Some(custom), problems);
    }
}

/// The fields every update shares (owner, `source` where the connection keeps it, custom properties),
/// then the PATCH body, or every problem found.
pub fn finish_patch<'a>(
    mut properties: Properties<'a>,
    owner_id: &'a Patch<Text>,
    source: &'a Patch<Text>,
    custom: &'a Patch<CustomFields>,
    settings: &'a Settings,
    mut problems: Vec<FieldError>,
) -> Result<PatchObject<'a>, Vec<FieldError>> {
    patch_text(&mut properties, "hubspot_owner_id", owner_id);
    if let Some(property) = source_property(settings) {
        patch_text(&mut properties, property, source);
    }
    patch_custom(&mut properties, custom, &mut problems);
    if problems.is_empty() { Ok(PatchObject { properties }) } else { Err(problems) }
}

/// The address parts of a record.
pub fn address_from(values: &PropertyValues<'_>) -> Option<Address> {
    Address {
        street: owned(values, "address"),
        city: owned(values, "city"),
        state: owned(values, "state"),
        postal_code: owned(values, "zip"),
        country: owned(values, "country"),
    }
    .non_empty()
}

pub fn timestamp(text: Option<&JsonStr<'_>>) -> Option<Timestamp> {
    timestamp_text(text?.as_str())
}

/// An ISO 8601 instant or epoch milliseconds, HubSpot's two forms.
pub fn timestamp_text(text: &str) -> Option<Timestamp> {
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
