//! A create body, read and checked the way HubSpot does before it touches the portal: the JSON shape,
//! each property against its definition, HubSpot's defaults, then the required properties.

use chrono::{DateTime, NaiveDate, Utc};
use compact_str::CompactString;
use serde_json::{Value, json};

use super::errors::Problem;
use super::schema::{self, Kind, ObjectType};
use super::store::Properties;
use super::time::instant;

/// `{"properties": {...}, "associations": [...]}`, every value as text.
#[derive(Debug, Default, PartialEq)]
pub struct CreateInput {
    pub properties: Properties,
    pub associations: Vec<AssociationInput>,
}

#[derive(Debug, PartialEq)]
pub struct AssociationInput {
    pub to_id: String,
    /// `(associationCategory, associationTypeId)`.
    pub types: Vec<(String, u32)>,
}

/// Reads a create body; `Err` is the message of HubSpot's `400` for a body it cannot read.
pub fn parse_create(body: &[u8]) -> Result<CreateInput, String> {
    let Value::Object(mut body) = parse_json(body)? else {
        return Err(invalid("the body must be an object with `properties`"));
    };
    let mut input = CreateInput::default();
    match body.remove("properties") {
        None | Some(Value::Null) => {}
        Some(Value::Object(properties)) => {
            for (name, value) in properties {
                let text = match value {
                    Value::Null => continue,
                    Value::String(s) => s,
                    Value::Bool(b) => b.to_string(),
                    Value::Number(n) => n.to_string(),
                    Value::Array(_) | Value::Object(_) => {
                        return Err(invalid(&format!(
                            "Cannot deserialize value of type `java.lang.String` from a JSON container \
                             (through reference chain: properties[\"{name}\"])"
                        )));
                    }
                };
                input.properties.insert(name.into(), text.into());
            }
        }
        Some(_) => return Err(invalid("`properties` must be an object")),
    }
    match body.remove("associations") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                input.associations.push(association(&item).ok_or_else(|| {
                    invalid("each association needs `to.id` and `types` of {associationCategory, associationTypeId}")
                })?);
            }
        }
        Some(_) => return Err(invalid("`associations` must be an array")),
    }
    Ok(input)
}

/// A JSON request body; `Err` is the message of HubSpot's `400` for a body it cannot read.
pub fn parse_json(body: &[u8]) -> Result<Value, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("Invalid JSON input: a request body was expected, but none found".to_owned());
    }
    serde_json::from_slice(body).map_err(|e| {
        let text = e.to_string();
        let cause = text.split(" at line ").next().unwrap_or(&text);
        format!("Invalid input JSON on line {}, column {}: {cause}", e.line(), e.column())
    })
}

/// HubSpot's message for a body of the wrong shape.
pub fn invalid(detail: &str) -> String {
    format!("Invalid input JSON: {detail}")
}

fn association(item: &Value) -> Option<AssociationInput> {
    let to_id = match &item["to"]["id"] {
        Value::String(id) => id.clone(),
        Value::Number(id) => id.to_string(),
        _ => return None,
    };
    let types = item["types"]
        .as_array()?
        .iter()
        .map(|t| {
            let category = t["associationCategory"].as_str()?.to_owned();
            let id = match &t["associationTypeId"] {
                Value::Number(n) => u32::try_from(n.as_u64()?).ok()?,
                Value::String(s) => s.parse().ok()?,
                _ => return None,
            };
            Some((category, id))
        })
        .collect::<Option<Vec<_>>>()?;
    (!types.is_empty()).then_some(AssociationInput { to_id, types })
}

