//! A create body, checked the way Salesforce checks it before a record exists: the JSON (unknown and
//! read-only fields, wrong types), the required fields, each value against its field (lengths, e-mails,
//! picklists, the state and country picklists, references), the defaults Salesforce fills in, the
//! objects' own rules (events), and the standard duplicate rules of contacts and leads.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::errors::ApiError;
use super::ids;
use super::schema::{self, COUNTRIES, CURRENCIES, Field, Kind, Org, SObjectType, US_STATES};
use super::store::{Record, Store};
use super::time::{parse_time, sf_time};

/// A refused create: its status and Salesforce's errors.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub status: StatusCode,
    pub errors: Vec<ApiError>,
}

impl Refusal {
    fn one(error: ApiError) -> Self {
        Self { status: StatusCode::BAD_REQUEST, errors: vec![error] }
    }
}

/// What a create needs besides its body.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub org: &'a Org,
    pub now: DateTime<Utc>,
    /// The session's user: the owner of what is created without an `OwnerId`.
    pub user: &'a str,
    /// `Sforce-Duplicate-Rule-Header: allowSave=true`.
    pub allow_duplicates: bool,
    /// The API version of the path (`v66.0`), for record URLs.
    pub version: &'a str,
}

/// Reads a create body into a JSON object; a body that is none is Salesforce's `JSON_PARSER_ERROR`.
pub fn parse_body(body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Refusal::one(ApiError::new(
            "JSON_PARSER_ERROR",
            format!(
                "Cannot deserialize instance of sObject from {} value or request may be missing a required field at [line:1, column:1]",
                token(&other)
            ),
        ))),
        Err(e) => Err(Refusal::one(ApiError::new(
            "JSON_PARSER_ERROR",
            format!("Unexpected character at [line:{}, column:{}]", e.line(), e.column()),
        ))),
    }
}

fn token(value: &Value) -> &'static str {
    match value {
        Value::Null => "VALUE_NULL",
        Value::Bool(true) => "VALUE_TRUE",
        Value::Bool(false) => "VALUE_FALSE",
        Value::Number(n) if n.is_f64() => "VALUE_NUMBER_FLOAT",
        Value::Number(_) => "VALUE_NUMBER_INT",
        Value::String(_) => "VALUE_STRING",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

/// Where a key's value starts in the body, as Salesforce's parser reports positions (1-based).
fn column(body: &[u8], key: &str) -> usize {
    let text = String::from_utf8_lossy(body);
    let needle = format!("\"{key}\"");
    text.find(&needle)
        .and_then(|at| text[at + needle.len()..].find(':').map(|colon| at + needle.len() + colon + 1))
        .map(|at| at + text[at..].len() - text[at..].trim_start().len() + 1)
        .unwrap_or(1)
}

/// Checks a create of `sobject` and builds the record (not stored: the caller inserts it).
pub fn create(
    store: &Store,
    sobject: SObjectType,
    input: Map<String, Value>,
    raw: &[u8],
    cx: Context<'_>,
) -> Result<Record, Refusal> {
    if !sobject.createable() {
        return Err(Refusal {
            status: StatusCode::BAD_REQUEST,
            errors: vec![ApiError::new(
                "INVALID_TYPE_FOR_OPERATION",
                format!("entity type {} does not support create", sobject.name()),
            )],
        });
    }
    // The body's fields, each known, writable and of the right JSON type.
    let mut written: BTreeMap<&'static str, (&'static Field, Value)> = BTreeMap::new();
    for (name, value) in input {
        if name == "attributes" {
            continue;
        }
        let Some(field) = sobject.field(&name, cx.org) else {
            return Err(Refusal::one(ApiError::new(
                "INVALID_FIELD",
                format!("No such column '{name}' on sobject of type {}", sobject.name()),
            )));
        };
        if !field.createable {
            return Err(Refusal::one(ApiError::on(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                format!(
                    "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                    field.name
                ),
                &[field.name],
            )));
        }
        let value = coerce(field, value, raw, &name)?;
        written.insert(field.name, (field, value));
    }

    let set = |name: &str| written.get(name).is_some_and(|(_, v)| !v.is_null() && v.as_str() != Some(""));
    let missing: Vec<&str> = sobject.fields().iter().filter(|f| f.required && !set(f.name)).map(|f| f.name).collect();
    if !missing.is_empty() {
        return Err(Refusal::one(ApiError::on(
            "REQUIRED_FIELD_MISSING",
            format!("Required fields are missing: [{}]", missing.join(", ")),
            &missing,
        )));
    }

    let mut fields: BTreeMap<String, Value> = BTreeMap::new();
    let mut problems = Vec::new();
    for (field, value) in written.values() {
        if value.is_null() {
            continue;
        }
        match check(store, sobject, field, value, cx.org) {
            Ok(stored) => {
                for (name, value) in stored {
                    fields.insert(name, value);
                }
            }
            Err(error) => problems.push(error),
        }
    }
    if !problems.is_empty() {
        return Err(Refusal { status: StatusCode::BAD_REQUEST, errors: problems });
    }
    defaults(sobject, &mut fields, cx);
    rules(store, sobject, &fields)?;
    if !cx.allow_duplicates
        && let Some(duplicate) = duplicate(store, sobject, &fields)
    {
        return Err(Refusal::one(duplicate_error(sobject, duplicate, cx.version)));
    }
    Ok(Record {
        id: String::new(),
        sobject,
        fields,
        created: cx.now,
        modified: cx.now,
        created_by: cx.user.to_owned(),
        deleted: false,
    })
}

