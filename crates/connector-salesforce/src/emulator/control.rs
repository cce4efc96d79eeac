//! The control plane under `/_emulator/`: faults, the org's features, the stored records (and seeding
//! them), statistics, reset and the clock. Plain JSON; errors are `{"error": "..."}`. Faults never
//! apply here.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::faults::{Fault, FaultKind, FaultRequest};
use super::ids;
use super::schema::{API_USER, Org, QUEUE_SEED, SObjectType};
use super::sobjects::{all_fields, render};
use super::state::{Shared, lock, parse_time, sf_time};
use super::store::Record;

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/", get(index))
        .route("/faults", post(add_fault).get(list_faults).delete(clear_faults))
        .route("/org", get(org).post(set_org))
        .route("/records", get(all_records))
        .route("/records/{sobject}", get(records_of).post(seed))
        .route("/stats", get(stats))
        .route("/reset", post(reset))
        .route("/clock", post(clock))
        .fallback(not_found)
}

const ENDPOINTS: &[&str] = &[
    "POST /_emulator/faults {\"kind\":\"rate_limit|server_error|slow|expire_token\",\"count\":1,\"limit\":\"TotalRequests|ConcurrentPerOrgLongTxn\",\"delayMs\":1000,\"status\":503}",
    "GET|DELETE /_emulator/faults",
    "GET /_emulator/org, POST /_emulator/org {\"multiCurrency\":false,\"stateCountryPicklists\":false,\"sharedActivities\":false}",
    "GET /_emulator/records",
    "GET /_emulator/records/{sobject}",
    "POST /_emulator/records/{sobject} {\"id\"?,\"fields\":{}}",
    "GET /_emulator/stats",
    "POST /_emulator/reset",
    "POST /_emulator/clock {\"advanceSeconds\":7200}",
];

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// What the control plane serves, the org's users and queue, and its custom fields.
pub async fn index(State(shared): State<Shared>) -> Json<Value> {
    let state = lock(&shared);
    let custom: Map<String, Value> = SObjectType::ALL
        .into_iter()
        .filter_map(|t| {
            let names: Vec<&str> = t.fields().iter().filter(|f| f.name.ends_with("__c")).map(|f| f.name).collect();
            (!names.is_empty()).then(|| (t.name().to_owned(), json!(names)))
        })
        .collect();
    let users: Vec<Value> = state
        .store
        .records(SObjectType::User)
        .map(|u| json!({"Id": u.id, "Name": format!("{} {}", u.text("FirstName").unwrap_or_default(), u.text("LastName").unwrap_or_default()), "Email": u.text("Email"), "IsActive": u.fields.get("IsActive")}))
        .collect();
    Json(json!({
        "emulator": "salesforce",
        "apiVersion": crate::API_VERSION,
        "endpoints": ENDPOINTS,
        "apiUser": ids::to18(API_USER),
        "users": users,
        "queue": {"Id": ids::to18(QUEUE_SEED.0), "Name": QUEUE_SEED.1},
        "customFields": custom,
        "org": state.org,
    }))
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "error": "no such control endpoint", "endpoints": ENDPOINTS })))
        .into_response()
}

/// Queues a fault for the next provider calls; `expire_token` instead ends every session now.
async fn add_fault(State(shared): State<Shared>, body: Bytes) -> Response {
    let request: FaultRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("not a fault: {e}")),
    };
    let mut state = lock(&shared);
    if request.kind == FaultKind::ExpireToken {
        let now = state.now();
        let expired = state.tokens.expire_all(now);
        return Json(json!({ "kind": "expire_token", "expiredSessions": expired })).into_response();
    }
    match Fault::from_request(&request) {
        Ok(fault) => {
            state.faults.push(fault);
            (StatusCode::CREATED, Json(json!({ "pending": state.faults.pending() }))).into_response()
        }
        Err(message) => error(StatusCode::BAD_REQUEST, message),
    }
}

async fn list_faults(State(shared): State<Shared>) -> Json<Value> {
    Json(json!({ "pending": lock(&shared).faults.pending() }))
}

async fn clear_faults(State(shared): State<Shared>) -> StatusCode {
    lock(&shared).faults.clear();
    StatusCode::NO_CONTENT
}

async fn org(State(shared): State<Shared>) -> Json<Org> {
    Json(lock(&shared).org)
}

/// Switches org features; the fields left out keep their value.
async fn set_org(State(shared): State<Shared>, body: Bytes) -> Response {
    let mut state = lock(&shared);
    let mut current = serde_json::to_value(state.org).unwrap_or_default();
    let changes: Map<String, Value> = match serde_json::from_slice(&body) {
        Ok(changes) => changes,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("not an org: {e}")),
    };
    for (key, value) in changes {
        current[key] = value;
    }
    match serde_json::from_value::<Org>(current) {
        Ok(org) => {
            state.org = org;
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
        .map(|t| (t.name().to_owned(), json!(state.store.records(t).map(record_out).collect::<Vec<_>>())))
        .collect();
    Json(Value::Object(all))
}

async fn records_of(State(shared): State<Shared>, Path(sobject): Path<String>) -> Response {
    let Some(sobject) = SObjectType::parse(&sobject) else {
        return error(StatusCode::NOT_FOUND, format!("no sObject {sobject}"));
    };
    Json(lock(&shared).store.records(sobject).map(record_out).collect::<Vec<_>>()).into_response()
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
        Some(id) if state.store.exists(&id) => {
            return error(StatusCode::CONFLICT, format!("{} {id} already exists", sobject.name()));
        }
        Some(id) => ids::to18(&id),
        None => state.store.next_id(sobject),
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
    state.store.insert(record);
    (StatusCode::CREATED, Json(out)).into_response()
}

async fn stats(State(shared): State<Shared>) -> Json<Value> {
    let state = lock(&shared);
    let mut body = json!(state.stats);
    body["pendingFaults"] = json!(state.faults.pending().len());
    body["apiUsage"] = json!(state.api_usage);
    Json(body)
}

/// A fresh org: records, features, sessions, faults and statistics are dropped; users and queue stay.
async fn reset(State(shared): State<Shared>) -> StatusCode {
    lock(&shared).reset();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Clock {
    advance_seconds: i64,
}

/// At most ten years at a time, so that the clock stays a real date.
const MAX_ADVANCE_SECONDS: i64 = 10 * 366 * 86_400;

/// Moves the emulated clock forward (session expiry, timestamps); `POST /_emulator/reset` undoes it.
async fn clock(State(shared): State<Shared>, body: Bytes) -> Response {
    let by = match serde_json::from_slice::<Clock>(&body) {
        Ok(clock) if (0..=MAX_ADVANCE_SECONDS).contains(&clock.advance_seconds) => {
            chrono::Duration::seconds(clock.advance_seconds)
        }
        _ => return error(StatusCode::BAD_REQUEST, "expected {\"advanceSeconds\": N}, 0 <= N <= 10 years"),
    };
    let mut state = lock(&shared);
    state.advance_clock(by);
    Json(json!({ "now": sf_time(state.now()) })).into_response()
}
