//! HubSpot's v4 associations API over the emulated records (and the date-based twins,
//! `/crm/associations/2026-03/...`, `/crm/objects/2026-03/{type}/{id}/associations/...`):
//!
//! - `POST /crm/v4/associations/{from}/{to}/batch/read` `{"inputs":[{"id"}]}`: each input's associated
//!   records with their types; an input without any is a `NO_ASSOCIATIONS_FOUND` error (`207`).
//! - `GET /crm/v4/objects/{type}/{id}/associations/{toType}?limit=&after=`: one record's.
//! - `PUT /crm/v4/objects/{type}/{id}/associations/default/{toType}/{toId}`: the pair's default
//!   (unlabeled) association, both directions in the answer.
//! - `PUT /crm/v4/objects/{type}/{id}/associations/{toType}/{toId}` `[{"associationCategory",
//!   "associationTypeId"}]`: the given HubSpot-defined types (a primary one brings the unlabeled one).
//! - `DELETE /crm/v4/objects/{type}/{id}/associations/{toType}/{toId}`: every association of the pair
//!   (`204`); a lead left without a primary contact is archived, as HubSpot deletes it.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use unified_emulator::lock;

use super::batch::{BatchOut, IdIn};
use super::errors::{self, Envelope};
use super::list::{Next, Paging};
use super::model::Shared;
use super::request::{PathParams, Query};
use super::schema::{self, AssociationType, ObjectType};
use super::store::{Record, Store};
use super::validate;

/// HubSpot's cap on the inputs of an association batch read.
pub const MAX_BATCH_READ: usize = 1000;
pub const DEFAULT_LIMIT: usize = 500;

pub fn router() -> Router<Shared> {
    let batch = ["/crm/v4/associations", "/crm/associations/{version}"].into_iter().fold(Router::new(), |r, prefix| {
        r.route(&format!("{prefix}/{{object_type}}/{{to_type}}/batch/read"), post(batch_read))
    });
    ["/crm/v4/objects", "/crm/objects/{version}"].into_iter().fold(batch, |r, prefix| {
        let base = format!("{prefix}/{{object_type}}/{{object_id}}/associations");
        r.route(&format!("{base}/{{to_type}}"), get(list))
            .route(&format!("{base}/{{to_type}}/{{to_id}}"), put(create_labeled).delete(remove))
            .route(&format!("{base}/default/{{to_type}}/{{to_id}}"), put(create_default))
    })
}

/// `{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TypeOut {
    category: &'static str,
    type_id: u32,
    label: Option<&'static str>,
}

/// `{"toObjectId":123,"associationTypes":[…]}`: HubSpot sends the id as a number here.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AssociatedOut {
    to_object_id: Value,
    association_types: Vec<TypeOut>,
}

/// A record's live associations to one type, one entry per associated record, in the order made.
fn associated(store: &Store, record: &Record, to: ObjectType) -> Vec<AssociatedOut> {
    let mut out: Vec<(String, AssociatedOut)> = Vec::new();
    for link in record.links.iter().filter(|l| l.to_type == to && store.live(to, &l.to_id).is_some()) {
        let kind = TypeOut {
            category: "HUBSPOT_DEFINED",
            type_id: link.type_id,
            label: schema::type_of(record.object_type, link.type_id).and_then(AssociationType::label),
        };
        match out.iter_mut().find(|(id, _)| id == link.to_id.as_str()) {
            Some((_, entry)) => entry.association_types.push(kind),
            None => {
                let id = link.to_id.parse::<u64>().map_or_else(|_| json!(link.to_id.as_str()), |n| json!(n));
                out.push((link.to_id.to_string(), AssociatedOut { to_object_id: id, association_types: vec![kind] }));
            }
        }
    }
    out.into_iter().map(|(_, entry)| entry).collect()
}

#[derive(Debug, Deserialize)]
struct BatchReadIn {
    inputs: Vec<IdIn>,
}

#[derive(Debug, Serialize)]
struct FromTo {
    from: IdOut,
    to: Vec<AssociatedOut>,
}

