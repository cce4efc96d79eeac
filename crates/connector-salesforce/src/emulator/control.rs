//! Salesforce's own control routes under `/_emulator/` (the toolkit serves faults, stats, reset and the
//! clock): the org's features, the stored records and seeding them; and what the index page says of the
//! org (its users, queue and custom fields). Plain JSON; errors are `{"error": "..."}`.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use unified_emulator::control::error;
use unified_emulator::lock;

use super::ids;
use super::model::{Salesforce, Shared};
use super::schema::{API_USER, Org, QUEUE_SEED, SObjectType};
use super::sobjects::{all_fields, render};
use super::store::Record;
use super::time::parse_time;

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/org", get(org).post(set_org))
        .route("/records", get(all_records))
        .route("/records/{sobject}", get(records_of).post(seed))
}

/// The index page's lines for these routes.
pub const ENDPOINTS: &[&str] = &[
    "GET /_emulator/org, POST /_emulator/org {\"multiCurrency\":false,\"stateCountryPicklists\":false,\"sharedActivities\":false}",
    "GET /_emulator/records",
    "GET /_emulator/records/{sobject}",
    "POST /_emulator/records/{sobject} {\"id\"?,\"fields\":{}}",
];

/// What the index page says of the org: the API version, its users and queue, its custom fields.
pub fn index(org: &Salesforce) -> Map<String, Value> {
    let custom: Map<String, Value> = SObjectType::ALL
        .into_iter()
        .filter_map(|t| {
            let names: Vec<&str> = t.fields().iter().filter(|f| f.name.ends_with("__c")).map(|f| f.name).collect();
            (!names.is_empty()).then(|| (t.name().to_owned(), json!(names)))
        })
        .collect();
    let users: Vec<Value> = org
        .store
        .records(SObjectType::User)
        .map(|u| json!({"Id": u.id, "Name": format!("{} {}", u.text("FirstName").unwrap_or_default(), u.text("LastName").unwrap_or_default()), "Email": u.text("Email"), "IsActive": u.fields.get("IsActive")}))
        .collect();
    Map::from_iter([
        ("apiVersion".to_owned(), json!(crate::API_VERSION)),
        ("apiUser".to_owned(), json!(ids::to18(API_USER))),
        ("users".to_owned(), json!(users)),
        ("queue".to_owned(), json!({"Id": ids::to18(QUEUE_SEED.0), "Name": QUEUE_SEED.1})),
        ("customFields".to_owned(), json!(custom)),
        ("org".to_owned(), json!(org.org)),
    ])
}

async fn org(State(shared): State<Shared>) -> Json<Org> {
    Json(lock(&shared).model.org)
}

/// Switches org features; the fields left out keep their value.
async fn set_org(State(shared): State<Shared>, body: Bytes) -> Response {
    let mut state = lock(&shared);
    let mut current = serde_json::to_value(state.model.org).unwrap_or_default();
    let changes: Map<String, Value> = match serde_json::from_slice(&body) {
        Ok(changes) => changes,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("not an org: {e}")),
    };
    for (key, value) in changes {
        current[key] = value;
    }
    match serde_json::from_value::<Org>(current) {
        Ok(org) => {
            state.model.org = org;
            Json(org).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, format!("not an org: {e}")),
    }
}

/// A stored record with every field its object has (the org's features aside).
fn record_out(record: &Record) -> Map<String, Value> {
    let everything = Org { multi_currency: true, state_country_picklists: true, shared_activities: true };
    let mut out = render(record, &all_fields(record.sobject, &everything), "v66.0");
    out.retain(|name, value| !value.is_null() || name == "attributes" || record.fields.contains_key(name));
    out
}

/// `{"Account": [...], "Contact": [...], ...}`: live records of every object.
async fn all_records(State(shared): State<Shared>) -> Json<Value> {
    let state = lock(&shared);
    let all: Map<String, Value> = SObjectType::ALL
        .into_iter()
        .map(|t| (t.name().to_owned(), json!(state.model.store.records(t).map(record_out).collect::<Vec<_>>())))
        .collect();
    Json(Value::Object(all))
}

async fn records_of(State(shared): State<Shared>, Path(sobject): Path<String>) -> Response {
    let Some(sobject) = SObjectType::parse(&sobject) else {
        return error(StatusCode::NOT_FOUND, format!("no sObject {sobject}"));
    };
    Json(lock(&shared).model.store.records(sobject).map(record_out).collect::<Vec<_>>()).into_response()
}

/// `POST /_emulator/records/{sobject}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Seed {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    fields: Map<String, Value>,
}

/// Stores a record as given, without Salesforce's checks (a precondition, not a create): a given id
/// must be well formed, of the object's key prefix and free; field names must exist on the object
/// (whatever the org's features). `CreatedDate` and `LastModifiedDate` set the record's timestamps.
async fn seed(State(shared): State<Shared>, Path(sobject): Path<String>, body: Bytes) -> Response {
    let Some(sobject) = SObjectType::parse(&sobject) else {
        return error(StatusCode::NOT_FOUND, format!("no sObject {sobject}"));
    };
    let seed: Seed = match serde_json::from_slice(&body) {
        Ok(seed) => seed,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("not a record: {e}")),
    };
    let everything = Org { multi_currency: true, state_country_picklists: true, shared_activities: true };
    let mut state = lock(&shared);
    let now = state.now();
    let (mut created, mut modified) = (now, None);
    let mut fields = BTreeMap::new();
    for (name, value) in seed.fields {
        let Some(field) = sobject.field(&name, &everything) else {
            return error(StatusCode::BAD_REQUEST, format!("{name} is no field of {}", sobject.name()));
        };
        let derived = matches!(field.name, "Id" | "IsDeleted" | "SystemModstamp" | "CreatedById" | "LastModifiedById")
            || (field.name == "Name"
                && matches!(sobject, SObjectType::Contact | SObjectType::Lead | SObjectType::User));
        if derived {
            continue;
        }
        match field.name {
            "CreatedDate" | "LastModifiedDate" => {
                let Some(at) = value.as_str().and_then(parse_time) else {
                    return error(StatusCode::BAD_REQUEST, format!("{name}: {value} is not a datetime"));
                };
                if field.name == "CreatedDate" {
                    created = at;
                } else {
                    modified = Some(at);
                }
            }
            _ if value.is_null() => {}
            canonical => {
                fields.insert(canonical.to_owned(), value);
            }
        }
    }
    if sobject == SObjectType::Lead {
        fields.entry("IsConverted".to_owned()).or_insert(Value::Bool(false));
    }
    let id = match seed.id {
        Some(id) if !ids::is_well_formed(&id) || SObjectType::of_id(&id) != Some(sobject) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("id {id}: not a well-formed {} id ({}…)", sobject.name(), sobject.key_prefix()),
            );
        }
        Some(id) if state.model.store.exists(&id) => {
            return error(StatusCode::CONFLICT, format!("{} {id} already exists", sobject.name()));
        }
        Some(id) => ids::to18(&id),
        None => state.model.store.next_id(sobject),
    };
    let record = Record {
        id,
        sobject,
        fields,
        created,
        modified: modified.unwrap_or(created),
        created_by: ids::to18(API_USER),
        deleted: false,
    };
    let out = record_out(&record);
    state.model.store.insert(record);
    (StatusCode::CREATED, Json(out)).into_response()
}