fn parser_error(kind: &str, value: &Value, raw: &[u8], key: &str) -> Refusal {
    let shown = match value {
        Value::String(s) => s.clone(),
        Value::Array(_) | Value::Object(_) => String::new(),
        other => other.to_string(),
    };
    let at = column(raw, key);
    Refusal::one(ApiError::new(
        "JSON_PARSER_ERROR",
        format!(
            "Cannot deserialize instance of {kind} from {} value {shown} or request may be missing a required field at [line:1, column:{at}]",
            token(value)
        ),
    ))
}

/// A JSON value as the field's type, as Salesforce's parser reads it (numbers into text become text,
/// numeric text into numbers becomes a number).
fn coerce(field: &Field, value: Value, raw: &[u8], key: &str) -> Result<Value, Refusal> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let textual = |value: &Value| match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let coerced = match field.kind {
        Kind::Double | Kind::Percent | Kind::Currency => match &value {
            Value::Number(n) => n.as_f64().map(Value::from),
            Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()).map(Value::from),
            _ => None,
        }
        .ok_or("double"),
        Kind::Int => match &value {
            Value::Number(n) => n.as_i64().map(Value::from),
            Value::String(s) => s.trim().parse::<i64>().ok().map(Value::from),
            _ => None,
        }
        .ok_or("int"),
        Kind::Boolean => match &value {
            Value::Bool(b) => Some(Value::Bool(*b)),
            Value::String(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
                Some(Value::Bool(s.eq_ignore_ascii_case("true")))
            }
            _ => None,
        }
        .ok_or("boolean"),
        Kind::Date => {
            value.as_str().filter(|s| unified_core::time::parse_date(s).is_some()).map(Value::from).ok_or("date")
        }
        Kind::DateTime => value.as_str().and_then(parse_time).map(|t| Value::from(sf_time(t))).ok_or("datetime"),
        _ => textual(&value).map(Value::from).ok_or("string"),
    };
    coerced.map_err(|kind| parser_error(kind, &value, raw, key))
}

fn value_error(code: &'static str, field: &Field, message: String) -> ApiError {
    ApiError::on(code, message, &[field.name])
}

