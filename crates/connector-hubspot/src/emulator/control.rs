//! HubSpot's own control routes under `/_emulator/` (the toolkit serves faults, stats, reset and the
//! clock): the stored records and seeding them, their associations and the owners; and what the index
//! page says of the portal (its custom properties). Plain JSON; errors are `{"error": "..."}`.

use std::collections::BTreeMap;

use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{Map, Value, json};
use unified_emulator::control::error;
use unified_emulator::{form, lock};

use super::model::Shared;
use super::render::{Selection, render};
use super::schema::ObjectType;
use super::store::{Record, Store};
use super::{owners, seed, seed_links};

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/records", get(all_records))
        // Seeding many records at once can be a large array.
        .route("/records/{object_type}", get(records_of).post(seed::seed).layer(DefaultBodyLimit::max(SEED_BODY_LIMIT)))
        .route("/associations", post(seed_links::seed).layer(DefaultBodyLimit::max(SEED_BODY_LIMIT)))
        .route("/owners", get(owners::all).post(owners::seed))
}

const SEED_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// The index page's lines for these routes.
pub const ENDPOINTS: &[&str] = &[
    "GET /_emulator/records[?archived=true]",
    "GET /_emulator/records/{objectType}[?archived=true]",
    r#"POST /_emulator/records/{objectType} {"id"?,"properties":{},"createdAt"?,"updatedAt"?} | [{...}, ...] | {"count":12000,"properties":{"email":"c{i}@example.com"},"createdAt"?,"updatedAt"?,"stepMs"?}"#,
    r#"POST /_emulator/associations [{"fromObjectType","fromObjectId","toObjectType","toObjectId","associationTypeId" | "associationType":"contact_to_company"}]"#,
    "GET /_emulator/owners",
    r#"POST /_emulator/owners {"id","email","firstName","lastName","userId","userIdIncludingInactive","createdAt","updatedAt","archived"?,"teams"?} | [{...}, ...]"#,
];

/// What the index page says of the portal: its custom properties (writable like HubSpot's own).
pub fn index() -> Map<String, Value> {
    let custom: Map<String, Value> = ObjectType::ALL
        .into_iter()
        .map(|ty| {
            let names: Vec<&str> =
                ty.properties().iter().filter(|p| p.custom && !p.read_only()).map(|p| p.name).collect();
            (ty.name().to_owned(), json!(names))
        })
        .collect();
    Map::from_iter([("customProperties".to_owned(), Value::Object(custom))])
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

fn listing(store: &Store, ty: ObjectType, archived: bool) -> Vec<RecordOut> {
    store.records(ty).filter(|r| archived || !r.archived()).map(|r| record_out(store, r)).collect()
}

/// `{"contacts":[...],"companies":[...],"deals":[...],"leads":[...],"meetings":[...]}`, live records only
/// unless `?archived=true`.
async fn all_records(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Json<Value> {
    let archived = form::flag(query.as_deref(), "archived");
    let state = lock(&shared);
    let all: Map<String, Value> = ObjectType::ALL
        .into_iter()
        .map(|ty| (ty.name().to_owned(), json!(listing(&state.model.store, ty, archived))))
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
    Json(listing(&lock(&shared).model.store, ty, form::flag(query.as_deref(), "archived"))).into_response()
}
