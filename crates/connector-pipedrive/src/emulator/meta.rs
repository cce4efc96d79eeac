//! The company's metadata: `GET /api/v2/personFields` and `dealFields` (paged by cursor), lead labels
//! (`GET /api/v1/leadLabels`) and users (`GET /api/v1/users`, `/users/{id}`, `/users/me`: v1 only).

use axum::Router;
use axum::extract::rejection::ExtensionRejection;
use axum::extract::{Extension, Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};
use unified_emulator::{Caller, form};

use super::errors::{self, Problem};
use super::model::Shared;
use super::objects::caller;
use super::schema::{self, COMPANY_DOMAIN, COMPANY_ID, Entity, LEAD_LABELS, USERS};

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/api/v2/personFields", get(person_fields))
        .route("/api/v2/dealFields", get(deal_fields))
        .route("/api/v1/leadLabels", get(lead_labels))
        .route("/api/v1/users", get(users))
        .route("/api/v1/users/me", get(me))
        .route("/api/v1/users/{id}", get(user))
}

/// The largest page the fields endpoints serve (and their default).
pub const MAX_LIMIT: usize = 500;
pub const DEFAULT_LIMIT: usize = 100;

async fn person_fields(RawQuery(query): RawQuery) -> Response {
    fields(Entity::Person, query.as_deref())
}

async fn deal_fields(RawQuery(query): RawQuery) -> Response {
    fields(Entity::Deal, query.as_deref())
}

/// `?limit=` (1..=500) and `?cursor=` (the previous page's `next_cursor`).
fn fields(entity: Entity, query: Option<&str>) -> Response {
    let pairs = form::pairs(query.unwrap_or_default());
    let limit = match form::get(&pairs, "limit").map(str::parse::<usize>) {
        None => DEFAULT_LIMIT,
        Some(Ok(limit)) if (1..=MAX_LIMIT).contains(&limit) => limit,
        Some(_) => return errors::validation(&[Problem::new("limit", "must be an integer from 1 to 500")]),
    };
    let start = match form::get(&pairs, "cursor") {
        None => 0,
        Some(cursor) => match decode_cursor(cursor) {
            Some(start) => start,
            None => return errors::validation(&[Problem::new("cursor", "is not a valid cursor")]),
        },
    };
    let all = schema::fields(entity);
    let page: Vec<Value> = all.iter().skip(start).take(limit).map(|f| json!(f)).collect();
    let next = (start + limit < all.len()).then(|| encode_cursor(start + limit));
    errors::page(Value::Array(page), next)
}

/// Opaque to callers, as Pipedrive's are.
fn encode_cursor(offset: usize) -> String {
    format!("ZmllbGQ6{offset:x}")
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    usize::from_str_radix(cursor.strip_prefix("ZmllbGQ6")?, 16).ok()
}

async fn lead_labels() -> Response {
    errors::data(StatusCode::OK, Value::Array(LEAD_LABELS.iter().map(|l| l.to_json()).collect()))
}

fn user_json(user: &schema::User, caller: u64) -> Value {
    let mut value = user.to_json();
    value["is_you"] = Value::Bool(user.id == caller);
    value
}

async fn users(c: Result<Extension<Caller<u64>>, ExtensionRejection>) -> Response {
    let caller = caller(c);
    errors::data(StatusCode::OK, Value::Array(USERS.iter().map(|u| user_json(u, caller)).collect()))
}

async fn user(Path(id): Path<String>, c: Result<Extension<Caller<u64>>, ExtensionRejection>) -> Response {
    let Ok(id) = id.parse::<u64>() else {
        return errors::validation(&[Problem::new("id", "must be an integer")]);
    };
    match schema::user(id) {
        Some(user) => errors::data(StatusCode::OK, user_json(user, caller(c))),
        None => errors::not_found("User"),
    }
}

/// The token's user, with the company and its domain (`<domain>.pipedrive.com`).
async fn me(c: Result<Extension<Caller<u64>>, ExtensionRejection>) -> Response {
    let caller = caller(c);
    let Some(user) = schema::user(caller) else { return errors::not_found("User") };
    let mut value = user_json(user, caller);
    value["company_id"] = json!(COMPANY_ID);
    value["company_name"] = json!("Northwind Demo");
    value["company_domain"] = json!(COMPANY_DOMAIN);
    errors::data(StatusCode::OK, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(&encode_cursor(500)), Some(500));
        assert_eq!(decode_cursor("nope"), None);
    }
}