/// One written value against its field; `Ok` has what is stored (an address part with the picklists
/// on stores its name and its code).
fn check(
    store: &Store,
    sobject: SObjectType,
    field: &'static Field,
    value: &Value,
    org: &Org,
) -> Result<Vec<(String, Value)>, ApiError> {
    let one = |v: Value| Ok(vec![(field.name.to_owned(), v)]);
    let text = value.as_str().unwrap_or_default();
    match field.kind {
        Kind::Text(max) if text.chars().count() > max => Err(value_error(
            "STRING_TOO_LONG",
            field,
            format!("{}: data value too large: {text} (max length={max})", field.label),
        )),
        Kind::Email if !text.is_empty() && !is_email(text) => {
            Err(value_error("INVALID_EMAIL_ADDRESS", field, format!("{}: invalid email address: {text}", field.label)))
        }
        Kind::Picklist { values, restricted: true } if !text.is_empty() && !values.contains(&text) => Err(value_error(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            field,
            format!("{}: bad value for restricted picklist field: {text}", field.label),
        )),
        Kind::Percent if value.as_f64().is_some_and(|p| !(0.0..=100.0).contains(&p)) => Err(value_error(
            "NUMBER_OUTSIDE_VALID_RANGE",
            field,
            format!("{}: value outside of valid range on numeric field: {}", field.label, value),
        )),
        Kind::Reference(targets) if !text.is_empty() => {
            reference(store, sobject, field, targets, text).map(|id| vec![(field.name.to_owned(), Value::from(id))])
        }
        Kind::Country | Kind::State if org.state_country_picklists && !text.is_empty() => address_name(field, text),
        Kind::CountryCode | Kind::StateCode if !text.is_empty() => address_code(field, text),
        _ => one(value.clone()),
    }
}

/// The `…Code` field beside an address name field (`MailingCountry` → `MailingCountryCode`).
fn code_field(name: &str) -> String {
    format!("{name}Code")
}

fn address_name(field: &'static Field, text: &str) -> Result<Vec<(String, Value)>, ApiError> {
    let (list, what) = if field.kind == Kind::Country { (COUNTRIES, "country") } else { (US_STATES, "state") };
    match list.iter().find(|(_, name)| name.eq_ignore_ascii_case(text)) {
        Some((code, name)) => {
            Ok(vec![(field.name.to_owned(), Value::from(*name)), (code_field(field.name), Value::from(*code))])
        }
        None => {
            let message = if what == "country" {
                "There's a problem with this country, even though it may appear correct. Please select a country/territory from the list of valid countries."
            } else {
                "There's a problem with this state, even though it may appear correct. Please select a state from the list of valid states."
            };
            Err(value_error("FIELD_INTEGRITY_EXCEPTION", field, message.to_owned()))
        }
    }
}

fn address_code(field: &'static Field, text: &str) -> Result<Vec<(String, Value)>, ApiError> {
    let list = if field.kind == Kind::CountryCode { COUNTRIES } else { US_STATES };
    let name_field = field.name.trim_end_matches("Code");
    match list.iter().find(|(code, _)| *code == text) {
        Some((code, name)) => {
            Ok(vec![(field.name.to_owned(), Value::from(*code)), (name_field.to_owned(), Value::from(*name))])
        }
        None => Err(value_error(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            field,
            format!("{}: bad value for restricted picklist field: {text}", field.label),
        )),
    }
}

/// A lookup: a well-formed id, of an object the field accepts, of a live record (an active user, a
/// queue that takes leads). Stored in its 18-character form.
fn reference(
    store: &Store,
    sobject: SObjectType,
    field: &'static Field,
    targets: &[SObjectType],
    id: &str,
) -> Result<String, ApiError> {
    let incorrect = |code| value_error(code, field, format!("{}: id value of incorrect type: {id}", field.label));
    if !ids::is_well_formed(id) {
        return Err(incorrect("MALFORMED_ID"));
    }
    let target = SObjectType::of_id(id);
    if !target.is_some_and(|t| targets.contains(&t)) {
        return Err(incorrect("FIELD_INTEGRITY_EXCEPTION"));
    }
    let Some(record) = store.get(id) else {
        return Err(ApiError::on("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", &[]));
    };
    if record.sobject == SObjectType::User && record.fields.get("IsActive") == Some(&Value::Bool(false)) {
        return Err(ApiError::on(
            "INACTIVE_OWNER_OR_USER",
            format!(
                "operation performed with inactive user [{}] as owner of {}",
                record.id,
                sobject.name().to_ascii_lowercase()
            ),
            &[],
        ));
    }
    if record.sobject == SObjectType::Group && (record.text("Type") != Some("Queue") || sobject != SObjectType::Lead) {
        return Err(incorrect("FIELD_INTEGRITY_EXCEPTION"));
    }
    Ok(record.id.clone())
}

/// Salesforce's e-mail check, roughly: one `@`, a local part, a dotted domain, no spaces.
fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && !value.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| !label.is_empty())
}

