//! The REST API under `/services/data/{version}/`: create, read and delete a record, query, create a
//! collection, and the version and resource listings.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};
use unified_emulator::{Caller, form, lock};

use super::errors::{self, ApiError};
use super::model::{Salesforce, Shared};
use super::query;
use super::schema::{COMMON_NAMES, Field, SObjectType};
use super::store::Record;
use super::time::sf_time;
use super::validate::{self, Context, Refusal};

/// The newest version this emulator serves (the connector's pinned one).
pub const LATEST: (u32, u32) = (66, 0);

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/services/data", get(versions))
        .route("/services/data/", get(versions))
        .route("/services/data/{version}", get(resources))
        .route("/services/data/{version}/", get(resources))
        .route("/services/data/{version}/sobjects/{sobject}", post(create))
        .route("/services/data/{version}/sobjects/{sobject}/", post(create))
        .route("/services/data/{version}/sobjects/{sobject}/{id}", get(read).delete(delete))
        .route("/services/data/{version}/query", get(run_query))
        .route("/services/data/{version}/query/", get(run_query))
        .route("/services/data/{version}/composite/sobjects", post(collection))
}

/// `v20.0` … `v66.0`.
pub fn is_version(segment: &str) -> bool {
    let Some((major, minor)) = segment.strip_prefix('v').and_then(|v| v.split_once('.')) else { return false };
    match (major.parse::<u32>(), minor) {
        (Ok(major), "0") => (20..=LATEST.0).contains(&major),
        _ => false,
    }
}

/// `GET /services/data/`: the versions (no session needed).
async fn versions() -> Response {
    let list: Vec<Value> = (20..=LATEST.0)
        .map(|major| {
            json!({"label": label(major), "url": format!("/services/data/v{major}.0"), "version": format!("{major}.0")})
        })
        .collect();
    errors::json(StatusCode::OK, &list)
}

fn label(major: u32) -> String {
    // v66.0 is Spring '26; three releases a year.
    let offset = i64::from(LATEST.0) - i64::from(major);
    let season = ["Spring", "Winter", "Summer"][(offset % 3) as usize];
    let year = 26 - (offset + 1) / 3;
    format!("{season} '{year:02}")
}

async fn resources(Path(version): Path<String>) -> Response {
    if !is_version(&version) {
        return errors::not_found();
    }
    let base = format!("/services/data/{version}");
    let body = json!({
        "sobjects": format!("{base}/sobjects"),
        "query": format!("{base}/query"),
        "composite": format!("{base}/composite"),
        "limits": format!("{base}/limits"),
    });
    errors::json(StatusCode::OK, &body)
}

fn refused(refusal: Refusal) -> Response {
    errors::errors(refusal.status, &refusal.errors)
}

/// `Sforce-Duplicate-Rule-Header: allowSave=true`.
fn allow_save(headers: &HeaderMap) -> bool {
    headers
        .get("sforce-duplicate-rule-header")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').any(|part| part.trim().eq_ignore_ascii_case("allowSave=true")))
}

/// Creates and stores one record; `Ok` is its id.
pub fn create_one(
    shared: &Shared,
    sobject: SObjectType,
    body: Map<String, Value>,
    raw: &[u8],
    user: &str,
    allow_duplicates: bool,
    version: &str,
) -> Result<String, Refusal> {
    let mut state = lock(shared);
    create_locked(&mut state, sobject, body, raw, user, allow_duplicates, version)
}

