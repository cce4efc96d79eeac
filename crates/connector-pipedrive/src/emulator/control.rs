//! The control plane under `/_emulator/`: faults, the stored records (and seeding them), statistics,
//! reset and the clock. Plain JSON; errors are `{"error": "..."}`. Faults never apply here.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::errors;
use super::faults::{Fault, FaultKind, FaultRequest};
use super::form;
use super::objects::{self, Ctx, render};
use super::schema::{self, DEFAULT_USER, Entity};
use super::state::{Shared, lock, v2_time};
use super::store::{Kind, Record, Store};

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/", get(index))
        .route("/faults", post(add_fault).get(list_faults).delete(clear_faults))
        .route("/records", get(all_records))
        .route("/records/{kind}", get(records_of).post(seed))
        .route("/stats", get(stats))
        .route("/reset", post(reset))
        .route("/clock", post(clock))
        .fallback(not_found)
}

const ENDPOINTS: &[&str] = &[
    "POST /_emulator/faults {\"kind\":\"rate_limit|server_error|slow|expire_token\",\"count\":1,\"scope\":\"burst|daily\",\"retryAfter\":2,\"delayMs\":1000,\"status\":503}",
    "GET|DELETE /_emulator/faults",
    "GET /_emulator/records[?deleted=true]",
    "GET /_emulator/records/{persons|organizations|deals|activities|leads}[?deleted=true]",
    "POST /_emulator/records/{kind} {the record in Pipedrive's form, \"id\"? , \"add_time\"?}",
    "GET /_emulator/stats",
    "POST /_emulator/reset",
    "POST /_emulator/clock {\"advanceSeconds\":3600}",
];

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// What the control plane serves, the users, and the company's custom fields (name → key).
pub async fn index() -> Json<Value> {
    let custom = |entity| {
        schema::fields(entity)
            .iter()
            .filter(|f| f.is_custom_field)
            .map(|f| (f.field_name.to_owned(), json!({"key": f.field_code, "type": f.field_type})))
            .collect::<Map<String, Value>>()
    };
    let users: Vec<Value> = schema::USERS
        .iter()
        .map(|u| json!({"id": u.id, "name": u.name, "email": u.email, "active": u.active}))
        .collect();
    Json(json!({
        "emulator": "pipedrive",
        "endpoints": ENDPOINTS,
        "users": users,
        "customFields": { "persons": custom(Entity::Person), "deals": custom(Entity::Deal) },
        "stages": schema::STAGES.iter().map(|s| json!({"id": s.id, "pipelineId": s.pipeline_id, "name": s.name})).collect::<Vec<_>>(),
        "leadLabels": schema::LEAD_LABELS.iter().map(|l| json!({"id": l.id, "name": l.name})).collect::<Vec<_>>(),
        "sandboxTokens": "any token starting with `sandbox-` (Authorization: Bearer, or x-api-token) acts as John Smith",
    }))
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

fn include_deleted(query: Option<&str>) -> bool {
    form::get(&form::pairs(query.unwrap_or_default()), "deleted") == Some("true")
}

fn listing(store: &Store, kind: Kind, deleted: bool) -> Vec<Value> {
    store.records(kind).filter(|r| deleted || !r.deleted()).map(|r| render(kind, r, true)).collect()
}

/// `{"persons":[...],"organizations":[...],"deals":[...],"activities":[...],"leads":[...]}`.
async fn all_records(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Json<Value> {
    let deleted = include_deleted(query.as_deref());
    let state = lock(&shared);
    let all: Map<String, Value> =
        Kind::ALL.into_iter().map(|k| (k.name().to_owned(), json!(listing(&state.store, k, deleted)))).collect();
    Json(Value::Object(all))
}

async fn records_of(State(shared): State<Shared>, Path(kind): Path<String>, RawQuery(query): RawQuery) -> Response {
    let Some(kind) = Kind::parse(&kind) else { return error(StatusCode::NOT_FOUND, format!("no record kind {kind}")) };
    Json(listing(&lock(&shared).store, kind, include_deleted(query.as_deref()))).into_response()
}

/// Stores a record as given, in Pipedrive's form, without Pipedrive's reference checks (a precondition,
/// not a create): types are still checked, defaults filled; a given id must be free (numeric, or a UUID
/// for a lead).
async fn seed(State(shared): State<Shared>, Path(kind): Path<String>, body: Bytes) -> Response {
    let Some(kind) = Kind::parse(&kind) else { return error(StatusCode::NOT_FOUND, format!("no record kind {kind}")) };
    let mut body: Map<String, Value> = match serde_json::from_slice(&body) {
        Ok(Value::Object(body)) => body,
        _ => return error(StatusCode::BAD_REQUEST, "a record is a JSON object"),
    };
    let given_id = body.remove("id");
    let update_time = body.remove("update_time");
    for output_only in ["is_deleted", "picture_id", "creator_user_id", "creator_id", "stage_change_time"] {
        body.remove(output_only);
    }
    let mut state = lock(&shared);
    let now = state.now();
    let id = match (kind, given_id) {
        (Kind::Leads, Some(Value::String(id))) if errors::is_uuid(&id) => id,
        (Kind::Leads, None) => errors::uuid(),
        (Kind::Leads, Some(other)) => {
            return error(StatusCode::BAD_REQUEST, format!("id {other}: a lead's id is a UUID"));
        }
        (_, Some(Value::Number(n))) if n.as_u64().is_some_and(|n| n > 0) => n.to_string(),
        (_, None) => state.store.next_id(kind).to_string(),
        (_, Some(other)) => {
            return error(StatusCode::BAD_REQUEST, format!("id {other}: Pipedrive ids are positive integers"));
        }
    };
    if state.store.exists(kind, &id) {
        return error(StatusCode::CONFLICT, format!("{} {id} already exists", kind.thing()));
    }
    let ctx = Ctx { store: &state.store, caller: DEFAULT_USER, now, lenient: true };
    let built = match kind {
        Kind::Persons => objects::build_person(&body, &ctx),
        Kind::Organizations => objects::build_organization(&body, &ctx),
        Kind::Deals => objects::build_deal(&body, &ctx),
        Kind::Activities => objects::build_activity(&body, &ctx),
        Kind::Leads => objects::build_lead(&body, &ctx),
    };
    let mut record = match built {
        Ok(record) => record,
        Err(problems) => {
            let list: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect();
            return error(StatusCode::BAD_REQUEST, format!("not a {}: {}", kind.thing(), list.join("; ")));
        }
    };
    let id_value =
        if kind == Kind::Leads { Value::String(id.clone()) } else { Value::from(id.parse::<u64>().unwrap_or(0)) };
    record.insert("id".to_owned(), id_value);
    if let Some(Value::String(time)) = update_time {
        record.insert("update_time".to_owned(), Value::String(time));
    } else if let Some(added) = record.get("add_time").cloned() {
        record.insert("update_time".to_owned(), added);
    }
    let stored = Record { id, body: record };
    let out = render(kind, &stored, true);
    state.store.insert_into(kind, stored);
    (StatusCode::CREATED, Json(out)).into_response()
}

async fn stats(State(shared): State<Shared>) -> Json<Value> {
    let state = lock(&shared);
    let mut body = json!(state.stats);
    body["pendingFaults"] = json!(state.faults.pending().len());
    body["dailyBudgetLeft"] = json!(state.budget_left());
    Json(body)
}

/// A fresh company: records, tokens, faults and statistics are dropped; users and fields stay.
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

/// Moves the emulated clock forward (token expiry, timestamps, the daily budget); reset undoes it.
async fn clock(State(shared): State<Shared>, body: Bytes) -> Response {
    let by = match serde_json::from_slice::<Clock>(&body) {
        Ok(clock) if (0..=MAX_ADVANCE_SECONDS).contains(&clock.advance_seconds) => {
            chrono::Duration::seconds(clock.advance_seconds)
        }
        _ => return error(StatusCode::BAD_REQUEST, "expected {\"advanceSeconds\": N}, 0 <= N <= 10 years"),
    };
    let mut state = lock(&shared);
    state.advance_clock(by);
    Json(json!({ "now": v2_time(state.now()) })).into_response()
}