#[derive(Debug, Serialize)]
struct IdOut {
    id: String,
}

async fn batch_read(State(shared): State<Shared>, Path(path): Path<PathParams>, body: Bytes) -> Response {
    let (from, to) = match path.object_type().and_then(|from| Ok((from, path.to_type()?))) {
        Ok(types) => types,
        Err(response) => return response,
    };
    let input: BatchReadIn = match validate::parse_json(&body)
        .and_then(|v| serde_json::from_value(v).map_err(|e| validate::invalid(&e.to_string())))
    {
        Ok(input) => input,
        Err(message) => return errors::validation(message),
    };
    if input.inputs.len() > MAX_BATCH_READ {
        return errors::validation(format!("Too many inputs: {} (at most {MAX_BATCH_READ})", input.inputs.len()));
    }
    let state = lock(&shared);
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for id in input.inputs.iter().map(IdIn::text) {
        let found =
            state.model.store.live(from, &id).map(|r| associated(&state.model.store, r, to)).unwrap_or_default();
        if found.is_empty() {
            errors.push(json!({
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                "message": format!("No {} is associated with {} {id}.", to.singular(), from.singular()),
                "context": {"fromObjectId": [id], "fromObjectType": [from.singular()], "toObjectType": [to.singular()]},
            }));
        } else {
            results.push(FromTo { from: IdOut { id }, to: found });
        }
    }
    let now = state.now();
    drop(state);
    BatchOut::complete(results, errors, now)
}

#[derive(Debug, Serialize)]
struct ListOut {
    results: Vec<AssociatedOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paging: Option<Paging>,
}