/// What Salesforce fills in on create.
fn defaults(sobject: SObjectType, fields: &mut BTreeMap<String, Value>, cx: Context<'_>) {
    let absent = |fields: &BTreeMap<String, Value>, name: &str| fields.get(name).is_none_or(Value::is_null);
    if sobject.field("OwnerId", cx.org).is_some() && absent(fields, "OwnerId") {
        fields.insert("OwnerId".into(), Value::from(ids::to18(cx.user)));
    }
    if cx.org.multi_currency && sobject.field("CurrencyIsoCode", cx.org).is_some() && absent(fields, "CurrencyIsoCode")
    {
        fields.insert("CurrencyIsoCode".into(), Value::from(CURRENCIES[0]));
    }
    match sobject {
        SObjectType::Lead => {
            if absent(fields, "Status") {
                fields.insert("Status".into(), Value::from(schema::LEAD_STATUSES[0]));
            }
            fields.insert("IsConverted".into(), Value::Bool(false));
        }
        SObjectType::Opportunity => {
            let stage = fields.get("StageName").and_then(Value::as_str).unwrap_or_default().to_owned();
            if absent(fields, "Probability")
                && let Some(p) = schema::stage_probability(&stage)
            {
                fields.insert("Probability".into(), Value::from(p));
            }
            let (closed, won, forecast) = match stage.as_str() {
                "Closed Won" => (true, true, "Closed"),
                "Closed Lost" => (true, false, "Omitted"),
                "Negotiation/Review" | "Proposal/Price Quote" => (false, false, "Commit"),
                "Id. Decision Makers" | "Perception Analysis" | "Value Proposition" => (false, false, "Best Case"),
                _ => (false, false, "Pipeline"),
            };
            fields.insert("IsClosed".into(), Value::Bool(closed));
            fields.insert("IsWon".into(), Value::Bool(won));
            fields.insert("ForecastCategoryName".into(), Value::from(forecast));
        }
        SObjectType::Event => {
            let start = fields.get("StartDateTime").or_else(|| fields.get("ActivityDateTime")).cloned();
            if let Some(start) = start.filter(|s| !s.is_null()) {
                fields.insert("StartDateTime".into(), start.clone());
                fields.insert("ActivityDateTime".into(), start.clone());
                let begins = start.as_str().and_then(parse_time);
                if let Some(begins) = begins {
                    fields.insert("ActivityDate".into(), Value::from(begins.format("%Y-%m-%d").to_string()));
                    let end = fields.get("EndDateTime").and_then(Value::as_str).and_then(parse_time);
                    let minutes = fields.get("DurationInMinutes").and_then(Value::as_i64);
                    match (end, minutes) {
                        (Some(end), _) => {
                            fields.insert("DurationInMinutes".into(), Value::from((end - begins).num_minutes()));
                        }
                        (None, Some(minutes)) => {
                            let end = begins + chrono::Duration::minutes(minutes);
                            fields.insert("EndDateTime".into(), Value::from(sf_time(end)));
                        }
                        (None, None) => {}
                    }
                }
            }
            fields.entry("IsAllDayEvent".into()).or_insert(Value::Bool(false));
            fields.entry("ShowAs".into()).or_insert(Value::from("Busy"));
        }
        SObjectType::EventRelation => {
            fields.entry("IsInvitee".into()).or_insert(Value::Bool(false));
            if cx.org.shared_activities {
                fields.entry("IsParent".into()).or_insert(Value::Bool(false));
                fields.entry("IsWhat".into()).or_insert(Value::Bool(false));
            }
            if fields.get("IsInvitee") == Some(&Value::Bool(true)) {
                fields.entry("Status".into()).or_insert(Value::from("New"));
            }
        }
        SObjectType::OpportunityContactRole => {
            fields.entry("IsPrimary".into()).or_insert(Value::Bool(false));
        }
        _ => {}
    }
}

