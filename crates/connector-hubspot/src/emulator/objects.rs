//! The CRM object routes, under `/crm/v3/objects/{type}` and the date-based `/crm/objects/2026-03/{type}`:
//! create, read and archive here; list, search, batch read and update in their own modules.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;
use unified_emulator::lock;

use super::errors::{self, Envelope};
use super::model::Shared;
use super::render::{Selection, render};
use super::request::{PathParams, Query};
use super::schema::{self, ObjectType};
use super::store::{self, Link, Record, Store};
use super::validate::{self, AssociationInput};
use super::{batch, list, search, update};

/// Where the object routes live: the legacy numeric version and the date-based ones.
pub const PREFIXES: [&str; 2] = ["/crm/v3/objects", "/crm/objects/{version}"];

pub fn router() -> Router<Shared> {
    PREFIXES.into_iter().fold(Router::new(), |router, prefix| {
        router
            .route(&format!("{prefix}/{{object_type}}"), post(create).get(list::list))
            .route(&format!("{prefix}/{{object_type}}/search"), post(search::search))
            .route(&format!("{prefix}/{{object_type}}/batch/read"), post(batch::read))
            .route(&format!("{prefix}/{{object_type}}/{{object_id}}"), get(read).patch(update::update).delete(archive))
    })
}

/// Validates in HubSpot's order (body, properties, defaults and required properties, then under the lock
/// the associations, a lead's contact and a contact's e-mail) and stores the record.
async fn create(State(shared): State<Shared>, Path(path): Path<PathParams>, body: Bytes) -> Response {
    let ty = match path.object_type() {
        Ok(ty) => ty,
        Err(response) => return response,
    };
    let input = match validate::parse_create(&body) {
        Ok(input) => input,
        Err(message) => return errors::validation(message),
    };
    let mut properties = match validate::check_properties(ty, input.properties) {
        Ok(properties) => properties,
        Err(problems) => return errors::invalid_properties(&problems),
    };
    validate::apply_defaults(ty, &mut properties);
    let missing = validate::missing_required(ty, &properties);
    if !missing.is_empty() {
        return Envelope::new(Some("VALIDATION_ERROR"), "Some required properties were not set.")
            .with_errors(missing)
            .into_response(StatusCode::BAD_REQUEST);
    }

    // One lock from the checks to the insert: two concurrent creates with one e-mail make one contact.
    let mut state = lock(&shared);
    let links = match resolve_links(&state.model.store, ty, &input.associations) {
        Ok(links) => links,
        Err(response) => return response,
    };
    if ty == ObjectType::Leads && !links.iter().any(|l| l.type_id == schema::LEAD_TO_PRIMARY_CONTACT) {
        return errors::validation(
            "A lead must be associated with a primary contact: add an association to an existing contact with \
             associationTypeId 578 (lead to primary contact)",
        );
    }
    if ty == ObjectType::Contacts
        && let Some(existing) = properties.get("email").and_then(|email| state.model.store.contact_with_email(email))
    {
        return errors::contact_exists(existing);
    }
    let now = state.now();
    let id = state.model.store.next_id(ty);
    let properties = store::stored(properties);
    let record = Record { id, object_type: ty, properties, created_at: now, updated_at: now, archived_at: None, links };
    let body = render(&state.model.store, &record, &Selection::Created, &[]);
    state.model.store.insert(record);
    drop(state);
    errors::json(StatusCode::CREATED, &body)
}

/// The associations of a create, each to a live record of the type its HubSpot-defined type id leads
/// to; otherwise HubSpot's `One or more associations are invalid`. A primary association comes with the
/// pair's unlabeled one, as in HubSpot.
fn resolve_links(store: &Store, from: ObjectType, associations: &[AssociationInput]) -> Result<Vec<Link>, Response> {
    let mut links: Vec<Link> = Vec::new();
    let mut bad_types = Vec::new();
    let mut bad_ids = Vec::new();
    for association in associations {
        for (category, type_id) in &association.types {
            let kind = if category == "HUBSPOT_DEFINED" { schema::type_of(from, *type_id) } else { None };
            match kind {
                None => bad_types
                    .push(format!("{category} {type_id} is not a valid association type from {}", from.upper())),
                Some(kind) if store.live(kind.to, &association.to_id).is_none() => {
                    bad_ids.push((kind.to, association.to_id.clone()));
                }
                Some(kind) => {
                    let implied = kind.primary.then(|| schema::default_type(from, kind.to)).flatten();
                    for id in std::iter::once(kind.id).chain(implied.map(|t| t.id)) {
                        let link = Link { to_type: kind.to, to_id: association.to_id.as_str().into(), type_id: id };
                        if !links.contains(&link) {
                            links.push(link);
                        }
                    }
                }
            }
        }
    }
    if bad_types.is_empty() && bad_ids.is_empty() {
        return Ok(links);
    }
    let mut context = serde_json::Map::new();
    if !bad_ids.is_empty() {
        let invalid: Vec<String> = bad_ids.iter().map(|(ty, id)| format!("{}={id} is not valid", ty.upper())).collect();
        context.insert("INVALID_OBJECT_IDS".into(), json!(invalid));
        context.insert("objectId".into(), json!(bad_ids.iter().map(|(_, id)| id).collect::<Vec<_>>()));
        context.insert("objectType".into(), json!(bad_ids.iter().map(|(ty, _)| ty.upper()).collect::<Vec<_>>()));
    }
    if !bad_types.is_empty() {
        context.insert("INVALID_ASSOCIATION_TYPES".into(), json!(bad_types));
    }
    Err(Envelope::new(Some("VALIDATION_ERROR"), "One or more associations are invalid")
        .with_context(serde_json::Value::Object(context))
        .into_response(StatusCode::BAD_REQUEST))
}

/// `?properties=a,b&associations=contacts&archived=true&idProperty=email`.
async fn read(State(shared): State<Shared>, Path(path): Path<PathParams>, RawQuery(query): RawQuery) -> Response {
    let ty = match path.object_type() {
        Ok(ty) => ty,
        Err(response) => return response,
    };
    let query = Query::parse(query.as_deref());
    let selection = Selection::requested(query.list("properties"));
    let associations = query.object_types("associations");
    let archived = query.flag("archived");
    let state = lock(&shared);
    match find(&state.model.store, ty, path.id(), query.get("idProperty")).filter(|r| r.archived() == archived) {
        Some(record) => errors::json(StatusCode::OK, &render(&state.model.store, record, &selection, &associations)),
        None => errors::object_not_found(),
    }
}

/// A record by id, or by the unique property `idProperty` names (`email` for contacts), live or archived.
pub fn find<'s>(store: &'s Store, ty: ObjectType, id: &str, id_property: Option<&str>) -> Option<&'s Record> {
    match id_property.filter(|p| *p != "hs_object_id") {
        Some(property) => store.find_by(ty, property, id),
        None => store.get(ty, id),
    }
}

/// HubSpot answers `204` whether or not there was a live record to archive.
async fn archive(State(shared): State<Shared>, Path(path): Path<PathParams>) -> Response {
    let ty = match path.object_type() {
        Ok(ty) => ty,
        Err(response) => return response,
    };
    let mut state = lock(&shared);
    let now = state.now();
    state.model.store.archive(ty, path.id(), now);
    errors::no_content()
}
