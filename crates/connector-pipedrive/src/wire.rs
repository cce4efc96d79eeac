//! Pipedrive's own JSON shapes, named as Pipedrive names them.
//!
//! Two API versions meet here: persons, organizations, deals, activities and the field schemas are
//! `/api/v2` (RFC 3339 timestamps, strict types, custom fields nested in `custom_fields`); leads, lead
//! labels and users exist only in `/api/v1` (custom fields flat at the top level by their 40-character
//! keys, user timestamps as `2026-05-14 09:31:02`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `null` where a list or an object is expected reads as empty.
fn nullable<'de, D: serde::Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

/// A whole amount as an integer (`48000`, not `48000.0`): v2 validates types strictly, and some of its
/// numbers are integers.
fn tidy_number<S: serde::Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() < 9.0e15 { s.serialize_i64(*value as i64) } else { s.serialize_f64(*value) }
}

fn tidy_option<S: serde::Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => tidy_number(value, s),
        None => s.serialize_none(),
    }
}

/// Every answer: `{"success": true, "data": ..., "additional_data": ...}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope<T> {
    pub data: T,
    #[serde(default)]
    pub additional_data: Option<AdditionalData>,
}

/// `additional_data` of a list: the v2 cursor.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AdditionalData {
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// An e-mail address or phone number of a person: `{"value", "primary", "label"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    pub value: String,
    #[serde(default)]
    pub primary: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl Channel {
    /// The one entry a unified contact writes: primary, labelled `work`.
    pub fn work(value: &str) -> Self {
        Self { value: value.to_owned(), primary: true, label: Some("work".to_owned()) }
    }
}

/// `postal_address` of a person (Contact Sync accounts): Google-style address parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_area_level_1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// `POST /api/v2/persons`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PersonCreate {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<Channel>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<Channel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_address: Option<PostalAddress>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub label_ids: Vec<u64>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub custom_fields: Map<String, Value>,
}

/// A person as v2 returns it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Person {
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub owner_id: Option<u64>,
    #[serde(default)]
    pub org_id: Option<u64>,
    #[serde(default, deserialize_with = "nullable")]
    pub emails: Vec<Channel>,
    #[serde(default, deserialize_with = "nullable")]
    pub phones: Vec<Channel>,
    #[serde(default)]
    pub job_title: Option<String>,
    #[serde(default)]
    pub postal_address: Option<PostalAddress>,
    #[serde(default, deserialize_with = "nullable")]
    pub label_ids: Vec<u64>,
    #[serde(default, deserialize_with = "nullable")]
    pub custom_fields: Map<String, Value>,
    #[serde(default)]
    pub add_time: Option<String>,
    #[serde(default)]
    pub update_time: Option<String>,
}

/// `POST /api/v2/organizations`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrganizationCreate<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<u64>,
}

/// An organization as v2 returns it (the connector reads its id and name only).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Organization {
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
}

/// `GET /api/v2/{organizations|persons}/search`: `data.items[].item`.
#[derive(Debug, Clone, Deserialize)]
pub struct SearchResults<T> {
    #[serde(default = "Vec::new")]
    pub items: Vec<SearchHit<T>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SearchHit<T> {
    #[serde(default)]
    pub result_score: f64,
    pub item: T,
}

/// An organization search hit.
#[derive(Debug, Clone, Deserialize)]
pub struct OrganizationHit {
    pub id: u64,
    #[serde(default)]
    pub name: String,
}

/// A person search hit: e-mails and phones are plain strings here, unlike on the person itself.
#[derive(Debug, Clone, Deserialize)]
pub struct PersonHit {
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub emails: Vec<String>,
}

/// `POST /api/v2/deals`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DealCreate {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "tidy_option")]
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_close_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "tidy_option")]
    pub probability: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub label_ids: Vec<u64>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub custom_fields: Map<String, Value>,
}

/// A deal as v2 returns it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Deal {
    pub id: u64,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub pipeline_id: Option<u64>,
    #[serde(default)]
    pub stage_id: Option<u64>,
    #[serde(default)]
    pub expected_close_date: Option<String>,
    #[serde(default)]
    pub probability: Option<f64>,
    #[serde(default)]
    pub person_id: Option<u64>,
    #[serde(default)]
    pub org_id: Option<u64>,
    #[serde(default)]
    pub owner_id: Option<u64>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub label_ids: Vec<u64>,
    #[serde(default, deserialize_with = "nullable")]
    pub custom_fields: Map<String, Value>,
    #[serde(default)]
    pub add_time: Option<String>,
    #[serde(default)]
    pub update_time: Option<String>,
}

/// `location` of an activity: the address as one line (and, optionally, its parts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    #[serde(default)]
    pub value: Option<String>,
}

/// A person linked to an activity; the primary one becomes the activity's `person_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub person_id: u64,
    #[serde(default)]
    pub primary: bool,
}

