//! `POST /_emulator/records/{type}`: records stored as given, a test's precondition rather than a create
//! (no HubSpot property checks). A given id must be numeric and free, and a contact's e-mail unique
//! among live contacts; the system properties (`hs_object_id`, the create and modify instants) are
//! derived, so that naming them in `properties` sets `createdAt`/`updatedAt` instead. A `null` value is
//! a cleared one (read back as `null`), `""` an empty text (read back as `""`). Records are stored in the
//! body's order, which is the order HubSpot's search answers ties in. Three bodies:
//!
//! - one record, `{"id"?,"properties":{},"createdAt"?,"updatedAt"?}` → `201` with the stored record;
//! - many, `[{…}, …]` → `201` `{"created": N, "ids": […]}`, all or none;
//! - a generated run, `{"count": 12000, "properties": {"email": "c{i}@example.com"}, "createdAt"?,
//!   "updatedAt"?, "stepMs"?}` → `201` `{"created", "firstId", "lastId"}`: `{i}` in a value is the
//!   record's index from 0, and record `i`'s instants are `createdAt`/`updatedAt` plus `i × stepMs`
//!   (default 0: one shared timestamp, as after an import).

use std::collections::HashSet;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use compact_str::CompactString;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use unified_emulator::control::error;
use unified_emulator::{ids, lock};

use super::control::record_out;
use super::model::{HubSpot, Shared};
use super::schema::ObjectType;
use super::store::{Record, Values};

/// The most records one generated run makes.
pub const MAX_COUNT: usize = 200_000;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Seed {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    properties: Map<String, Value>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Run {
    count: usize,
    #[serde(default)]
    properties: Map<String, Value>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(default)]
    step_ms: i64,
}

/// A record to store, checked for its shape.
#[derive(Debug, Clone)]
struct Prepared {
    id: Option<CompactString>,
    properties: Values,
    created_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
}

pub async fn seed(State(shared): State<Shared>, Path(object_type): Path<String>, body: Bytes) -> Response {
    let Some(ty) = ObjectType::parse(&object_type) else {
        return error(StatusCode::NOT_FOUND, format!("no object type {object_type}"));
    };
    let body: Value = match serde_json::from_slice(&body) {
        Ok(body) => body,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("not JSON: {e}")),
    };
    let bulk = matches!(&body, Value::Object(map) if map.contains_key("count"));
    match body {
        Value::Array(items) => many(&shared, ty, items),
        body if bulk => run(&shared, ty, body),
        body => one(&shared, ty, body),
    }
}

fn one(shared: &Shared, ty: ObjectType, body: Value) -> Response {
    let prepared =
        match serde_json::from_value(body).map_err(|e| format!("not a record: {e}")).and_then(|s| prepare(ty, s)) {
            Ok(prepared) => prepared,
            Err(message) => return error(StatusCode::BAD_REQUEST, message),
        };
    let mut state = lock(shared);
    match insert_all(&mut state, ty, vec![prepared]) {
        Ok(ids) => {
            let record = state.model.store.get(ty, &ids[0]).expect("just stored");
            (StatusCode::CREATED, Json(record_out(&state.model.store, record))).into_response()
        }
        Err(response) => response,
    }
}

fn many(shared: &Shared, ty: ObjectType, items: Vec<Value>) -> Response {
    let mut prepared = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        match serde_json::from_value(item).map_err(|e| format!("record {i}: {e}")).and_then(|s| prepare(ty, s)) {
            Ok(p) => prepared.push(p),
            Err(message) => return error(StatusCode::BAD_REQUEST, message),
        }
    }
    let mut state = lock(shared);
    match insert_all(&mut state, ty, prepared) {
        Ok(ids) => (StatusCode::CREATED, Json(json!({ "created": ids.len(), "ids": ids }))).into_response(),
        Err(response) => response,
    }
}

