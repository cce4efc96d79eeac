//! `GET /crm/v3/owners/{ownerId}` and `GET /crm/v3/owners`: the portal's seeded owners.

use axum::Router;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;

use super::errors;
use super::form;
use super::state::Shared;

/// An owner as HubSpot returns it, in HubSpot's field order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    pub id: &'static str,
    pub email: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub user_id: u64,
    pub user_id_including_inactive: u64,
    pub created_at: &'static str,
    pub updated_at: &'static str,
    pub archived: bool,
    pub teams: &'static [Team],
}

#[derive(Debug, Serialize)]
pub struct Team {
    pub id: &'static str,
    pub name: &'static str,
    pub primary: bool,
}

const EMEA_SALES: &[Team] = &[Team { id: "178588", name: "EMEA Sales", primary: true }];

/// The seeded owners. John Smith and Jordan Reyes are exactly as the fixtures recorded them (one user
/// id, team and pair of timestamps for both, as recorded); Casey Nguyen is a deactivated user, visible
/// with `archived=true` only.
pub static OWNERS: &[Owner] = &[
    Owner {
        id: "67823451",
        email: "john.smith@acme.com",
        kind: "PERSON",
        first_name: "John",
        last_name: "Smith",
        user_id: 9_586_504,
        user_id_including_inactive: 9_586_504,
        created_at: "2024-02-19T10:12:44.118Z",
        updated_at: "2026-01-07T16:50:06.678Z",
        archived: false,
        teams: EMEA_SALES,
    },
    Owner {
        id: "41629779",
        email: "jordan.reyes@acme-demo.com",
        kind: "PERSON",
        first_name: "Jordan",
        last_name: "Reyes",
        user_id: 9_586_504,
        user_id_including_inactive: 9_586_504,
        created_at: "2024-02-19T10:12:44.118Z",
        updated_at: "2026-01-07T16:50:06.678Z",
        archived: false,
        teams: EMEA_SALES,
    },
    Owner {
        id: "52846120",
        email: "casey.nguyen@acme.com",
        kind: "PERSON",
        first_name: "Casey",
        last_name: "Nguyen",
        user_id: 9_611_387,
        user_id_including_inactive: 9_611_387,
        created_at: "2023-08-02T08:41:19.004Z",
        updated_at: "2025-11-28T12:03:55.920Z",
        archived: true,
        teams: &[],
    },
];

pub fn router() -> Router<Shared> {
    Router::new().route("/crm/v3/owners", get(list)).route("/crm/v3/owners/{owner_id}", get(one))
}

/// `?idProperty=userId` looks the owner up by user id; `?archived=true` reads deactivated owners.
async fn one(Path(owner_id): Path<String>, RawQuery(query): RawQuery) -> Response {
    let query = form::pairs(query.as_deref().unwrap_or_default());
    let archived = form::get(&query, "archived") == Some("true");
    let by_user_id = form::get(&query, "idProperty") == Some("userId");
    let owner = OWNERS.iter().find(|o| {
        o.archived == archived && if by_user_id { o.user_id.to_string() == owner_id } else { o.id == owner_id }
    });
    match owner {
        Some(owner) => errors::json(StatusCode::OK, owner),
        None => errors::object_not_found(),
    }
}

#[derive(Debug, Serialize)]
struct Page {
    results: Vec<&'static Owner>,
}

/// `?email=` filters; `?archived=true` lists the deactivated owners instead. One page holds them all.
async fn list(RawQuery(query): RawQuery) -> Response {
    let query = form::pairs(query.as_deref().unwrap_or_default());
    let archived = form::get(&query, "archived") == Some("true");
    let email = form::get(&query, "email");
    let results = OWNERS
        .iter()
        .filter(|o| o.archived == archived && email.is_none_or(|e| o.email.eq_ignore_ascii_case(e)))
        .collect();
    errors::json(StatusCode::OK, &Page { results })
}