/// An object's own rules, after the field checks.
fn rules(store: &Store, sobject: SObjectType, fields: &BTreeMap<String, Value>) -> Result<(), Refusal> {
    let time = |name: &str| fields.get(name).and_then(Value::as_str).and_then(parse_time);
    match sobject {
        SObjectType::Event => {
            let Some(start) = time("StartDateTime") else {
                return Err(Refusal::one(ApiError::on(
                    "REQUIRED_FIELD_MISSING",
                    "Required fields are missing: [StartDateTime]",
                    &["StartDateTime"],
                )));
            };
            let Some(end) = time("EndDateTime") else {
                return Err(Refusal::one(ApiError::on(
                    "REQUIRED_FIELD_MISSING",
                    "Required fields are missing: [DurationInMinutes]",
                    &["DurationInMinutes"],
                )));
            };
            if end < start {
                return Err(Refusal::one(ApiError::on(
                    "FIELD_INTEGRITY_EXCEPTION",
                    "End Date Time: End time can't be before start time",
                    &["EndDateTime"],
                )));
            }
            if end - start > chrono::Duration::days(14) {
                return Err(Refusal::one(ApiError::on(
                    "FIELD_INTEGRITY_EXCEPTION",
                    "Event duration can't exceed 14 days",
                    &["DurationInMinutes"],
                )));
            }
            let who_is_lead = fields.get("WhoId").and_then(Value::as_str).is_some_and(|id| id.starts_with("00Q"));
            if who_is_lead && fields.get("WhatId").is_some_and(|v| !v.is_null()) {
                return Err(Refusal::one(ApiError::on(
                    "FIELD_INTEGRITY_EXCEPTION",
                    "Related To ID: You can't associate a lead with a record.",
                    &["WhatId"],
                )));
            }
        }
        SObjectType::EventRelation => {
            let event = fields.get("EventId").and_then(Value::as_str).unwrap_or_default();
            let relation = fields.get("RelationId").and_then(Value::as_str).unwrap_or_default();
            if let Some(existing) = store
                .records(SObjectType::EventRelation)
                .find(|r| r.text("EventId") == Some(event) && r.text("RelationId") == Some(relation))
            {
                return Err(Refusal::one(ApiError::on(
                    "DUPLICATE_VALUE",
                    format!("duplicate value found: RelationId duplicates value on record with id: {}", existing.id),
                    &[],
                )));
            }
        }
        _ => {}
    }
    Ok(())
}

/// The standard duplicate rules, simplified: a live contact (lead) with the same e-mail and last name,
/// ignoring case, blocks a new contact (lead).
fn duplicate<'s>(store: &'s Store, sobject: SObjectType, fields: &BTreeMap<String, Value>) -> Option<&'s Record> {
    if !matches!(sobject, SObjectType::Contact | SObjectType::Lead) {
        return None;
    }
    let key = |f: &BTreeMap<String, Value>, name: &str| {
        f.get(name).and_then(Value::as_str).map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty())
    };
    let email = key(fields, "Email")?;
    let last = key(fields, "LastName");
    store
        .records(sobject)
        .find(|r| key(&r.fields, "Email").as_ref() == Some(&email) && key(&r.fields, "LastName") == last)
}

