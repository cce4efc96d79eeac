//! `POST /crm/v3/objects/{type}`, `GET|DELETE /crm/v3/objects/{type}/{id}`, and their date-based twins
//! (`/crm/objects/2026-03/{type}`): HubSpot's create, read-back and archive.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::json;

use super::errors::{self, Envelope};
use super::form;
use super::schema::{self, ObjectType};
use super::state::{Shared, iso, lock};
use super::store::{Link, Record, Store};
use super::validate::{self, AssociationInput};

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/crm/v3/objects/{object_type}", post(create))
        .route("/crm/v3/objects/{object_type}/{object_id}", get(read).delete(archive))
        .route("/crm/objects/{version}/{object_type}", post(create_dated))
        .route("/crm/objects/{version}/{object_type}/{object_id}", get(read_dated).delete(archive_dated))
}

async fn create(State(shared): State<Shared>, Path(object_type): Path<String>, body: Bytes) -> Response {
    create_object(&shared, &object_type, &body)
}

async fn read(
    State(shared): State<Shared>,
    Path((object_type, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    read_object(&shared, &object_type, &id, query.as_deref().unwrap_or_default())
}

async fn archive(State(shared): State<Shared>, Path((object_type, id)): Path<(String, String)>) -> Response {
    archive_object(&shared, &object_type, &id)
}

async fn create_dated(
    State(shared): State<Shared>,
    Path((version, object_type)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if !is_date_version(&version) {
        return errors::unknown_path().await;
    }
    create_object(&shared, &object_type, &body)
}

async fn read_dated(
    State(shared): State<Shared>,
    Path((version, object_type, id)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    if !is_date_version(&version) {
        return errors::unknown_path().await;
    }
    read_object(&shared, &object_type, &id, query.as_deref().unwrap_or_default())
}

async fn archive_dated(
    State(shared): State<Shared>,
    Path((version, object_type, id)): Path<(String, String, String)>,
) -> Response {
    if !is_date_version(&version) {
        return errors::unknown_path().await;
    }
    archive_object(&shared, &object_type, &id)
}

/// `2026-03`: the date-based API versions.
pub fn is_date_version(version: &str) -> bool {
    let b = version.as_bytes();
    b.len() == 7 && b[4] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit())
}

fn unknown_type(segment: &str) -> Response {
    errors::validation(format!("Unable to infer object type from: {segment}"))
}

/// Validates in HubSpot's order (body, properties, defaults and required properties, then under the lock
/// the associations, a lead's contact and a contact's e-mail) and stores the record.
fn create_object(shared: &Shared, segment: &str, body: &[u8]) -> Response {
    let Some(ty) = ObjectType::parse(segment) else { return unknown_type(segment) };
    let input = match validate::parse_create(body) {
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
    let mut state = lock(shared);
    let links = match resolve_links(&state.store, ty, &input.associations) {
        Ok(links) => links,
        Err(response) => return response,
    };
    if ty == ObjectType::Leads && !links.iter().any(|l| l.type_id == Some(schema::LEAD_TO_PRIMARY_CONTACT)) {
        return errors::validation(
            "A lead must be associated with a primary contact: add an association to an existing contact with \
             associationTypeId 578 (lead to primary contact)",
        );
    }
    if ty == ObjectType::Contacts
        && let Some(existing) = properties.get("email").and_then(|email| state.store.contact_with_email(email))
    {
        let message = format!("Contact already exists. Existing ID: {existing}");
        return Envelope::new(Some("CONFLICT"), message).into_response(StatusCode::CONFLICT);
    }
    let now = state.now();
    let id = state.store.next_id(ty);
    let record = Record { id, object_type: ty, properties, created_at: now, updated_at: now, archived_at: None, links };
    let body = render(&record, &Selection::Created, None);
    state.store.insert(record);
    drop(state);
    errors::json(StatusCode::CREATED, &body)
}

/// The associations of a create, each to a live record of the type its HubSpot-defined type id leads
/// to; otherwise HubSpot's `One or more associations are invalid`.
fn resolve_links(store: &Store, from: ObjectType, associations: &[AssociationInput]) -> Result<Vec<Link>, Response> {
    let mut links: Vec<Link> = Vec::new();
    let mut bad_types = Vec::new();
    let mut bad_ids = Vec::new();
    for association in associations {
        for (category, type_id) in &association.types {
            let target = if category == "HUBSPOT_DEFINED" { schema::target_of(from, *type_id) } else { None };
            match target {
                None => bad_types
                    .push(format!("{category} {type_id} is not a valid association type from {}", from.upper())),
                Some(to) if store.live(to, &association.to_id).is_none() => {
                    bad_ids.push((to, association.to_id.clone()));
                }
                Some(to) => {
                    let link = Link { to_type: to, to_id: association.to_id.as_str().into(), type_id: Some(*type_id) };
                    if !links.contains(&link) {
                        links.push(link);
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

fn read_object(shared: &Shared, segment: &str, id: &str, query: &str) -> Response {
    let Some(ty) = ObjectType::parse(segment) else { return unknown_type(segment) };
    let query = form::pairs(query);
    let list = |key: &str| -> Vec<String> {
        query
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let requested = list("properties");
    let selection = if requested.is_empty() { Selection::Defaults } else { Selection::Only(requested) };
    let associations: Vec<ObjectType> = list("associations").iter().filter_map(|t| ObjectType::parse(t)).collect();
    let archived = form::get(&query, "archived") == Some("true");
    let state = lock(shared);
    let record = match form::get(&query, "idProperty").filter(|p| *p != "hs_object_id") {
        Some(property) => state.store.find_by(ty, property, id),
        None => state.store.get(ty, id),
    };
    match record.filter(|r| r.archived() == archived) {
        Some(record) => errors::json(StatusCode::OK, &render(record, &selection, Some(&associations))),
        None => errors::object_not_found(),
    }
}

/// HubSpot answers `204` whether or not there was a live record to archive.
fn archive_object(shared: &Shared, segment: &str, id: &str) -> Response {
    let Some(ty) = ObjectType::parse(segment) else { return unknown_type(segment) };
    let mut state = lock(shared);
    let now = state.now();
    state.store.archive(ty, id, now);
    StatusCode::NO_CONTENT.into_response()
}

/// Which properties an answer carries (besides `hs_object_id` and the two timestamps, always there).
#[derive(Debug)]
pub enum Selection {
    /// A create's answer: what was written and defaulted (a deal always reports its `amount`).
    Created,
    /// Every stored property (the control plane's listing).
    All,
    /// A read without `properties=`.
    Defaults,
    /// A read's `properties=a,b`: those that have a value.
    Only(Vec<String>),
}

/// A CRM object as HubSpot returns it, in HubSpot's field order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectOut {
    pub id: String,
    pub properties: BTreeMap<String, Option<String>>,
    pub created_at: String,
    pub updated_at: String,
    pub archived: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub associations: Option<BTreeMap<&'static str, AssociationResults>>,
}

#[derive(Debug, Serialize)]
pub struct AssociationResults {
    pub results: Vec<AssociatedId>,
}

#[derive(Debug, Serialize)]
pub struct AssociatedId {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
}

pub fn render(record: &Record, selection: &Selection, associations: Option<&[ObjectType]>) -> ObjectOut {
    let ty = record.object_type;
    let wanted = |name: &str| match selection {
        Selection::Created | Selection::All => true,
        Selection::Defaults => ty.default_read().contains(&name),
        Selection::Only(names) => names.iter().any(|n| n == name),
    };
    let mut properties: BTreeMap<String, Option<String>> = record
        .properties
        .iter()
        .filter(|(name, _)| wanted(name))
        .map(|(name, value)| (name.to_string(), Some(value.to_string())))
        .collect();
    if matches!(selection, Selection::Created) && ty == ObjectType::Deals {
        properties.entry("amount".to_owned()).or_insert(None);
    }
    properties.insert(ty.created_property().to_owned(), Some(iso(record.created_at)));
    properties.insert(ty.modified_property().to_owned(), Some(iso(record.updated_at)));
    properties.insert("hs_object_id".to_owned(), Some(record.id.to_string()));
    let associations = associations.filter(|types| !types.is_empty()).map(|types| {
        types
            .iter()
            .map(|&to| {
                let results = record
                    .links
                    .iter()
                    .filter(|l| l.to_type == to)
                    .map(|l| AssociatedId {
                        id: l.to_id.to_string(),
                        kind: format!("{}_to_{}", ty.singular(), to.singular()),
                    })
                    .collect();
                (to.name(), AssociationResults { results })
            })
            .filter(|(_, r)| !r.results.is_empty())
            .collect()
    });
    ObjectOut {
        id: record.id.to_string(),
        properties,
        created_at: iso(record.created_at),
        updated_at: iso(record.updated_at),
        archived: record.archived(),
        archived_at: record.archived_at.map(iso),
        associations: associations.filter(|a: &BTreeMap<_, _>| !a.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_versions() {
        assert!(is_date_version("2026-03"));
        assert!(!is_date_version("v3") && !is_date_version("2026-3") && !is_date_version("2026_03"));
    }
}