/// `after` is an offset into the record's associated records.
async fn list(State(shared): State<Shared>, Path(path): Path<PathParams>, RawQuery(raw): RawQuery) -> Response {
    let (from, to) = match path.object_type().and_then(|from| Ok((from, path.to_type()?))) {
        Ok(types) => types,
        Err(response) => return response,
    };
    let query = Query::parse(raw.as_deref());
    let limit = query.get("limit").and_then(|l| l.parse().ok()).unwrap_or(DEFAULT_LIMIT).clamp(1, DEFAULT_LIMIT);
    let after: usize = query.get("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    let state = lock(&shared);
    let all =
        state.model.store.live(from, path.id()).map(|r| associated(&state.model.store, r, to)).unwrap_or_default();
    drop(state);
    let total = all.len();
    let results = all.into_iter().skip(after).take(limit).collect();
    let paging =
        (after + limit < total).then(|| Paging { next: Next { after: (after + limit).to_string(), link: None } });
    errors::json(StatusCode::OK, &ListOut { results, paging })
}

/// The two records of an association path, both live; otherwise HubSpot's 404 for the record in the
/// path, or its invalid-association 400 for the target.
fn pair(store: &Store, path: &PathParams) -> Result<(ObjectType, ObjectType), Response> {
    let (from, to) = (path.object_type()?, path.to_type()?);
    if store.live(from, path.id()).is_none() {
        return Err(errors::object_not_found());
    }
    if store.live(to, path.to_id()).is_none() {
        return Err(Envelope::new(Some("VALIDATION_ERROR"), "One or more associations are invalid")
            .with_context(json!({"INVALID_OBJECT_IDS": [format!("{}={} is not valid", to.upper(), path.to_id())]}))
            .into_response(StatusCode::BAD_REQUEST));
    }
    Ok((from, to))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DefaultOut {
    from: IdOut,
    to: IdOut,
    association_spec: Spec,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec {
    association_category: &'static str,
    association_type_id: u32,
}

async fn create_default(State(shared): State<Shared>, Path(path): Path<PathParams>) -> Response {
    let mut state = lock(&shared);
    let (from, to) = match pair(&state.model.store, &path) {
        Ok(types) => types,
        Err(response) => return response,
    };
    let Some(kind) = schema::default_type(from, to) else {
        return errors::validation(format!(
            "There is no default association type from {} to {}",
            from.singular(),
            to.singular()
        ));
    };
    state.model.store.link(from, path.id(), to, path.to_id(), kind.id);
    let spec = |id| Spec { association_category: "HUBSPOT_DEFINED", association_type_id: id };
    let results = vec![
        DefaultOut {
            from: IdOut { id: path.id().into() },
            to: IdOut { id: path.to_id().into() },
            association_spec: spec(kind.id),
        },
        DefaultOut {
            from: IdOut { id: path.to_id().into() },
            to: IdOut { id: path.id().into() },
            association_spec: spec(kind.reverse),
        },
    ];
    let now = state.now();
    drop(state);
    BatchOut::complete(results, Vec::new(), now)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TypeIn {
    #[serde(default)]
    association_category: Option<String>,
    association_type_id: u32,
}

/// `{"fromObjectTypeId":"0-1","fromObjectId":1,"toObjectTypeId":"0-2","toObjectId":2,"labels":[…]}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LabelsOut {
    from_object_type_id: &'static str,
    from_object_id: Value,
    to_object_type_id: &'static str,
    to_object_id: Value,
    labels: Vec<String>,
}

async fn create_labeled(State(shared): State<Shared>, Path(path): Path<PathParams>, body: Bytes) -> Response {
    let types: Vec<TypeIn> = match validate::parse_json(&body)
        .and_then(|v| serde_json::from_value(v).map_err(|e| validate::invalid(&e.to_string())))
    {
        Ok(types) => types,
        Err(message) => return errors::validation(message),
    };
    let mut state = lock(&shared);
    let (from, to) = match pair(&state.model.store, &path) {
        Ok(types) => types,
        Err(response) => return response,
    };
    let mut kinds: Vec<&AssociationType> = Vec::new();
    for t in &types {
        let category = t.association_category.as_deref().unwrap_or("HUBSPOT_DEFINED");
        match schema::type_of(from, t.association_type_id).filter(|k| category == "HUBSPOT_DEFINED" && k.to == to) {
            Some(kind) => kinds.push(kind),
            None => {
                return errors::validation(format!(
                    "{category} {} is not a valid association type from {} to {}",
                    t.association_type_id,
                    from.upper(),
                    to.upper()
                ));
            }
        }
    }
    for kind in &kinds {
        state.model.store.link(from, path.id(), to, path.to_id(), kind.id);
        if kind.primary
            && let Some(unlabeled) = schema::default_type(from, to)
        {
            state.model.store.link(from, path.id(), to, path.to_id(), unlabeled.id);
        }
    }
    drop(state);
    let number = |id: &str| id.parse::<u64>().map_or_else(|_| json!(id), |n| json!(n));
    let body = LabelsOut {
        from_object_type_id: from.type_id(),
        from_object_id: number(path.id()),
        to_object_type_id: to.type_id(),
        to_object_id: number(path.to_id()),
        // Only user-defined labels are named here: the recorded PUTs of HubSpot's primary types 1 and 5
        // (fixtures/hubspot/{contact,deal}/update-company-replaced) answer `labels: []`.
        labels: Vec::new(),
    };
    errors::json(StatusCode::CREATED, &body)
}

async fn remove(State(shared): State<Shared>, Path(path): Path<PathParams>) -> Response {
    let (from, to) = match path.object_type().and_then(|from| Ok((from, path.to_type()?))) {
        Ok(types) => types,
        Err(response) => return response,
    };
    let mut state = lock(&shared);
    if state.model.store.unlink(from, path.id(), to, path.to_id()) > 0 {
        let lead = match (from, to) {
            (ObjectType::Leads, _) => Some(path.id()),
            (_, ObjectType::Leads) => Some(path.to_id()),
            _ => None,
        };
        let orphaned = lead
            .and_then(|id| state.model.store.live(ObjectType::Leads, id))
            .is_some_and(|lead| !lead.links.iter().any(|l| l.type_id == schema::LEAD_TO_PRIMARY_CONTACT));
        if orphaned && let Some(id) = lead {
            let now = state.now();
            state.model.store.archive(ObjectType::Leads, id, now);
        }
    }
    errors::no_content()
}