/// Someone invited to an activity, by e-mail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityAttendee {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `POST /api/v2/activities`. `due_date` and `due_time` are UTC; the end is `duration` after the start.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ActivityCreate {
    pub subject: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deal_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<u64>,
    pub due_date: String,
    pub due_time: String,
    pub duration: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub busy: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<Participant>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attendees: Vec<ActivityAttendee>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u64>,
}

/// An activity as v2 returns it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Activity {
    pub id: u64,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub owner_id: Option<u64>,
    #[serde(default)]
    pub deal_id: Option<u64>,
    #[serde(default)]
    pub person_id: Option<u64>,
    #[serde(default)]
    pub due_date: Option<String>,
    #[serde(default)]
    pub due_time: Option<String>,
    #[serde(default)]
    pub duration: Option<String>,
    #[serde(default)]
    pub location: Option<Location>,
    #[serde(default, deserialize_with = "nullable")]
    pub participants: Vec<Participant>,
    /// Only with `?include_fields=attendees`.
    #[serde(default)]
    pub attendees: Option<Vec<ActivityAttendee>>,
    #[serde(default)]
    pub public_description: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub busy: Option<bool>,
    #[serde(default)]
    pub done: Option<bool>,
    #[serde(default)]
    pub priority: Option<u64>,
    #[serde(default)]
    pub lead_id: Option<String>,
    #[serde(default)]
    pub org_id: Option<u64>,
    #[serde(default)]
    pub add_time: Option<String>,
    #[serde(default)]
    pub update_time: Option<String>,
}

/// A lead's value: one object, not two fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadValue {
    #[serde(serialize_with = "tidy_number")]
    pub amount: f64,
    pub currency: String,
}

/// `POST /api/v1/leads`. Custom fields (the deal fields, which leads inherit) sit at the top level.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LeadCreate {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub label_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<LeadValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_close_date: Option<String>,
    #[serde(flatten)]
    pub custom: Map<String, Value>,
}

/// A lead as v1 returns it: its id is a UUID, its timestamps ISO with milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Lead {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub owner_id: Option<u64>,
    #[serde(default)]
    pub person_id: Option<u64>,
    #[serde(default)]
    pub organization_id: Option<u64>,
    #[serde(default, deserialize_with = "nullable")]
    pub label_ids: Vec<String>,
    #[serde(default)]
    pub value: Option<LeadValue>,
    #[serde(default)]
    pub expected_close_date: Option<String>,
    #[serde(default)]
    pub add_time: Option<String>,
    #[serde(default)]
    pub update_time: Option<String>,
    /// Everything else, the flat custom fields among it.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// `GET /api/v1/leadLabels`: `Hot`, `Warm`, `Cold` on a new account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadLabel {
    pub id: String,
    pub name: String,
}

/// `GET /api/v1/users/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct User {
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// One field of `GET /api/v2/personFields` or `dealFields`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Field {
    pub field_code: String,
    #[serde(default)]
    pub field_name: String,
    #[serde(default)]
    pub field_type: String,
    #[serde(default)]
    pub is_custom_field: bool,
    #[serde(default)]
    pub options: Option<Vec<FieldOption>>,
}

/// An option of an `enum` or `set` field; its id is what the API stores.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FieldOption {
    pub id: u64,
    #[serde(default)]
    pub label: String,
}

/// Pipedrive's error body: `{"success": false, "error", "error_info", "data", "additional_data"}`, with
/// `errorCode` on some answers (401, 429) and `code` on account-limit 403s.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ErrorBody {
    pub success: Option<bool>,
    pub error: Option<String>,
    pub error_info: Option<String>,
    pub code: Option<Value>,
    #[serde(rename = "errorCode")]
    pub error_code: Option<Value>,
    /// The OAuth server's RFC 6749 form.
    pub message: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_create_leaves_unset_fields_out() {
        let body = PersonCreate {
            name: "Aiko".into(),
            first_name: Some("Aiko".into()),
            emails: vec![Channel::work("a@b.jp")],
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(body).unwrap(),
            serde_json::json!({"name": "Aiko", "first_name": "Aiko",
                "emails": [{"value": "a@b.jp", "primary": true, "label": "work"}]})
        );
    }

    #[test]
    fn lead_custom_fields_are_flat() {
        let mut custom = Map::new();
        custom.insert("f71e507373d14e99dc78c9cb59dbbd7983f1f059".into(), "APAC".into());
        let body = LeadCreate { title: "L".into(), person_id: Some(5), custom, ..Default::default() };
        let value = serde_json::to_value(body).unwrap();
        assert_eq!(value["f71e507373d14e99dc78c9cb59dbbd7983f1f059"], "APAC");
        let lead: Lead = serde_json::from_value(serde_json::json!({"id": "u", "title": "L", "value": null,
            "f71e507373d14e99dc78c9cb59dbbd7983f1f059": "APAC"}))
        .unwrap();
        assert_eq!(lead.rest["f71e507373d14e99dc78c9cb59dbbd7983f1f059"], "APAC");
        assert_eq!(lead.value, None);
    }
}
