//! `GET /crm/v3/owners/{ownerId}` and `GET /crm/v3/owners`: the portal's owners. A fresh portal has three
//! (see [`Owners::seeded`]); `POST /_emulator/owners` adds more, in HubSpot's own shape.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use unified_emulator::control::error;
use unified_emulator::{form, lock};

use super::errors;
use super::model::Shared;

/// An owner as HubSpot returns it, in HubSpot's field order; also what a seed sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Owner {
    pub id: String,
    pub email: String,
    #[serde(rename = "type", default = "person")]
    pub kind: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    pub user_id: u64,
    pub user_id_including_inactive: u64,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default)]
    pub archived: bool,
    /// Left out when HubSpot leaves it out (the recorded deactivated owner has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams: Option<Vec<Team>>,
}

fn person() -> String {
    "PERSON".to_owned()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub primary: bool,
}

/// The portal's owners, in the order they were added.
#[derive(Debug, Clone)]
pub struct Owners(Vec<Owner>);

impl Owners {
    /// John Smith and Jordan Reyes are exactly as the fixtures recorded them (one user id, team and pair
    /// of timestamps for both, as recorded); Casey Nguyen is a deactivated user, visible with
    /// `archived=true` only.
    pub fn seeded() -> Self {
        let emea = || Some(vec![Team { id: "178588".into(), name: "EMEA Sales".into(), primary: true }]);
        let owner = |id: &str, email: &str, first: &str, last: &str, user_id: u64, at: (&str, &str)| Owner {
            id: id.into(),
            email: email.into(),
            kind: person(),
            first_name: first.into(),
            last_name: last.into(),
            user_id,
            user_id_including_inactive: user_id,
            created_at: at.0.into(),
            updated_at: at.1.into(),
            archived: false,
            teams: emea(),
        };
        let recorded = ("2024-02-19T10:12:44.118Z", "2026-01-07T16:50:06.678Z");
        let casey = ("2023-08-02T08:41:19.004Z", "2025-11-28T12:03:55.920Z");
        Self(vec![
            owner("67823451", "john.smith@acme.com", "John", "Smith", 9_586_504, recorded),
            owner("41629779", "jordan.reyes@acme-demo.com", "Jordan", "Reyes", 9_586_504, recorded),
            Owner {
                archived: true,
                teams: Some(Vec::new()),
                ..owner("52846120", "casey.nguyen@acme.com", "Casey", "Nguyen", 9_611_387, casey)
            },
        ])
    }

    /// By owner id (or user id), among the active owners or, with `archived`, the deactivated ones.
    pub fn find(&self, id: &str, archived: bool, by_user_id: bool) -> Option<&Owner> {
        self.0
            .iter()
            .find(|o| o.archived == archived && if by_user_id { o.user_id.to_string() == id } else { o.id == id })
    }

    pub fn all(&self) -> &[Owner] {
        &self.0
    }

    /// Adds owners whose ids are all new (among themselves too); `Err` names the first taken one and adds
    /// none.
    pub fn add(&mut self, owners: Vec<Owner>) -> Result<(), String> {
        for (i, owner) in owners.iter().enumerate() {
            if self.0.iter().chain(&owners[..i]).any(|o| o.id == owner.id) {
                return Err(format!("owner {} already exists", owner.id));
            }
        }
        self.0.extend(owners);
        Ok(())
    }
}

pub fn router() -> Router<Shared> {
    Router::new().route("/crm/v3/owners", get(list)).route("/crm/v3/owners/{owner_id}", get(one))
}

/// `?idProperty=userId` looks the owner up by user id; `?archived=true` reads deactivated owners.
async fn one(State(shared): State<Shared>, Path(owner_id): Path<String>, RawQuery(query): RawQuery) -> Response {
    let query = form::pairs(query.as_deref().unwrap_or_default());
    let archived = form::get(&query, "archived") == Some("true");
    let by_user_id = form::get(&query, "idProperty") == Some("userId");
    let owner = lock(&shared).model.owners.find(&owner_id, archived, by_user_id).cloned();
    match owner {
        Some(owner) => errors::json(StatusCode::OK, &owner),
        None => errors::object_not_found(),
    }
}

#[derive(Debug, Serialize)]
struct Page {
    results: Vec<Owner>,
}

/// `?email=` filters; `?archived=true` lists the deactivated owners instead. One page holds them all.
async fn list(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let query = form::pairs(query.as_deref().unwrap_or_default());
    let archived = form::get(&query, "archived") == Some("true");
    let email = form::get(&query, "email");
    let results = lock(&shared)
        .model
        .owners
        .all()
        .iter()
        .filter(|o| o.archived == archived && email.is_none_or(|e| o.email.eq_ignore_ascii_case(e)))
        .cloned()
        .collect();
    errors::json(StatusCode::OK, &Page { results })
}

/// `POST /_emulator/owners`: one owner or an array, in HubSpot's shape; all or none.
pub async fn seed(State(shared): State<Shared>, body: Bytes) -> Response {
    let owners = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Array(items)) => items.into_iter().map(serde_json::from_value).collect(),
        Ok(one) => serde_json::from_value(one).map(|o| vec![o]),
        Err(e) => Err(e),
    };
    let owners: Vec<Owner> = match owners {
        Ok(owners) => owners,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("not an owner: {e}")),
    };
    let ids: Vec<String> = owners.iter().map(|o| o.id.clone()).collect();
    match lock(&shared).model.owners.add(owners) {
        Ok(()) => (StatusCode::CREATED, Json(json!({ "created": ids.len(), "ids": ids }))).into_response(),
        Err(message) => error(StatusCode::CONFLICT, message),
    }
}

/// `GET /_emulator/owners`: every owner, deactivated ones too.
pub async fn all(State(shared): State<Shared>) -> Json<Vec<Owner>> {
    Json(lock(&shared).model.owners.all().to_vec())
}