fn run(shared: &Shared, ty: ObjectType, body: Value) -> Response {
    let run = match serde_json::from_value::<Run>(body) {
        Ok(run) if (1..=MAX_COUNT).contains(&run.count) => run,
        Ok(run) => return error(StatusCode::BAD_REQUEST, format!("count {}: from 1 to {MAX_COUNT}", run.count)),
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("not a run: {e}")),
    };
    let template =
        Seed { id: None, properties: run.properties, created_at: run.created_at, updated_at: run.updated_at };
    let template = match prepare(ty, template) {
        Ok(template) => template,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let templated: Vec<(&CompactString, &CompactString)> = template
        .properties
        .iter()
        .filter_map(|(name, value)| Some((name, value.as_ref().filter(|v| v.contains("{i}"))?)))
        .collect();
    let mut state = lock(shared);
    let now = state.now();
    let created = template.created_at.unwrap_or(now);
    let updated = template.updated_at.unwrap_or(created);
    let prepared: Vec<Prepared> = (0..run.count)
        .map(|i| {
            let mut properties = template.properties.clone();
            for (name, value) in &templated {
                properties.insert((*name).clone(), Some(value.replace("{i}", &i.to_string()).into()));
            }
            let offset = Duration::milliseconds(run.step_ms.saturating_mul(i as i64));
            Prepared { id: None, properties, created_at: Some(created + offset), updated_at: Some(updated + offset) }
        })
        .collect();
    match insert_all(&mut state, ty, prepared) {
        Ok(ids) => {
            let body = json!({ "created": ids.len(), "firstId": ids.first(), "lastId": ids.last() });
            (StatusCode::CREATED, Json(body)).into_response()
        }
        Err(response) => response,
    }
}

/// Scalars as text, `null` as a cleared value; the system properties' names set the instants instead.
fn prepare(ty: ObjectType, seed: Seed) -> Result<Prepared, String> {
    let mut properties = Values::new();
    let mut created_at = seed.created_at;
    let mut updated_at = seed.updated_at;
    for (name, value) in seed.properties {
        let text = match value {
            Value::Null => None,
            Value::String(s) => Some(s),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            other => return Err(format!("property {name}: {other} is not a scalar")),
        };
        if name == ty.created_property() {
            created_at = created_at.or(text);
        } else if ty.is_modified_property(&name) {
            updated_at = updated_at.or(text);
        } else if name != "hs_object_id" {
            properties.insert(name.into(), text.map(Into::into));
        }
    }
    let instant = |text: Option<String>, field: &str| -> Result<Option<DateTime<Utc>>, String> {
        text.map(|t| {
            DateTime::parse_from_rfc3339(&t)
                .map(|at| at.with_timezone(&Utc))
                .map_err(|_| format!("{field}: {t} is not an RFC 3339 instant"))
        })
        .transpose()
    };
    if let Some(id) = seed.id.as_deref().filter(|id| !ids::is_numeric(id)) {
        return Err(format!("id {id}: HubSpot ids are numeric"));
    }
    Ok(Prepared {
        id: seed.id.map(Into::into),
        properties,
        created_at: instant(created_at, "createdAt")?,
        updated_at: instant(updated_at, "updatedAt")?,
    })
}

/// Checks every record against the portal and the others (ids free, e-mails unique), then stores them
/// all; `Err` stores none.
fn insert_all(
    state: &mut unified_emulator::State<HubSpot>,
    ty: ObjectType,
    items: Vec<Prepared>,
) -> Result<Vec<CompactString>, Response> {
    let mut given: HashSet<CompactString> = HashSet::new();
    let mut emails: HashSet<String> = HashSet::new();
    for item in &items {
        if let Some(id) = &item.id
            && (state.model.store.exists(ty, id) || !given.insert(id.clone()))
        {
            return Err(error(StatusCode::CONFLICT, format!("{} {id} already exists", ty.singular())));
        }
        let email = item.properties.get("email").and_then(Option::as_deref).map(|e| e.trim().to_lowercase());
        let email = email.filter(|e| !e.is_empty());
        if ty == ObjectType::Contacts
            && let Some(email) = email
        {
            if let Some(existing) = state.model.store.contact_with_email(&email) {
                let body = json!({ "error": "a live contact already has this e-mail", "existingId": existing });
                return Err((StatusCode::CONFLICT, Json(body)).into_response());
            }
            if !emails.insert(email.clone()) {
                return Err(error(StatusCode::CONFLICT, format!("two records have the e-mail {email}")));
            }
        }
    }
    let now = state.now();
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        let id = match item.id {
            Some(id) => id,
            None => loop {
                let id = state.model.store.next_id(ty);
                if !given.contains(&id) {
                    break id;
                }
            },
        };
        let created_at = item.created_at.unwrap_or(now);
        ids.push(id.clone());
        state.model.store.insert(Record {
            id,
            object_type: ty,
            properties: item.properties,
            created_at,
            updated_at: item.updated_at.unwrap_or(created_at),
            archived_at: None,
            links: Vec::new(),
        });
    }
    Ok(ids)
}