/// Checks every written property against its definition. `Ok` holds the values as HubSpot stores them
/// (datetimes as instants); `Err` every problem, for one `Property values were not valid` answer.
pub fn check_properties(ty: ObjectType, written: Properties) -> Result<Properties, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut stored = Properties::new();
    for (name, value) in written {
        match check(ty, &name, &value) {
            Ok(value) => {
                stored.insert(name, value);
            }
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() { Ok(stored) } else { Err(problems) }
}

fn check(ty: ObjectType, name: &str, value: &str) -> Result<CompactString, Problem> {
    let Some(property) = ty.property(name) else {
        return Err(Problem::new(name, "PROPERTY_DOESNT_EXIST", format!("Property \"{name}\" does not exist")));
    };
    if property.read_only() {
        let message = format!("{name} is a read only property; its value cannot be set.");
        return Err(Problem::new(name, "READ_ONLY_VALUE", message));
    }
    if value.is_empty() {
        // An empty value clears a property; it is valid for every kind.
        return Ok(CompactString::default());
    }
    match &property.kind {
        Kind::Text => Ok(value.into()),
        Kind::Email if is_email(value) => Ok(value.into()),
        Kind::Email => Err(Problem::new(name, "INVALID_EMAIL", format!("Email address {value} is invalid"))),
        Kind::Owner if value.parse::<i32>().is_ok_and(|id| id >= 0) => Ok(value.into()),
        Kind::Owner => {
            Err(Problem::new(name, "INVALID_INTEGER", format!("{value} was not a valid integer (for owner ID).")))
        }
        Kind::Number if is_number(value) => Ok(value.into()),
        Kind::Number => Err(Problem::new(name, "INVALID_FLOAT", format!("{value} was not a valid number."))),
        Kind::DateTime => datetime(value)
            .map(|at| instant(at).into())
            .ok_or_else(|| Problem::new(name, "INVALID_LONG", format!("{value} was not a valid long."))),
        Kind::Enumeration(options) if options.allows(value) => Ok(value.into()),
        Kind::Enumeration(options) => Err(Problem::new(
            name,
            "INVALID_OPTION",
            format!("{value} was not one of the allowed options: {}", options.listing()),
        )),
    }
}

/// A datetime property value: ISO 8601 with an offset, a bare date (midnight UTC) or epoch milliseconds.
pub fn datetime(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Some(at.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Some(date.and_hms_opt(0, 0, 0)?.and_utc());
    }
    let digits = value.strip_prefix('-').unwrap_or(value);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return DateTime::from_timestamp_millis(value.parse().ok()?);
    }
    None
}

/// HubSpot's e-mail check, roughly: one `@`, a local part, a dotted domain, no spaces.
fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && !value.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| !label.is_empty())
}