/// `DUPLICATES_DETECTED`, with the `duplicateResult` of a blocking standard rule.
pub fn duplicate_error(sobject: SObjectType, existing: &Record, version: &str) -> ApiError {
    let (rule, match_rule) = match sobject {
        SObjectType::Lead => ("Standard_Lead_Duplicate_Rule", "Standard_Lead_Match_Rule_v1_0"),
        _ => ("Standard_Contact_Duplicate_Rule", "Standard_Contact_Match_Rule_v1_1"),
    };
    let message = "Use one of these records?";
    let name = sobject.name();
    let result = json!({
        "allowSave": false,
        "duplicateRule": rule,
        "duplicateRuleEntityType": name,
        "errorMessage": message,
        "matchResults": [{
            "entityType": name,
            "errors": [],
            "matchEngine": "FuzzyMatchEngine",
            "matchRecords": [{
                "additionalInformation": [],
                "fieldDiffs": [],
                "matchConfidence": 100.0,
                "record": {
                    "attributes": {"type": name, "url": format!("/services/data/{version}/sobjects/{name}/{}", existing.id)},
                    "Id": existing.id,
                },
            }],
            "rule": match_rule,
            "size": 1,
            "success": true,
        }],
    });
    ApiError {
        fields: Some(Vec::new()),
        duplicate_result: Some(result),
        ..ApiError::new("DUPLICATES_DETECTED", message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx(org: &Org) -> Context<'_> {
        Context { org, now: Utc::now(), user: schema::API_USER, allow_duplicates: false, version: "v66.0" }
    }

    fn body(json: &str) -> Map<String, Value> {
        serde_json::from_str(json).unwrap()
    }

    fn refused(store: &Store, sobject: SObjectType, json: &str, org: &Org) -> Vec<(String, String)> {
        let refusal = create(store, sobject, body(json), json.as_bytes(), cx(org)).unwrap_err();
        refusal.errors.into_iter().map(|e| (e.error_code.to_owned(), e.message)).collect()
    }

    #[test]
    fn unknown_read_only_and_mistyped_fields() {
        let store = Store::new(Utc::now());
        let org = Org::default();
        assert_eq!(
            refused(&store, SObjectType::Contact, r#"{"LastName":"Doe","Favourite__c":"x"}"#, &org),
            [("INVALID_FIELD".into(), "No such column 'Favourite__c' on sobject of type Contact".into())]
        );
        assert_eq!(
            refused(&store, SObjectType::Contact, r#"{"LastName":"Doe","Name":"x"}"#, &org)[0].0,
            "INVALID_FIELD_FOR_INSERT_UPDATE"
        );
        let mistyped = refused(&store, SObjectType::Contact, r#"{"LastName":"Doe","Loyalty_Score__c":"lots"}"#, &org);
        assert_eq!(mistyped[0].0, "JSON_PARSER_ERROR");
        assert!(mistyped[0].1.contains("double from VALUE_STRING value lots"), "{mistyped:?}");
        assert!(mistyped[0].1.ends_with("[line:1, column:38]"), "{mistyped:?}");
        assert_eq!(
            refused(
                &store,
                SObjectType::Opportunity,
                r#"{"Name":"D","StageName":"Prospecting","CloseDate":"31/07/2026"}"#,
                &org
            )[0]
            .0,
            "JSON_PARSER_ERROR"
        );
        assert_eq!(
            refused(&store, SObjectType::Opportunity, r#"{"Name":"D","CurrencyIsoCode":"GBP"}"#, &org)[0].0,
            "INVALID_FIELD",
            "single-currency org"
        );
    }

    #[test]
    fn required_values_and_references() {
        let store = Store::new(Utc::now());
        let org = Org::default();
        assert_eq!(
            refused(&store, SObjectType::Lead, r#"{"FirstName":"Ana"}"#, &org),
            [("REQUIRED_FIELD_MISSING".into(), "Required fields are missing: [LastName, Company]".into())]
        );
        let problems = refused(
            &store,
            SObjectType::Lead,
            r#"{"LastName":"L","Company":"C","Email":"a@","Status":"Hot","OwnerId":"0038c00002XyZ12AAF"}"#,
            &org,
        );
        let codes: Vec<&str> = problems.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(
            codes,
            ["INVALID_EMAIL_ADDRESS", "FIELD_INTEGRITY_EXCEPTION", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"]
        );
        assert_eq!(problems[1].1, "Owner ID: id value of incorrect type: 0038c00002XyZ12AAF");
        assert_eq!(
            refused(&store, SObjectType::Contact, r#"{"LastName":"D","AccountId":"001xyz"}"#, &org)[0].0,
            "MALFORMED_ID"
        );
        let missing = format!(r#"{{"LastName":"D","AccountId":"{}"}}"#, ids::to18("0018c00003QwErT"));
        assert_eq!(refused(&store, SObjectType::Contact, &missing, &org)[0].0, "INVALID_CROSS_REFERENCE_KEY");
        let bad_suffix = r#"{"LastName":"D","AccountId":"0018c00003QwErTAAR"}"#;
        assert_eq!(refused(&store, SObjectType::Contact, bad_suffix, &org)[0].0, "MALFORMED_ID");
        let queue = ids::to18(schema::QUEUE_SEED.0);
        let contact = format!(r#"{{"LastName":"D","OwnerId":"{queue}"}}"#);
        assert_eq!(refused(&store, SObjectType::Contact, &contact, &org)[0].0, "FIELD_INTEGRITY_EXCEPTION");
        let lead = format!(r#"{{"LastName":"D","Company":"C","OwnerId":"{queue}"}}"#);
        assert!(create(&store, SObjectType::Lead, body(&lead), lead.as_bytes(), cx(&org)).is_ok(), "queues own leads");
        let inactive = format!(r#"{{"LastName":"D","OwnerId":"{}"}}"#, ids::to18("0058c00000CuFhI"));
        assert_eq!(refused(&store, SObjectType::Contact, &inactive, &org)[0].0, "INACTIVE_OWNER_OR_USER");
    }

    #[test]
    fn defaults_are_filled_in() {
        let store = Store::new(Utc::now());
        let org = Org::default();
        let json = r#"{"Name":"D","StageName":"Negotiation/Review","CloseDate":"2026-07-31","Amount":"48000"}"#;
        let record = create(&store, SObjectType::Opportunity, body(json), json.as_bytes(), cx(&org)).unwrap();
        assert_eq!(record.fields["Probability"], 90.0);
        assert_eq!(record.fields["Amount"], 48000.0);
        assert_eq!(record.fields["ForecastCategoryName"], "Commit");
        assert_eq!(record.fields["OwnerId"], ids::to18(schema::API_USER).as_str());
        let json =
            r#"{"Subject":"S","StartDateTime":"2026-06-02T15:00:00+02:00","EndDateTime":"2026-06-02T13:45:00Z"}"#;
        let event = create(&store, SObjectType::Event, body(json), json.as_bytes(), cx(&org)).unwrap();
        assert_eq!(event.fields["StartDateTime"], "2026-06-02T13:00:00.000+0000");
        assert_eq!(event.fields["DurationInMinutes"], 45);
        assert_eq!(event.fields["ActivityDate"], "2026-06-02");
        let long = r#"{"StartDateTime":"2026-06-02T13:00:00Z","EndDateTime":"2026-06-20T13:00:00Z"}"#;
        assert_eq!(refused(&store, SObjectType::Event, long, &org)[0].1, "Event duration can't exceed 14 days");
    }

    #[test]
    fn state_and_country_picklists() {
        let store = Store::new(Utc::now());
        let org = Org { state_country_picklists: true, ..Org::default() };
        let json = r#"{"LastName":"D","MailingStateCode":"CA","MailingCountry":"united states"}"#;
        let record = create(&store, SObjectType::Contact, body(json), json.as_bytes(), cx(&org)).unwrap();
        assert_eq!(
            (&record.fields["MailingState"], &record.fields["MailingCountryCode"], &record.fields["MailingCountry"]),
            (&json!("California"), &json!("US"), &json!("United States"))
        );
        assert_eq!(
            refused(&store, SObjectType::Contact, r#"{"LastName":"D","MailingCountry":"US"}"#, &org)[0].0,
            "FIELD_INTEGRITY_EXCEPTION"
        );
        assert_eq!(
            refused(&store, SObjectType::Contact, r#"{"LastName":"D","MailingCountryCode":"XX"}"#, &org)[0].0,
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
        );
        let text = Org::default();
        assert!(
            create(&store, SObjectType::Contact, body(r#"{"LastName":"D","MailingCountry":"US"}"#), b"", cx(&text))
                .is_ok()
        );
    }

    #[test]
    fn duplicates_are_blocked_unless_allowed() {
        let mut store = Store::new(Utc::now());
        let org = Org::default();
        let json = r#"{"LastName":"Doe","Email":"Jane@Example.com"}"#;
        let mut first = create(&store, SObjectType::Contact, body(json), json.as_bytes(), cx(&org)).unwrap();
        first.id = store.next_id(SObjectType::Contact);
        store.insert(first.clone());
        let again = r#"{"LastName":"DOE","Email":"jane@example.com"}"#;
        let refusal = create(&store, SObjectType::Contact, body(again), again.as_bytes(), cx(&org)).unwrap_err();
        let error = &refusal.errors[0];
        assert_eq!(error.error_code, "DUPLICATES_DETECTED");
        assert_eq!(
            error.duplicate_result.as_ref().unwrap()["matchResults"][0]["matchRecords"][0]["record"]["Id"],
            first.id.as_str()
        );
        let allowed = Context { allow_duplicates: true, ..cx(&org) };
        assert!(create(&store, SObjectType::Contact, body(again), again.as_bytes(), allowed).is_ok());
        let other = r#"{"LastName":"Smith","Email":"jane@example.com"}"#;
        assert!(create(&store, SObjectType::Contact, body(other), other.as_bytes(), cx(&org)).is_ok());
    }
}
