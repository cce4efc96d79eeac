//! Salesforce's own JSON shapes (REST API, sObject resources), named as Salesforce names them: the
//! request bodies of `client`, the records and results it returns and its error body (read by
//! `client::parse_error`). Plain serde shapes: the translation to unified resources lives in `mapping`.

use std::borrow::Cow;

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A record body: field API name → JSON value, serialized as a flat JSON object in insertion order
/// (`POST /sobjects/{SObject}/` takes exactly this, with no wrapper). Salesforce field names are
/// case-insensitive, and so are [`Fields::contains`] and [`Fields::get`].
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Fields<'a>(pub Vec<(Cow<'a, str>, Value)>);

impl<'a> Fields<'a> {
    pub fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }

    pub fn set(&mut self, name: impl Into<Cow<'a, str>>, value: impl Into<Value>) {
        self.0.push((name.into(), value.into()));
    }

    /// Sets a text field when there is a value.
    pub fn set_text(&mut self, name: &'a str, value: Option<&str>) {
        if let Some(value) = value {
            self.set(name, value);
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Fields<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name.as_ref(), value)?;
        }
        map.end()
    }
}

/// The answer to `POST /sobjects/{SObject}/`: `{"id": "003…", "success": true, "errors": []}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct SaveResult {
    pub id: String,
    pub success: bool,
    #[serde(default)]
    pub errors: Vec<Value>,
}

/// `attributes` of a returned record: `{"type": "Contact", "url": "/services/data/v66.0/sobjects/Contact/003…"}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Attributes {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A record as Salesforce returns it (`GET /sobjects/{SObject}/{id}?fields=…`, a query's `records`):
/// `attributes` and the requested fields, each typed as Salesforce types it (text, number, boolean, or
/// `null` when unset). Field names as Salesforce spells them; lookups ignore case.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct SObject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Attributes>,
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl SObject {
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.fields.get(name).or_else(|| self.fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v))
    }

    /// A text field's value; Salesforce reports an unset field as `null`.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.value(name).and_then(Value::as_str).filter(|v| !v.is_empty())
    }

    pub fn number(&self, name: &str) -> Option<f64> {
        self.value(name).and_then(Value::as_f64)
    }

    pub fn id(&self) -> Option<&str> {
        self.text("Id")
    }
}

/// The answer to `GET /query?q=…`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QueryResult {
    pub total_size: u64,
    pub done: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_records_url: Option<String>,
    pub records: Vec<SObject>,
}

/// `POST /composite/sobjects`: up to 200 records of any types, created in order.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection<'a> {
    /// `true`: one refused record rolls back the others.
    pub all_or_none: bool,
    pub records: Vec<CollectionRecord<'a>>,
}

/// One record of a collection: `{"attributes": {"type": "EventRelation"}, "EventId": …}`.
#[derive(Debug, Clone, Serialize)]
pub struct CollectionRecord<'a> {
    pub attributes: TypeAttribute,
    #[serde(flatten)]
    pub fields: Fields<'a>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct TypeAttribute {
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl<'a> CollectionRecord<'a> {
    pub fn new(kind: &'static str, fields: Fields<'a>) -> Self {
        Self { attributes: TypeAttribute { kind }, fields }
    }
}

/// One entry of a collection's answer (a `200` whatever became of each record), in request order.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct CollectionResult {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub success: bool,
    #[serde(default)]
    pub errors: Vec<CollectionError>,
}

/// A collection's per-record error: `statusCode`, where a whole-request error says `errorCode`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct CollectionError {
    pub status_code: String,
    pub message: String,
    pub fields: Vec<String>,
}

/// One entry of Salesforce's error body, which is always a JSON array of these:
/// `[{"message": "…", "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["LastName"]}]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ApiError {
    pub message: String,
    pub error_code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// Only on `DUPLICATES_DETECTED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_result: Option<DuplicateResult>,
}

/// What a blocking Duplicate Rule matched.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct DuplicateResult {
    pub allow_save: bool,
    pub duplicate_rule: String,
    pub duplicate_rule_entity_type: String,
    pub error_message: String,
    pub match_results: Vec<MatchResult>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct MatchResult {
    pub entity_type: String,
    pub match_engine: String,
    pub rule: String,
    pub size: u64,
    pub success: bool,
    pub errors: Vec<Value>,
    pub match_records: Vec<MatchRecord>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct MatchRecord {
    pub match_confidence: f64,
    pub field_diffs: Vec<FieldDiff>,
    pub additional_information: Vec<Value>,
    pub record: SObject,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct FieldDiff {
    pub name: String,
    /// `SAME`, `DIFFERENT` or `NULL`.
    pub difference: String,
}

/// The OAuth endpoints' error body: `{"error": "invalid_grant", "error_description": "…"}`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct OAuthError {
    pub error: String,
    pub error_description: String,
}

/// `POST /services/oauth2/token` (refresh_token grant): no `expires_in`; `issued_at` is epoch
/// milliseconds as a string; `instance_url` is where the REST API lives.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub signature: String,
    pub scope: String,
    pub instance_url: String,
    pub id: String,
    pub token_type: String,
    pub issued_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_serialize_flat_in_order_and_match_names_ignoring_case() {
        let mut fields = Fields::default();
        fields.set("LastName", "Doe");
        fields.set("Loyalty_Score__c", 85);
        fields.set_text("Email", None);
        assert_eq!(serde_json::to_string(&fields).unwrap(), r#"{"LastName":"Doe","Loyalty_Score__c":85}"#);
        assert!(fields.contains("lastname"));
        assert_eq!(fields.get("LOYALTY_SCORE__C"), Some(&Value::from(85)));
        let record = CollectionRecord::new("EventRelation", fields);
        assert_eq!(
            serde_json::to_string(&record).unwrap(),
            r#"{"attributes":{"type":"EventRelation"},"LastName":"Doe","Loyalty_Score__c":85}"#
        );
    }

    #[test]
    fn records_keep_types_and_nulls() {
        let record: SObject = serde_json::from_str(
            r#"{"attributes":{"type":"Contact","url":"/services/data/v66.0/sobjects/Contact/003"},
                "Id":"003","Email":null,"Loyalty_Score__c":85.0,"LastName":"Doe"}"#,
        )
        .unwrap();
        assert_eq!(record.attributes.as_ref().unwrap().kind, "Contact");
        assert_eq!(record.text("lastname"), Some("Doe"));
        assert_eq!(record.text("Email"), None);
        assert_eq!(record.number("Loyalty_Score__c"), Some(85.0));
        assert!(!record.fields.contains_key("attributes"));
    }

    #[test]
    fn error_bodies() {
        let errors: Vec<ApiError> = serde_json::from_str(
            r#"[{"message":"Required fields are missing: [Company]","errorCode":"REQUIRED_FIELD_MISSING","fields":["Company"]}]"#,
        )
        .unwrap();
        assert_eq!(errors[0].fields, ["Company"]);
        let results: Vec<CollectionResult> = serde_json::from_str(
            r#"[{"id":"0RE","success":true,"errors":[]},{"success":false,"errors":[{"statusCode":"MALFORMED_ID","message":"bad","fields":["RelationId"]}]}]"#,
        )
        .unwrap();
        assert_eq!(results[1].errors[0].status_code, "MALFORMED_ID");
    }
}