/// A plain decimal: no thousands separators, no exponent words such as `NaN`.
fn is_number(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    !(whole.is_empty() && fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// What HubSpot sets on create when the body leaves it out.
pub fn apply_defaults(ty: ObjectType, properties: &mut Properties) {
    let blank = |p: &Properties, name: &str| p.get(name).is_none_or(|v| v.is_empty());
    match ty {
        ObjectType::Meetings => {
            // Since 2024-11 `hs_timestamp` defaults to the start time.
            if blank(properties, "hs_timestamp")
                && let Some(start) = properties.get("hs_meeting_start_time").filter(|s| !s.is_empty()).cloned()
            {
                properties.insert("hs_timestamp".into(), start);
            }
        }
        ObjectType::Deals => {
            if blank(properties, "pipeline") {
                properties.insert("pipeline".into(), schema::DEFAULT_DEAL_PIPELINE.into());
            }
            // The recordings show the stage probability only beside an amount (the weighted amount's
            // input); a deal without an amount comes back without it.
            if !blank(properties, "amount")
                && let Some(probability) = properties.get("dealstage").and_then(|s| schema::deal_stage_probability(s))
            {
                properties.insert("hs_deal_stage_probability".into(), probability.into());
            }
        }
        ObjectType::Leads => {
            if blank(properties, "hs_pipeline") {
                properties.insert("hs_pipeline".into(), schema::DEFAULT_LEAD_PIPELINE.into());
            }
            if blank(properties, "hs_pipeline_stage") {
                properties.insert("hs_pipeline_stage".into(), schema::FIRST_LEAD_STAGE.into());
            }
        }
        ObjectType::Contacts | ObjectType::Companies => {}
    }
}

/// The `errors` of a `400 VALIDATION_ERROR` for required properties left out (after the defaults).
pub fn missing_required(ty: ObjectType, properties: &Properties) -> Vec<Value> {
    let set = |name: &str| properties.get(name).is_some_and(|v| !v.trim().is_empty());
    if ty == ObjectType::Contacts && !["email", "firstname", "lastname"].into_iter().any(set) {
        return vec![required_error(
            &["email", "firstname", "lastname"],
            "One of email, firstname or lastname is required",
        )];
    }
    ty.required()
        .iter()
        .filter(|name| !set(name))
        .map(|name| required_error(&[name], &format!("Property \"{name}\" is required")))
        .collect()
}

fn required_error(properties: &[&str], message: &str) -> Value {
    json!({"message": message, "code": "REQUIRED_FIELD", "context": {"propertyName": properties}})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Properties {
        pairs.iter().map(|&(k, v)| (k.into(), v.into())).collect()
    }

    #[test]
    fn reads_bodies_and_refuses_broken_ones() {
        let body = br#"{"properties":{"amount":48000,"vip":true,"gone":null,"dealname":"D"},
            "associations":[{"to":{"id":"42"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":3}]}]}"#;
        let input = parse_create(body).unwrap();
        assert_eq!(input.properties, props(&[("amount", "48000"), ("dealname", "D"), ("vip", "true")]));
        assert_eq!(input.associations[0].to_id, "42");
        assert_eq!(input.associations[0].types, [("HUBSPOT_DEFINED".to_owned(), 3)]);
        assert!(parse_create(b"").unwrap_err().contains("a request body was expected"));
        assert!(parse_create(b"{\"properties\":").unwrap_err().starts_with("Invalid input JSON on line 1, column"));
        assert!(parse_create(br#"{"properties":{"a":{"b":1}}}"#).is_err());
        assert!(parse_create(br#"{"associations":[{"to":{}}]}"#).is_err());
    }

    #[test]
    fn each_property_kind_is_checked() {
        let problems = check_properties(
            ObjectType::Contacts,
            props(&[
                ("favourite_colour", "blue"),
                ("hs_object_id", "1"),
                ("email", "jane@"),
                ("hubspot_owner_id", "29947847357121"),
                ("annualrevenue", "1,000"),
                ("lifecyclestage", "hot"),
                ("loyalty_tier", "gold"),
            ]),
        )
        .unwrap_err();
        let errors: Vec<(&str, &str)> = problems.iter().map(|p| (p.name.as_str(), p.error)).collect();
        assert_eq!(
            errors,
            [
                ("annualrevenue", "INVALID_FLOAT"),
                ("email", "INVALID_EMAIL"),
                ("favourite_colour", "PROPERTY_DOESNT_EXIST"),
                ("hs_object_id", "READ_ONLY_VALUE"),
                ("hubspot_owner_id", "INVALID_INTEGER"),
                ("lifecyclestage", "INVALID_OPTION"),
            ]
        );
        let ok = check_properties(ObjectType::Contacts, props(&[("lifecyclestage", "1049584722"), ("email", "")]));
        assert!(ok.is_ok());
    }

    #[test]
    fn datetimes_are_stored_as_instants() {
        let stored = check_properties(
            ObjectType::Meetings,
            props(&[("hs_timestamp", "2026-06-02T15:00:00+02:00"), ("hs_meeting_end_time", "1780408800000")]),
        )
        .unwrap();
        assert_eq!(stored["hs_timestamp"], "2026-06-02T13:00:00Z");
        assert_eq!(stored["hs_meeting_end_time"], "2026-06-02T14:00:00Z");
        let problems = check_properties(ObjectType::Deals, props(&[("closedate", "soon")])).unwrap_err();
        assert_eq!(problems[0].message, "soon was not a valid long.");
    }

    #[test]
    fn checked_values_stay_inline() {
        // What keeps a stored record small: names and values up to 24 bytes take no heap block of their
        // own, datetimes (built as a `String`) included.
        let body = br#"{"properties":{"email":"m10000@example.com","firstname":"Jane","lastname":"Doe",
            "phone":"+1-555-0100","company":"Acme Corp","jobtitle":"VP of Sales","address":"123 Main St",
            "city":"San Francisco","state":"CA","zip":"94105","country":"US","lifecyclestage":"lead",
            "hubspot_owner_id":"67823451"}}"#;
        let contact = check_properties(ObjectType::Contacts, parse_create(body).unwrap().properties).unwrap();
        let meeting = check_properties(ObjectType::Meetings, props(&[("hs_timestamp", "1780408800000")])).unwrap();
        assert_eq!((contact.len(), meeting["hs_timestamp"].as_str()), (13, "2026-06-02T14:00:00Z"));
        for (name, value) in contact.iter().chain(&meeting) {
            assert!(!name.is_heap_allocated() && !value.is_heap_allocated(), "{name}: {value}");
        }
        let long = check_properties(ObjectType::Contacts, props(&[("company", "Acme Corporation International")]));
        assert!(long.unwrap()["company"].is_heap_allocated(), "past 24 bytes a value has a block of its own");
    }

    #[test]
    fn defaults_then_required() {
        let mut meeting = props(&[("hs_meeting_start_time", "2026-06-02T13:00:00Z")]);
        apply_defaults(ObjectType::Meetings, &mut meeting);
        assert_eq!(meeting["hs_timestamp"], "2026-06-02T13:00:00Z");
        assert!(missing_required(ObjectType::Meetings, &meeting).is_empty());

        let mut deal = props(&[("dealname", "D"), ("dealstage", "qualifiedtobuy"), ("amount", "10")]);
        apply_defaults(ObjectType::Deals, &mut deal);
        assert_eq!((deal["pipeline"].as_str(), deal["hs_deal_stage_probability"].as_str()), ("default", "0.4"));
        let missing = missing_required(ObjectType::Deals, &props(&[("dealname", "D")]));
        assert_eq!(missing[0]["context"]["propertyName"], json!(["dealstage"]));
        assert_eq!(missing_required(ObjectType::Contacts, &props(&[("phone", "1")])).len(), 1);
    }
}