pub fn create_locked(
    state: &mut unified_emulator::State<Salesforce>,
    sobject: SObjectType,
    body: Map<String, Value>,
    raw: &[u8],
    user: &str,
    allow_duplicates: bool,
    version: &str,
) -> Result<String, Refusal> {
    let now = state.now();
    let org = state.model.org;
    let cx = Context { org: &org, now, user, allow_duplicates, version };
    let mut record = validate::create(&state.model.store, sobject, body, raw, cx)?;
    record.id = state.model.store.next_id(sobject);
    // `ContactId` is create-only: it makes the primary contact role, and is not a field of the record.
    let contact = if sobject == SObjectType::Opportunity { record.fields.remove("ContactId") } else { None };
    let id = record.id.clone();
    state.model.store.insert(record);
    if let Some(contact) = contact.filter(|c| !c.is_null()) {
        let role = Record {
            id: state.model.store.next_id(SObjectType::OpportunityContactRole),
            sobject: SObjectType::OpportunityContactRole,
            fields: [
                ("OpportunityId", Value::from(id.clone())),
                ("ContactId", contact),
                ("IsPrimary", Value::Bool(true)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
            created: now,
            modified: now,
            created_by: user.to_owned(),
            deleted: false,
        };
        state.model.store.insert(role);
    }
    Ok(id)
}

async fn create(
    State(shared): State<Shared>,
    Extension(Caller(user)): Extension<Caller<String>>,
    Path((version, sobject)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(sobject) = SObjectType::parse(&sobject).filter(|_| is_version(&version)) else {
        return errors::not_found();
    };
    let input = match validate::parse_body(&body) {
        Ok(input) => input,
        Err(refusal) => return refused(refusal),
    };
    match create_one(&shared, sobject, input, &body, &user, allow_save(&headers), &version) {
        Ok(id) => errors::json(StatusCode::CREATED, &json!({"id": id, "success": true, "errors": []})),
        Err(refusal) => refused(refusal),
    }
}

/// A field's value on a record: what was stored, or what Salesforce derives (`Id`, `Name`, the audit
/// fields); `null` when unset.
pub fn field_value(record: &Record, name: &str, _version: &str) -> Value {
    match name {
        "Id" => Value::from(record.id.clone()),
        "CreatedDate" => Value::from(sf_time(record.created)),
        "LastModifiedDate" | "SystemModstamp" => Value::from(sf_time(record.modified)),
        "CreatedById" | "LastModifiedById" => Value::from(record.created_by.clone()),
        "IsDeleted" => Value::Bool(record.deleted),
        "Name" if matches!(record.sobject, SObjectType::Contact | SObjectType::Lead | SObjectType::User) => {
            let parts: Vec<&str> = [record.text("FirstName"), record.text("LastName")].into_iter().flatten().collect();
            if parts.is_empty() { Value::Null } else { Value::from(parts.join(" ")) }
        }
        _ => record.fields.get(name).cloned().unwrap_or(Value::Null),
    }
}

/// A record as Salesforce returns it: `attributes`, then the fields asked for, by their API names.
pub fn render(record: &Record, fields: &[&'static Field], version: &str) -> Map<String, Value> {
    let name = record.sobject.name();
    let mut out = Map::new();
    out.insert(
        "attributes".into(),
        json!({"type": name, "url": format!("/services/data/{version}/sobjects/{name}/{}", record.id)}),
    );
    for field in fields {
        out.insert(field.name.to_owned(), field_value(record, field.name, version));
    }
    out
}

/// Every field of a record's object that the org shows, for a read without `fields=`.
pub fn all_fields(sobject: SObjectType, org: &super::schema::Org) -> Vec<&'static Field> {
    COMMON_NAMES
        .iter()
        .filter_map(|n| sobject.field(n, org))
        .chain(sobject.fields().iter().filter_map(|f| sobject.field(f.name, org)))
        .collect()
}

async fn read(
    State(shared): State<Shared>,
    Path((version, sobject, id)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(sobject) = SObjectType::parse(&sobject).filter(|_| is_version(&version)) else {
        return errors::not_found();
    };
    let query = form::pairs(query.as_deref().unwrap_or_default());
    let state = lock(&shared);
    let org = state.model.org;
    let fields = match form::get(&query, "fields") {
        None => all_fields(sobject, &org),
        Some(list) => {
            let mut fields = Vec::new();
            for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                match sobject.field(name, &org) {
                    Some(field) => fields.push(field),
                    None => {
                        return errors::one(
                            StatusCode::BAD_REQUEST,
                            ApiError::new(
                                "INVALID_FIELD",
                                format!(
                                    "No such column '{name}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
                                    sobject.name()
                                ),
                            ),
                        );
                    }
                }
            }
            fields
        }
    };
    match state.model.store.get(&id).filter(|r| r.sobject == sobject) {
        Some(record) => errors::json(StatusCode::OK, &render(record, &fields, &version)),
        None if !super::ids::is_well_formed(&id) => errors::one(
            StatusCode::NOT_FOUND,
            ApiError::new("NOT_FOUND", format!("Provided external ID field does not exist or is not accessible: {id}")),
        ),
        None => errors::not_found(),
    }
}

async fn delete(
    State(shared): State<Shared>,
    Path((version, sobject, id)): Path<(String, String, String)>,
) -> Response {
    let Some(sobject) = SObjectType::parse(&sobject).filter(|_| is_version(&version)) else {
        return errors::not_found();
    };
    if !sobject.createable() {
        return errors::one(
            StatusCode::BAD_REQUEST,
            ApiError::new(
                "INVALID_TYPE_FOR_OPERATION",
                format!("entity type {} does not support delete", sobject.name()),
            ),
        );
    }
    if lock(&shared).model.store.delete(sobject, &id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        errors::not_found()
    }
}

async fn run_query(State(shared): State<Shared>, Path(version): Path<String>, RawQuery(raw): RawQuery) -> Response {
    if !is_version(&version) {
        return errors::not_found();
    }
    let pairs = form::pairs(raw.as_deref().unwrap_or_default());
    let Some(soql) = form::get(&pairs, "q") else {
        return errors::one(
            StatusCode::BAD_REQUEST,
            ApiError::new("MALFORMED_QUERY", "A query string has to be specified"),
        );
    };
    let state = lock(&shared);
    match query::run(&state.model.store, &state.model.org, soql, &version) {
        Ok(body) => errors::json(StatusCode::OK, &body),
        Err(error) => errors::one(StatusCode::BAD_REQUEST, error),
    }
}

const ROLLED_BACK: &str =
    "Record rolled back because not all records were valid and the request was using AllOrNone header";

/// `POST /composite/sobjects`: each record created in order; with `allOrNone` a refused record rolls
/// the others back. Always `200` with one result per record, unless the request itself is malformed.
async fn collection(
    State(shared): State<Shared>,
    Extension(Caller(user)): Extension<Caller<String>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !is_version(&version) {
        return errors::not_found();
    }
    let request = match validate::parse_body(&body) {
        Ok(request) => request,
        Err(refusal) => return refused(refusal),
    };
    let all_or_none = request.get("allOrNone").and_then(Value::as_bool).unwrap_or(false);
    let Some(records) = request.get("records").and_then(Value::as_array) else {
        return errors::one(
            StatusCode::BAD_REQUEST,
            ApiError::new(
                "INVALID_FIELD",
                "No such column 'records' on sobject of type composite/sobjects, or records is empty",
            ),
        );
    };
    if records.len() > 200 {
        return errors::one(
            StatusCode::BAD_REQUEST,
            ApiError::new(
                "EXCEEDED_ID_LIMIT",
                "record limit reached. cannot submit more than 200 records into this call",
            ),
        );
    }
    let allow = allow_save(&headers);
    let mut state = lock(&shared);
    let snapshot = all_or_none.then(|| state.model.store.clone());
    let mut results: Vec<Result<String, Value>> = Vec::new();
    for record in records {
        let Some(mut fields) = record.as_object().cloned() else {
            results.push(Err(
                ApiError::new("JSON_PARSER_ERROR", "Cannot deserialize instance of sObject").as_record_error()
            ));
            continue;
        };
        let kind = fields.remove("attributes").and_then(|a| a.get("type").and_then(Value::as_str).map(str::to_owned));
        let Some(sobject) = kind.as_deref().and_then(SObjectType::parse) else {
            let error = ApiError::on("INVALID_TYPE", "sObject type is missing or not supported", &[]);
            results.push(Err(error.as_record_error()));
            continue;
        };
        let raw = serde_json::to_vec(&fields).unwrap_or_default();
        match create_locked(&mut state, sobject, fields, &raw, &user, allow, &version) {
            Ok(id) => results.push(Ok(id)),
            Err(refusal) => {
                results.push(Err(refusal.errors.first().map(ApiError::as_record_error).unwrap_or(Value::Null)))
            }
        }
    }
    let failed = results.iter().any(Result::is_err);
    if let (true, Some(snapshot)) = (failed, snapshot) {
        state.model.store = snapshot;
    }
    let body: Vec<Value> = results
        .into_iter()
        .map(|result| match result {
            Ok(_) if failed && all_or_none => json!({"success": false, "errors": [{"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK", "message": ROLLED_BACK, "fields": []}]}),
            Ok(id) => json!({"id": id, "success": true, "errors": []}),
            Err(error) => json!({"success": false, "errors": [error]}),
        })
        .collect();
    errors::json(StatusCode::OK, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_labels() {
        assert!(is_version("v66.0") && is_version("v20.0") && is_version("v59.0"));
        assert!(!is_version("v67.0") && !is_version("v66.1") && !is_version("66.0") && !is_version("vx.0"));
        assert_eq!(label(66), "Spring '26");
        assert_eq!(label(65), "Winter '26");
        assert_eq!(label(64), "Summer '25");
        assert_eq!(label(63), "Spring '25");
    }
}
