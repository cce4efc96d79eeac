//! The control plane under `/_emulator/`: faults, the stored records (and seeding them, their
//! associations and owners), statistics, reset and the clock. Plain JSON; errors are `{"error": "..."}`.
//! Faults never apply here.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::faults::{Fault, FaultKind, FaultRequest};
use super::form;
use super::render::{Selection, render};
use super::schema::ObjectType;
use super::state::{Shared, iso, lock};
use super::store::{Record, Store};
use super::{owners, seed, seed_links};

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/", get(index))
        .route("/faults", post(add_fault).get(list_faults).delete(clear_faults))
        .route("/records", get(all_records))
        // Seeding many records at once can be a large array.
        .route("/records/{object_type}", get(records_of).post(seed::seed).layer(DefaultBodyLimit::max(SEED_BODY_LIMIT)))
        .route("/associations", post(seed_links::seed).layer(DefaultBodyLimit::max(SEED_BODY_LIMIT)))
        .route("/owners", get(owners::all).post(owners::seed))
        .route("/stats", get(stats))
        .route("/reset", post(reset))
        .route("/clock", post(clock))
        .fallback(not_found)
}

const SEED_BODY_LIMIT: usize = 64 * 1024 * 1024;

const ENDPOINTS: &[&str] = &[
    "POST /_emulator/faults {\"kind\":\"rate_limit|server_error|slow|locked|migrating|missing_scopes|expire_token\",\"count\":1,\"retryAfter\":2,\"delayMs\":1000,\"status\":503,\"policyName\":\"TEN_SECONDLY_ROLLING|DAILY\",\"scopes\":[\"crm.objects.deals.write\"]}",
    "GET|DELETE /_emulator/faults",
    "GET /_emulator/records[?archived=true]",
    "GET /_emulator/records/{objectType}[?archived=true]",
    "POST /_emulator/records/{objectType} {\"id\"?,\"properties\":{},\"createdAt\"?,\"updatedAt\"?} | [{...}, ...] | {\"count\":12000,\"properties\":{\"email\":\"c{i}@example.com\"},\"createdAt\"?,\"updatedAt\"?,\"stepMs\"?}",
    "POST /_emulator/associations [{\"fromObjectType\",\"fromObjectId\",\"toObjectType\",\"toObjectId\",\"associationTypeId\" | \"associationType\":\"contact_to_company\"}]",
    "GET /_emulator/owners",
    "POST /_emulator/owners {\"id\",\"email\",\"firstName\",\"lastName\",\"userId\",\"userIdIncludingInactive\",\"createdAt\",\"updatedAt\",\"archived\"?,\"teams\"?} | [{...}, ...]",
    "GET /_emulator/stats",
    "POST /_emulator/reset",
    "POST /_emulator/clock {\"advanceSeconds\":1801}",
];

pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// What the control plane serves, and the portal's custom properties (writable like HubSpot's own).
pub async fn index() -> Json<Value> {
    let custom: Map<String, Value> = ObjectType::ALL
        .into_iter()
        .map(|ty| {
            let names: Vec<&str> =
                ty.properties().iter().filter(|p| p.custom && !p.read_only()).map(|p| p.name).collect();
            (ty.name().to_owned(), json!(names))
        })
        .collect();
    Json(json!({ "emulator": "hubspot", "endpoints": ENDPOINTS, "customProperties": custom }))
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "error": "no such control endpoint", "endpoints": ENDPOINTS })))
        .into_response()
}

/// Queues a fault for the next provider calls; `expire_token` instead expires every access token now.
async fn add_fault(State(shared): State<Shared>, body: Bytes) -> Response {
    let request: FaultRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("not a fault: {e}")),
    };
    let mut state = lock(&shared);
    if request.kind == FaultKind::ExpireToken {
        let now = state.now();
        let expired = state.tokens.expire_all(now);
        return Json(json!({ "kind": "expire_token", "expiredTokens": expired })).into_response();
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

/// A stored record: HubSpot's object shape with every property, and its associations.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordOut {
    id: String,
    properties: BTreeMap<String, Option<String>>,
    created_at: String,
    updated_at: String,
    archived: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    archived_at: Option<String>,
    associations: Vec<LinkOut>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LinkOut {
    to_object_type: &'static str,
    to_object_id: String,
    association_type_id: u32,
}

pub fn record_out(store: &Store, record: &Record) -> RecordOut {
    let object = render(store, record, &Selection::All, &[]);
    RecordOut {
        id: object.id,
        properties: object.properties,
        created_at: object.created_at,
        updated_at: object.updated_at,
        archived: object.archived,
        archived_at: object.archived_at,
        associations: record
            .links
            .iter()
            .map(|l| LinkOut {
                to_object_type: l.to_type.name(),
                to_object_id: l.to_id.to_string(),
                association_type_id: l.type_id,
            })
            .collect(),
    }
}

fn include_archived(query: Option<&str>) -> bool {
    form::get(&form::pairs(query.unwrap_or_default()), "archived") == Some("true")
}

fn listing(store: &Store, ty: ObjectType, archived: bool) -> Vec<RecordOut> {
    store.records(ty).filter(|r| archived || !r.archived()).map(|r| record_out(store, r)).collect()
}

/// `{"contacts":[...],"companies":[...],"deals":[...],"leads":[...],"meetings":[...]}`, live records only
/// unless `?archived=true`.
async fn all_records(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Json<Value> {
    let archived = include_archived(query.as_deref());
    let state = lock(&shared);
    let all: Map<String, Value> = ObjectType::ALL
        .into_iter()
        .map(|ty| (ty.name().to_owned(), json!(listing(&state.store, ty, archived))))
        .collect();
    Json(Value::Object(all))
}

async fn records_of(
    State(shared): State<Shared>,
    Path(object_type): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(ty) = ObjectType::parse(&object_type) else {
        return error(StatusCode::NOT_FOUND, format!("no object type {object_type}"));
    };
    Json(listing(&lock(&shared).store, ty, include_archived(query.as_deref()))).into_response()
}

async fn stats(State(shared): State<Shared>) -> Json<Value> {
    let state = lock(&shared);
    let mut body = json!(state.stats);
    body["pendingFaults"] = json!(state.faults.pending().len());
    Json(body)
}

/// A fresh portal: records, tokens, faults and statistics are dropped; the owners are the seeded three.
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

/// Moves the emulated clock forward (token expiry, timestamps); `POST /_emulator/reset` undoes it.
async fn clock(State(shared): State<Shared>, body: Bytes) -> Response {
    let by = match serde_json::from_slice::<Clock>(&body) {
        Ok(clock) if (0..=MAX_ADVANCE_SECONDS).contains(&clock.advance_seconds) => {
            chrono::Duration::seconds(clock.advance_seconds)
        }
        _ => return error(StatusCode::BAD_REQUEST, "expected {\"advanceSeconds\": N}, 0 <= N <= 10 years"),
    };
    let mut state = lock(&shared);
    state.advance_clock(by);
    Json(json!({ "now": iso(state.now()) })).into_response()
}
