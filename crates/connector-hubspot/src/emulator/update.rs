//! `PATCH /crm/v3/objects/{type}/{id}` `{"properties": {...}}` (`?idProperty=email` for contacts):
//! HubSpot's update, its properties checked like a create's; `""` clears a value. Answers `200` with the
//! object in the create's shape: the properties written (a cleared one as `""`) plus the system ones. A
//! body's `associations` are not read (HubSpot adds those with the v4 associations API).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Duration;
use unified_emulator::lock;

use super::errors;
use super::model::Shared;
use super::objects::find;
use super::render::{Selection, render};
use super::request::{PathParams, Query};
use super::schema::{self, ObjectType};
use super::store::Properties;
use super::validate;

pub async fn update(
    State(shared): State<Shared>,
    Path(path): Path<PathParams>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let ty = match path.object_type() {
        Ok(ty) => ty,
        Err(response) => return response,
    };
    let query = Query::parse(raw.as_deref());
    let input = match validate::parse_create(&body) {
        Ok(input) => input,
        Err(message) => return errors::validation(message),
    };
    let written: Vec<String> = input.properties.keys().map(ToString::to_string).collect();
    let mut changes = match validate::check_properties(ty, input.properties) {
        Ok(changes) => changes,
        Err(problems) => return errors::invalid_properties(&problems),
    };

    let mut state = lock(&shared);
    let Some(record) = find(&state.model.store, ty, path.id(), query.get("idProperty")).filter(|r| !r.archived())
    else {
        return errors::object_not_found();
    };
    let (id, last_change) = (record.id.clone(), record.updated_at);
    if ty == ObjectType::Contacts
        && let Some(email) = changes.get("email").filter(|e| !e.trim().is_empty())
        && let Some(existing) = state.model.store.contact_with_email(email).filter(|other| *other != id)
    {
        return errors::contact_exists(existing);
    }
    derived_changes(ty, record.value("amount").is_some(), &mut changes);
    // Strictly later than the last change, so that a search on the modification date sees this one.
    let now = state.now().max(last_change + Duration::milliseconds(1));
    state.model.store.update(ty, &id, changes, now);
    let Some(record) = state.model.store.get(ty, &id) else { return errors::object_not_found() };
    let body = render(&state.model.store, record, &Selection::Written(written), &[]);
    drop(state);
    errors::json(StatusCode::OK, &body)
}

/// What HubSpot recomputes when an update writes its inputs: a deal's stage probability follows its
/// stage (beside an amount, as on create).
fn derived_changes(ty: ObjectType, had_amount: bool, changes: &mut Properties) {
    if ty != ObjectType::Deals {
        return;
    }
    let has_amount = changes.get("amount").map_or(had_amount, |a| !a.is_empty());
    if has_amount && let Some(probability) = changes.get("dealstage").and_then(|s| schema::deal_stage_probability(s)) {
        changes.insert("hs_deal_stage_probability".into(), probability.into());
    }
}
