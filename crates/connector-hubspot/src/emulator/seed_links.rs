//! `POST /_emulator/associations`: associations between stored records, a test's precondition rather
//! than a v4 call (no implied unlabeled type, no lead clean-up). The body is an array of
//! `{"fromObjectType","fromObjectId","toObjectType","toObjectId"}` with either `"associationTypeId"` or
//! the v3 `"associationType"` name (`contact_to_company_unlabeled`), of a HubSpot-defined type from the
//! `from` record's side. Each is kept on both records, in the body's order (the order HubSpot answers
//! them in); all or none → `201 {"created": N}`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use unified_emulator::control::error;
use unified_emulator::lock;

use super::model::Shared;
use super::schema::{self, ObjectType};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LinkIn {
    from_object_type: String,
    from_object_id: String,
    to_object_type: String,
    to_object_id: String,
    #[serde(default)]
    association_type_id: Option<u32>,
    #[serde(default)]
    association_type: Option<String>,
}

/// A checked association: both types, both ids, the type id from `from`'s side.
struct Checked {
    from: ObjectType,
    from_id: String,
    to: ObjectType,
    to_id: String,
    type_id: u32,
}

fn check(link: LinkIn) -> Result<Checked, String> {
    let parse = |name: &str| ObjectType::parse(name).ok_or_else(|| format!("no object type {name}"));
    let (from, to) = (parse(&link.from_object_type)?, parse(&link.to_object_type)?);
    let kind = match (link.association_type_id, link.association_type.as_deref()) {
        (Some(id), None) => schema::type_of(from, id),
        (None, Some(name)) => schema::type_named(from, name),
        _ => return Err("give associationTypeId or associationType, not both".to_owned()),
    };
    let kind = kind
        .filter(|k| k.to == to)
        .ok_or_else(|| format!("no HubSpot-defined association type {link:?} from {} to {}", from.name(), to.name()))?;
    Ok(Checked { from, from_id: link.from_object_id, to, to_id: link.to_object_id, type_id: kind.id })
}

pub async fn seed(State(shared): State<Shared>, body: Bytes) -> Response {
    let links: Vec<LinkIn> = match serde_json::from_slice(&body) {
        Ok(links) => links,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("not an array of associations: {e}")),
    };
    let checked = match links.into_iter().map(check).collect::<Result<Vec<_>, _>>() {
        Ok(checked) => checked,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let mut state = lock(&shared);
    if let Some(missing) = checked.iter().find_map(|c| {
        let absent = |ty: ObjectType, id: &str| {
            (!state.model.store.exists(ty, id)).then(|| format!("no {} {id}", ty.singular()))
        };
        absent(c.from, &c.from_id).or_else(|| absent(c.to, &c.to_id))
    }) {
        return error(StatusCode::NOT_FOUND, missing);
    }
    for c in &checked {
        state.model.store.link(c.from, &c.from_id, c.to, &c.to_id, c.type_id);
    }
    (StatusCode::CREATED, Json(json!({ "created": checked.len() }))).into_response()
}
