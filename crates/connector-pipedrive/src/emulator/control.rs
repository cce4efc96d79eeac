//! Pipedrive's own control routes under `/_emulator/` (the toolkit serves faults, stats, reset and the
//! clock): the stored records and seeding them; and what the index page says of the company (its users,
//! custom fields, stages and lead labels). Plain JSON; errors are `{"error": "..."}`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value, json};
use unified_emulator::control::error;
use unified_emulator::{form, lock, random};

use super::model::Shared;
use super::objects::{self, Ctx, render};
use super::schema::{self, DEFAULT_USER, Entity};
use super::store::{Kind, Record, Store};

pub fn router() -> Router<Shared> {
    Router::new().route("/records", get(all_records)).route("/records/{kind}", get(records_of).post(seed))
}

/// The index page's lines for these routes.
pub const ENDPOINTS: &[&str] = &[
    "GET /_emulator/records[?deleted=true]",
    "GET /_emulator/records/{persons|organizations|deals|activities|leads}[?deleted=true]",
    "POST /_emulator/records/{kind} {the record in Pipedrive's form, \"id\"? , \"add_time\"?}",
];

/// What the index page says of the company: its users and custom fields (name → key), stages, labels.
pub fn index() -> Map<String, Value> {
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
    Map::from_iter([
        ("users".to_owned(), json!(users)),
        ("customFields".to_owned(), json!({ "persons": custom(Entity::Person), "deals": custom(Entity::Deal) })),
        (
            "stages".to_owned(),
            json!(
                schema::STAGES
                    .iter()
                    .map(|s| json!({"id": s.id, "pipelineId": s.pipeline_id, "name": s.name}))
                    .collect::<Vec<_>>()
            ),
        ),
        (
            "leadLabels".to_owned(),
            json!(schema::LEAD_LABELS.iter().map(|l| json!({"id": l.id, "name": l.name})).collect::<Vec<_>>()),
        ),
        (
            "sandboxTokens".to_owned(),
            json!("any token starting with `sandbox-` (Authorization: Bearer, or x-api-token) acts as John Smith"),
        ),
    ])
}

fn listing(store: &Store, kind: Kind, deleted: bool) -> Vec<Value> {
    store.records(kind).filter(|r| deleted || !r.deleted()).map(|r| render(kind, r, true)).collect()
}

/// `{"persons":[...],"organizations":[...],"deals":[...],"activities":[...],"leads":[...]}`.
async fn all_records(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Json<Value> {
    let deleted = form::flag(query.as_deref(), "deleted");
    let state = lock(&shared);
    let all: Map<String, Value> =
        Kind::ALL.into_iter().map(|k| (k.name().to_owned(), json!(listing(&state.model.store, k, deleted)))).collect();
    Json(Value::Object(all))
}

async fn records_of(State(shared): State<Shared>, Path(kind): Path<String>, RawQuery(query): RawQuery) -> Response {
    let Some(kind) = Kind::parse(&kind) else { return error(StatusCode::NOT_FOUND, format!("no record kind {kind}")) };
    Json(listing(&lock(&shared).model.store, kind, form::flag(query.as_deref(), "deleted"))).into_response()
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
        (Kind::Leads, Some(Value::String(id))) if random::is_uuid(&id) => id,
        (Kind::Leads, None) => random::uuid(),
        (Kind::Leads, Some(other)) => {
            return error(StatusCode::BAD_REQUEST, format!("id {other}: a lead's id is a UUID"));
        }
        (_, Some(Value::Number(n))) if n.as_u64().is_some_and(|n| n > 0) => n.to_string(),
        (_, None) => state.model.store.next_id(kind).to_string(),
        (_, Some(other)) => {
            return error(StatusCode::BAD_REQUEST, format!("id {other}: Pipedrive ids are positive integers"));
        }
    };
    if state.model.store.exists(kind, &id) {
        return error(StatusCode::CONFLICT, format!("{} {id} already exists", kind.thing()));
    }
    let ctx = Ctx { store: &state.model.store, caller: DEFAULT_USER, now, lenient: true };
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
    state.model.store.insert_into(kind, stored);
    (StatusCode::CREATED, Json(out)).into_response()
}
